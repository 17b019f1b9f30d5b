/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kubernetes targets.
 *
 * k8s: a pod's `securityContext.seccompProfile {type: Localhost, localhostProfile: NAME.json}`
 * makes the kubelet hand <kubelet root-dir>/seccomp/NAME.json (default /var/lib/kubelet) to the
 * CRI runtime (k8s core/v1 SeccompProfile: "a descending path, relative to the kubelet's
 * configured seccomp profile location"). containerd and CRI-O read Docker's format, but resolve
 * includes/excludes against the container's own capabilities with their own code; we write the
 * resolved linux.seccomp object instead, so the file means exactly what `callfence run` and
 * runc do with the same options, on any of them.
 *
 * spo: the Security Profiles Operator's SeccompProfile, security-profiles-operator.x-k8s.io/v1
 * (the storage version since SPO 1.0, cluster-scoped; api/seccompprofile/v1). Its spec has no
 * defaultErrnoRet, no includes/excludes/archMap/comment, an arch enum without LOONGARCH64, M68K,
 * SH; errnoRet 0 is omitempty (the runtime then returns EPERM); arg values are int64 >= 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "export/export.h"

static const char *kubelet_seccomp_root = "/var/lib/kubelet/seccomp";

static void caps_note(struct cf_warnings *notes, const struct cf_profile *p,
		      const struct cf_export_opts *o, const char *target)
{
	char buf[1024] = "";
	size_t n = 0;

	for (int i = 0; i < 64 && n < sizeof(buf) - 32; i++) {
		const char *c = (o->caps & CF_CAP_BIT(i)) ? caps_to_name(i) : NULL;

		if (c)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "", c);
	}
	export_note(notes, p, NULL,
		    "%s: includes/excludes resolved for the capabilities %s; a container with "
		    "other capabilities needs its own export (--cap-add/--cap-drop)",
		    target, n ? buf : "(none)");
}

int cf_export_k8s(const struct cf_profile *p, const struct cf_resolved *r,
		  const struct cf_export_opts *o, char **ret, struct cf_warnings *notes,
		  struct cf_diag *reterr)
{
	struct cf_emit_opts eo = { .format = CF_EMIT_SECCOMP };
	const char *name;
	int e = export_name(o, &name, reterr);

	if (e < 0)
		return e;
	caps_note(notes, p, o, "k8s");
	export_note(notes, p, NULL,
		    "k8s: install the file on every node as %s/%s.json (the kubelet's "
		    "--root-dir + /seccomp)",
		    kubelet_seccomp_root, name);
	export_note(notes, p, NULL,
		    "k8s: in the pod or container spec: securityContext: {seccompProfile: "
		    "{type: Localhost, localhostProfile: %s.json}}; privileged containers run "
		    "unconfined whatever the profile",
		    name);
	return cf_emit(p, r, &eo, ret);
}

/* ------------------------------------------------------------------------------------------ */

static bool spo_arch_ok(enum cf_arch a)
{
	return a != CF_ARCH_LOONGARCH64 && a != CF_ARCH_M68K && a != CF_ARCH_SH &&
	       a != CF_ARCH_SHEB;
}

static void yaml_names(struct strbuf *s, const struct cf_rule *rule)
{
	strbuf_append(s, "  - names:\n");
	/* syscall names are [a-z0-9_]: plain YAML scalars, never quoted */
	for (size_t j = 0; j < rule->n_names; j++)
		strbuf_appendf(s, "    - %s\n", rule->names[j]);
}

static int spo_rule(struct strbuf *s, const struct cf_profile *p, const struct cf_resolved_rule *rr,
		    const struct cf_export_opts *o, struct cf_warnings *notes,
		    struct cf_diag *reterr)
{
	const struct cf_rule *rule = rr->rule;
	int e;

	for (size_t k = 0; k < rule->n_args; k++) {
		const struct cf_arg *a = &rule->args[k];

		/* the CRD's value/valueTwo are int64 with minimum 0: nothing to widen to */
		if (a->value > INT64_MAX ||
		    (a->op == CF_OP_MASKED_EQ && a->value_two > INT64_MAX)) {
			char ptr[64];

			snprintf(ptr, sizeof(ptr), "/syscalls/%zu/args/%zu", rr->index, k);
			return diag_set(reterr, EINVAL, p->source, a->pos.line, a->pos.column, ptr,
					"value %" PRIu64
					" does not fit the SeccompProfile's int64 value fields",
					a->value > INT64_MAX ? a->value : a->value_two);
		}
	}
	if (cf_action_takes_errno(rule->action) && rule->has_errno && rule->errno_ret == 0) {
		e = export_loss(o, notes, reterr, p, rr,
				"errnoRet 0 cannot be expressed: SPO drops it (omitempty) and the "
				"runtime returns EPERM instead of success");
		if (e < 0)
			return e;
	}
	yaml_names(s, rule);
	strbuf_appendf(s, "    action: %s\n", cf_action_name(rule->action));
	if (rule->has_errno && rule->errno_ret)
		strbuf_appendf(s, "    errnoRet: %u\n", rule->errno_ret);
	if (rule->n_args) {
		strbuf_append(s, "    args:\n");
		for (size_t k = 0; k < rule->n_args; k++) {
			const struct cf_arg *a = &rule->args[k];

			strbuf_appendf(s, "    - index: %u\n", a->index);
			strbuf_appendf(s, "      value: %" PRIu64 "\n", a->value);
			if (a->op == CF_OP_MASKED_EQ && a->value_two)
				strbuf_appendf(s, "      valueTwo: %" PRIu64 "\n", a->value_two);
			strbuf_appendf(s, "      op: %s\n", cf_op_name(a->op));
		}
	}
	if (rule->comment && rule->comment[0])
		export_note(notes, p, rr, "spo: the rule's comment is not kept (no such field)");
	return 0;
}

