/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli/output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sys/stat.h>

int cli_output_check_name(const char *option, const char *path)
{
	if (!path[0]) {
		fprintf(stderr,
			"callfence: %s: empty file name; give a file, or - for standard output\n",
			option);
		return -1;
	}
	if (path[0] == '-' && path[1]) {
		/* `--explain-out -- true`: getopt took the next word as the value */
		fprintf(stderr,
			"callfence: %s \"%s\": looks like an option, not a file (the option needs "
			"a value); write ./%s for a file of that name, or - for standard output\n",
			option, path, path);
		return -1;
	}
	return 0;
}

static void report(const char *option, const char *path, int r)
{
	struct stat st;

	if (r == -EISDIR)
		fprintf(stderr,
			"callfence: %s %s: is a directory; name a file in it, or - for standard "
			"output\n",
			option, path);
	else if (r == -ENXIO && stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
		fprintf(stderr,
			"callfence: %s %s: no process opened the FIFO for reading within %u s; "
			"start the reader first\n",
			option, path, CF_OUTFILE_FIFO_WAIT_MS / 1000);
	else if (r == -ENXIO && stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		fprintf(stderr,
			"callfence: %s %s: is a socket, which cannot be opened for writing (nor "
			"with the shell's >); it was left alone\n",
			option, path);
	else if (r == -EBADF)
		fprintf(stderr, "callfence: %s %s: is open for reading only\n", option, path);
	else if (r == -EEXIST)
		fprintf(stderr,
			"callfence: %s %s: is no longer a regular file (it changed while callfence "
			"ran); it was left as it is\n",
			option, path);
	else
		fprintf(stderr, "callfence: %s %s: %s\n", option, path, strerror(-r));
}

int cli_output_open(const char *option, const char *path, struct cf_outfile *f)
{
	int r;

	if (cli_output_check_name(option, path) < 0)
		return -1;
	r = cf_outfile_open(f, path, NULL);
	if (r < 0) {
		report(option, path, r);
		return -1;
	}
	return 0;
}

int cli_output_write(const char *option, const char *path, struct cf_outfile *f, const void *data,
		     size_t len)
{
	int r = cf_outfile_write(f, data, len);

	if (r < 0) {
		report(option, path, r);
		return -1;
	}
	return 0;
}
