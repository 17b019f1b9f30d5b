/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --user: the same answer Docker gives, read from the host's /etc/passwd and /etc/group.
 *
 * Docker resolves the spec with moby/sys/user GetExecUser (daemon/oci_linux.go getUser) and hands
 * runc numeric ids plus AdditionalGids = [primary gid] + the /etc/group memberships of the matched
 * user name (only when no group was given explicitly). runc then calls setgroups(AdditionalGids),
 * setgid, setuid (libcontainer/init_linux.go setupUser) and, when HOME is unset or empty, sets it
 * to the uid's passwd home or "/" (libcontainer/env.go prepareEnv/getUserHome).
 *
 * Parsing follows moby/sys/user: passwd lines are trimmed and blank ones skipped (no comment
 * syntax), group lines also skip '#' comments, fields are ':'-separated, numeric fields that do
 * not parse count as 0, the first matching entry wins, ids outside 0..2^31-1 are refused.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/prctl.h>
#include <sys/syscall.h>

#include "base/cleanup.h"
#include "run/run.h"

#define CF_ID_MAX 2147483647L /* moby/sys/user maxID: 1<<31 - 1 */

#define PASSWD_DEFAULT "/etc/passwd"
#define GROUP_DEFAULT  "/etc/group"

/* Go strconv.Atoi: optional sign, decimal digits. 0 ok, -EINVAL syntax, -ERANGE overflow. */
static int go_atoi(const char *s, size_t len, long long *ret)
{
	bool neg = false;
	unsigned long long v = 0;
	size_t i = 0;

	if (len > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return -EINVAL;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (v > (ULLONG_MAX - 9) / 10)
			v = ULLONG_MAX; /* keep scanning for syntax errors */
		else
			v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > (unsigned long long)LLONG_MAX) {
		*ret = neg ? LLONG_MIN : LLONG_MAX;
		return -ERANGE;
	}
	*ret = neg ? -(long long)v : (long long)v;
	return 0;
}

/* moby parseNumeric: 1 numeric (id set), 0 a name, -ERANGE outside 0..maxID. */
static int parse_numeric(const char *s, long *ret_id)
{
	long long v;
	int r;

	if (!*s)
		return 0;
	r = go_atoi(s, strlen(s), &v);
	if (r == -EINVAL)
		return 0;
	if (r < 0 || v < 0 || v > CF_ID_MAX)
		return -ERANGE;
	*ret_id = (long)v;
	return 1;
}

/* A numeric field of a passwd/group line: conversion errors count as 0, like parseParts. */
static long field_int(const char *s, size_t len)
{
	long long v = 0;
	int r = go_atoi(s, len, &v);

	if (r == -EINVAL)
		return 0;
	if (v > LONG_MAX)
		return LONG_MAX;
	if (v < LONG_MIN)
		return LONG_MIN;
	return (long)v;
}

/* Split a trimmed line into at most n ':'-fields (pointers into line, lengths). */
static size_t split_fields(char *line, const char **f, size_t *flen, size_t n)
{
	size_t k = 0;
	char *p = line;

	while (k < n) {
		char *c = strchr(p, ':');

		f[k] = p;
		flen[k] = c ? (size_t)(c - p) : strlen(p);
		k++;
		if (!c)
			break;
		p = c + 1;
	}
	return k;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n' ||
			 e[-1] == '\v' || e[-1] == '\f'))
		*--e = '\0';
	return s;
}

static bool field_eq(const char *f, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(f, s, len) == 0;
}

struct pw_match {
	bool found;
	char *name;
	long uid, gid;
	char *home;
};

static void pw_match_clear(struct pw_match *m)
{
	free(m->name);
	free(m->home);
	memset(m, 0, sizeof(*m));
}

