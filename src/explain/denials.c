/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "Calls this process tree was denied": the backend-independent half of `run --explain`.
 * A backend (the ptrace supervisor, src/run/supervise.c, or the eBPF observer, src/observe/)
 * hands every call it saw skipped or killed to cf_denials_report() with the seccomp_data the
 * kernel evaluated; this file decides with OUR program (the BPF simulator: what the kernel did
 * under the profile) and the prepared model (which rule, which fix), prints the live line once
 * per distinct denial, and builds the summary and the --explain-out profile at the end. So the
 * lines a user reads do not depend on how the call was seen.
 */
#include "explain/denials.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/uio.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "bpf/sim.h"

#define MAX_DISTINCT 256

struct denial {
	/* key */
	uint32_t audit_arch;
	int nr;
	uint32_t ret;
	int rule_index;
	uint64_t key_value;
	/* what we know */
	struct cf_explanation *e;
	size_t count;
	pid_t pids[8];
	size_t n_pids;
};

struct cf_denials {
	struct cf_denials_opts o;
	struct cf_model *model;
	struct denial *d;
	size_t n_d;
	size_t n_calls;
	uint64_t lost;
};

int cf_denials_new(const struct cf_denials_opts *o, struct cf_denials **ret)
{
	struct cf_denials *s;
	int r;

	if (!o || !o->ctx || !o->ctx->resolved || !o->prog || !o->report || !ret)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->o = *o;
	r = cf_model_new(o->ctx->resolved, &s->model, NULL);
	if (r < 0) {
		free(s);
		return r;
	}
	*ret = s;
	return 0;
}

struct cf_denials *cf_denials_free(struct cf_denials *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n_d; i++)
		free(s->d[i].e);
	free(s->d);
	cf_model_free(s->model);
	free(s);
	return NULL;
}

/* A string of the stopped thread, for path arguments in reports. */
int cf_denials_read_str(void *userdata, uint64_t addr, char *buf, size_t size)
{
	pid_t tid = (pid_t)(intptr_t)userdata;
	struct iovec local = { .iov_base = buf, .iov_len = size - 1 };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = size - 1 };
	ssize_t n;

	/* one page-crossing-safe attempt, then a shorter one up to the page end */
	n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n < 0) {
		size_t to_page = 4096 - (addr & 4095);

		if (to_page >= size - 1)
			return -errno;
		local.iov_len = remote.iov_len = to_page;
		n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
		if (n < 0)
			return -errno;
	}
	buf[n] = '\0';
	return (int)strnlen(buf, (size_t)n);
}

/* What the kernel would have returned without --explain (our program only). */
uint32_t cf_denials_decision(const struct cf_denials *s, const struct seccomp_data *d)
{
	uint32_t ret = SECCOMP_RET_KILL_PROCESS;
	unsigned steps;

	if (cf_bpf_sim(s->o.prog->insns, s->o.prog->len, d, &ret, &steps) < 0)
		return SECCOMP_RET_KILL_PROCESS;
	return ret;
}

bool cf_denials_is_denial(uint32_t ret)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_USER_NOTIF:
		return false;
	default:
		return true;
	}
}
/* ------------------------------------------------------------------------------------------- */
/* Reporting */

static void say(struct cf_denials *s, const char *line)
{
	s->o.report(s->o.userdata, line);
}

/* The summary merges denials with the same syscall and the same decision (the table keeps
 * them apart by the key argument, for their fixes). */
static bool same_group(const struct denial *a, const struct denial *b)
{
	return a->audit_arch == b->audit_arch && a->nr == b->nr && a->ret == b->ret &&
	       a->rule_index == b->rule_index && a->e->eval.source == b->e->eval.source;
}

