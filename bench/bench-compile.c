/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * callfence's compiler against libseccomp 2.5.4 (opt=1, the crun/runc 1.1 layout, and opt=2,
 * runc >= 1.2), all measured in this run:
 *   (a) BPF instructions executed per syscall (emulated, deterministic), per ABI;
 *   (b) syscalls the kernel's action cache can skip, vs unconditionally allowed ones;
 *   (c) compile time: cf_filter_compile vs libseccomp rule_add + export;
 *   (d) ns per syscall in forked children (filters installed for real, pinned to one CPU).
 * Goals: avg <= 12, max <= 20 executed; compile <= 50 us and >= 100x faster than libseccomp.
 * Usage: bench-compile [profile.json]   (default: the builtin profile, Docker's 14 caps)
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../tests/bpf/cache-emu.h"
#include "../tests/oracle/lsc-build.h"
#include "bench-util.h"
#include "bpf/filter.h"
#include "bpf/sim.h"
#include "caps/caps.h"

#define N_VARIANTS 3
static const char *const vname[N_VARIANTS] = { "callfence", "libseccomp opt=1",
					       "libseccomp opt=2" };

struct prog {
	struct sock_filter *insns;
	size_t len;
};

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static unsigned steps(const struct prog *p, uint32_t arch, uint32_t nr, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint32_t *ret)
{
	struct seccomp_data d = { .nr = (int)nr, .arch = arch, .args = { a0, a1, a2 } };
	unsigned s = 0;

	if (cf_bpf_sim(p->insns, p->len, &d, ret, &s) < 0) {
		fprintf(stderr, "simulation failed\n");
		exit(1);
	}
	return s;
}

/* (a) + (b) */
static void executed(const struct prog *v, const struct cf_resolved *r)
{
	static const struct {
		const char *label;
		enum cf_arch arch;
	} abis[] = { { "x86_64", CF_ARCH_X86_64 },
		     { "i386", CF_ARCH_X86 },
		     { "x32", CF_ARCH_X32 } };
	static const struct {
		const char *label;
		uint32_t nr;
		uint64_t a0, a1, a2;
	} special[] = {
		{ "personality(0xffffffff)", 135, 0xffffffff, 0, 0 },
		{ "socket(AF_INET)", 41, 2, 1, 0 },
		{ "clone(thread flags)", 56, 0x3d0f00, 0, 0 },
		{ "clone3 (ENOSYS rule)", 435, 0, 0, 0 },
		{ "acct (denied)", 163, 0, 0, 0 },
		{ "nr 1000", 1000, 0, 0, 0 },
	};
	cf_capset dummy = 0;

	(void)dummy;
	printf("\n(a) BPF instructions executed per syscall (args 0), every number of the ABI's table\n");
	printf("%-8s %-18s %6s | %-22s | %-22s | %s\n", "ABI", "variant", "insns",
	       "allowed avg/p50/max", "denied avg/max", "all avg/max");
	for (size_t k = 0; k < sizeof(abis) / sizeof(abis[0]); k++) {
		const struct cf_arch_info *info = arch_info(abis[k].arch);
		int maxnr = syscall_max_nr(abis[k].arch);

		for (int var = 0; var < N_VARIANTS; var++) {
			double sa = 0, sd = 0, st = 0;
			unsigned ma = 0, md = 0, mt = 0, na = 0, nd = 0, nt = 0;
			unsigned hist[64] = { 0 };
			unsigned p50 = 0, acc = 0;

			for (int nr = (int)info->nr_base; nr <= maxnr; nr++) {
				uint32_t ret;
				unsigned s;

				if (!syscall_resolve_num(abis[k].arch, nr))
					continue;
				s = steps(&v[var], info->audit_arch, (uint32_t)nr, 0, 0, 0, &ret);
				st += s;
				mt = s > mt ? s : mt;
				nt++;
				if (ret == SECCOMP_RET_ALLOW) {
					sa += s;
					ma = s > ma ? s : ma;
					na++;
					hist[s < 63 ? s : 63]++;
				} else {
					sd += s;
					md = s > md ? s : md;
					nd++;
				}
			}
			for (unsigned i = 0; i < 64; i++) {
				acc += hist[i];
				if (acc * 2 >= na) {
					p50 = i;
					break;
				}
			}
			printf("%-8s %-18s %6zu | %6.1f / %3u / %4u      | %6.1f / %4u      | %6.1f / %4u\n",
			       abis[k].label, vname[var], v[var].len, na ? sa / na : 0, p50, ma,
			       nd ? sd / nd : 0, md, nt ? st / nt : 0, mt);
		}
	}
	printf("\nx86_64 special cases (executed instructions -> return value)\n");
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		printf("  %-26s", special[i].label);
		for (int var = 0; var < N_VARIANTS; var++) {
			uint32_t ret;
			unsigned s = steps(&v[var], AUDIT_ARCH_X86_64, special[i].nr, special[i].a0,
					   special[i].a1, special[i].a2, &ret);

			printf("  %s %4u (0x%08x)",
			       var == 0 ? "ours" :
			       var == 1 ? "opt1" :
					  "opt2",
			       s, ret);
		}
		printf("\n");
	}

	printf("\n(b) kernel action cache: syscalls skipped without running the filter\n");
	for (int var = 0; var < N_VARIANTS; var++) {
		unsigned cached = 0;

		for (size_t k = 0; k < 2; k++) {
			const struct cf_arch_info *info = arch_info(abis[k].arch);

			for (uint32_t nr = 0; nr < 1024; nr++)
				cached += cf_cache_const_allow(v[var].insns, v[var].len,
							       info->audit_arch, nr);
		}
		printf("  %-18s %u cacheable x86_64+i386 numbers\n", vname[var], cached);
	}
	(void)r;
}

