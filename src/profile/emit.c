/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Emitters. The OCI form is what moby hands to runc: the resolved rules with names, action,
 * errnoRet and args verbatim, keys in the runtime-spec Go structs' order, omitempty as Go does.
 * Our own JSON writer because jansson cannot print uint64 values above INT64_MAX.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "profile/profile.h"

static void indent(struct strbuf *s, int level)
{
	for (int i = 0; i < level; i++)
		strbuf_append(s, "  ");
}

static void key(struct strbuf *s, int level, const char *k, bool *first)
{
	strbuf_append(s, *first ? "\n" : ",\n");
	*first = false;
	indent(s, level);
	strbuf_append_json_string(s, k);
	strbuf_append(s, ": ");
}

static void string_list(struct strbuf *s, int level, char *const *v, size_t n)
{
	strbuf_append(s, "[");
	for (size_t i = 0; i < n; i++) {
		strbuf_append(s, i ? ",\n" : "\n");
		indent(s, level + 1);
		strbuf_append_json_string(s, v[i]);
	}
	if (n) {
		strbuf_append(s, "\n");
		indent(s, level);
	}
	strbuf_append(s, "]");
}

static void arch_list(struct strbuf *s, int level, const enum cf_arch *v, size_t n)
{
	strbuf_append(s, "[");
	for (size_t i = 0; i < n; i++) {
		strbuf_append(s, i ? ",\n" : "\n");
		indent(s, level + 1);
		strbuf_append_json_string(s, arch_info(v[i])->scmp_name);
	}
	if (n) {
		strbuf_append(s, "\n");
		indent(s, level);
	}
	strbuf_append(s, "]");
}

