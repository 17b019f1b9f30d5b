/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hidden machine-readable lists for the shell completion (shell-completion/callfence.bash),
 * one word a line, so completion follows the binary instead of a copy of its tables:
 * `callfence help --capabilities` (Docker's spelling, without CAP_: what --cap-add takes) and
 * `callfence help --syscalls` (every name of every syscall table, as explain takes them).
 * `callfence help --commands` is main.c's, which owns the command table.
 */
#include <stdio.h>
#include <string.h>

#include "arch/arch.h"
#include "caps/caps.h"
#include "cli/commands.h"
#include "cli/opts.h"

int cli_help_list(const char *what)
{
	if (strcmp(what, "--capabilities") == 0) {
		for (int i = 0; i <= caps_last_known(); i++) {
			const char *n = caps_to_name(i);

			if (n)
				puts(strncmp(n, "CAP_", 4) == 0 ? n + 4 : n);
		}
		puts("ALL");
		return 0;
	}
	if (strcmp(what, "--syscalls") == 0) {
		for (unsigned i = 0; i < syscall_n_ids(); i++)
			puts(syscall_id_name((int)i));
		return 0;
	}
	fprintf(stderr,
		"callfence help: unknown list \"%s\"; valid: --commands, --capabilities, "
		"--syscalls\n",
		what);
	return CF_EXIT_ERROR;
}