static struct denial *find_or_add(struct cf_denials *s, const struct seccomp_data *d,
				  const struct cf_explanation *tmpl)
{
	int k = cf_explain_key_arg(tmpl->call.name);
	uint64_t kv = k >= 0 ? tmpl->call.args[k] : 0;
	struct denial *v;

	for (size_t i = 0; i < s->n_d; i++) {
		struct denial *x = &s->d[i];

		if (x->audit_arch == d->arch && x->nr == d->nr && x->ret == tmpl->eval.ret &&
		    x->rule_index == tmpl->eval.rule_index && x->key_value == kv)
			return x;
	}
	if (s->n_d >= MAX_DISTINCT)
		return NULL;
	v = realloc(s->d, (s->n_d + 1) * sizeof(*v));
	if (!v)
		return NULL;
	s->d = v;
	v = &s->d[s->n_d];
	memset(v, 0, sizeof(*v));
	v->audit_arch = d->arch;
	v->nr = d->nr;
	v->ret = tmpl->eval.ret;
	v->rule_index = tmpl->eval.rule_index;
	v->key_value = kv;
	v->e = malloc(sizeof(*v->e));
	if (!v->e)
		return NULL;
	s->n_d++;
	return v;
}

/* The live `fix:` and its escape surface: the ranking's first fix (fixes.c), the same one the
 * summary's fix set starts from. */
static const struct cf_fix *best_fix(const struct cf_explanation *e,
				     const struct cf_explain_ctx *ctx, char *buf, size_t size)
{
	const struct cf_fix *f = cf_explain_best_fix(e);

	if (f)
		cf_explain_fix_text(f, ctx, buf, size);
	return f;
}

static void where_decided(const struct cf_explain_ctx *ctx, const struct cf_explanation *e,
			  bool long_form, char *loc, size_t size)
{
	switch (e->eval.source) {
	case CF_EVAL_RULE:
		cf_explain_rule_location(ctx->profile, (size_t)e->eval.rule_index, loc, size);
		return;
	case CF_EVAL_DEFAULT:
		snprintf(loc, size, "%s",
			 long_form ? "default action, no rule matched" : "default action");
		return;
	case CF_EVAL_BAD_ARCH:
		snprintf(loc, size, "%s",
			 long_form ? "architecture not in the profile" : "bad arch");
		return;
	case CF_EVAL_NEWER_THAN_PROFILE:
		snprintf(loc, size, "%s",
			 long_form ? "newer than every syscall the profile names (ENOSYS stub)" :
				     "ENOSYS stub");
		return;
	}
	snprintf(loc, size, "?");
}

static void report_json(struct cf_denials *s, const struct cf_explanation *e,
			const struct denial *den, pid_t tid, pid_t pid, const char *callbuf,
			bool first)
{
	cleanup_free char *txt = NULL;
	json_t *o = NULL;
	char *dump;

	if (cf_explain_format_json(s->o.ctx, e, &txt) == 0)
		o = json_loads(txt, 0, NULL);
	if (!o)
		o = json_object();
	if (!o)
		return;
	json_object_set_new(o, "event", json_string("denial"));
	json_object_set_new(
		o, "mode",
		json_string(s->o.mode == CF_SUPERVISE_COMPLAIN ? "complain" : "explain"));
	json_object_set_new(o, "pid", json_integer(pid));
	json_object_set_new(o, "tid", json_integer(tid));
	/* the live call, its path arguments read from the caller */
	json_object_set_new(o, "call", json_string(callbuf));
	json_object_set_new(
		o, "result",
		json_string(s->o.mode == CF_SUPERVISE_COMPLAIN ? "allowed (complain)" : "denied"));
	json_object_set_new(o, "count", json_integer(den ? (json_int_t)den->count : 1));
	if (!first)
		json_object_del(o, "fixes");
	dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (dump)
		say(s, dump);
	free(dump);
	json_decref(o);
}