/* (c) */
static void compile_time(const struct cf_resolved *r)
{
	enum {
		ROUNDS = 21,
		ITERS = 50,
		LSC_ITERS = 3
	};
	double ours[ROUNDS], l1[ROUNDS], l2[ROUNDS];

	for (int round = 0; round < ROUNDS; round++) {
		double t0 = bench_now_ns();

		for (int i = 0; i < ITERS; i++) {
			struct cf_bpf_prog *p = NULL;

			if (cf_filter_compile(r, &p, NULL) < 0)
				exit(1);
			cf_bpf_prog_free(p);
		}
		ours[round] = (bench_now_ns() - t0) / ITERS;
		for (int opt = 1; opt <= 2; opt++) {
			double t1 = bench_now_ns();

			for (int i = 0; i < LSC_ITERS; i++) {
				struct sock_filter *f = NULL;
				size_t n;

				if (lsc_build(r, opt, &f, &n) < 0)
					exit(1);
				free(f);
			}
			(opt == 1 ? l1 : l2)[round] = (bench_now_ns() - t1) / LSC_ITERS;
		}
	}
	{
		double mo = median(ours, ROUNDS), m1 = median(l1, ROUNDS), m2 = median(l2, ROUNDS);

		printf("\n(c) compile time, median of %d rounds (libseccomp: rule_add + export to a memfd)\n",
		       ROUNDS);
		printf("  callfence        %8.1f us\n", mo / 1000);
		printf("  libseccomp opt=1 %8.1f us  (%.0fx callfence)\n", m1 / 1000, m1 / mo);
		printf("  libseccomp opt=2 %8.1f us  (%.0fx callfence)\n", m2 / 1000, m2 / mo);
	}
}

/* (d) */
struct call {
	const char *label;
	long nr;
	unsigned long a0, a1, a2;
};

static const struct call calls[] = {
	{ "getppid (cached allow)", SYS_getppid, 0, 0, 0 },
	{ "personality(0xffffffff)", SYS_personality, 0xffffffff, 0, 0 },
	{ "socket(AF_INET,0xdead)", SYS_socket, 2, 0xdead, 0 },
	{ "acct(NULL) (denied)", SYS_acct, 0, 0, 0 },
	{ "nr 1000", 1000, 0, 0, 0 },
	{ "x32 getpid", 0x40000000 | SYS_getpid, 0, 0, 0 },
};
#define N_CALLS (sizeof(calls) / sizeof(calls[0]))

