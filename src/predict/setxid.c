/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "predict/setxid.h"

#include <errno.h>
#include <string.h>

#include "arch/arch.h"

/*
 * glibc's setxid broadcast. POSIX wants setuid() & co. to change the credentials of the whole
 * process, the kernel changes only the calling thread's; so once a process has a second thread,
 * glibc's set*id wrappers do not make their syscall directly but fill a command and broadcast it
 * (sysdeps/nptl/setxid.h, INLINE_SETXID_SYSCALL):
 *
 *	if single-threaded:  INLINE_SYSCALL(name, ...)              <- __NR_name, a constant
 *	else:                cmd.syscall_no = __NR_name; cmd.id[] = args; __nptl_setxid(&cmd)
 *
 * nptl/nptl-setxid.c: __nptl_setxid(cmdp) publishes cmdp in a static (xidcmd), signals every
 * other thread with SIGSETXID, and finally makes INTERNAL_SYSCALL_NCS(cmdp->syscall_no, ...)
 * itself; the handler __nptl_setxid_sighandler (installed with sigaction when the first thread
 * is created, nptl/pthread_create.c) first returns unless sig == SIGSETXID, the sender is this
 * process and si_code is SI_TKILL, then makes INTERNAL_SYSCALL_NCS(xidcmd->syscall_no, ...).
 * Both numbers are loads (the first field of struct xid_command), which the register data flow
 * (syscalls.c) rightly cannot resolve. But the value is always a __NR_name that the storing
 * wrapper also passes, as a constant, to its own direct syscall: the broadcast only repeats,
 * per thread, a call its caller already makes. So the numbers are exactly the set*id syscalls
 * the reached callers of __nptl_setxid make themselves, and none when no caller is reached (the
 * handler then never sees a command: xidcmd is set only by __nptl_setxid).
 *
 * libc.so.6 is stripped: neither function has a name. They are recognized by structure, and
 * anything that does not match exactly stays unresolved (the caller reports it and refuses):
 * - the number is loaded by `mov (%reg),%eax` right before the `syscall` (offset 0 of a
 *   pointer: xid_command.syscall_no), and it is the function's only unresolved number;
 * - the broadcaster is a direct callee of an exported set*id wrapper of the same file, and every
 *   function with an edge to it (a call, a tail call, a taken address) makes at least one set*id
 *   family syscall itself (else something we do not understand feeds it a command);
 * - the handler starts with `cmp $33,%edi` (the sig != SIGSETXID check; SIGSETXID is
 *   __SIGRTMIN + 1 = 33 on Linux) and lives in the file holding the broadcaster.
 */

/* The wrappers using INLINE_SETXID_SYSCALL (sysdeps/unix/sysv/linux/set*id.c, setgroups.c). */
static const char *const wrappers[] = {
	"setuid",   "setgid",	 "seteuid",   "setegid",   "setreuid",
	"setregid", "setresuid", "setresgid", "setgroups",
};
/* The syscalls they make: the only values cmd.syscall_no can hold. */
static const char *const family[] = {
	"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups",
};

#define SIGSETXID 33

static bool is_family(uint32_t v)
{
	enum cf_arch a = arch_native();

	for (size_t i = 0; i < ARRAY_SIZE(family); i++)
		if (syscall_resolve_name(a, family[i]) == (int)v)
			return true;
	return false;
}

/* `mov (%reg),%eax; syscall`: 8b /r with mod 00, reg eax, r/m neither SIB (4) nor rip (5). */
static bool loads_from_struct(const struct cf_elf *e, uint64_t syscall_addr)
{
	const uint8_t *b;

	if (syscall_addr < 2)
		return false;
	b = cf_elf_at(e, syscall_addr - 2, 4);
	return b && b[0] == 0x8b && (b[1] & 0xf8) == 0x00 && (b[1] & 7) != 4 && (b[1] & 7) != 5 &&
	       b[2] == 0x0f && b[3] == 0x05;
}