void cf_denials_report(struct cf_denials *s, pid_t tid, pid_t pid, const struct seccomp_data *d,
		       uint32_t kret, const char *how, cf_explain_read_str_fn read_str, void *rd)
{
	const struct cf_explain_ctx *ctx = s->o.ctx;
	struct cf_explanation *e, tmp_hdr;
	enum cf_arch arch = arch_from_seccomp_data(d->arch, (uint32_t)d->nr);
	const char *name = arch != CF_ARCH_INVALID ? syscall_resolve_num(arch, d->nr) : NULL;
	struct cf_eval_result ev = { .ret = kret, .rule_index = -1 };
	struct cf_call call = {
		.arch = arch, .nr = d->nr, .n_given = 6, .ip = d->instruction_pointer
	};
	const struct cf_fix *fx;
	struct denial *den;
	char callbuf[512], what[96], loc[320], fix[640], line[2048];
	bool first = false;

	s->n_calls++;
	if (name)
		snprintf(call.name, sizeof(call.name), "%s", name);
	else
		snprintf(call.name, sizeof(call.name), "syscall_%d", d->nr);
	for (int i = 0; i < 6; i++)
		call.args[i] = d->args[i];
	if (cf_model_evaluate(s->model, d, &ev) < 0)
		ev = (struct cf_eval_result){ .ret = kret, .rule_index = -1 };
	memset(&tmp_hdr, 0, sizeof(tmp_hdr));
	tmp_hdr.call = call;
	tmp_hdr.eval = ev;
	tmp_hdr.denied = true;
	den = arch != CF_ARCH_INVALID ? find_or_add(s, d, &tmp_hdr) : NULL;
	if (den && den->count == 0) {
		first = true;
		if (cf_explain_call(ctx, s->model, &call, true, den->e) < 0) {
			memset(den->e, 0, sizeof(*den->e));
			den->e->call = call;
			den->e->eval = ev;
			den->e->denied = true;
		}
	}
	if (den) {
		den->count++;
		if (den->n_pids < ARRAY_SIZE(den->pids)) {
			bool seen = false;

			for (size_t i = 0; i < den->n_pids; i++)
				seen |= den->pids[i] == pid;
			if (!seen)
				den->pids[den->n_pids++] = pid;
		}
		e = den->e;
	} else {
		e = &tmp_hdr; /* no table room: report without fixes */
	}
	/* an expected answer (Docker's ENOSYS for clone3, glibc falls back) is not news: it is
	 * counted for the summary's one line, never streamed */
	if (cf_explain_by_design(e))
		return;

	cf_explain_format_call_ex(call.name, call.args, -1, arch, read_str, rd, callbuf,
				  sizeof(callbuf));
	if (s->o.format == CF_SUPERVISE_JSON) {
		report_json(s, e, den, tid, pid, callbuf, first);
		return;
	}
	cf_explain_ret_short(kret, what, sizeof(what));
	where_decided(ctx, e, true, loc, sizeof(loc));
	if (tid != pid)
		snprintf(line, sizeof(line), "callfence: pid %d (thread %d): %s %s %s [%s]",
			 (int)pid, (int)tid, callbuf, how, what, loc);
	else
		snprintf(line, sizeof(line), "callfence: pid %d: %s %s %s [%s]", (int)pid, callbuf,
			 how, what, loc);
	fx = best_fix(e, ctx, fix, sizeof(fix));
	if (fx) {
		size_t l = strlen(line);

		snprintf(line + l, sizeof(line) - l, " fix: %s", fix);
	}
	say(s, line);
	if (!first)
		return;
	/* the first time: why the other rules naming it did not apply */
	for (size_t i = 0; i < e->n_others && i < 4; i++) {
		cf_explain_rule_location(ctx->profile, e->others[i].index, loc, sizeof(loc));
		snprintf(line, sizeof(line), "callfence:   %s: %s", loc, e->others[i].why);
		say(s, line);
	}
	if (fx && fx->warning[0]) {
		snprintf(line, sizeof(line), "callfence:   WARNING: that fix opens %s",
			 fx->warning);
		say(s, line);
	}
	/* a call with a libc fallback answered with another errno: the fallback never runs */
	if (cf_explain_fallback(e->call.name) &&
	    (e->eval.ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
		for (size_t i = 0; i < e->n_notes; i++)
			if (strstr(e->notes[i], "only on ENOSYS")) {
				snprintf(line, sizeof(line), "callfence:   note: %s", e->notes[i]);
				say(s, line);
			}
}

void cf_denials_note(struct cf_denials *s, pid_t tid, pid_t pid, const struct seccomp_data *d,
		     int64_t observed, const char *what)
{
	enum cf_arch arch = arch_from_seccomp_data(d->arch, (uint32_t)d->nr);
	const char *name = arch != CF_ARCH_INVALID ? syscall_resolve_num(arch, d->nr) : NULL;
	char nbuf[32];
	json_t *o;
	char *dump;

	if (s->o.format != CF_SUPERVISE_JSON)
		return;
	if (!name) {
		snprintf(nbuf, sizeof(nbuf), "syscall_%d", d->nr);
		name = nbuf;
	}
	o = json_object();
	if (!o)
		return;
	json_object_set_new(o, "event", json_string("note"));
	json_object_set_new(o, "pid", json_integer(pid));
	json_object_set_new(o, "tid", json_integer(tid));
	json_object_set_new(o, "syscall", json_string(name));
	json_object_set_new(o, "observed", json_integer((json_int_t)observed));
	json_object_set_new(o, "note", json_string(what));
	dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (dump)
		say(s, dump);
	free(dump);
	json_decref(o);
}

void cf_denials_add_count(struct cf_denials *s, uint32_t audit_arch, int nr, size_t n)
{
	for (size_t i = 0; i < s->n_d; i++)
		if (s->d[i].audit_arch == audit_arch && s->d[i].nr == nr) {
			s->d[i].count += n;
			s->n_calls += n;
			return;
		}
}

void cf_denials_set_lost(struct cf_denials *s, uint64_t lost)
{
	s->lost = lost;
}

size_t cf_denials_n_distinct(const struct cf_denials *s)
{
	return s->n_d;
}

size_t cf_denials_n_calls(const struct cf_denials *s)
{
	return s->n_calls;
}

/* ------------------------------------------------------------------------------------------- */
/* Summary */

static const char *cap_short(int cap)
{
	const char *n = caps_to_name(cap);

	return n && strncmp(n, "CAP_", 4) == 0 ? n + 4 : (n ? n : "?");
}

/* Sum of a group's counts and its pids ("123,456"), from its first member i. */
static size_t group_total(const struct cf_denials *s, size_t i, struct strbuf *pids, json_t *jp)
{
	pid_t seen[16];
	size_t n_seen = 0, total = 0;

	for (size_t j = i; j < s->n_d; j++) {
		const struct denial *x = &s->d[j];

		if (!same_group(&s->d[i], x))
			continue;
		total += x->count;
		for (size_t k = 0; k < x->n_pids; k++) {
			bool dup = false;

			for (size_t m = 0; m < n_seen; m++)
				dup |= seen[m] == x->pids[k];
			if (dup || n_seen >= ARRAY_SIZE(seen))
				continue;
			seen[n_seen++] = x->pids[k];
			if (pids)
				strbuf_appendf(pids, "%s%d", n_seen > 1 ? "," : "",
					       (int)x->pids[k]);
			if (jp)
				json_array_append_new(jp, json_integer(x->pids[k]));
		}
	}
	return total;
}

static bool group_leader(const struct cf_denials *s, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_group(&s->d[j], &s->d[i]))
			return false;
	return true;
}

static void summary_json(struct cf_denials *s, const struct cf_fix_set *set,
			 const char *profile_out, bool profile_written, struct strbuf *out)
{
	const struct cf_explain_ctx *ctx = s->o.ctx;
	json_t *o = json_object(), *arr = json_array(), *caps = json_array(), *rules = json_array(),
	       *warn = json_array();
	char what[96], buf[640];
	char *dump;

	if (!o || !arr || !caps || !rules || !warn) {
		json_decref(o);
		json_decref(arr);
		json_decref(caps);
		json_decref(rules);
		json_decref(warn);
		return;
	}
	for (size_t i = 0; i < s->n_d; i++) {
		const struct denial *x = &s->d[i];
		const struct cf_fix *f = cf_explain_best_fix(x->e);
		const char *bd = cf_explain_by_design(x->e);
		json_t *j, *pids;
		size_t total;

		if (!group_leader(s, i))
			continue;
		j = json_object();
		pids = json_array();
		if (!j || !pids) {
			json_decref(j);
			json_decref(pids);
			continue;
		}
		total = group_total(s, i, NULL, pids);
		cf_explain_format_call(x->e->call.name, x->e->call.args, -1, x->e->call.arch, buf,
				       sizeof(buf));
		json_object_set_new(j, "syscall", json_string(x->e->call.name));
		json_object_set_new(j, "call", json_string(buf));
		cf_explain_ret_name(x->ret, what, sizeof(what));
		json_object_set_new(j, "action", json_string(what));
		json_object_set_new(j, "count", json_integer((json_int_t)total));
		json_object_set_new(j, "by_design", json_boolean(bd != NULL));
		if (bd)
			json_object_set_new(j, "fallback", json_string(bd));
		json_object_set_new(j, "pids", pids);
		if (f && !bd) {
			cf_explain_fix_text(f, ctx, buf, sizeof(buf));
			json_object_set_new(j, "fix", json_string(buf));
			if (f->warning[0])
				json_object_set_new(j, "warning", json_string(f->warning));
		}
		json_array_append_new(arr, j);
	}
	for (int c = 0; c < 64; c++)
		if (set->caps & CF_CAP_BIT(c))
			json_array_append_new(caps, json_string(cap_short(c)));
	for (size_t i = 0; i < set->n_rules; i++) {
		cf_explain_edit_text(&set->rules[i], ctx->profile, buf, sizeof(buf));
		json_array_append_new(rules, json_string(buf));
	}
	for (size_t i = 0; i < set->n_warnings; i++)
		json_array_append_new(warn, json_string(set->warnings[i]));
	json_object_set_new(o, "event", json_string("summary"));
	json_object_set_new(
		o, "mode",
		json_string(s->o.mode == CF_SUPERVISE_COMPLAIN ? "complain" : "explain"));
	json_object_set_new(o, "calls", json_integer((json_int_t)s->n_calls));
	json_object_set_new(o, "denials", arr);
	json_object_set_new(o, "cap_add", caps);
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "warnings", warn);
	json_object_set_new(o, "verified", json_boolean(set->verified));
	json_object_set_new(o, "needs_unconfined", json_boolean(set->needs_unconfined));
	json_object_set_new(o, "lost", json_integer((json_int_t)s->lost));
	if (profile_out) {
		json_object_set_new(o, "profile_out", json_string(profile_out));
		json_object_set_new(o, "profile_out_unchanged", json_boolean(!profile_written));
	}
	dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (dump)
		strbuf_append(out, dump);
	free(dump);
	json_decref(o);
}

