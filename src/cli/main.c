/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "arch/arch.h"
#include "base/suggest.h"
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
	{ "export", cmd_export,
	  "print the resolved profile (OCI, Docker, BPF, asm, k8s, spo, systemd)" },
	{ "explain", cmd_explain, "say what a syscall gets, which rule decides, and the fix" },
	{ "record", cmd_record, "run a command and write the smallest profile that lets it run" },
	{ "inspect", cmd_inspect, "show the seccomp filters a running process is under" },
	{ "lint", cmd_lint, "check profiles for holes, runtime breakage and dead rules" },
	{ "diff", cmd_diff, "compare two profiles by verdict, per ABI and argument region" },
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
		"  %-10s %s\n"
		"\nRun 'callfence help COMMAND' (or 'callfence COMMAND --help') for a command's\n"
		"options; man callfence-COMMAND.\n"
		"Exit status: 125 callfence's own error, 126 cannot execute, 127 not found,\n"
		"otherwise the command's status (128+N when killed by signal N).\n",
		"help", "show a command's options (help run = run --help)");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* "callfence: unknown command "rnu"; did you mean run?" (base/suggest.h), else the list */
static int unknown_command(const char *name)
{
	struct cf_suggest sg;

	cf_suggest_init(&sg, name);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		cf_suggest_consider(&sg, commands[i].name);
	cf_suggest_consider(&sg, "help");
	if (cf_suggest_is_near_miss(&sg)) {
		fprintf(stderr, "callfence: unknown command \"%s\"; did you mean %s?\n", name,
			sg.best);
		return CF_EXIT_ERROR;
	}
	fprintf(stderr, "callfence: unknown command \"%s\"; valid:", name);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(stderr, " %s", commands[i].name);
	fprintf(stderr, " help\n");
	return CF_EXIT_ERROR;
}

/* `callfence help [COMMAND]`: the usage, or exactly what `callfence COMMAND --help` prints. */
static int help(int argc, char **argv)
{
	const struct command *c;
	char help_opt[] = "--help";

	if (argc < 3 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	c = find_command(argv[2]);
	if (!c)
		return unknown_command(argv[2]);
	return c->fn(2, (char *[]){ argv[2], help_opt, NULL });
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return CF_EXIT_ERROR;
	}
	/* hidden: one word a line for shell-completion/callfence.bash (listing.c) */
	if (strcmp(argv[1], "help") == 0 && argc == 3 && strcmp(argv[2], "--commands") == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
			puts(commands[i].name);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 && argc == 3 &&
	    (strcmp(argv[2], "--capabilities") == 0 || strcmp(argv[2], "--syscalls") == 0))
		return cli_help_list(argv[2]);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc, argv);
	if (strcmp(argv[1], "--version") == 0) {
		printf("callfence %s (syscall tables: Linux %s)\n", CF_VERSION,
		       syscall_table_version());
		return 0;
	}
	c = find_command(argv[1]);
	if (c)
		return c->fn(argc - 1, argv + 1);
	return unknown_command(argv[1]);
}
