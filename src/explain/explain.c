/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One call explained: the decision of the reference model (cf_model_evaluate, the same function
 * the compiler is judged against), the rule that made it, and for every other rule naming the
 * syscall the condition that kept it out: resolution (a capability not held, another arch, an
 * old kernel: struct cf_resolved_rule.why/detail) or an argument value. Fixes are in fixes.c.
 */
#include "explain/explain.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int cf_call_init(struct cf_call *c, enum cf_arch arch, const char *name_or_nr)
{
	const struct cf_arch_info *ai = arch_info(arch);
	struct cf_call call = { .arch = arch };
	const char *name;
	int nr;

	if (!ai || !name_or_nr)
		return -EINVAL;
	if (all_digits(name_or_nr)) {
		long v = strtol(name_or_nr, NULL, 10);

		if (v < 0 || v > INT32_MAX)
			return -ENOENT;
		/* a bare number is the table's own; add the ABI's base (x32 bit, mips 4000) */
		nr = (int)v + (int)(v < (long)ai->nr_base ? ai->nr_base : 0);
		name = syscall_resolve_num(arch, nr);
		if (!name)
			return -ENOENT;
	} else {
		nr = syscall_resolve_name(arch, name_or_nr);
		if (nr < 0)
			return nr;
		name = name_or_nr;
	}
	call.nr = nr;
	snprintf(call.name, sizeof(call.name), "%s", name);
	*c = call;
	return 0;
}

void cf_call_to_data(const struct cf_call *c, struct seccomp_data *d)
{
	const struct cf_arch_info *ai = arch_info(c->arch);

	memset(d, 0, sizeof(*d));
	d->nr = c->nr;
	d->arch = ai ? ai->audit_arch : 0;
	d->instruction_pointer = c->ip;
	for (unsigned i = 0; i < 6; i++)
		d->args[i] = c->args[i];
}

static unsigned arg_bits(enum cf_arch a)
{
	return cf_explain_arg_bits(a);
}

static bool arg_match(const struct cf_arg *a, uint64_t v, unsigned bits)
{
	/* moby/OCI: for MASKED_EQ value is the mask and valueTwo the datum */
	if (a->op == CF_OP_MASKED_EQ)
		return cf_arg_compare(a->op, v, a->value_two, a->value, bits);
	return cf_arg_compare(a->op, v, a->value, a->value, bits);
}

static const char *op_word(enum cf_op op)
{
	switch (op) {
	case CF_OP_NE:
		return "!=";
	case CF_OP_LT:
		return "<";
	case CF_OP_LE:
		return "<=";
	case CF_OP_EQ:
		return "==";
	case CF_OP_GE:
		return ">=";
	case CF_OP_GT:
		return ">";
	case CF_OP_MASKED_EQ:
		return "&";
	case CF_OP_COUNT:
	case CF_OP_INVALID:
		break;
	}
	return "?";
}

static void describe_cond(const struct cf_arg *a, char *buf, size_t size)
{
	if (a->op == CF_OP_MASKED_EQ)
		snprintf(buf, size, "(arg%u & %#" PRIx64 ") == %#" PRIx64, a->index, a->value,
			 a->value_two);
	else
		snprintf(buf, size, "arg%u %s %#" PRIx64, a->index, op_word(a->op), a->value);
}

static bool rule_names(const struct cf_rule *r, const char *name)
{
	for (size_t i = 0; i < r->n_names; i++)
		if (r->names[i] && strcmp(r->names[i], name) == 0)
			return true;
	return false;
}

static bool has_repeated_index(const struct cf_rule *r)
{
	for (size_t i = 0; i < r->n_args; i++)
		for (size_t j = i + 1; j < r->n_args; j++)
			if (r->args[i].index == r->args[j].index)
				return true;
	return false;
}