static void summary_text(struct cf_denials *s, const struct cf_fix_set *set,
			 const char *profile_out, struct strbuf *out)
{
	const struct cf_explain_ctx *ctx = s->o.ctx;
	const char *mode = s->o.mode == CF_SUPERVISE_COMPLAIN ? "--complain" : "--explain";
	size_t n_news = 0, n_news_calls = 0, n_bd = 0, n_bd_calls = 0;
	char what[96], loc[320], buf[640];

	for (size_t i = 0; i < s->n_d; i++) {
		bool bd = cf_explain_by_design(s->d[i].e) != NULL;

		if (group_leader(s, i))
			*(bd ? &n_bd : &n_news) += 1;
		*(bd ? &n_bd_calls : &n_news_calls) += s->d[i].count;
	}
	if (n_news == 0)
		strbuf_appendf(out, "callfence: %s summary: no call was denied%s", mode,
			       n_bd ? " but by design" : "");
	else
		strbuf_appendf(out, "callfence: %s summary: %zu distinct denial%s (%zu call%s)",
			       mode, n_news, n_news == 1 ? "" : "s", n_news_calls,
			       n_news_calls == 1 ? "" : "s");
	if (n_news && n_bd)
		strbuf_appendf(out, ", %zu by design (%zu call%s)", n_bd, n_bd_calls,
			       n_bd_calls == 1 ? "" : "s");
	/* news first, then the expected answers, one line each */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s->n_d; i++) {
			const struct denial *x = &s->d[i];
			const char *bd = cf_explain_by_design(x->e);
			struct strbuf pids = { 0 };
			size_t total;

			if ((pass == 0) == (bd != NULL) || !group_leader(s, i))
				continue;
			total = group_total(s, i, &pids, NULL);
			cf_explain_ret_short(x->ret, what, sizeof(what));
			where_decided(ctx, x->e, false, loc, sizeof(loc));
			if (bd)
				strbuf_appendf(out,
					       "\ncallfence:   %s -> %s x%zu: by design, %s [%s]",
					       x->e->call.name, what, total, bd, loc);
			else
				strbuf_appendf(out, "\ncallfence:   %s -> %s x%zu (pid %s) [%s]",
					       x->e->call.name, what, total,
					       pids.buf ? pids.buf : "?", loc);
			strbuf_clear(&pids);
		}
	if (n_news == 0)
		return;
	strbuf_append(out, "\ncallfence: smallest fix:");
	if (!set->caps && !set->n_rules && !set->needs_unconfined)
		strbuf_append(out, " none needed");
	for (int c = 0; c < 64; c++)
		if (set->caps & CF_CAP_BIT(c))
			strbuf_appendf(out, " --cap-add %s", cap_short(c));
	for (size_t i = 0; i < set->n_rules; i++) {
		cf_explain_edit_text(&set->rules[i], ctx->profile, buf, sizeof(buf));
		strbuf_appendf(out, "\ncallfence:   profile %s: %s", ctx->label ? ctx->label : "",
			       buf);
	}
	for (size_t i = 0; i < set->n_warnings; i++)
		strbuf_appendf(out, "\ncallfence:   WARNING: that fix opens %s", set->warnings[i]);
	if (set->n_rules && profile_out)
		strbuf_appendf(out, "\ncallfence:   profile with these edits written to %s",
			       profile_out);
	else if (set->n_rules)
		strbuf_append(out,
			      "\ncallfence:   write the patched profile with --explain-out FILE");
	else if (profile_out && set->caps)
		/* a capability is a run option, not a profile edit: say why the file is the
		 * profile as it was, rather than leave an identical file unexplained */
		strbuf_appendf(out,
			       "\ncallfence:   %s: the profile unchanged: the fix is a capability "
			       "(a run option, --cap-add), not a profile edit",
			       profile_out);
	if (set->needs_unconfined)
		strbuf_append(out,
			      "\ncallfence:   some calls cannot be allowed by a capability or a "
			      "rule: --security-opt seccomp=unconfined");
	strbuf_appendf(out, "\ncallfence:   %s",
		       set->verified ? "verified: with this, every call above is allowed" :
				       "NOT verified: the profile model still denies a call");
}

