/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "arch/arch.h"
#include "cf-config.h"
#include "cli/commands.h"
#include "cli/opts.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "run a command confined by a seccomp profile and capabilities" },
	{ "export", cmd_export, "print the resolved profile as OCI, Docker, BPF or assembly" },
	{ "explain", cmd_explain, "say what a syscall gets, which rule decides, and the fix" },
	{ "record", cmd_record, "run a command and write the smallest profile that lets it run" },
	{ "predict", cmd_predict, "predict a program's profile from its ELF files alone" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: callfence COMMAND [OPTIONS] [ARGS...]\n\n"
		   "Confine programs with Docker-compatible seccomp profiles and capabilities.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\nRun 'callfence COMMAND --help' for a command's options; man callfence-COMMAND.\n"
		"Exit status: 125 callfence's own error, 126 cannot execute, 127 not found,\n"
		"otherwise the command's status (128+N when killed by signal N).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CF_EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("callfence %s (syscall tables: Linux %s)\n", CF_VERSION,
		       syscall_table_version());
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "callfence: unknown command \"%s\"; valid:", argv[1]);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(stderr, " %s", commands[i].name);
	fprintf(stderr, "\n");
	return CF_EXIT_ERROR;
}