/* Why an active rule naming the call did not decide it. */
static void why_args(const struct cf_rule *rule, const struct cf_call *c, struct cf_other_rule *o,
		     bool *args_unknown)
{
	unsigned bits = arg_bits(c->arch);
	bool ored = has_repeated_index(rule), any = false, all = true;
	struct strbuf s = { 0 };
	char cond[96], *text = NULL;

	for (size_t i = 0; i < rule->n_args; i++) {
		const struct cf_arg *a = &rule->args[i];
		uint64_t v = a->index < 6 ? c->args[a->index] : 0;
		bool m = a->index < 6 && arg_match(a, v, bits);

		if (a->index >= c->n_given)
			*args_unknown = true;
		any |= m;
		all &= m;
		if (m)
			continue;
		describe_cond(a, cond, sizeof(cond));
		strbuf_appendf(&s, "%s%s (arg%u is %#" PRIx64 "%s)",
			       s.len ? (ored ? " or " : "; ") : "", cond, a->index,
			       bits == 32 ? v & UINT32_MAX : v,
			       a->index >= c->n_given ? ", not given: taken as 0" : "");
	}
	o->args_matched = ored ? any : all;
	if (o->args_matched) {
		snprintf(o->why, sizeof(o->why),
			 "its conditions hold, but an earlier rule decided");
	} else {
		if (strbuf_steal(&s, &text) < 0)
			text = NULL;
		snprintf(o->why, sizeof(o->why), "argument mismatch: needs %s", text ? text : "?");
		free(text);
	}
	strbuf_clear(&s);
}

int cf_explain_call(const struct cf_explain_ctx *ctx, const struct cf_model *model,
		    const struct cf_call *call, bool with_fixes, struct cf_explanation *ret)
{
	cleanup(cf_model_freep) struct cf_model *own = NULL;
	struct cf_explanation *e = ret;
	struct seccomp_data d;
	const char *esc;
	int r;

	if (!ctx || !call || !ret)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->call = *call;
	esc = cf_escape_surface(call->name, call->args, call->n_given);
	if (esc)
		snprintf(e->escape, sizeof(e->escape), "%s", esc);

	if (ctx->seccomp_disabled || !ctx->resolved || ctx->resolved->unconfined) {
		e->seccomp_disabled = true;
		e->eval = (struct cf_eval_result){ .ret = SECCOMP_RET_ALLOW,
						   .rule_index = -1,
						   .source = CF_EVAL_DEFAULT };
		cf_explain_add_notes(ctx, e);
		return 0;
	}
	if (!model) {
		r = cf_model_new(ctx->resolved, &own, NULL);
		if (r < 0)
			return r;
		model = own;
	}
	cf_call_to_data(call, &d);
	r = cf_model_evaluate(model, &d, &e->eval);
	if (r < 0)
		return r;
	switch (e->eval.ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		e->denied = false;
		break;
	default:
		e->denied = true;
	}

	for (size_t i = 0; i < ctx->resolved->n_rules; i++) {
		const struct cf_resolved_rule *rr = &ctx->resolved->rules[i];
		struct cf_other_rule *o;

		if ((int)rr->index == e->eval.rule_index && e->eval.source == CF_EVAL_RULE)
			continue;
		if (!rr->rule || !rule_names(rr->rule, call->name))
			continue;
		if (e->n_others >= CF_EXPLAIN_MAX_OTHERS)
			break;
		o = &e->others[e->n_others++];
		o->index = rr->index;
		o->active = rr->active;
		if (!rr->active) {
			snprintf(o->why, sizeof(o->why), "inactive: %s", rr->detail);
			continue;
		}
		if (rr->rule->n_args == 0) {
			/* runc skips a rule whose action AND errno equal the default's (the
			 * compiler's rule too, ir.c add_rule): SCMP_ACT_ERRNO with errnoRet 38
			 * under a default of SCMP_ACT_ERRNO (EPERM) is not the default */
			uint32_t rret =
				cf_action_ret(rr->rule->action,
					      rr->rule->has_errno ? rr->rule->errno_ret : EPERM);
			uint32_t dret = cf_action_ret(ctx->resolved->default_action,
						      ctx->resolved->default_errno);

			snprintf(o->why, sizeof(o->why),
				 rret == dret ?
					 "same action as the default (runc drops such rules)" :
					 "unconditional, but an earlier rule decided");
			o->args_matched = true;
			continue;
		}
		why_args(rr->rule, call, o, &e->args_unknown);
	}
	if (e->denied && with_fixes) {
		r = cf_explain_find_fixes(ctx, e);
		if (r < 0)
			return r;
	}
	cf_explain_add_notes(ctx, e);
	return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* Words */

static void errno_word(uint32_t e, char *buf, size_t size)
{
	const char *n = strerrorname_np((int)e);

	if (n)
		snprintf(buf, size, "%s", n);
	else
		snprintf(buf, size, "errno %u", e);
}

void cf_explain_ret_name(uint32_t ret, char *buf, size_t size)
{
	uint32_t data = ret & SECCOMP_RET_DATA;
	char e[32];

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		snprintf(buf, size, "SCMP_ACT_KILL_PROCESS");
		return;
	case SECCOMP_RET_KILL_THREAD:
		snprintf(buf, size, "SCMP_ACT_KILL_THREAD");
		return;
	case SECCOMP_RET_TRAP:
		snprintf(buf, size, "SCMP_ACT_TRAP");
		return;
	case SECCOMP_RET_ERRNO:
		errno_word(CF_MIN(data, CF_ERRNO_MAX), e, sizeof(e));
		snprintf(buf, size, "SCMP_ACT_ERRNO(%s)", e);
		return;
	case SECCOMP_RET_TRACE:
		snprintf(buf, size, "SCMP_ACT_TRACE(%u)", data);
		return;
	case SECCOMP_RET_USER_NOTIF:
		snprintf(buf, size, "SCMP_ACT_NOTIFY");
		return;
	case SECCOMP_RET_LOG:
		snprintf(buf, size, "SCMP_ACT_LOG");
		return;
	case SECCOMP_RET_ALLOW:
		snprintf(buf, size, "SCMP_ACT_ALLOW");
		return;
	default:
		snprintf(buf, size, "unknown action %#x (the kernel kills the process)", ret);
	}
}