/* First passwd entry with this name (name != NULL) or this uid. Unreadable file: no entries. */
static int passwd_find(const char *path, const char *name, long uid, struct pw_match *ret)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	cleanup_free char *buf = NULL;
	size_t cap = 0;

	memset(ret, 0, sizeof(*ret));
	if (!f)
		return 0; /* GetExecUserPath ignores open errors and passes a nil reader */
	while (getline(&buf, &cap, f) >= 0) {
		const char *fld[7] = { 0 };
		size_t len[7] = { 0 };
		char *line = trim(buf);
		size_t n;
		bool hit;

		if (!*line)
			continue;
		n = split_fields(line, fld, len, 7);
		if (name)
			hit = field_eq(fld[0], len[0], name);
		else
			hit = n > 2 && field_int(fld[2], len[2]) == uid;
		if (!hit)
			continue;
		ret->found = true;
		ret->name = strndup(fld[0], len[0]);
		ret->uid = n > 2 ? field_int(fld[2], len[2]) : 0;
		ret->gid = n > 3 ? field_int(fld[3], len[3]) : 0;
		ret->home = n > 5 ? strndup(fld[5], len[5]) : strdup("");
		if (!ret->name || !ret->home) {
			pw_match_clear(ret);
			return -ENOMEM;
		}
		return 0;
	}
	return 0;
}

static bool list_has(const char *list, size_t len, const char *name)
{
	const char *p = list, *end = list + len;

	if (len == 0)
		return false;
	for (;;) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t l = c ? (size_t)(c - p) : (size_t)(end - p);

		if (field_eq(p, l, name))
			return true;
		if (!c)
			return false;
		p = c + 1;
	}
}