int cf_denials_summary(struct cf_denials *s, const char *profile_out, char **ret_lines,
		       char **ret_profile)
{
	const struct cf_explain_ctx *ctx = s->o.ctx;
	cleanup_free const struct cf_explanation **list = NULL;
	struct cf_fix_set set = { 0 };
	struct strbuf out = { 0 };
	char *profile = NULL;
	size_t n_list = 0;
	int r;

	list = calloc(s->n_d + 1, sizeof(const struct cf_explanation *));
	if (!list)
		return -ENOMEM;
	/* by-design answers are not in the fix set: the program copes with them */
	for (size_t i = 0; i < s->n_d; i++)
		if (!cf_explain_by_design(s->d[i].e))
			list[n_list++] = s->d[i].e;
	r = cf_fix_set_compute(ctx, list, n_list, &set);
	if (r < 0)
		return r;
	if (set.n_rules && ret_profile) {
		r = cf_fix_set_profile_json(ctx, &set, &profile);
		if (r < 0) {
			cf_fix_set_clear(&set);
			return r;
		}
	}
	if (s->o.format == CF_SUPERVISE_JSON)
		summary_json(s, &set, profile_out, profile != NULL, &out);
	else
		summary_text(s, &set, profile_out, &out);
	if (s->lost && s->o.format != CF_SUPERVISE_JSON)
		strbuf_appendf(&out,
			       "\ncallfence:   WARNING: %" PRIu64 " event%s lost (the observer's "
			       "buffer was full): the list above may be incomplete",
			       s->lost, s->lost == 1 ? " was" : "s were");
	cf_fix_set_clear(&set);
	r = strbuf_steal(&out, ret_lines);
	if (r < 0) {
		free(profile);
		return r;
	}
	if (ret_profile)
		*ret_profile = profile;
	else
		free(profile);
	return 0;
}
