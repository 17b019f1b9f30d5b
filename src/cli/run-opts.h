/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * `callfence run`'s Docker process options (issue 12): -e/--env, --env-file, -w/--workdir,
 * --group-add, --ulimit, -t/--tty, -i/--interactive and --init (what run does anyway), and the
 * container-only options of docker run, refused with one line saying what to do instead.
 */
#include <getopt.h>
#include <stdbool.h>

#include "cli/opts.h"
#include "run/run.h"

enum {
	OPT_ENV = OPT_SHARED_LAST + 0x200,
	OPT_ENV_FILE,
	OPT_WORKDIR,
	OPT_GROUP_ADD,
	OPT_ULIMIT,
	OPT_TTY,
	OPT_INTERACTIVE,
	OPT_INIT,
	OPT_CONTAINER_ONLY, /* + the index in run_container_only[]: refused */
};

/* The short options among them, for getopt_long's string. */
#define RUN_PROCESS_SHORT_OPTIONS "e:w:tidv:p:Pm:"

struct run_process {
	const char *env[256]; /* -e, in order */
	size_t n_env;
	const char *env_files[16];
	size_t n_env_files;
	const char *workdir;
	const char *group_add[64];
	size_t n_group_add;
	struct cf_ulimit ulimits[CF_RLIMIT_MAX];
	size_t n_ulimits;
	bool tty;
};

/* Fill buf with the struct option entries (no terminator); how many (at most max). */
size_t run_process_longopts(struct option *buf, size_t max);

/* Handles one option (short ones mapped by the caller's switch through this too): 1 handled,
 * 0 not ours, -1 refused or bad value (printed). */
int run_process_option(struct run_process *o, int opt, const char *arg);

/* The environment the command gets: callfence's, then --env-file entries, then -e; malloc'd
 * strings in e. Prints the error; -1 on failure. */
int run_process_env(const struct run_process *o, char *const *base, struct cf_env *e);

/* --workdir is an existing directory (Docker would create it, here it would be on the host);
 * prints the error; -1 when not. */
int run_process_check_workdir(const struct run_process *o);

extern const char run_process_help[];
