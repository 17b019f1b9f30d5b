/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How parse + resolve scale with the number of argument conditions (issue 9: 20k conditions
 * took 8-13 s and 60k took 104 s, a linear search per number). The anchor is the smallest
 * profile, measured in the same run: the time per condition at 20k and 60k must stay near it
 * (goal <= 2x), and each size is also compared with jansson's parse of the same text.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"
#include "profile/profile.h"

#define ROUNDS 5

/* n conditions, 64 to a rule (the most a rule may have), values unique so nothing merges */
static char *make_profile(size_t n, size_t *ret_len)
{
	size_t cap = 256 + n * 64, len = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	len += (size_t)snprintf(s, cap, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	for (size_t i = 0; i < n; i++) {
		if (i % 64 == 0)
			len += (size_t)snprintf(s + len, cap - len,
						"%s{\"names\":[\"personality\"],\"action\":"
						"\"SCMP_ACT_ALLOW\",\"args\":[",
						i ? "]}," : "");
		len += (size_t)snprintf(s + len, cap - len,
					"%s{\"index\":0,\"value\":%zu,\"op\":\"SCMP_CMP_NE\"}",
					i % 64 ? "," : "", i);
	}
	len += (size_t)snprintf(s + len, cap - len, "%s]}", n ? "]}" : "");
	*ret_len = len;
	return s;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), bench_cmp_double);
	return v[n / 2];
}

int main(void)
{
	static const size_t sizes[] = { 2000, 20000, 60000 };
	double per_cond[3], vs_jansson[3];

	for (size_t k = 0; k < 3; k++) {
		size_t len = 0;
		char *text = make_profile(sizes[k], &len);
		double jan[ROUNDS], ours[ROUNDS];

		if (!text)
			return 1;
		for (int r = 0; r < ROUNDS; r++) {
			struct cf_profile *p = NULL;
			struct cf_resolved *res = NULL;
			struct cf_resolve_opts o = {
				.native = CF_ARCH_X86_64,
				.bounding = caps_docker_default(),
				.kernel = { .set = true, .major = 6, .minor = 1 }
			};
			struct cf_diag d;
			json_error_t err;

			double t0 = bench_now_ns();
			json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
			double t1 = bench_now_ns();
			json_decref(j);
			double t2 = bench_now_ns();
			if (cf_profile_parse_buffer("scale.json", text, len, &p, &d) < 0 ||
			    cf_profile_resolve(p, &o, &res, &d) < 0) {
				fprintf(stderr, "bench: %s\n", d.message);
				return 1;
			}
			double t3 = bench_now_ns();
			cf_resolved_free(res);
			cf_profile_free(p);
			jan[r] = t1 - t0;
			ours[r] = t3 - t2;
		}
		double jm = median(jan, ROUNDS), om = median(ours, ROUNDS);

		per_cond[k] = om / (double)sizes[k];
		vs_jansson[k] = om / jm;
		printf("%6zu conditions (%8zu bytes): parse+resolve %9.1f ms, jansson %8.1f ms, "
		       "%6.1f ns/condition, %.2fx jansson\n",
		       sizes[k], len, om / 1e6, jm / 1e6, per_cond[k], vs_jansson[k]);
		free(text);
	}
	printf("time per condition vs 2k (goal <= 2.00x): 20k %.2fx, 60k %.2fx\n",
	       per_cond[1] / per_cond[0], per_cond[2] / per_cond[0]);
	printf("vs jansson alone: 2k %.2fx, 20k %.2fx, 60k %.2fx\n", vs_jansson[0], vs_jansson[1],
	       vs_jansson[2]);
	return 0;
}
