/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `callfence run`'s Docker process options: the flags a Docker user types for one process that
 * mean the same without a container, and a one-line refusal (exit 125) for those that only make
 * sense with one. Refused rather than ignored: `-v /data:/data` silently doing nothing would
 * leave the user believing in an isolation that is not there.
 *
 * -i/--interactive is accepted and does nothing: docker run -i keeps stdin attached, and
 * callfence always passes its stdin to the command, so `-it` (the way Docker users type it)
 * means what they expect. --init is accepted too: what docker's init (tini) is for, forwarding
 * signals and reaping, is what run does (exec.c forwards signals; without a PID namespace the
 * command's orphans are reaped by the host's init or subreaper, never left to the command).
 */
#include "cli/run-opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "base/cleanup.h"

extern char **environ;

const char run_process_help[] =
	"\nProcess options (as docker run):\n"
	"  -e, --env NAME[=VALUE]               set NAME in the command's environment; NAME\n"
	"                                       alone passes callfence's own value (if set)\n"
	"      --env-file FILE                  NAME=VALUE lines (docker's format: # comments,\n"
	"                                       NAME alone = callfence's value), before -e\n"
	"  -w, --workdir DIR                    run in DIR (must exist: not created on the host)\n"
	"      --group-add GROUP                add a supplementary group (name or gid)\n"
	"      --ulimit NAME=SOFT[:HARD]        set a resource limit (nofile, nproc, core, ...;\n"
	"                                       -1 or unlimited for no limit)\n"
	"  -t, --tty                            run on a new pseudo-terminal relayed by\n"
	"                                       callfence: the command cannot reach your terminal\n"
	"  -i, --interactive                    accepted: stdin is always passed to the command\n"
	"      --init                           accepted: signals are forwarded and orphans are\n"
	"                                       reaped by the host's init (no PID namespace)\n";

/* what to do instead, shared by the options that ask for the same thing */
static const char no_net[] = "the command uses the host's network; to take it away deny socket "
			     "in the profile, or use unshare -n / bwrap --unshare-net";
static const char no_fs[] = "the command sees the host's files as they are; use -w DIR, or "
			    "bwrap --bind for another view";
static const char no_ports[] = "the command's ports are the host's; nothing to map";

/* docker run's container-only options: what callfence lacks, and what to do instead */
static const struct {
	const char *name;
	int has_arg;
	char short_name; /* 0: none */
	const char *instead;
} container_only[] = {
	{ "rm", no_argument, 0, "there is nothing to remove afterwards; drop --rm" },
	{ "detach", no_argument, 'd',
	  "run it in the background from your shell (callfence run ... &) or with systemd-run" },
	{ "network", required_argument, 0, no_net },
	{ "net", required_argument, 0, no_net },
	{ "volume", required_argument, 'v', no_fs },
	{ "mount", required_argument, 0, no_fs },
	{ "tmpfs", required_argument, 0,
	  "the command sees the host's files as they are; bwrap --tmpfs gives a private one" },
	{ "read-only", no_argument, 0,
	  "the command sees the host's files as they are; bwrap --ro-bind gives a read-only view" },
	{ "publish", required_argument, 'p', no_ports },
	{ "publish-all", no_argument, 'P', no_ports },
	{ "expose", required_argument, 0, "the command's ports are the host's; nothing to expose" },
	{ "name", required_argument, 0,
	  "there is no container to name; the command is a process of yours (see its pid)" },
	{ "entrypoint", required_argument, 0,
	  "give the program itself: callfence run [OPTIONS] PROGRAM [ARGS...]" },
	{ "hostname", required_argument, 0,
	  "no UTS namespace: the host's name is the command's (unshare -u for a private one)" },
	{ "pid", required_argument, 0, "no namespaces: the command sees the host's processes" },
	{ "ipc", required_argument, 0, "no namespaces: the command uses the host's IPC" },
	{ "uts", required_argument, 0, "no namespaces: the command sees the host's name" },
	{ "userns", required_argument, 0, "no user namespace: use --user for another uid" },
	{ "cgroupns", required_argument, 0, "no cgroup namespace" },
	{ "memory", required_argument, 'm',
	  "no cgroup: use systemd-run --scope -p MemoryMax=..., or --ulimit data=..." },
	{ "cpus", required_argument, 0, "no cgroup: use systemd-run --scope -p CPUQuota=..." },
	{ "pids-limit", required_argument, 0, "no cgroup: use --ulimit nproc=N" },
	{ "restart", required_argument, 0, "no daemon restarts it: use a systemd unit" },
	{ "device", required_argument, 0,
	  "the host's devices are the command's, as its file permissions allow" },
	{ "dns", required_argument, 0, "the command resolves names as the host does" },
	{ "add-host", required_argument, 0, "the command reads the host's /etc/hosts" },
	{ "label", required_argument, 0, "there is no container to label" },
	{ "platform", required_argument, 0, "there is no image: the program runs natively" },
	{ "pull", required_argument, 0, "there is no image to pull" },
};

static const struct option process_longopts[] = {
	{ "env", required_argument, NULL, OPT_ENV },
	{ "env-file", required_argument, NULL, OPT_ENV_FILE },
	{ "workdir", required_argument, NULL, OPT_WORKDIR },
	{ "group-add", required_argument, NULL, OPT_GROUP_ADD },
	{ "ulimit", required_argument, NULL, OPT_ULIMIT },
	{ "tty", no_argument, NULL, OPT_TTY },
	{ "interactive", no_argument, NULL, OPT_INTERACTIVE },
	{ "init", no_argument, NULL, OPT_INIT },
};