void cf_explain_ret_short(uint32_t ret, char *buf, size_t size)
{
	uint32_t data = ret & SECCOMP_RET_DATA;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		snprintf(buf, size, "SIGSYS (kills the process)");
		return;
	case SECCOMP_RET_KILL_THREAD:
		snprintf(buf, size, "SIGSYS (kills the thread)");
		return;
	case SECCOMP_RET_TRAP:
		snprintf(buf, size, "SIGSYS (trap)");
		return;
	case SECCOMP_RET_ERRNO:
		errno_word(CF_MIN(data, CF_ERRNO_MAX), buf, size);
		return;
	case SECCOMP_RET_TRACE:
		snprintf(buf, size, "ENOSYS (TRACE without a tracer)");
		return;
	case SECCOMP_RET_USER_NOTIF:
		snprintf(buf, size, "sent to the seccomp agent");
		return;
	case SECCOMP_RET_LOG:
		snprintf(buf, size, "allowed (logged)");
		return;
	case SECCOMP_RET_ALLOW:
		snprintf(buf, size, "allowed");
		return;
	default:
		snprintf(buf, size, "SIGSYS (unknown action)");
	}
}

void cf_explain_rule_location(const struct cf_profile *p, size_t index, char *buf, size_t size)
{
	const struct cf_rule *r = p && index < p->n_rules ? &p->rules[index] : NULL;

	if (!r) {
		snprintf(buf, size, "rule #%zu", index);
		return;
	}
	if (r->pos.line)
		snprintf(buf, size, "%s:%u:%u (rule #%zu)", p->source, r->pos.line, r->pos.column,
			 index);
	else
		snprintf(buf, size, "%s:rule #%zu", p->source ? p->source : "?", index);
}

static const char *cap_short(int cap)
{
	const char *n = caps_to_name(cap);

	return n && strncmp(n, "CAP_", 4) == 0 ? n + 4 : (n ? n : "?");
}

void cf_explain_rule_json(const struct cf_fix_rule *r, char *buf, size_t size)
{
	if (!r->add) {
		snprintf(buf, size, "%s", "");
		return;
	}
	if (!r->has_arg) {
		snprintf(buf, size, "{\"names\": [\"%s\"], \"action\": \"SCMP_ACT_ALLOW\"}",
			 r->name);
		return;
	}
	if (r->op == CF_OP_MASKED_EQ)
		snprintf(
			buf, size,
			"{\"names\": [\"%s\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": "
			"%u, \"value\": %" PRIu64 ", \"valueTwo\": %" PRIu64 ", \"op\": \"%s\"}]}",
			r->name, r->index, r->value, r->value_two, cf_op_name(r->op));
	else
		snprintf(
			buf, size,
			"{\"names\": [\"%s\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": "
			"%u, \"value\": %" PRIu64 ", \"op\": \"%s\"}]}",
			r->name, r->index, r->value, cf_op_name(r->op));
}

