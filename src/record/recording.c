/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "record/recording.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cf_recording_clear(struct cf_recording *r)
{
	for (size_t i = 0; i < r->n_calls; i++)
		free(r->calls[i].tuples);
	free(r->calls);
	*r = (struct cf_recording){ 0 };
}

static int key_cmp(uint32_t arch_a, int32_t nr_a, uint32_t arch_b, int32_t nr_b)
{
	if (arch_a != arch_b)
		return arch_a < arch_b ? -1 : 1;
	return nr_a < nr_b ? -1 : nr_a > nr_b;
}

/* Index of (arch, nr) or of where it would go. */
static size_t lower_bound(const struct cf_recording *r, uint32_t arch, int32_t nr)
{
	size_t lo = 0, hi = r->n_calls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_cmp(r->calls[mid].arch, r->calls[mid].nr, arch, nr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct cf_rec_call *cf_recording_find(const struct cf_recording *r, uint32_t arch, int32_t nr)
{
	size_t i = lower_bound(r, arch, nr);

	return i < r->n_calls && r->calls[i].arch == arch && r->calls[i].nr == nr ? &r->calls[i] :
										    NULL;
}

int cf_recording_add(struct cf_recording *r, uint32_t arch, int32_t nr, struct cf_rec_call **ret)
{
	size_t i = lower_bound(r, arch, nr);
	struct cf_rec_call *calls;

	if (i < r->n_calls && r->calls[i].arch == arch && r->calls[i].nr == nr) {
		*ret = &r->calls[i];
		return 0;
	}
	/* a recording holds at most a few hundred calls per ABI: grow by one is fine */
	calls = realloc(r->calls, (r->n_calls + 1) * sizeof(*calls));
	if (!calls)
		return -ENOMEM;
	r->calls = calls;
	memmove(&calls[i + 1], &calls[i], (r->n_calls - i) * sizeof(*calls));
	calls[i] = (struct cf_rec_call){ .arch = arch, .nr = nr };
	r->n_calls++;
	*ret = &calls[i];
	return 0;
}

int cf_rec_call_add_tuple(struct cf_rec_call *c, const uint64_t args[6])
{
	uint64_t(*tuples)[6];

	for (size_t i = 0; i < c->n_tuples; i++)
		if (memcmp(c->tuples[i], args, sizeof(c->tuples[i])) == 0)
			return 0;
	if (c->n_tuples >= CF_REC_MAX_TUPLES) {
		c->tuples_dropped++;
		return 0;
	}
	tuples = realloc(c->tuples, (c->n_tuples + 1) * sizeof(*tuples));
	if (!tuples)
		return -ENOMEM;
	c->tuples = tuples;
	memcpy(c->tuples[c->n_tuples++], args, sizeof(c->tuples[0]));
	return 0;
}
