/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * runc's libcontainer/seccomp/seccomp_linux.go, in C: seccomp_init(default action), add every
 * arch, NNP off, per rule and per name: skip rules whose action equals the default, skip names
 * libseccomp cannot resolve, split rules whose argument indices repeat into one rule per
 * condition, seccomp_rule_add_array. Exported with seccomp_export_bpf into a memfd (2.5.4 has no
 * seccomp_export_bpf_mem).
 */
#include "lsc-build.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/stat.h>

#include "bpf/filter.h"

static uint32_t scmp_arch(enum cf_arch a)
{
	switch (a) {
	case CF_ARCH_X86_64:
		return SCMP_ARCH_X86_64;
	case CF_ARCH_X86:
		return SCMP_ARCH_X86;
	case CF_ARCH_X32:
		return SCMP_ARCH_X32;
	case CF_ARCH_AARCH64:
		return SCMP_ARCH_AARCH64;
	case CF_ARCH_ARM:
		return SCMP_ARCH_ARM;
	case CF_ARCH_MIPS:
		return SCMP_ARCH_MIPS;
	case CF_ARCH_MIPS64:
		return SCMP_ARCH_MIPS64;
	case CF_ARCH_MIPS64N32:
		return SCMP_ARCH_MIPS64N32;
	case CF_ARCH_MIPSEL:
		return SCMP_ARCH_MIPSEL;
	case CF_ARCH_MIPSEL64:
		return SCMP_ARCH_MIPSEL64;
	case CF_ARCH_MIPSEL64N32:
		return SCMP_ARCH_MIPSEL64N32;
	case CF_ARCH_PPC:
		return SCMP_ARCH_PPC;
	case CF_ARCH_PPC64:
		return SCMP_ARCH_PPC64;
	case CF_ARCH_PPC64LE:
		return SCMP_ARCH_PPC64LE;
	case CF_ARCH_S390:
		return SCMP_ARCH_S390;
	case CF_ARCH_S390X:
		return SCMP_ARCH_S390X;
	case CF_ARCH_PARISC:
		return SCMP_ARCH_PARISC;
	case CF_ARCH_PARISC64:
		return SCMP_ARCH_PARISC64;
	case CF_ARCH_RISCV64:
		return SCMP_ARCH_RISCV64;
	case CF_ARCH_LOONGARCH64:
	case CF_ARCH_M68K:
	case CF_ARCH_SH:
	case CF_ARCH_SHEB:
	case CF_ARCH_COUNT:
	case CF_ARCH_INVALID:
		break;
	}
	return 0;
}

int lsc_resolve(enum cf_arch arch, const char *name)
{
	uint32_t a = scmp_arch(arch);

	if (!a)
		return -EINVAL;
	return seccomp_syscall_resolve_name_arch(a, name);
}

static uint32_t scmp_action(enum cf_action a, uint32_t e)
{
	/* libseccomp 2.5.4 refuses errno >= 4095 (EINVAL, so runc fails); callfence passes the
	 * value and the kernel clamps it to 4095. Build the oracle with 4094, which the
	 * comparison treats as equal to anything >= 4094 (no test profile uses 4094 itself). */
	e &= 0xffff;
	if (a == CF_ACT_ERRNO && e > 4094)
		e = 4094;
	switch (a) {
	case CF_ACT_KILL:
	case CF_ACT_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case CF_ACT_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case CF_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case CF_ACT_ERRNO:
		return SCMP_ACT_ERRNO(e);
	case CF_ACT_TRACE:
		return SCMP_ACT_TRACE(e);
	case CF_ACT_ALLOW:
		return SCMP_ACT_ALLOW;
	case CF_ACT_LOG:
		return SCMP_ACT_LOG;
	case CF_ACT_NOTIFY:
		return SCMP_ACT_NOTIFY;
	case CF_ACT_COUNT:
	case CF_ACT_INVALID:
		break;
	}
	return SCMP_ACT_KILL_PROCESS;
}

static enum scmp_compare scmp_op(enum cf_op op)
{
	switch (op) {
	case CF_OP_NE:
		return SCMP_CMP_NE;
	case CF_OP_LT:
		return SCMP_CMP_LT;
	case CF_OP_LE:
		return SCMP_CMP_LE;
	case CF_OP_EQ:
		return SCMP_CMP_EQ;
	case CF_OP_GE:
		return SCMP_CMP_GE;
	case CF_OP_GT:
		return SCMP_CMP_GT;
	case CF_OP_MASKED_EQ:
		return SCMP_CMP_MASKED_EQ;
	case CF_OP_COUNT:
	case CF_OP_INVALID:
		break;
	}
	return _SCMP_CMP_MIN;
}