void cf_explain_edit_text(const struct cf_fix_rule *r, const struct cf_profile *p, char *buf,
			  size_t size)
{
	char loc[320], j[384];

	if (r->add_arch) {
		const struct cf_arch_info *ai = arch_info(r->arch);
		const char *an = ai ? ai->scmp_name : "?";

		if (p && p->n_arch_map > 0)
			snprintf(buf, size,
				 "add \"%s\" to the subArchitectures of %s in \"archMap\"", an,
				 arch_info(arch_native()) ? arch_info(arch_native())->scmp_name :
							    "the native arch");
		else
			snprintf(buf, size, "add \"%s\" to \"architectures\"", an);
		return;
	}
	cf_explain_rule_json(r, j, sizeof(j));
	if (r->remove_from < 0) {
		snprintf(buf, size, "add %s", j);
		return;
	}
	cf_explain_rule_location(p, (size_t)r->remove_from, loc, sizeof(loc));
	snprintf(buf, size, "remove \"%s\" from %s%s%s", r->name, loc, r->add ? " and add " : "",
		 r->add ? j : "");
}

void cf_explain_fix_text(const struct cf_fix *f, const struct cf_explain_ctx *ctx, char *buf,
			 size_t size)
{
	char j[384];

	switch (f->kind) {
	case CF_FIX_ARCH:
	case CF_FIX_CAP:
		if (f->kind == CF_FIX_CAP) {
			snprintf(buf, size, "--cap-add %s", cap_short(f->cap));
			return;
		}
		cf_explain_edit_text(&f->rule, ctx ? ctx->profile : NULL, j, sizeof(j));
		snprintf(buf, size, "profile %s: %s", ctx && ctx->label ? ctx->label : "", j);
		return;
	case CF_FIX_ARG_RULE:
	case CF_FIX_RULE:
		cf_explain_edit_text(&f->rule, ctx ? ctx->profile : NULL, j, sizeof(j));
		snprintf(buf, size, "profile %s: %s", ctx && ctx->label ? ctx->label : "", j);
		return;
	case CF_FIX_UNCONFINED:
		snprintf(buf, size, "--security-opt seccomp=unconfined");
		return;
	case CF_FIX_PRIVILEGED:
		snprintf(buf, size, "--privileged");
		return;
	}
	snprintf(buf, size, "?");
}

static const char *fix_kind_name(enum cf_fix_kind k)
{
	switch (k) {
	case CF_FIX_ARCH:
		return "architecture";
	case CF_FIX_CAP:
		return "capability";
	case CF_FIX_ARG_RULE:
		return "argument-rule";
	case CF_FIX_RULE:
		return "rule";
	case CF_FIX_UNCONFINED:
		return "unconfined";
	case CF_FIX_PRIVILEGED:
		return "privileged";
	}
	return "?";
}

static const char *fix_explanation(enum cf_fix_kind k)
{
	switch (k) {
	case CF_FIX_ARCH:
		return "the filter then accepts calls of this ABI and checks them by the rules";
	case CF_FIX_CAP:
		return NULL;
	case CF_FIX_ARG_RULE:
		return "allows only this argument value";
	case CF_FIX_RULE:
		return "allows the syscall with any arguments";
	case CF_FIX_UNCONFINED:
		return "no seccomp filter at all";
	case CF_FIX_PRIVILEGED:
		return "every capability and, without an explicit profile, no seccomp";
	}
	return NULL;
}

static void decider_text(const struct cf_explain_ctx *ctx, const struct cf_explanation *e,
			 char *buf, size_t size)
{
	char loc[320];

	switch (e->eval.source) {
	case CF_EVAL_RULE:
		cf_explain_rule_location(ctx->profile, (size_t)e->eval.rule_index, loc,
					 sizeof(loc));
		snprintf(buf, size, "%s", loc);
		return;
	case CF_EVAL_DEFAULT:
		snprintf(buf, size, "the default action (no rule matched)");
		return;
	case CF_EVAL_BAD_ARCH:
		snprintf(buf, size,
			 "the architecture is not in the profile's list (bad-arch action)");
		return;
	case CF_EVAL_NEWER_THAN_PROFILE:
		snprintf(buf, size,
			 "runc's ENOSYS stub: the syscall is newer than every syscall the "
			 "profile names");
		return;
	}
	snprintf(buf, size, "?");
}

static const char *source_name(enum cf_eval_source s)
{
	switch (s) {
	case CF_EVAL_RULE:
		return "rule";
	case CF_EVAL_DEFAULT:
		return "default";
	case CF_EVAL_BAD_ARCH:
		return "bad-arch";
	case CF_EVAL_NEWER_THAN_PROFILE:
		return "enosys-stub";
	}
	return "?";
}