static void child_measure(const struct prog *p, int fd)
{
	enum {
		ITERS = 100000
	};
	double res[N_CALLS];
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(1, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
	if (p) {
		struct sock_fprog fp = { .len = (unsigned short)p->len, .filter = p->insns };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
			_exit(1);
	}
	for (size_t c = 0; c < N_CALLS; c++) {
		double t0 = bench_now_ns();

		for (int i = 0; i < ITERS; i++)
			(void)syscall(calls[c].nr, calls[c].a0, calls[c].a1, calls[c].a2);
		res[c] = (bench_now_ns() - t0) / ITERS;
	}
	if (write(fd, res, sizeof(res)) != (ssize_t)sizeof(res))
		_exit(1);
	_exit(0);
}

static void runtime(const struct prog *v)
{
	enum {
		ROUNDS = 5,
		NV = N_VARIANTS + 2
	};
	/* variant 0: no filter; 1: minimal uncacheable filter; then ours, opt1, opt2 */
	static const struct sock_filter minimal[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 16 },
		{ BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW },
	};
	const struct prog min = { (struct sock_filter *)minimal, 2 };
	const char *names[NV] = { "no filter", "minimal 2-insn filter", vname[0], vname[1],
				  vname[2] };
	double res[NV][ROUNDS][N_CALLS];

	signal(SIGSYS, SIG_IGN);
	for (int round = 0; round < ROUNDS; round++)
		for (int var = 0; var < NV; var++) {
			const struct prog *p = var == 0 ? NULL : var == 1 ? &min : &v[var - 2];
			int pipefd[2], status;
			pid_t pid;

			if (pipe(pipefd) < 0)
				exit(1);
			pid = fork();
			if (pid == 0) {
				close(pipefd[0]);
				child_measure(p, pipefd[1]);
			}
			close(pipefd[1]);
			if (read(pipefd[0], res[var][round], sizeof(res[var][round])) !=
			    (ssize_t)sizeof(res[var][round])) {
				fprintf(stderr, "variant %s failed\n", names[var]);
				exit(1);
			}
			close(pipefd[0]);
			waitpid(pid, &status, 0);
		}
	printf("\n(d) ns per syscall, forked child pinned to CPU 1, median of %d interleaved rounds\n",
	       ROUNDS);
	printf("  %-24s", "");
	for (int var = 0; var < NV; var++)
		printf(" %14.14s", names[var]);
	printf("  ours-opt2\n");
	for (size_t c = 0; c < N_CALLS; c++) {
		double med[NV];

		printf("  %-24s", calls[c].label);
		for (int var = 0; var < NV; var++) {
			double tmp[ROUNDS];

			for (int round = 0; round < ROUNDS; round++)
				tmp[round] = res[var][round][c];
			med[var] = median(tmp, ROUNDS);
			printf(" %14.1f", med[var]);
		}
		printf("  %+8.1f\n", med[2] - med[4]);
	}
}

int main(int argc, char **argv)
{
	struct cf_profile *prof = NULL;
	struct cf_resolved *r = NULL;
	struct cf_resolve_opts o = { .native = CF_ARCH_X86_64,
				     .bounding = caps_docker_default(),
				     .kernel = { .set = true, .major = 6, .minor = 18 } };
	struct cf_bpf_prog *ours = NULL;
	struct prog v[N_VARIANTS];
	struct cf_diag d;

	if ((argc > 1 ? cf_profile_parse_file(argv[1], &prof, &d) : cf_profile_builtin(&prof)) <
		    0 ||
	    cf_profile_resolve(prof, &o, &r, &d) < 0 || cf_filter_compile(r, &ours, &d) < 0) {
		fprintf(stderr, "bench-compile: %s\n", d.message);
		return 1;
	}
	printf("profile: %s, %zu arches, default caps\n", argc > 1 ? argv[1] : "builtin",
	       r->n_arches);
	v[0] = (struct prog){ ours->insns, ours->len };
	if (lsc_build(r, 1, &v[1].insns, &v[1].len) < 0 ||
	    lsc_build(r, 2, &v[2].insns, &v[2].len) < 0) {
		fprintf(stderr, "libseccomp refused the profile\n");
		return 1;
	}
	executed(v, r);
	compile_time(r);
	if (!getenv("BENCH_NO_RUNTIME"))
		runtime(v);
	free(v[1].insns);
	free(v[2].insns);
	cf_bpf_prog_free(ours);
	cf_resolved_free(r);
	cf_profile_free(prof);
	return 0;
}