size_t run_process_longopts(struct option *buf, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(process_longopts) && n < max; i++)
		buf[n++] = process_longopts[i];
	/* the refused ones, with ids that index container_only[] */
	for (size_t i = 0; i < ARRAY_SIZE(container_only) && n < max; i++)
		buf[n++] = (struct option){ container_only[i].name, container_only[i].has_arg, NULL,
					    OPT_CONTAINER_ONLY + (int)i };
	return n;
}

static int refuse(size_t i)
{
	char shortname[8] = "";

	if (container_only[i].short_name)
		snprintf(shortname, sizeof(shortname), "-%c/", container_only[i].short_name);
	fprintf(stderr, "callfence run: %s--%s: callfence has no containers: %s\n", shortname,
		container_only[i].name, container_only[i].instead);
	return -1;
}

static int push(const char **v, size_t *n, size_t max, const char *arg, const char *option)
{
	if (*n >= max) {
		fprintf(stderr, "callfence run: too many %s (limit %zu)\n", option, max);
		return -1;
	}
	v[(*n)++] = arg;
	return 1;
}

int run_process_option(struct run_process *o, int opt, const char *arg)
{
	struct cf_diag d;

	/* the short spellings (RUN_PROCESS_SHORT_OPTIONS) */
	switch (opt) {
	case 'e':
		opt = OPT_ENV;
		break;
	case 'w':
		opt = OPT_WORKDIR;
		break;
	case 't':
		opt = OPT_TTY;
		break;
	case 'i':
		opt = OPT_INTERACTIVE;
		break;
	default:
		for (size_t i = 0; i < ARRAY_SIZE(container_only); i++)
			if (opt == container_only[i].short_name)
				return refuse(i);
	}
	switch (opt) {
	case OPT_ENV:
		return push(o->env, &o->n_env, ARRAY_SIZE(o->env), arg, "--env");
	case OPT_ENV_FILE:
		return push(o->env_files, &o->n_env_files, ARRAY_SIZE(o->env_files), arg,
			    "--env-file");
	case OPT_WORKDIR:
		if (!arg[0] || arg[0] != '/') {
			/* docker: "the working directory '%s' is invalid, it needs to be an
			 * absolute path" */
			fprintf(stderr,
				"callfence run: --workdir \"%s\": it needs to be an absolute path, as "
				"in docker run\n",
				arg);
			return -1;
		}
		o->workdir = arg;
		return 1;
	case OPT_GROUP_ADD:
		return push(o->group_add, &o->n_group_add, ARRAY_SIZE(o->group_add), arg,
			    "--group-add");
	case OPT_ULIMIT:
		if (o->n_ulimits >= ARRAY_SIZE(o->ulimits)) {
			fprintf(stderr, "callfence run: too many --ulimit\n");
			return -1;
		}
		if (cf_ulimit_parse(arg, &o->ulimits[o->n_ulimits], &d) < 0) {
			output_diag(&d, "error");
			return -1;
		}
		/* docker keeps one limit per name, the last one given */
		for (size_t i = 0; i < o->n_ulimits; i++)
			if (o->ulimits[i].resource == o->ulimits[o->n_ulimits].resource) {
				o->ulimits[i] = o->ulimits[o->n_ulimits];
				return 1;
			}
		o->n_ulimits++;
		return 1;
	case OPT_TTY:
		o->tty = true;
		return 1;
	case OPT_INTERACTIVE:
	case OPT_INIT:
		return 1; /* what run does anyway (the file's comment) */
	}
	if (opt >= OPT_CONTAINER_ONLY && opt < OPT_CONTAINER_ONLY + (int)ARRAY_SIZE(container_only))
		return refuse((size_t)(opt - OPT_CONTAINER_ONLY));
	return 0;
}

int run_process_env(const struct run_process *o, char *const *base, struct cf_env *e)
{
	struct cf_diag d;
	int r = 0;

	for (size_t i = 0; base && base[i] && r >= 0; i++)
		if (strchr(base[i], '=') && base[i][0] != '=')
			r = cf_env_put(e, base[i], NULL, &d);
	for (size_t i = 0; i < o->n_env_files && r >= 0; i++)
		r = cf_env_parse_file(e, o->env_files[i], base, &d);
	for (size_t i = 0; i < o->n_env && r >= 0; i++)
		r = cf_env_put(e, o->env[i], base, &d);
	if (r == -ENOMEM) {
		fprintf(stderr, "callfence run: %s\n", strerror(ENOMEM));
		return -1;
	}
	if (r < 0) {
		output_diag(&d, "error");
		return -1;
	}
	return 0;
}

int run_process_check_workdir(const struct run_process *o)
{
	struct stat st;

	if (!o->workdir)
		return 0;
	if (stat(o->workdir, &st) < 0) {
		fprintf(stderr,
			"callfence run: --workdir %s: %s (docker creates it inside the container; "
			"callfence does not create directories on the host: mkdir -p it first)\n",
			o->workdir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "callfence run: --workdir %s: %s\n", o->workdir, strerror(ENOTDIR));
		return -1;
	}
	return 0;
}