int cf_explain_format_text(const struct cf_explain_ctx *ctx, const struct cf_explanation *e,
			   char **ret)
{
	const struct cf_arch_info *ai = arch_info(e->call.arch);
	struct strbuf s = { 0 };
	char call[512], what[96], who[384], loc[320], fix[640];
	int nargs = e->call.n_given >= 6 ? -1 : (int)e->call.n_given;

	cf_explain_format_call(e->call.name, e->call.args, nargs, e->call.arch, call, sizeof(call));
	strbuf_appendf(&s, "%s on %s, profile %s\n", call, ai ? ai->scmp_name : "?",
		       ctx->label ? ctx->label : "builtin");
	if (e->seccomp_disabled) {
		strbuf_append(&s,
			      "  result:  allowed: seccomp is disabled (unconfined, or privileged "
			      "without an explicit profile)\n");
	} else {
		cf_explain_ret_name(e->eval.ret, what, sizeof(what));
		cf_explain_ret_short(e->eval.ret, who, sizeof(who));
		strbuf_appendf(&s, "  result:  %s%s%s\n", what, e->denied ? " -> " : "",
			       e->denied ? who : "");
		decider_text(ctx, e, who, sizeof(who));
		strbuf_appendf(&s, "  decided: %s\n", who);
	}
	if (e->n_others) {
		strbuf_appendf(&s, "  other rules naming %s:\n", e->call.name);
		for (size_t i = 0; i < e->n_others; i++) {
			cf_explain_rule_location(ctx->profile, e->others[i].index, loc,
						 sizeof(loc));
			strbuf_appendf(&s, "    %s: %s\n", loc, e->others[i].why);
		}
	}
	if (e->args_unknown)
		strbuf_appendf(&s,
			       "  note: a rule checks an argument you did not give (taken as 0); "
			       "pass it: callfence explain %s ARG0 ARG1 ...\n",
			       e->call.name);
	if (e->escape[0])
		strbuf_appendf(&s, "  escape surface: %s\n", e->escape);
	if (e->n_fixes) {
		strbuf_append(&s, "  fixes, least privilege first:\n");
		for (size_t i = 0; i < e->n_fixes; i++) {
			const struct cf_fix *f = &e->fixes[i];
			const char *x = fix_explanation(f->kind);

			cf_explain_fix_text(f, ctx, fix, sizeof(fix));
			strbuf_appendf(&s, "    %zu. %s\n", i + 1, fix);
			if (f->kind == CF_FIX_CAP && f->powers)
				strbuf_appendf(&s, "       %s: %s\n", caps_to_name(f->cap),
					       f->powers);
			if (x)
				strbuf_appendf(&s, "       %s\n", x);
			if (f->opens[0])
				strbuf_appendf(&s, "       also opens: %s\n", f->opens);
			if (f->warning[0])
				strbuf_appendf(&s, "       WARNING: opens an escape surface: %s\n",
					       f->warning);
			if (f->not_enough)
				strbuf_appendf(&s,
					       "       not enough alone: the kernel checks %s "
					       "itself\n",
					       caps_to_name(f->kernel_cap));
		}
	}
	for (size_t i = 0; i < e->n_notes; i++)
		strbuf_appendf(&s, "  note: %s\n", e->notes[i]);
	return strbuf_steal(&s, ret);
}

static json_t *hex(uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%#" PRIx64, v);
	return json_string(b);
}