static size_t n_unresolved(const struct psummary *s, uint32_t f)
{
	size_t n = 0;

	for (size_t k = 0; k < s->n_unres; k++)
		n += s->unres[k].func == f && s->unres[k].why == PW_NUMBER;
	return n;
}

static bool recognized_load(const struct cf_elf *e, const struct psummary *s, uint32_t f,
			    const struct ps_unres **ret)
{
	const struct ps_unres *u = NULL;

	if (n_unresolved(s, f) != 1)
		return false;
	for (size_t k = 0; k < s->n_unres && !u; k++)
		if (s->unres[k].func == f && s->unres[k].why == PW_NUMBER)
			u = &s->unres[k];
	*ret = u;
	return u && loads_from_struct(e, u->addr);
}

static bool has_edge(const struct psummary *s, uint32_t from, uint32_t to)
{
	const struct ps_func *fn = &s->funcs[from];

	for (uint32_t e = 0; e < fn->n_edges; e++)
		if (s->edges[fn->edges + e] == to)
			return true;
	return false;
}

static bool makes_family(const struct psummary *s, uint32_t f)
{
	const struct ps_func *fn = &s->funcs[f];

	for (uint32_t k = 0; k < fn->n_sys; k++)
		if (is_family(s->sys[fn->sys + k]))
			return true;
	return false;
}

/* The broadcaster: the one function an exported set*id wrapper calls that has a recognized
 * load; PS_NONE when there is none or more than one. */
static uint32_t broadcaster(const struct cf_elf *e, const struct psummary *s)
{
	uint32_t found = PS_NONE;

	for (size_t i = 0; i < ARRAY_SIZE(wrappers); i++) {
		uint32_t w = psummary_export(s, wrappers[i]);
		const struct ps_func *fn;

		if (w == PS_NONE)
			continue;
		fn = &s->funcs[w];
		for (uint32_t k = 0; k < fn->n_edges; k++) {
			uint32_t t = s->edges[fn->edges + k];
			const struct ps_unres *u;

			if (t & PE_IMPORT || t >= s->n_funcs || !recognized_load(e, s, t, &u))
				continue;
			if (found != PS_NONE && found != t)
				return PS_NONE;
			found = t;
		}
	}
	return found;
}

int psetxid_numbers(const struct cf_elf *e, const struct psummary *s, const uint8_t *reached,
		    const struct ps_unres *u, uint32_t *ret, size_t max)
{
	const struct ps_unres *mine;
	uint32_t bc;
	size_t n = 0;
	const uint8_t *entry;

	if (u->why != PW_NUMBER || u->func >= s->n_funcs ||
	    !recognized_load(e, s, u->func, &mine) || mine != u)
		return -ENOENT;
	bc = broadcaster(e, s);
	if (bc == PS_NONE)
		return -ENOENT;
	if (u->func != bc) {
		/* the handler: cmp $SIGSETXID,%edi (83 /7 ib) first */
		entry = cf_elf_at(e, s->funcs[u->func].addr, 3);
		if (!entry || entry[0] != 0x83 || entry[1] != 0xff || entry[2] != SIGSETXID)
			return -ENOENT;
	}
	for (uint32_t c = 0; c < s->n_funcs; c++) {
		const struct ps_func *fn = &s->funcs[c];

		if (c == bc || !has_edge(s, c, bc))
			continue;
		/* every way in must be a set*id wrapper, reached or not: the pattern is the file's */
		if (!makes_family(s, c))
			return -ENOENT;
		if (!reached[c])
			continue;
		for (uint32_t k = 0; k < fn->n_sys; k++) {
			uint32_t v = s->sys[fn->sys + k];
			bool dup = false;

			if (!is_family(v))
				continue;
			for (size_t j = 0; j < n; j++)
				dup = dup || ret[j] == v;
			if (dup)
				continue;
			if (n == max)
				return -E2BIG;
			ret[n++] = v;
		}
	}
	return (int)n;
}
