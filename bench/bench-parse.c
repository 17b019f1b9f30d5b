/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * parse+resolve of Docker's default profile vs jansson's parse alone, in the same run.
 * Goal: ratio <= 2. The profile text is our builtin emitted in Docker format (same bytes as
 * moby's default.json modulo whitespace), or a file given as argv[1].
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"
#include "profile/profile.h"

#define ROUNDS 15
#define ITERS  200

int main(int argc, char **argv)
{
	struct cf_profile *p = NULL;
	char *text = NULL;
	struct cf_diag d;
	double jan[ROUNDS], ours[ROUNDS];

	if (argc > 1) {
		if (cf_profile_parse_file(argv[1], &p, &d) < 0) {
			fprintf(stderr, "%s: %s\n", argv[1], d.message);
			return 1;
		}
	} else if (cf_profile_builtin(&p) < 0) {
		return 1;
	}
	struct cf_emit_opts eo = { .format = CF_EMIT_DOCKER };
	if (cf_emit(p, NULL, &eo, &text) < 0)
		return 1;
	cf_profile_free(p);
	size_t len = strlen(text);

	/* interleave the two so drift hits both alike */
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = bench_now_ns();
		for (int i = 0; i < ITERS; i++) {
			json_error_t err;
			json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
			json_decref(j);
		}
		double t1 = bench_now_ns();
		for (int i = 0; i < ITERS; i++) {
			struct cf_profile *q = NULL;
			struct cf_resolved *res = NULL;
			struct cf_resolve_opts o = {
				.native = CF_ARCH_X86_64,
				.bounding = caps_docker_default(),
				.kernel = { .set = true, .major = 6, .minor = 1 }
			};

			if (cf_profile_parse_buffer("bench.json", text, len, &q, &d) < 0 ||
			    cf_profile_resolve(q, &o, &res, &d) < 0) {
				fprintf(stderr, "bench: %s\n", d.message);
				return 1;
			}
			cf_resolved_free(res);
			cf_profile_free(q);
		}
		double t2 = bench_now_ns();
		jan[r] = (t1 - t0) / ITERS;
		ours[r] = (t2 - t1) / ITERS;
	}
	qsort(jan, ROUNDS, sizeof(double), bench_cmp_double);
	qsort(ours, ROUNDS, sizeof(double), bench_cmp_double);
	double jm = jan[ROUNDS / 2], om = ours[ROUNDS / 2];
	printf("profile: %zu bytes\n", len);
	printf("jansson parse alone:        %8.1f us (median of %d x %d)\n", jm / 1e3, ROUNDS,
	       ITERS);
	printf("callfence parse + resolve:  %8.1f us\n", om / 1e3);
	printf("ratio: %.2fx (goal <= 2.00x)\n", om / jm);
	free(text);
	return 0;
}
