/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "profile/profile.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const action_names[CF_ACT_COUNT] = {
	[CF_ACT_KILL] = "SCMP_ACT_KILL",
	[CF_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[CF_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[CF_ACT_TRAP] = "SCMP_ACT_TRAP",
	[CF_ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[CF_ACT_TRACE] = "SCMP_ACT_TRACE",
	[CF_ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[CF_ACT_LOG] = "SCMP_ACT_LOG",
	[CF_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static const char *const op_names[CF_OP_COUNT] = {
	[CF_OP_NE] = "SCMP_CMP_NE",
	[CF_OP_LT] = "SCMP_CMP_LT",
	[CF_OP_LE] = "SCMP_CMP_LE",
	[CF_OP_EQ] = "SCMP_CMP_EQ",
	[CF_OP_GE] = "SCMP_CMP_GE",
	[CF_OP_GT] = "SCMP_CMP_GT",
	[CF_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

const char *cf_action_name(enum cf_action a)
{
	if (a < 0 || a >= CF_ACT_COUNT)
		return NULL;
	return action_names[a];
}

/* Exact, case-sensitive match: runc rejects any other spelling at container start. */
enum cf_action cf_action_from_name(const char *name)
{
	for (int i = 0; i < CF_ACT_COUNT; i++)
		if (strcmp(name, action_names[i]) == 0)
			return (enum cf_action)i;
	return CF_ACT_INVALID;
}

const char *cf_op_name(enum cf_op op)
{
	if (op < 0 || op >= CF_OP_COUNT)
		return NULL;
	return op_names[op];
}

enum cf_op cf_op_from_name(const char *name)
{
	for (int i = 0; i < CF_OP_COUNT; i++)
		if (strcmp(name, op_names[i]) == 0)
			return (enum cf_op)i;
	return CF_OP_INVALID;
}

bool cf_action_takes_errno(enum cf_action a)
{
	switch (a) {
	case CF_ACT_ERRNO:
	case CF_ACT_TRACE:
		return true;
	case CF_ACT_KILL:
	case CF_ACT_KILL_THREAD:
	case CF_ACT_KILL_PROCESS:
	case CF_ACT_TRAP:
	case CF_ACT_ALLOW:
	case CF_ACT_LOG:
	case CF_ACT_NOTIFY:
	case CF_ACT_COUNT:
	case CF_ACT_INVALID:
		return false;
	}
	return false;
}

static void free_strv(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void gate_clear(struct cf_gate *g)
{
	free_strv(g->caps, g->n_caps);
	free_strv(g->arches, g->n_arches);
	memset(g, 0, sizeof(*g));
}

static void rule_clear(struct cf_rule *r)
{
	free_strv(r->names, r->n_names);
	free(r->name_pos);
	free(r->args);
	free(r->comment);
	gate_clear(&r->includes);
	gate_clear(&r->excludes);
}

struct cf_profile *cf_profile_free(struct cf_profile *p)
{
	if (!p)
		return NULL;
	free(p->source);
	free(p->architectures);
	for (size_t i = 0; i < p->n_arch_map; i++)
		free(p->arch_map[i].sub);
	free(p->arch_map);
	free(p->listener_path);
	free(p->listener_metadata);
	if (p->rules)
		for (size_t i = 0; i < p->n_rules; i++)
			rule_clear(&p->rules[i]);
	free(p->rules);
	warnings_clear(&p->warnings);
	free(p);
	return NULL;
}