static void flags_list(struct strbuf *s, int level, unsigned flags)
{
	static const struct {
		unsigned flag;
		const char *name;
	} names[] = {
		{ CF_FLAG_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC" },
		{ CF_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG" },
		{ CF_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW" },
		{ CF_FLAG_WAIT_KILLABLE_RECV, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
	};
	bool first = true;

	strbuf_append(s, "[");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(flags & names[i].flag))
			continue;
		strbuf_append(s, first ? "\n" : ",\n");
		first = false;
		indent(s, level + 1);
		strbuf_append_json_string(s, names[i].name);
	}
	if (!first) {
		strbuf_append(s, "\n");
		indent(s, level);
	}
	strbuf_append(s, "]");
}

static void args_list(struct strbuf *s, int level, const struct cf_arg *args, size_t n)
{
	strbuf_append(s, "[");
	for (size_t i = 0; i < n; i++) {
		bool first = true;

		strbuf_append(s, i ? ",\n" : "\n");
		indent(s, level + 1);
		strbuf_append(s, "{");
		key(s, level + 2, "index", &first);
		strbuf_appendf(s, "%u", args[i].index);
		key(s, level + 2, "value", &first);
		strbuf_appendf(s, "%" PRIu64, args[i].value);
		/* Go's omitempty: valueTwo 0 is not printed; libseccomp reads it only for
		 * MASKED_EQ, and the parser refuses it elsewhere, so it is printed only there */
		if (args[i].value_two && args[i].op == CF_OP_MASKED_EQ) {
			key(s, level + 2, "valueTwo", &first);
			strbuf_appendf(s, "%" PRIu64, args[i].value_two);
		}
		key(s, level + 2, "op", &first);
		strbuf_append_json_string(s, cf_op_name(args[i].op));
		strbuf_append(s, "\n");
		indent(s, level + 1);
		strbuf_append(s, "}");
	}
	if (n) {
		strbuf_append(s, "\n");
		indent(s, level);
	}
	strbuf_append(s, "]");
}

static void gate(struct strbuf *s, int level, const struct cf_gate *g)
{
	bool first = true;

	strbuf_append(s, "{");
	if (g->n_caps) {
		key(s, level + 1, "caps", &first);
		string_list(s, level + 1, g->caps, g->n_caps);
	}
	if (g->n_arches) {
		key(s, level + 1, "arches", &first);
		string_list(s, level + 1, g->arches, g->n_arches);
	}
	if (g->min_kernel.set) {
		key(s, level + 1, "minKernel", &first);
		if (g->min_kernel.major == 0 && g->min_kernel.minor == 0)
			strbuf_append(s, "\"\"");
		else
			strbuf_appendf(s, "\"%u.%u\"", g->min_kernel.major, g->min_kernel.minor);
	}
	if (!first) {
		strbuf_append(s, "\n");
		indent(s, level);
	}
	strbuf_append(s, "}");
}

static bool gate_empty(const struct cf_gate *g)
{
	return !g->n_caps && !g->n_arches && !g->min_kernel.set;
}

static void rule(struct strbuf *s, int level, const struct cf_rule *r, bool docker)
{
	bool first = true;

	strbuf_append(s, "{");
	key(s, level + 1, "names", &first);
	string_list(s, level + 1, r->names, r->n_names);
	key(s, level + 1, "action", &first);
	strbuf_append_json_string(s, cf_action_name(r->action));
	if (r->has_errno) {
		key(s, level + 1, "errnoRet", &first);
		strbuf_appendf(s, "%u", r->errno_ret);
	}
	if (r->n_args) {
		key(s, level + 1, "args", &first);
		args_list(s, level + 1, r->args, r->n_args);
	}
	if (docker) {
		if (r->comment && r->comment[0]) {
			key(s, level + 1, "comment", &first);
			strbuf_append_json_string(s, r->comment);
		}
		if (!gate_empty(&r->includes)) {
			key(s, level + 1, "includes", &first);
			gate(s, level + 1, &r->includes);
		}
		if (!gate_empty(&r->excludes)) {
			key(s, level + 1, "excludes", &first);
			gate(s, level + 1, &r->excludes);
		}
	}
	strbuf_append(s, "\n");
	indent(s, level);
	strbuf_append(s, "}");
}

/* moby: the first archMap entry for the native arch gives [arch, subArchitectures...];
 * otherwise "architectures" passes through unchanged (the native arch is NOT added). */
static void oci_architectures(const struct cf_profile *p, enum cf_arch native, enum cf_arch *out,
			      size_t *n)
{
	*n = 0;
	if (p->n_arch_map) {
		for (size_t i = 0; i < p->n_arch_map; i++) {
			if (p->arch_map[i].arch != native)
				continue;
			out[(*n)++] = native;
			for (size_t j = 0; j < p->arch_map[i].n_sub && *n < 64; j++)
				out[(*n)++] = p->arch_map[i].sub[j];
			return;
		}
		return;
	}
	for (size_t i = 0; i < p->n_architectures && *n < 64; i++)
		out[(*n)++] = p->architectures[i];
}

static void seccomp_object(struct strbuf *s, int level, const struct cf_profile *p,
			   const struct cf_resolved *r)
{
	enum cf_arch arches[64];
	size_t n_arches;
	bool first = true;
	bool any = false;

	strbuf_append(s, "{");
	key(s, level + 1, "defaultAction", &first);
	strbuf_append_json_string(s, cf_action_name(p->default_action));
	if (p->has_default_errno) {
		key(s, level + 1, "defaultErrnoRet", &first);
		strbuf_appendf(s, "%u", p->default_errno);
	}
	oci_architectures(p, r->native, arches, &n_arches);
	if (n_arches) {
		key(s, level + 1, "architectures", &first);
		arch_list(s, level + 1, arches, n_arches);
	}
	if (p->flags) {
		key(s, level + 1, "flags", &first);
		flags_list(s, level + 1, p->flags);
	}
	if (p->listener_path && p->listener_path[0]) {
		key(s, level + 1, "listenerPath", &first);
		strbuf_append_json_string(s, p->listener_path);
	}
	if (p->listener_metadata && p->listener_metadata[0]) {
		key(s, level + 1, "listenerMetadata", &first);
		strbuf_append_json_string(s, p->listener_metadata);
	}
	for (size_t i = 0; i < r->n_rules; i++)
		any |= r->rules[i].active;
	if (any) {
		bool first_rule = true;

		key(s, level + 1, "syscalls", &first);
		strbuf_append(s, "[");
		for (size_t i = 0; i < r->n_rules; i++) {
			if (!r->rules[i].active)
				continue;
			strbuf_append(s, first_rule ? "\n" : ",\n");
			first_rule = false;
			indent(s, level + 2);
			rule(s, level + 2, r->rules[i].rule, false);
		}
		strbuf_append(s, "\n");
		indent(s, level + 1);
		strbuf_append(s, "]");
	}
	strbuf_append(s, "\n");
	indent(s, level);
	strbuf_append(s, "}");
}

static void caps_list(struct strbuf *s, int level, cf_capset set)
{
	bool first = true;

	strbuf_append(s, "[");
	for (int i = 0; i < 64; i++) {
		if (!(set & CF_CAP_BIT(i)) || !caps_to_name(i))
			continue;
		strbuf_append(s, first ? "\n" : ",\n");
		first = false;
		indent(s, level + 1);
		strbuf_append_json_string(s, caps_to_name(i));
	}
	if (!first) {
		strbuf_append(s, "\n");
		indent(s, level);
	}
	strbuf_append(s, "]");
}

static void emit_oci(struct strbuf *s, const struct cf_profile *p, const struct cf_resolved *r,
		     cf_capset caps, const struct cf_emit_opts *opts)
{
	bool first = true, pfirst = true, cfirst = true;

	strbuf_append(s, "{");
	key(s, 1, "process", &first);
	strbuf_append(s, "{");
	key(s, 2, "capabilities", &pfirst);
	strbuf_append(s, "{");
	/* Docker >= 20.10.14 sets bounding, effective, permitted; no inheritable, no ambient. */
	key(s, 3, "bounding", &cfirst);
	caps_list(s, 3, caps);
	key(s, 3, "effective", &cfirst);
	caps_list(s, 3, caps);
	key(s, 3, "permitted", &cfirst);
	caps_list(s, 3, caps);
	strbuf_append(s, "\n    }");
	key(s, 2, "noNewPrivileges", &pfirst);
	strbuf_append(s, opts->no_new_privileges ? "true" : "false");
	strbuf_append(s, "\n  }");
	if (!opts->seccomp_disabled && p && r && !r->unconfined) {
		bool lfirst = true;

		key(s, 1, "linux", &first);
		strbuf_append(s, "{");
		key(s, 2, "seccomp", &lfirst);
		seccomp_object(s, 2, p, r);
		strbuf_append(s, "\n  }");
	}
	strbuf_append(s, "\n}\n");
}

static void emit_docker(struct strbuf *s, const struct cf_profile *p)
{
	bool first = true;

	strbuf_append(s, "{");
	key(s, 1, "defaultAction", &first);
	strbuf_append_json_string(s,
				  p->has_default_action ? cf_action_name(p->default_action) : "");
	if (p->has_default_errno) {
		key(s, 1, "defaultErrnoRet", &first);
		strbuf_appendf(s, "%u", p->default_errno);
	}
	if (p->n_arch_map) {
		key(s, 1, "archMap", &first);
		strbuf_append(s, "[");
		for (size_t i = 0; i < p->n_arch_map; i++) {
			bool efirst = true;

			strbuf_append(s, i ? ",\n" : "\n");
			indent(s, 2);
			strbuf_append(s, "{");
			key(s, 3, "architecture", &efirst);
			strbuf_append_json_string(s, arch_info(p->arch_map[i].arch)->scmp_name);
			key(s, 3, "subArchitectures", &efirst);
			arch_list(s, 3, p->arch_map[i].sub, p->arch_map[i].n_sub);
			strbuf_append(s, "\n    }");
		}
		strbuf_append(s, "\n  ]");
	} else if (p->n_architectures) {
		key(s, 1, "architectures", &first);
		arch_list(s, 1, p->architectures, p->n_architectures);
	}
	if (p->has_flags) {
		key(s, 1, "flags", &first);
		flags_list(s, 1, p->flags);
	}
	if (p->listener_path && p->listener_path[0]) {
		key(s, 1, "listenerPath", &first);
		strbuf_append_json_string(s, p->listener_path);
	}
	if (p->listener_metadata && p->listener_metadata[0]) {
		key(s, 1, "listenerMetadata", &first);
		strbuf_append_json_string(s, p->listener_metadata);
	}
	key(s, 1, "syscalls", &first);
	strbuf_append(s, "[");
	for (size_t i = 0; i < p->n_rules; i++) {
		strbuf_append(s, i ? ",\n" : "\n");
		indent(s, 2);
		rule(s, 2, &p->rules[i], true);
	}
	if (p->n_rules)
		strbuf_append(s, "\n  ");
	strbuf_append(s, "]\n}\n");
}

int cf_emit(const struct cf_profile *p, const struct cf_resolved *r,
	    const struct cf_emit_opts *opts, char **ret)
{
	struct strbuf s = { 0 };

	switch (opts->format) {
	case CF_EMIT_OCI:
		emit_oci(&s, p, r, opts->caps, opts);
		break;
	case CF_EMIT_DOCKER:
		if (!p)
			return -EINVAL;
		emit_docker(&s, p);
		break;
	case CF_EMIT_SECCOMP:
		if (!p || !r || r->unconfined)
			return -EINVAL;
		seccomp_object(&s, 0, p, r);
		strbuf_append(&s, "\n");
		break;
	}
	return strbuf_steal(&s, ret);
}
