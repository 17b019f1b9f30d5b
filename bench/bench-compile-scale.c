/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How the compile (cf_filter_compile: libseccomp's rule merge, code generation, assembly)
 * scales with the number of argument conditions (issue 9: a 20k-condition profile took ~9 s to
 * compile, the merge walked every earlier rule of the syscall for each new one). For each
 * shape, the anchor is its 2k profile measured in the same run: the time per condition at 20k
 * and 60k should stay near it (goal <= 1.5x). A profile past the kernel's 4096 instructions
 * must fail just as fast (E2BIG), so those are timed too. Parse + resolve is bench-parse-scale.
 * Usage: bench-compile-scale [largest size, default 60000]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"
#include "bpf/filter.h"
#include "caps/caps.h"
#include "profile/profile.h"

#define ROUNDS 3

enum shape {
	EQ, /* a0 == i, one rule per condition on one syscall: fits (one interval) */
	SPLIT, /* 64 a0 != i to a rule: runc splits it in 64 rules; fits */
	GT, /* a0 > 3i, one rule each: fits */
	PAIRS, /* a0 == i && a1 == 5: merged under distinct a0 nodes; E2BIG */
	SPREAD, /* a(i%3) == i over 16 syscalls: E2BIG */
	RAND64, /* random 64-bit values on one syscall: distinct upper words; E2BIG */
	N_SHAPES,
};

static const char *const shape_name[N_SHAPES] = {
	"eq", "split", "gt", "pairs", "spread", "rand64"
};

static const char *const spread_names[] = { "read",	  "write", "openat", "close",
					    "ioctl",	  "fcntl", "mmap",   "mprotect",
					    "madvise",	  "prctl", "socket", "setsockopt",
					    "getsockopt", "clone", "kill",   "tgkill" };

struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (k >= 0 && (size_t)k < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)k + 64;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			exit(1);
	}
	b->len += (size_t)k;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A profile with n conditions of the shape (default ERRNO, the rules ALLOW). */
static char *make_profile(enum shape sh, size_t n, size_t *ret_len)
{
	struct buf b = { .cap = 64 + n * 96 };
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	const char *sep = "";

	b.s = malloc(b.cap);
	if (!b.s)
		return NULL;
	put(&b, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	for (size_t i = 0; i < n;) {
		const char *name = sh == SPREAD ? spread_names[i % 16] : "personality";

		put(&b, "%s{\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[", sep,
		    name);
		sep = ",";
		switch (sh) {
		case EQ:
			put(&b, "{\"index\":0,\"value\":%zu,\"op\":\"SCMP_CMP_EQ\"}", i++);
			break;
		case SPLIT:
			for (size_t k = 0; k < 64 && i < n; k++, i++)
				put(&b, "%s{\"index\":0,\"value\":%zu,\"op\":\"SCMP_CMP_NE\"}",
				    k ? "," : "", i);
			break;
		case GT:
			put(&b, "{\"index\":0,\"value\":%zu,\"op\":\"SCMP_CMP_GT\"}", 3 * i++);
			break;
		case PAIRS:
			put(&b,
			    "{\"index\":0,\"value\":%zu,\"op\":\"SCMP_CMP_EQ\"},"
			    "{\"index\":1,\"value\":5,\"op\":\"SCMP_CMP_EQ\"}",
			    i);
			i += 2;
			break;
		case SPREAD:
			put(&b, "{\"index\":%zu,\"value\":%zu,\"op\":\"SCMP_CMP_EQ\"}", i % 3, i);
			i++;
			break;
		case RAND64: {
			uint64_t v = xorshift(&seed);

			put(&b, "{\"index\":0,\"value\":%" PRIu64 ",\"op\":\"SCMP_CMP_EQ\"}",
			    i % 2 ? v : (uint32_t)v);
			i++;
			break;
		}
		case N_SHAPES:
			break;
		}
		put(&b, "]}");
	}
	put(&b, "]}");
	*ret_len = b.len;
	return b.s;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), bench_cmp_double);
	return v[n / 2];
}

/* Median compile time in ns; *ret_result: instructions, or -errno. */
static double time_compile(enum shape sh, size_t n, long *ret_result)
{
	struct cf_resolve_opts o = { .native = CF_ARCH_X86_64,
				     .bounding = caps_docker_default(),
				     .kernel = { .set = true, .major = 6, .minor = 1 } };
	struct cf_profile *p = NULL;
	struct cf_resolved *res = NULL;
	struct cf_diag d;
	double t[ROUNDS];
	size_t len = 0;
	char *text = make_profile(sh, n, &len);

	if (!text || cf_profile_parse_buffer("scale.json", text, len, &p, &d) < 0 ||
	    cf_profile_resolve(p, &o, &res, &d) < 0) {
		fprintf(stderr, "bench: %s\n", text ? d.message : "out of memory");
		exit(1);
	}
	for (int r = 0; r < ROUNDS; r++) {
		struct cf_bpf_prog *prog = NULL;
		double t0 = bench_now_ns();
		int q = cf_filter_compile(res, &prog, &d);

		t[r] = bench_now_ns() - t0;
		*ret_result = q < 0 ? q : (long)prog->len;
		if (q < 0 && q != -E2BIG) {
			fprintf(stderr, "bench: %s %zu: %s\n", shape_name[sh], n, d.message);
			exit(1);
		}
		cf_bpf_prog_free(prog);
	}
	cf_resolved_free(res);
	cf_profile_free(p);
	free(text);
	return median(t, ROUNDS);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 2000, 20000, 60000 };
	size_t largest = argc > 1 ? strtoul(argv[1], NULL, 10) : 60000;
	double worst = 0;

	printf("compile time per argument condition, ratio to the same shape at 2k (goal <= "
	       "1.50x)\n");
	for (int sh = 0; sh < N_SHAPES; sh++) {
		double per[3] = { 0 };

		for (size_t k = 0; k < 3 && sizes[k] <= largest; k++) {
			long result = 0;
			double ns = time_compile((enum shape)sh, sizes[k], &result);

			per[k] = ns / (double)sizes[k];
			printf("%-7s %6zu conditions: %9.1f ms, %7.1f ns/condition, %s",
			       shape_name[sh], sizes[k], ns / 1e6, per[k],
			       result < 0 ? "E2BIG" : "fits");
			if (result >= 0)
				printf(" (%ld insns)", result);
			if (k > 0) {
				printf(", %.2fx", per[k] / per[0]);
				if (per[k] / per[0] > worst)
					worst = per[k] / per[0];
			}
			printf("\n");
		}
	}
	printf("worst ratio to 2k: %.2fx (goal <= 1.50x)\n", worst);
	return 0;
}
