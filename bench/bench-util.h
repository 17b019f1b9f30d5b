/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Timing helpers shared by the benchmarks. */
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds. */
static inline double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* qsort comparator for medians. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}