static struct scmp_arg_cmp cond(const struct cf_arg *a)
{
	struct scmp_arg_cmp c = { .arg = a->index, .op = scmp_op(a->op), .datum_a = a->value };

	if (a->op == CF_OP_MASKED_EQ)
		c.datum_b = a->value_two;
	return c;
}

static int add_rule(scmp_filter_ctx ctx, const struct cf_rule *rule, uint32_t def)
{
	uint32_t act =
		scmp_action(rule->action, rule->has_errno ? rule->errno_ret : (uint32_t)EPERM);
	unsigned seen = 0;
	bool split = false;

	/* runc compares the libseccomp action values (errno included) */
	if (act == def)
		return 0;
	for (size_t k = 0; k < rule->n_args; k++) {
		if (seen & (1u << rule->args[k].index))
			split = true;
		seen |= 1u << rule->args[k].index;
	}
	for (size_t n = 0; n < rule->n_names; n++) {
		int nr = seccomp_syscall_resolve_name(rule->names[n]);
		int r;

		if (nr == __NR_SCMP_ERROR)
			continue;
		if (rule->n_args == 0) {
			r = seccomp_rule_add_array(ctx, act, nr, 0, NULL);
			if (r < 0)
				return r;
			continue;
		}
		if (split) {
			for (size_t k = 0; k < rule->n_args; k++) {
				struct scmp_arg_cmp c = cond(&rule->args[k]);

				r = seccomp_rule_add_array(ctx, act, nr, 1, &c);
				if (r < 0 && getenv("LSC_DEBUG"))
					fprintf(stderr, "lsc: %s split %zu: %d\n", rule->names[n],
						k, r);
				if (r < 0)
					return r;
			}
		} else {
			struct scmp_arg_cmp c[6];

			for (size_t k = 0; k < rule->n_args && k < 6; k++)
				c[k] = cond(&rule->args[k]);
			r = seccomp_rule_add_array(ctx, act, nr, (unsigned)rule->n_args, c);
			if (r < 0 && getenv("LSC_DEBUG"))
				fprintf(stderr, "lsc: %s: %d\n", rule->names[n], r);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int lsc_build(const struct cf_resolved *r, int opt, struct sock_filter **ret, size_t *ret_len)
{
	uint32_t def = scmp_action(r->default_action, r->default_errno);
	scmp_filter_ctx ctx = seccomp_init(def);
	struct stat st;
	void *buf = NULL;
	int fd = -1, q;

	if (!ctx)
		return -ENOMEM;
	q = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (q == 0 && opt > 1)
		q = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)opt);
	/* runc always keeps the native arch; a profile for other arches (cross tests) drops it
	 * first: libseccomp refuses to mix byte orders (-EDOM) */
	if (q == 0) {
		bool native = false;

		for (size_t i = 0; i < r->n_arches; i++)
			native |= r->arches[i] == CF_ARCH_X86_64;
		if (!native)
			q = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
	}
	for (size_t i = 0; q == 0 && i < r->n_arches; i++) {
		q = seccomp_arch_add(ctx, scmp_arch(r->arches[i]));
		if (q == -EEXIST)
			q = 0;
	}
	for (size_t i = 0; q == 0 && i < r->n_rules; i++)
		if (r->rules[i].active)
			q = add_rule(ctx, r->rules[i].rule, def);
	if (q < 0)
		goto out;
	fd = memfd_create("lsc", MFD_CLOEXEC);
	if (fd < 0) {
		q = -errno;
		goto out;
	}
	q = seccomp_export_bpf(ctx, fd);
	if (q < 0)
		goto out;
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		q = -EIO;
		goto out;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf || pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		q = -EIO;
		goto out;
	}
	*ret = buf;
	*ret_len = (size_t)st.st_size / sizeof(struct sock_filter);
	/* libseccomp writes the program in the target's byte order (gen_bpf.c _htot16/_htot32) */
	if (arch_info(r->arches[0])->big_endian)
		for (size_t i = 0; i < *ret_len; i++) {
			struct sock_filter *f = &(*ret)[i];

			f->code = __builtin_bswap16(f->code);
			f->k = __builtin_bswap32(f->k);
		}
	q = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return q;
}
