/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-inspect: bytes as a stack of filters a process could be under (what `callfence inspect`
 * reads from the kernel, untrusted: any program the kernel accepted). Byte 0 picks the number
 * of filters (1-3), the rest is split evenly into struct sock_filter arrays. The verifier must
 * not crash; for accepted programs, the decompiler must not crash and every verdict it reports
 * must be what the simulator gives the all-zero input of that syscall.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/sim.h"
#include "inspect/inspect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_inspect_filter f[3] = { 0 };
	struct cf_inspect_filters fs = { .mode = 2, .f = f };
	struct cf_inspect_report rep = { 0 };
	struct cf_diag d;
	size_t n, each;

	if (size < 1 + sizeof(struct sock_filter))
		return 0;
	n = 1 + data[0] % 3;
	each = (size - 1) / n / sizeof(struct sock_filter);
	if (each == 0 || each > 4096)
		return 0;
	for (size_t i = 0; i < n; i++) {
		f[i].insns = malloc(each * sizeof(struct sock_filter));
		if (!f[i].insns)
			abort();
		memcpy(f[i].insns, data + 1 + i * each * sizeof(struct sock_filter),
		       each * sizeof(struct sock_filter));
		f[i].len = each;
	}
	fs.n = n;
	if (cf_inspect_analyze(&fs, &rep, &d) == 0) {
		for (size_t i = 0; i < rep.n; i += 97) {
			struct seccomp_data sd = { .nr = rep.v[i].nr,
						   .arch = arch_info(rep.v[i].arch)->audit_arch };
			uint32_t rets[3], got, e;

			for (size_t k = 0; k < n; k++)
				if (cf_bpf_sim(f[k].insns, f[k].len, &sd, &rets[k], NULL) < 0)
					abort();
			got = cf_inspect_combine(rets, n);
			if (strcmp(cf_inspect_action_name(got, &e),
				   cf_inspect_action_name(rep.v[i].ret, &e)) != 0)
				abort();
		}
		cf_inspect_report_clear(&rep);
	}
	for (size_t i = 0; i < n; i++)
		free(f[i].insns);
	return 0;
}
