/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Resolved profiles written by hand in tests, without the parser. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "profile/profile.h"

#define HP_MAX_RULES 400
#define HP_MAX_NAMES 8
#define HP_MAX_ARGS  6

struct hand_profile {
	struct cf_profile prof;
	struct cf_rule rules[HP_MAX_RULES];
	char *names[HP_MAX_RULES][HP_MAX_NAMES];
	char namebuf[HP_MAX_RULES][256];
	struct cf_arg args[HP_MAX_RULES][HP_MAX_ARGS];
	struct cf_resolved_rule rr[HP_MAX_RULES];
	struct cf_resolved res;
};

static inline void hp_init(struct hand_profile *h, enum cf_action def, uint32_t def_errno)
{
	memset(h, 0, sizeof(*h));
	h->prof.source = (char *)"hand.json";
	h->prof.has_default_action = true;
	h->prof.default_action = def;
	h->prof.rules = h->rules;
	h->res.profile = &h->prof;
	h->res.native = CF_ARCH_X86_64;
	h->res.default_action = def;
	h->res.default_errno = def_errno ? def_errno : EPERM;
	h->res.rules = h->rr;
	h->res.arches[h->res.n_arches++] = CF_ARCH_X86_64;
}

static inline void hp_arch(struct hand_profile *h, enum cf_arch a)
{
	h->res.arches[h->res.n_arches++] = a;
}

/* names: space-separated. Returns the rule for hp_arg(). */
static inline struct cf_rule *hp_rule(struct hand_profile *h, enum cf_action a, uint32_t err,
				      const char *names)
{
	size_t i = h->prof.n_rules++;
	struct cf_rule *r = &h->rules[i];
	char *save = NULL, *tok;

	snprintf(h->namebuf[i], sizeof(h->namebuf[i]), "%s", names);
	r->action = a;
	r->has_errno = err != 0;
	r->errno_ret = err;
	r->names = h->names[i];
	for (tok = strtok_r(h->namebuf[i], " ", &save); tok && r->n_names < HP_MAX_NAMES;
	     tok = strtok_r(NULL, " ", &save))
		r->names[r->n_names++] = tok;
	r->args = h->args[i];
	r->pos.line = (unsigned)(100 + i);
	r->pos.column = 3;
	h->rr[i].rule = r;
	h->rr[i].index = i;
	h->rr[i].active = true;
	h->res.n_rules = h->prof.n_rules;
	return r;
}

static inline void hp_arg(struct cf_rule *r, unsigned index, enum cf_op op, uint64_t value,
			  uint64_t value_two)
{
	struct cf_arg *a = &r->args[r->n_args++];

	a->index = index;
	a->op = op;
	a->value = value;
	a->value_two = value_two;
	a->has_value_two = op == CF_OP_MASKED_EQ;
}
