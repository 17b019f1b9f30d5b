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

static const char *first_fix(const struct cf_explanation *e, const struct cf_explain_ctx *ctx,
			     char *buf, size_t size)
{
	if (e->n_fixes == 0)
		return NULL;
	cf_explain_fix_text(&e->fixes[0], ctx, buf, size);
	return buf;
}

/*
 * A rule that answers ENOSYS on purpose (Docker's clone3 rule): the program is expected to fall
 * back, so it is reported but kept out of the fix set.
 */
static bool deliberate_enosys(const struct cf_explanation *e)
{
	return e->eval.source == CF_EVAL_RULE &&
	       e->eval.ret == (SECCOMP_RET_ERRNO | (uint32_t)ENOSYS);
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

	cf_explain_format_call_ex(call.name, call.args, -1,
				  arch_info(arch) ? arch_info(arch)->bits : 64, read_str, rd,
				  callbuf, sizeof(callbuf));
	cf_explain_ret_short(kret, what, sizeof(what));
	switch (e->eval.source) {
	case CF_EVAL_RULE:
		cf_explain_rule_location(ctx->profile, (size_t)e->eval.rule_index, loc,
					 sizeof(loc));
		break;
	case CF_EVAL_DEFAULT:
		snprintf(loc, sizeof(loc), "default action, no rule matched");
		break;
	case CF_EVAL_BAD_ARCH:
		snprintf(loc, sizeof(loc), "architecture not in the profile");
		break;
	case CF_EVAL_NEWER_THAN_PROFILE:
		snprintf(loc, sizeof(loc),
			 "newer than every syscall the profile names (ENOSYS stub)");
		break;
	}

	if (s->o.format == CF_SUPERVISE_JSON) {
		cleanup_free char *txt = NULL;
		json_t *o = NULL;

		if (cf_explain_format_json(ctx, e, &txt) == 0)
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
		json_object_set_new(o, "result",
				    json_string(s->o.mode == CF_SUPERVISE_COMPLAIN ?
							"allowed (complain)" :
							"denied"));
		json_object_set_new(o, "count", json_integer(den ? (json_int_t)den->count : 1));
		if (!first)
			json_object_del(o, "fixes");
		{
			char *dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

			if (dump)
				say(s, dump);
			free(dump);
		}
		json_decref(o);
		return;
	}

	if (tid != pid)
		snprintf(line, sizeof(line), "callfence: pid %d (thread %d): %s %s %s [%s]",
			 (int)pid, (int)tid, callbuf, how, what, loc);
	else
		snprintf(line, sizeof(line), "callfence: pid %d: %s %s %s [%s]", (int)pid, callbuf,
			 how, what, loc);
	if (deliberate_enosys(e)) {
		size_t l = strlen(line);

		snprintf(line + l, sizeof(line) - l, " (a deliberate ENOSYS: callers fall back%s)",
			 strcmp(e->call.name, "clone3") == 0 ? ", glibc to clone" : "");
	} else if (first_fix(e, ctx, fix, sizeof(fix))) {
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
	if (e->n_fixes && e->fixes[0].warning[0] && !deliberate_enosys(e)) {
		snprintf(line, sizeof(line), "callfence:   WARNING: that fix opens %s",
			 e->fixes[0].warning);
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

int cf_denials_summary(struct cf_denials *s, const char *profile_out, char **ret_lines,
		       char **ret_profile)
{
	const struct cf_explain_ctx *ctx = s->o.ctx;
	cleanup_free const struct cf_explanation **list = NULL;
	struct cf_fix_set set = { 0 };
	struct strbuf out = { 0 };
	char what[96], loc[320], buf[512];
	char *profile = NULL;
	size_t n_list = 0;
	int r;

	list = calloc(s->n_d + 1, sizeof(const struct cf_explanation *));
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_d; i++)
		if (!deliberate_enosys(s->d[i].e))
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

	if (s->o.format == CF_SUPERVISE_JSON) {
		json_t *o = json_object(), *arr = json_array(), *caps = json_array(),
		       *rules = json_array();

		if (!o || !arr || !caps || !rules) {
			json_decref(o);
			json_decref(arr);
			json_decref(caps);
			json_decref(rules);
			free(profile);
			cf_fix_set_clear(&set);
			return -ENOMEM;
		}
		for (size_t i = 0; i < s->n_d; i++) {
			const struct denial *x = &s->d[i];
			json_t *j = json_object(), *pids = json_array();

			if (!j || !pids) {
				json_decref(j);
				json_decref(pids);
				continue;
			}
			cf_explain_format_call(x->e->call.name, x->e->call.args, -1, 64, buf,
					       sizeof(buf));
			json_object_set_new(j, "syscall", json_string(x->e->call.name));
			json_object_set_new(j, "call", json_string(buf));
			cf_explain_ret_name(x->ret, what, sizeof(what));
			json_object_set_new(j, "action", json_string(what));
			json_object_set_new(j, "count", json_integer((json_int_t)x->count));
			json_object_set_new(j, "deliberate", json_boolean(deliberate_enosys(x->e)));
			for (size_t k = 0; k < x->n_pids; k++)
				json_array_append_new(pids, json_integer(x->pids[k]));
			json_object_set_new(j, "pids", pids);
			if (x->e->n_fixes) {
				cf_explain_fix_text(&x->e->fixes[0], ctx, buf, sizeof(buf));
				json_object_set_new(j, "fix", json_string(buf));
			}
			json_array_append_new(arr, j);
		}
		for (int c = 0; c < 64; c++)
			if (set.caps & CF_CAP_BIT(c))
				json_array_append_new(caps, json_string(cap_short(c)));
		for (size_t i = 0; i < set.n_rules; i++) {
			json_t *rule;

			cf_explain_edit_text(&set.rules[i], ctx->profile, buf, sizeof(buf));
			rule = json_string(buf);
			if (rule)
				json_array_append_new(rules, rule);
		}
		json_object_set_new(o, "event", json_string("summary"));
		json_object_set_new(
			o, "mode",
			json_string(s->o.mode == CF_SUPERVISE_COMPLAIN ? "complain" : "explain"));
		json_object_set_new(o, "calls", json_integer((json_int_t)s->n_calls));
		json_object_set_new(o, "denials", arr);
		json_object_set_new(o, "cap_add", caps);
		json_object_set_new(o, "rules", rules);
		json_object_set_new(o, "verified", json_boolean(set.verified));
		json_object_set_new(o, "needs_unconfined", json_boolean(set.needs_unconfined));
		json_object_set_new(o, "lost", json_integer((json_int_t)s->lost));
		if (profile_out && profile)
			json_object_set_new(o, "profile_out", json_string(profile_out));
		{
			char *dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

			if (dump)
				strbuf_append(&out, dump);
			free(dump);
		}
		json_decref(o);
	} else if (s->n_d == 0) {
		strbuf_appendf(&out, "callfence: %s summary: no call was denied",
			       s->o.mode == CF_SUPERVISE_COMPLAIN ? "--complain" : "--explain");
	} else {
		strbuf_appendf(&out, "callfence: %s summary: %zu distinct denial%s (%zu call%s)",
			       s->o.mode == CF_SUPERVISE_COMPLAIN ? "--complain" : "--explain",
			       s->n_d, s->n_d == 1 ? "" : "s", s->n_calls,
			       s->n_calls == 1 ? "" : "s");
		for (size_t i = 0; i < s->n_d; i++) {
			const struct denial *x = &s->d[i];
			struct strbuf pids = { 0 };
			cleanup_free char *p = NULL;

			for (size_t k = 0; k < x->n_pids; k++)
				strbuf_appendf(&pids, "%s%d", k ? "," : "", (int)x->pids[k]);
			if (strbuf_steal(&pids, &p) < 0)
				p = NULL;
			cf_explain_ret_short(x->ret, what, sizeof(what));
			if (x->e->eval.source == CF_EVAL_RULE)
				cf_explain_rule_location(ctx->profile,
							 (size_t)x->e->eval.rule_index, loc,
							 sizeof(loc));
			else
				snprintf(loc, sizeof(loc), "%s",
					 x->e->eval.source == CF_EVAL_DEFAULT  ? "default action" :
					 x->e->eval.source == CF_EVAL_BAD_ARCH ? "bad arch" :
										 "ENOSYS stub");
			cf_explain_format_call(x->e->call.name, x->e->call.args, 0, 64, buf,
					       sizeof(buf));
			strbuf_appendf(&out, "\ncallfence:   %s %s x%zu (pid %s) [%s]%s",
				       x->e->call.name, what, x->count, p ? p : "?", loc,
				       deliberate_enosys(x->e) ? " deliberate, not in the fix set" :
								 "");
			strbuf_clear(&pids);
		}
		strbuf_append(&out, "\ncallfence: smallest fix:");
		if (!set.caps && !set.n_rules && !set.needs_unconfined)
			strbuf_append(&out, " none needed");
		for (int c = 0; c < 64; c++)
			if (set.caps & CF_CAP_BIT(c))
				strbuf_appendf(&out, " --cap-add %s", cap_short(c));
		for (size_t i = 0; i < set.n_rules; i++) {
			cf_explain_edit_text(&set.rules[i], ctx->profile, buf, sizeof(buf));
			strbuf_appendf(&out, "\ncallfence:   profile: %s", buf);
		}
		if (set.n_rules)
			strbuf_appendf(&out, "\ncallfence:   %s",
				       profile_out ?
					       "profile with these rules written to " :
					       "write the patched profile with --explain-out FILE");
		if (set.n_rules && profile_out)
			strbuf_append(&out, profile_out);
		if (set.needs_unconfined)
			strbuf_append(&out,
				      "\ncallfence:   some calls cannot be allowed by a "
				      "capability or a rule: --security-opt seccomp=unconfined");
		strbuf_appendf(&out, "\ncallfence:   %s",
			       set.verified ?
				       "verified: with this, every call above is allowed" :
				       "NOT verified: the profile model still denies a call");
	}
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