int cf_explain_format_json(const struct cf_explain_ctx *ctx, const struct cf_explanation *e,
			   char **ret)
{
	const struct cf_arch_info *ai = arch_info(e->call.arch);
	json_t *o = json_object(), *args = json_array(), *others = json_array(),
	       *fixes = json_array(), *notes = json_array();
	char buf[640], call[512];
	char *text;

	if (!o || !args || !others || !fixes || !notes) {
		json_decref(o);
		json_decref(args);
		json_decref(others);
		json_decref(fixes);
		json_decref(notes);
		return -ENOMEM;
	}
	cf_explain_format_call(e->call.name, e->call.args,
			       e->call.n_given >= 6 ? -1 : (int)e->call.n_given, e->call.arch, call,
			       sizeof(call));
	json_object_set_new(o, "syscall", json_string(e->call.name));
	json_object_set_new(o, "nr", json_integer(e->call.nr));
	json_object_set_new(o, "arch", json_string(ai ? ai->scmp_name : "?"));
	{
		/* only the arguments the syscall takes (a live call has six registers) */
		int na = cf_explain_syscall_nargs_abi(e->call.arch, e->call.name);
		unsigned n =
			na >= 0 && (unsigned)na < e->call.n_given ? (unsigned)na : e->call.n_given;

		for (unsigned i = 0; i < 6 && i < n; i++)
			json_array_append_new(args, hex(e->call.args[i]));
	}
	json_object_set_new(o, "args", args);
	json_object_set_new(o, "call", json_string(call));
	json_object_set_new(o, "profile", json_string(ctx->label ? ctx->label : "builtin"));
	json_object_set_new(o, "seccomp_disabled", json_boolean(e->seccomp_disabled));
	json_object_set_new(o, "allowed", json_boolean(!e->denied));
	cf_explain_ret_name(e->eval.ret, buf, sizeof(buf));
	json_object_set_new(o, "action", json_string(buf));
	json_object_set_new(o, "ret", hex(e->eval.ret));
	if ((e->eval.ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO) {
		uint32_t er = CF_MIN(e->eval.ret & SECCOMP_RET_DATA, CF_ERRNO_MAX);
		const char *en = strerrorname_np((int)er);

		json_object_set_new(o, "errno", json_integer(er));
		if (en)
			json_object_set_new(o, "errno_name", json_string(en));
	}
	json_object_set_new(
		o, "source",
		json_string(e->seccomp_disabled ? "disabled" : source_name(e->eval.source)));
	if (!e->seccomp_disabled && e->eval.source == CF_EVAL_RULE) {
		const struct cf_rule *r =
			ctx->profile && (size_t)e->eval.rule_index < ctx->profile->n_rules ?
				&ctx->profile->rules[e->eval.rule_index] :
				NULL;

		json_object_set_new(o, "rule", json_integer(e->eval.rule_index));
		cf_explain_rule_location(ctx->profile, (size_t)e->eval.rule_index, buf,
					 sizeof(buf));
		json_object_set_new(o, "location", json_string(buf));
		if (r && r->pos.line)
			json_object_set_new(o, "line", json_integer(r->pos.line));
	}
	for (size_t i = 0; i < e->n_others; i++) {
		const struct cf_other_rule *x = &e->others[i];
		json_t *j = json_object();

		if (!j)
			continue;
		json_object_set_new(j, "rule", json_integer((json_int_t)x->index));
		cf_explain_rule_location(ctx->profile, x->index, buf, sizeof(buf));
		json_object_set_new(j, "location", json_string(buf));
		json_object_set_new(j, "active", json_boolean(x->active));
		json_object_set_new(j, "why", json_string(x->why));
		json_array_append_new(others, j);
	}
	json_object_set_new(o, "other_rules", others);
	if (e->escape[0])
		json_object_set_new(o, "escape_surface", json_string(e->escape));
	for (size_t i = 0; i < e->n_fixes; i++) {
		const struct cf_fix *f = &e->fixes[i];
		json_t *j = json_object();

		if (!j)
			continue;
		json_object_set_new(j, "kind", json_string(fix_kind_name(f->kind)));
		cf_explain_fix_text(f, ctx, buf, sizeof(buf));
		json_object_set_new(j, "fix", json_string(buf));
		if (f->kind == CF_FIX_CAP) {
			json_object_set_new(j, "cap", json_string(caps_to_name(f->cap)));
			if (f->powers)
				json_object_set_new(j, "powers", json_string(f->powers));
		}
		if (f->kind == CF_FIX_ARG_RULE || f->kind == CF_FIX_RULE) {
			json_t *rule;

			cf_explain_rule_json(&f->rule, buf, sizeof(buf));
			rule = buf[0] ? json_loads(buf, JSON_DECODE_ANY, NULL) : NULL;
			if (rule)
				json_object_set_new(j, "rule", rule);
			if (f->rule.remove_from >= 0)
				json_object_set_new(j, "remove_from_rule",
						    json_integer(f->rule.remove_from));
		}
		if (f->opens[0])
			json_object_set_new(j, "opens", json_string(f->opens));
		if (f->warning[0])
			json_object_set_new(j, "warning", json_string(f->warning));
		if (f->not_enough)
			json_object_set_new(j, "not_enough_alone",
					    json_string(caps_to_name(f->kernel_cap)));
		json_array_append_new(fixes, j);
	}
	json_object_set_new(o, "fixes", fixes);
	for (size_t i = 0; i < e->n_notes; i++)
		json_array_append_new(notes, json_string(e->notes[i]));
	json_object_set_new(o, "notes", notes);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		return -ENOMEM;
	*ret = text;
	return 0;
}
