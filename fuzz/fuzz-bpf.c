/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Raw bytes as a classic-BPF program: the verifier must not crash; a program it accepts must
 * run to a RET in the simulator for any seccomp_data; the disassembler must not crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/audit.h>

#include "bpf/filter.h"
#include "bpf/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / sizeof(struct sock_filter);
	struct sock_filter *insns;
	struct cf_bpf_prog prog = { 0 };
	char *text = NULL;
	struct cf_diag d;
	int ok;

	if (n == 0 || n > 4200)
		return 0;
	insns = malloc(n * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data, n * sizeof(*insns));
	ok = cf_bpf_verify(insns, n, &d) == 0;
	for (uint32_t k = 0; k < 8; k++) {
		struct seccomp_data sd = {
			.nr = (int)(k * 37),
			.arch = k & 1 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_S390X,
			.args = { k, ~(uint64_t)k, 1ull << (k * 8) },
		};
		uint32_t v;
		int r = cf_bpf_sim(insns, n, &sd, &v, NULL);

		if (ok && r < 0) {
			fprintf(stderr, "verified program failed in the simulator\n");
			abort();
		}
	}
	prog.insns = insns;
	prog.len = n;
	if (n <= 4096 && cf_bpf_disasm(&prog, NULL, &text) == 0)
		free(text);
	free(insns);
	return 0;
}
