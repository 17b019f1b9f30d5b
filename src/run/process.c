/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Docker's process options for one command: --env/--env-file (the environment), --ulimit
 * (resource limits) and --workdir, and the steps that apply them (with -t's pty, pty.c).
 *
 * The steps run first in the child, before the first privileged step: no filter is installed
 * yet, callfence still holds its capabilities, and the preflight has nothing to check. That is
 * where runc applies them too, for the parts that matter here: rlimits are set before the
 * capabilities are dropped (runc setupRlimits, in the parent, on the container's init), so a
 * hard limit above the caller's needs only callfence's CAP_SYS_RESOURCE; the working directory
 * is entered before the user switch (runc finalizeNamespace tries the chdir first with the
 * runtime's own credentials). Unlike Docker, a missing --workdir is not created: Docker makes
 * it inside the container's filesystem, here it would be a directory on the host, made as root
 * by a side effect of running a command; the CLI refuses it with 125 before anything runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "base/cleanup.h"
#include "base/suggest.h"
#include "run/run.h"

/* ---- the environment ------------------------------------------------------------------ */

static size_t name_len(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq ? (size_t)(eq - kv) : strlen(kv);
}

static const char *env_lookup(char *const *env, const char *name, size_t len)
{
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return env[i];
	return NULL;
}

/* Add or replace an owned "K=V" string. */
static int env_set(struct cf_env *e, char *kv)
{
	size_t len = name_len(kv);

	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->v[i], kv, len) == 0 && e->v[i][len] == '=') {
			free(e->v[i]);
			e->v[i] = kv;
			return 0;
		}
	if (e->n + 2 > e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		char **v = reallocarray(e->v, cap, sizeof(*v));

		if (!v) {
			free(kv);
			return -ENOMEM;
		}
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = kv;
	e->v[e->n] = NULL;
	return 0;
}

int cf_env_put(struct cf_env *e, const char *kv, char *const *from, struct cf_diag *reterr)
{
	size_t len = name_len(kv);
	const char *src = kv;
	char *copy;

	if (len == 0) {
		int r = diag_set(reterr, EINVAL, NULL, 0, 0, "--env",
				 "invalid environment "
				 "variable: %s",
				 kv);
		diag_hint(reterr, "give NAME=VALUE, or NAME alone to pass callfence's own value");
		return r;
	}
	if (!kv[len]) {
		/* docker run -e NAME: the client's value, or nothing when it has none */
		src = env_lookup(from, kv, len);
		if (!src)
			return 0;
	}
	copy = strdup(src);
	if (!copy)
		return -ENOMEM;
	return env_set(e, copy);
}

void cf_env_clear(struct cf_env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	*e = (struct cf_env){ 0 };
}

int cf_env_parse_file_buffer(struct cf_env *e, const char *source, const char *buf, size_t len,
			     char *const *from, struct cf_diag *reterr)
{
	const char *p = buf, *end = buf + len;
	unsigned line = 0;
	int r;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		cleanup_free char *l = NULL;
		size_t n;

		line++;
		/* docker: leading whitespace trimmed (strings.TrimLeft " \t"), the rest verbatim */
		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(le - p);
		if (n > 0 && p[n - 1] == '\r') /* bufio.ScanLines drops a trailing CR */
			n--;
		if (n == 0 || *p == '#') {
			p = nl ? nl + 1 : end;
			continue;
		}
		if (memchr(p, '\0', n)) {
			r = diag_set(reterr, EINVAL, source, line, 0, "--env-file",
				     "NUL character in line %u", line);
			return r;
		}
		l = strndup(p, n);
		if (!l)
			return -ENOMEM;
		size_t k = name_len(l);
		if (k == 0) {
			r = diag_set(reterr, EINVAL, source, line, 1, "--env-file",
				     "no variable name on line '%s'", l);
			diag_hint(reterr, "lines are NAME=VALUE, NAME, or # comments");
			return r;
		}
		if (strcspn(l, " \t\v\f\r") < k) {
			r = diag_set(reterr, EINVAL, source, line, 1, "--env-file",
				     "variable '%.*s' contains whitespaces", (int)k, l);
			diag_hint(reterr, "docker refuses it too; the value after '=' is taken "
					  "verbatim, quotes included");
			return r;
		}
		r = cf_env_put(e, l, from, reterr);
		if (r < 0)
			return r;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int cf_env_parse_file(struct cf_env *e, const char *path, char *const *from, struct cf_diag *reterr)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		int err = fd >= 0 && S_ISDIR(st.st_mode) ? EISDIR : errno;

		return diag_set(reterr, err, path, 0, 0, "--env-file", "cannot read: %s",
				strerror(err));
	}
	for (;;) {
		ssize_t k;

		if (len + 4096 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if (cap > (64u << 20))
				return diag_set(reterr, EFBIG, path, 0, 0, "--env-file",
						"file too large (limit 64 MiB)");
			nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		k = read(fd, buf + len, cap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return diag_set(reterr, errno, path, 0, 0, "--env-file", "cannot read: %s",
					strerror(errno));
		if (k == 0)
			break;
		len += (size_t)k;
	}
	return cf_env_parse_file_buffer(e, path, buf ? buf : "", len, from, reterr);
}

/* ---- --ulimit ----------------------------------------------------------------------------- */

/* docker's names (docker/go-units ulimit.go) */
static const struct {
	const char *name;
	int resource;
} ulimits[] = {
	{ "core", RLIMIT_CORE },	 { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },	 { "fsize", RLIMIT_FSIZE },
	{ "locks", RLIMIT_LOCKS },	 { "memlock", RLIMIT_MEMLOCK },
	{ "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },	 { "nproc", RLIMIT_NPROC },
	{ "rss", RLIMIT_RSS },		 { "rtprio", RLIMIT_RTPRIO },
	{ "rttime", RLIMIT_RTTIME },	 { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};

const char *cf_ulimit_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(ulimits); i++)
		if (ulimits[i].resource == resource)
			return ulimits[i].name;
	return "?";
}

/* go-units: strconv.ParseInt; -1 (and "unlimited", which newer docker accepts) = infinity */
static int parse_limit(const char *s, size_t len, uint64_t *ret)
{
	char buf[32], *end;
	long long v;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcmp(buf, "unlimited") == 0 || strcmp(buf, "-1") == 0) {
		*ret = RLIM_INFINITY;
		return 0;
	}
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (*end || errno == ERANGE)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if (v < 0)
		return -ERANGE;
	*ret = (uint64_t)v;
	return 0;
}

int cf_ulimit_parse(const char *arg, struct cf_ulimit *ret, struct cf_diag *reterr)
{
	const char *eq = strchr(arg, '='), *val, *colon;
	char name[32];
	struct cf_suggest sg;
	int r;

	if (!eq || (size_t)(eq - arg) >= sizeof(name)) {
		r = diag_set(reterr, EINVAL, NULL, 0, 0, "--ulimit", "invalid ulimit argument: %s",
			     arg);
		diag_hint(reterr, "give NAME=SOFT[:HARD], e.g. nofile=1024:2048");
		return r;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	*ret = (struct cf_ulimit){ .resource = -1 };
	cf_suggest_init(&sg, name);
	for (size_t i = 0; i < ARRAY_SIZE(ulimits); i++) {
		if (strcmp(ulimits[i].name, name) == 0)
			ret->resource = ulimits[i].resource;
		cf_suggest_consider(&sg, ulimits[i].name);
	}
	if (ret->resource < 0) {
		r = diag_set(reterr, EINVAL, NULL, 0, 0, "--ulimit", "invalid ulimit type: %s",
			     name);
		if (cf_suggest_is_near_miss(&sg))
			diag_hint(reterr,
				  "did you mean %s? valid: core, cpu, data, fsize, locks, "
				  "memlock, msgqueue, nice, nofile, nproc, rss, rtprio, "
				  "rttime, sigpending, stack",
				  sg.best);
		else
			diag_hint(reterr,
				  "valid: core, cpu, data, fsize, locks, memlock, msgqueue, "
				  "nice, nofile, nproc, rss, rtprio, rttime, sigpending, "
				  "stack");
		return r;
	}
	val = eq + 1;
	colon = strchr(val, ':');
	r = parse_limit(val, colon ? (size_t)(colon - val) : strlen(val), &ret->soft);
	if (r == 0)
		r = colon ? parse_limit(colon + 1, strlen(colon + 1), &ret->hard) :
			    (ret->hard = ret->soft, 0);
	if (r < 0) {
		r = diag_set(reterr, -r, NULL, 0, 0, "--ulimit", "invalid ulimit value in %s", arg);
		diag_hint(reterr, "SOFT and HARD are numbers >= 0, or -1/unlimited");
		return r;
	}
	if (ret->soft > ret->hard) {
		r = diag_set(reterr, EINVAL, NULL, 0, 0, "--ulimit",
			     "ulimit soft limit must be less than or equal to hard limit: %s", arg);
		return r;
	}
	return 0;
}

/* ---- the steps ---------------------------------------------------------------------------- */

static int plan_pty(struct cf_plan *plan, const struct cf_pty *p)
{
	int r;

	plan->pty = (struct cf_pty *)p;
	r = cf_plan_add(plan, CF_STEP_SETSID, SYS_setsid, 0, 0, 0, 0,
			"start a session for the terminal (-t)");
	if (r == 0)
		r = cf_plan_add(plan, CF_STEP_IOCTL, SYS_ioctl, (uint64_t)p->slave, TIOCSCTTY, 0, 0,
				"take the pty as controlling terminal (-t)");
	for (uint64_t fd = 0; fd <= 2 && r == 0; fd++)
		r = cf_plan_add(plan, CF_STEP_DUP, SYS_dup3, (uint64_t)p->slave, fd, 0, 0,
				"connect stdin, stdout and stderr to the pty (-t)");
	return r;
}

int cf_process_plan(struct cf_plan *plan, const struct cf_run_spec *spec, struct cf_diag *reterr)
{
	char what[96];
	int r = 0;

	if (spec->pty)
		r = plan_pty(plan, spec->pty);
	if (spec->n_ulimits > CF_RLIMIT_MAX)
		return diag_set(reterr, E2BIG, NULL, 0, 0, "--ulimit", "too many --ulimit");
	for (size_t i = 0; i < spec->n_ulimits && r == 0; i++) {
		const struct cf_ulimit *u = &spec->ulimits[i];

		plan->rlimits[i][0] = u->soft;
		plan->rlimits[i][1] = u->hard;
		snprintf(what, sizeof(what), "set the %s limit (--ulimit)",
			 cf_ulimit_name(u->resource));
		r = cf_plan_add(plan, CF_STEP_RLIMIT, SYS_prlimit64, 0, (uint64_t)u->resource,
				(uint64_t)(uintptr_t)plan->rlimits[i], 0, what);
	}
	if (r == 0 && spec->workdir) {
		plan->workdir = strdup(spec->workdir);
		if (!plan->workdir)
			return -ENOMEM;
		r = cf_plan_add(plan, CF_STEP_CHDIR, SYS_chdir, (uint64_t)(uintptr_t)plan->workdir,
				0, 0, 0, "enter the working directory (--workdir)");
	}
	if (r < 0)
		return diag_set(reterr, -r, NULL, 0, 0, NULL, "too many launcher steps");
	return 0;
}