static bool has_gates(const struct cf_profile *p)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct cf_rule *rule = &p->rules[i];

		if (rule->includes.n_caps || rule->includes.n_arches ||
		    rule->includes.min_kernel.set || rule->excludes.n_caps ||
		    rule->excludes.n_arches || rule->excludes.min_kernel.set)
			return true;
	}
	return false;
}

int cf_export_spo(const struct cf_profile *p, const struct cf_resolved *r,
		  const struct cf_export_opts *o, char **ret, struct cf_warnings *notes,
		  struct cf_diag *reterr)
{
	static const char *const flag_names[] = {
		"SECCOMP_FILTER_FLAG_TSYNC",
		"SECCOMP_FILTER_FLAG_LOG",
		"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
		"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	};
	struct strbuf s = { 0 };
	const char *name;
	bool any = false;
	int e = export_name(o, &name, reterr);

	if (e < 0)
		return e;
	if (p->default_action == CF_ACT_NOTIFY) {
		e = diag_set(reterr, EINVAL, p->source, p->default_action_pos.line,
			     p->default_action_pos.column, "/defaultAction",
			     "the SeccompProfile CRD refuses SCMP_ACT_NOTIFY as defaultAction");
		return e;
	}
	if (r->default_action == CF_ACT_ERRNO && r->default_errno != 1) {
		e = export_loss(o, notes, reterr, p, NULL,
				"defaultErrnoRet %u cannot be expressed (no such field): the "
				"runtime returns EPERM for unlisted calls",
				r->default_errno);
		if (e < 0)
			return e;
	}
	if (p->listener_path && p->listener_path[0] &&
	    strncmp(p->listener_path, "/var/run/security-profiles-operator/",
		    strlen("/var/run/security-profiles-operator/")) != 0) {
		e = export_loss(o, notes, reterr, p, NULL,
				"listenerPath %s is outside /var/run/security-profiles-operator/, "
				"which the CRD requires; it is left out",
				p->listener_path);
		if (e < 0)
			return e;
	}

	strbuf_append(&s, "apiVersion: security-profiles-operator.x-k8s.io/v1\n"
			  "kind: SeccompProfile\n"
			  "metadata:\n");
	strbuf_appendf(&s, "  name: %s\n", name);
	strbuf_append(&s, "spec:\n");
	strbuf_appendf(&s, "  defaultAction: %s\n", cf_action_name(p->default_action));
	if (r->n_arches) {
		strbuf_append(&s, "  architectures:\n");
		for (size_t i = 0; i < r->n_arches; i++) {
			if (!spo_arch_ok(r->arches[i])) {
				export_note(notes, p, NULL,
					    "spo: %s is not in the CRD's architecture enum: left "
					    "out, so its calls are refused",
					    arch_info(r->arches[i])->scmp_name);
				continue;
			}
			strbuf_appendf(&s, "  - %s\n", arch_info(r->arches[i])->scmp_name);
		}
	}
	if (p->flags) {
		strbuf_append(&s, "  flags:\n");
		for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++)
			if (p->flags & (1u << i))
				strbuf_appendf(&s, "  - %s\n", flag_names[i]);
	}
	if (p->listener_path && p->listener_path[0] &&
	    strncmp(p->listener_path, "/var/run/security-profiles-operator/",
		    strlen("/var/run/security-profiles-operator/")) == 0)
		strbuf_appendf(&s, "  listenerPath: %s\n", p->listener_path);
	for (size_t i = 0; i < r->n_rules; i++) {
		if (!r->rules[i].active)
			continue;
		if (!any)
			strbuf_append(&s, "  syscalls:\n");
		any = true;
		e = spo_rule(&s, p, &r->rules[i], o, notes, reterr);
		if (e < 0) {
			strbuf_clear(&s);
			return e;
		}
	}
	if (has_gates(p))
		caps_note(notes, p, o, "spo");
	export_note(notes, p, NULL,
		    "spo: the operator writes it on each node as %s/operator/%s.json; pods use "
		    "securityContext: {seccompProfile: {type: Localhost, localhostProfile: "
		    "operator/%s.json}}",
		    kubelet_seccomp_root, name, name);
	return strbuf_steal(&s, ret);
}
