/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cli/commands.h"
#include "cli/opts.h"

int cmd_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "callfence: explain is not implemented yet\n");
	return CF_EXIT_ERROR;
}