static int gids_push(gid_t **v, size_t *n, size_t *cap, long gid)
{
	if (*n >= CF_CREDS_MAX_GROUPS)
		return -E2BIG;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		gid_t *nv = reallocarray(*v, ncap, sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = (gid_t)gid;
	return 0;
}

/*
 * One pass over the group file: with group_arg, the first group matching it (by gid when
 * numeric); without, every group listing member. Unreadable file: no entries.
 */
static int group_scan(const char *path, const char *group_arg, bool group_numeric, long gid_arg,
		      const char *member, bool *ret_found, long *ret_gid, gid_t **sg, size_t *n_sg,
		      size_t *cap_sg)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	cleanup_free char *buf = NULL;
	size_t cap = 0;
	int r;

	*ret_found = false;
	if (!f)
		return 0;
	while (getline(&buf, &cap, f) >= 0) {
		const char *fld[4] = { 0 };
		size_t len[4] = { 0 };
		char *line = trim(buf);
		size_t n;
		long gid;

		if (!*line || line[0] == '#')
			continue;
		n = split_fields(line, fld, len, 4);
		gid = n > 2 ? field_int(fld[2], len[2]) : 0;
		if (group_arg) {
			bool hit = group_numeric ? gid == gid_arg :
						   field_eq(fld[0], len[0], group_arg);

			if (hit) {
				*ret_found = true;
				*ret_gid = gid;
				return 0;
			}
			continue;
		}
		if (n > 3 && list_has(fld[3], len[3], member)) {
			r = gids_push(sg, n_sg, cap_sg, gid);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int cf_creds_lookup(const char *spec, const char *passwd_path, const char *group_path,
		    struct cf_creds *ret, struct cf_diag *reterr)
{
	cleanup_free char *copy = NULL;
	cleanup_free gid_t *sg = NULL;
	cleanup_free gid_t *groups = NULL;
	cleanup_free char *home = NULL;
	struct pw_match pw = { 0 };
	const char *user_arg, *group_arg;
	size_t n_sg = 0, cap_sg = 0;
	long uid_arg = 0, gid_arg = 0, uid = 0, gid = 0;
	int is_uid, is_gid, r;
	char *colon;

	if (!passwd_path)
		passwd_path = PASSWD_DEFAULT;
	if (!group_path)
		group_path = GROUP_DEFAULT;
	if (!spec)
		spec = "";
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	/* parseLine: the first two ':'-separated parts; anything after a second ':' is ignored. */
	user_arg = copy;
	group_arg = "";
	colon = strchr(copy, ':');
	if (colon) {
		*colon = '\0';
		group_arg = colon + 1;
		colon = strchr(colon + 1, ':');
		if (colon)
			*colon = '\0';
	}

	is_uid = parse_numeric(user_arg, &uid_arg);
	is_gid = is_uid < 0 ? 0 : parse_numeric(group_arg, &gid_arg);
	if (is_uid < 0 || is_gid < 0)
		return diag_set(reterr, ERANGE, NULL, 0, 0, "--user",
				"%s: uids and gids must be in range 0-%ld", spec, CF_ID_MAX);

	if (!*user_arg)
		r = passwd_find(passwd_path, NULL, 0, &pw); /* default user: uid 0 */
	else if (is_uid)
		r = passwd_find(passwd_path, NULL, uid_arg, &pw);
	else
		r = passwd_find(passwd_path, user_arg, 0, &pw);
	if (r < 0)
		return r;

	if (pw.found) {
		uid = pw.uid;
		gid = pw.gid;
	} else if (*user_arg) {
		if (!is_uid) {
			diag_set(reterr, ENOENT, passwd_path, 0, 0, "--user",
				 "unable to find user %s: no matching entries in passwd file",
				 user_arg);
			diag_hint(reterr, "give a user name from %s or a numeric uid", passwd_path);
			return -ENOENT;
		}
		uid = uid_arg;
	}

	if (*group_arg || pw.found) {
		bool found = false;
		long g = 0;

		r = group_scan(group_path, *group_arg ? group_arg : NULL, is_gid == 1, gid_arg,
			       pw.name, &found, &g, &sg, &n_sg, &cap_sg);
		if (r < 0) {
			pw_match_clear(&pw);
			return r;
		}
		if (*group_arg) {
			if (found) {
				gid = g;
			} else if (!is_gid) {
				pw_match_clear(&pw);
				diag_set(
					reterr, ENOENT, group_path, 0, 0, "--user",
					"unable to find group %s: no matching entries in group file",
					group_arg);
				diag_hint(reterr, "give a group name from %s or a numeric gid",
					  group_path);
				return -ENOENT;
			} else {
				gid = gid_arg;
			}
			n_sg = 0; /* supplementary groups only in the implicit form */
		}
	}
	pw_match_clear(&pw);

	/* moby getUser: AdditionalGids = [gid] + Sgids. */
	groups = reallocarray(NULL, n_sg + 1, sizeof(*groups));
	if (!groups)
		return -ENOMEM;
	groups[0] = (gid_t)gid;
	if (n_sg)
		memcpy(groups + 1, sg, n_sg * sizeof(*sg));

	r = cf_user_home((uid_t)uid, passwd_path, &home);
	if (r < 0)
		return r;

	ret->uid = (uid_t)uid;
	ret->gid = (gid_t)gid;
	ret->groups = TAKE_PTR(groups);
	ret->n_groups = n_sg + 1;
	ret->home = TAKE_PTR(home);
	return 0;
}

void cf_creds_clear(struct cf_creds *c)
{
	if (!c)
		return;
	free(c->groups);
	free(c->home);
	memset(c, 0, sizeof(*c));
}

int cf_user_home(uid_t uid, const char *passwd_path, char **ret)
{
	struct pw_match pw;
	char *home;
	int r;

	r = passwd_find(passwd_path ? passwd_path : PASSWD_DEFAULT, NULL, (long)uid, &pw);
	if (r < 0)
		return r;
	/* runc getUserHome: the entry's home even when empty; "/" without an entry. */
	home = pw.found ? TAKE_PTR(pw.home) : strdup("/");
	pw_match_clear(&pw);
	if (!home)
		return -ENOMEM;
	*ret = home;
	return 0;
}

int cf_creds_plan(struct cf_plan *plan, const struct cf_creds *c, struct cf_diag *reterr)
{
	char what[96];
	int r;

	plan->groups = reallocarray(NULL, c->n_groups ? c->n_groups : 1, sizeof(gid_t));
	if (!plan->groups)
		return -ENOMEM;
	memcpy(plan->groups, c->groups, c->n_groups * sizeof(gid_t));
	plan->n_groups = c->n_groups;

	/* runc finalizeNamespace: keep the permitted set across the uid change, then setupUser. */
	r = cf_plan_add(plan, CF_STEP_KEEPCAPS, SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0,
			"keep capabilities while switching user");
	if (r < 0)
		goto full;
	snprintf(what, sizeof(what), "set %zu supplementary group(s)", c->n_groups);
	r = cf_plan_add(plan, CF_STEP_SETGROUPS, SYS_setgroups, c->n_groups,
			(uint64_t)(uintptr_t)plan->groups, 0, 0, what);
	if (r < 0)
		goto full;
	/* runc (libcontainer/system.Setgid/Setuid) makes the raw setgid/setuid syscalls, so those
	 * are what a profile must allow; with CAP_SETGID/CAP_SETUID they set real, effective and
	 * saved ids alike, the same result as setres*id. */
	snprintf(what, sizeof(what), "switch to gid %u", (unsigned)c->gid);
	r = cf_plan_add(plan, CF_STEP_SETGID, SYS_setgid, c->gid, 0, 0, 0, what);
	if (r < 0)
		goto full;
	snprintf(what, sizeof(what), "switch to uid %u", (unsigned)c->uid);
	r = cf_plan_add(plan, CF_STEP_SETUID, SYS_setuid, c->uid, 0, 0, 0, what);
	if (r < 0)
		goto full;
	r = cf_plan_add(plan, CF_STEP_CLEAR_KEEPCAPS, SYS_prctl, PR_SET_KEEPCAPS, 0, 0, 0,
			"stop keeping capabilities across uid changes");
	if (r < 0)
		goto full;
	return 0;
full:
	return diag_set(reterr, -r, NULL, 0, 0, NULL, "too many launcher steps");
}

int cf_creds_add_groups(struct cf_creds *c, const char *const *groups, size_t n,
			const char *group_path, struct cf_diag *reterr)
{
	size_t cap = c->n_groups, first = c->n_groups;
	int r;

	if (!group_path)
		group_path = GROUP_DEFAULT;
	for (size_t i = 0; i < n; i++) {
		bool found = false, dup = false;
		long gid = 0, num = 0;
		int is_num = parse_numeric(groups[i], &num);

		/* moby/sys/user GetAdditionalGroups: an entry whose name, or gid spelled in
		 * decimal, is the argument; then the argument as a number */
		r = group_scan(group_path, groups[i], false, 0, NULL, &found, &gid, NULL, NULL,
			       NULL);
		if (r == 0 && !found && is_num == 1)
			r = group_scan(group_path, groups[i], true, num, NULL, &found, &gid, NULL,
				       NULL, NULL);
		if (r < 0)
			return r;
		if (!found) {
			if (is_num < 0)
				return diag_set(reterr, ERANGE, NULL, 0, 0, "--group-add",
						"%s: gids must be in range 0-%ld", groups[i],
						CF_ID_MAX);
			if (is_num == 0) {
				r = diag_set(reterr, ENOENT, group_path, 0, 0, "--group-add",
					     "unable to find group %s: no matching entries in "
					     "group file",
					     groups[i]);
				diag_hint(reterr, "give a group name from %s or a numeric gid",
					  group_path);
				return r;
			}
			gid = num;
		}
		/* moby keeps each added gid once (a set), appended after the user's groups */
		for (size_t j = first; j < c->n_groups; j++)
			if (c->groups[j] == (gid_t)gid)
				dup = true;
		if (dup)
			continue;
		r = gids_push(&c->groups, &c->n_groups, &cap, gid);
		if (r < 0)
			return r;
	}
	return 0;
}
