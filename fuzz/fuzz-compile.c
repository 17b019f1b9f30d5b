/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Differential fuzzing of the compiler: the input drives a random resolved profile (rules,
 * names, actions, overlapping conditions, arches); the compiled program must verify, and for
 * every probed seccomp_data the simulator's decision must equal the model's. A profile the
 * compiler refuses must be refused by the model too.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/audit.h>

#include "bpf/filter.h"
#include "bpf/sim.h"
#include "random-profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * libFuzzer defaults for this target, placed before the command line's flags (later flags win;
 * fuzz-main.c never calls this). -entropic=0: each input hits thousands of features through
 * its 512 probes, and the entropic schedule's per-feature bookkeeping cost twice the target
 * itself (measured: 430 vs 1230 execs per CPU second). -max_len=256: the generator reads
 * little more from the input before its xorshift stream takes over.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char entropic[] = "-entropic=0", max_len[] = "-max_len=256";
	static char *args[256];
	int n = 0;

	if (*argc < 1 || *argc > 250)
		return 0;
	args[n++] = (*argv)[0];
	args[n++] = entropic;
	args[n++] = max_len;
	for (int i = 1; i < *argc; i++)
		args[n++] = (*argv)[i];
	args[n] = NULL;
	*argc = n;
	*argv = args;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_profile *p = malloc(sizeof(*p));
	struct cf_bpf_prog *prog = NULL;
	struct cf_model *m = NULL;
	uint64_t corners[256];
	struct rp_rand g;
	struct cf_diag d;
	size_t nc;
	int rc, rm;

	if (!p)
		return 0;
	rp_rand_init(&g, data, size, 1);
	rp_generate(p, &g);
	rc = cf_filter_compile(&p->res, &prog, &d);
	rm = cf_model_new(&p->res, &m, &d);
	if ((rc < 0) != (rm < 0)) {
		fprintf(stderr, "compile %d but model %d\n", rc, rm);
		abort();
	}
	if (rc < 0)
		goto out;
	if (cf_bpf_verify(prog->insns, prog->len, &d) < 0) {
		fprintf(stderr, "compiled program does not verify: %s\n", d.message);
		abort();
	}
	nc = rp_corner_values(&p->res, corners, 256);
	for (int k = 0; k < 512; k++) {
		size_t ai = rp_next(&g, p->res.n_arches + 1);
		const struct cf_arch_info *info =
			arch_info(ai < p->res.n_arches ? p->res.arches[ai] : CF_ARCH_ARM);
		struct seccomp_data sd = { .arch = ai < p->res.n_arches ? info->audit_arch :
									  AUDIT_ARCH_ALPHA };
		struct cf_eval_result e;
		uint32_t v;

		sd.nr = (int)(info->nr_base + (uint32_t)rp_next(&g, 600));
		if (rp_next(&g, 8) == 0)
			sd.nr = (int)(0x40000000u + (uint32_t)rp_next(&g, 600));
		for (int a = 0; a < 6; a++)
			sd.args[a] = corners[rp_next(&g, nc)];
		if (cf_bpf_sim(prog->insns, prog->len, &sd, &v, NULL) < 0 ||
		    cf_model_evaluate(m, &sd, &e) < 0 || v != e.ret) {
			fprintf(stderr, "arch 0x%x nr 0x%x: program 0x%x, model 0x%x\n", sd.arch,
				sd.nr, v, e.ret);
			abort();
		}
	}
out:
	cf_model_free(m);
	cf_bpf_prog_free(prog);
	free(p);
	return 0;
}
