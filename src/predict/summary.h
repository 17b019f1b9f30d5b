/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What predict keeps of one ELF file: its functions, the call edges between them and to the
 * symbols it imports, the syscalls each function makes itself, which functions are syscall
 * wrappers (the number comes from a register at entry), the calls into imported functions with
 * the first argument's value (for an imported wrapper such as glibc's syscall(), or a dlopen of a
 * constant name), and what could not be resolved. It depends on the file alone, so it is cached
 * per build-id (cache.c); linking the files of a program is program.c's job.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"

/* sys[] entries: the number, with this bit for the i386 ABI (int 0x80 in 64-bit code) */
#define PS_I386 0x80000000u
/* edges[]: this bit set = index into imports[], else into funcs[] */
#define PE_IMPORT 0x80000000u
#define PS_NONE	  UINT32_MAX

struct ps_func {
	uint64_t addr;
	uint32_t name; /* offset into strings, PS_NONE when unnamed */
	uint32_t edges, n_edges; /* slice of edges[] */
	uint32_t sys, n_sys; /* slice of sys[] */
	uint8_t wrapper_reg; /* PR_* holding the syscall number at entry, PR_NONE when not a wrapper */
	uint8_t pad[3];
};

/* How the first argument (rdi) of a call to an import was resolved at the call site. */
enum ps_argkind {
	PA_UNKNOWN,
	PA_CONST, /* vals[0..n) */
	PA_ARG, /* the caller's own argument register `reg` at entry */
	PA_STRING, /* lea of a string constant: str */
};

#define PS_MAX_VALS 6

struct ps_icall {
	uint32_t func; /* caller */
	uint32_t import;
	uint64_t addr; /* the call instruction */
	uint8_t kind; /* enum ps_argkind */
	uint8_t n;
	uint8_t reg;
	uint8_t pad;
	uint32_t str; /* PA_STRING: offset into strings */
	uint32_t vals[PS_MAX_VALS];
};

enum ps_why {
	PW_NUMBER, /* a syscall whose number is not a constant the data flow reaches */
	PW_WRAPPER_CALL, /* a call to a wrapper whose number argument is not a constant */
};

struct ps_unres {
	uint32_t func;
	uint32_t why; /* enum ps_why */
	uint64_t addr;
};

/* A function whose syscall number is its own first argument passed on to an imported wrapper
 * (`f(nr, ...) { return syscall(nr, ...); }`), reached through its address (fnptr.c): whether
 * the call sites in this file are provably all of its callers. */
enum ps_argwhy {
	PAW_SITES, /* yes: its numbers are the first arguments at psites[] naming it or none */
	PAW_EXPORTED, /* its name is exported: any object may call it */
	PAW_ESCAPES, /* the code takes its address as a value (at), which may leave the file */
	PAW_JCC, /* a conditional jump to it (at): a way in the sites do not describe */
};

struct ps_argfn {
	uint32_t func;
	uint32_t why; /* enum ps_argwhy */
	uint64_t at;
};

struct ps_export {
	uint32_t name; /* offset into strings */
	uint32_t func;
};

struct psummary {
	struct ps_func *funcs;
	size_t n_funcs;
	uint32_t *edges;
	size_t n_edges;
	uint32_t *sys;
	size_t n_sys;
	uint32_t *imports; /* offsets into strings */
	size_t n_imports;
	struct ps_export *exports; /* sorted by name */
	size_t n_exports;
	uint32_t *roots; /* functions the file's loading reaches (entry, init, data pointers) */
	size_t n_roots;
	struct ps_icall *icalls;
	size_t n_icalls;
	struct ps_unres *unres;
	size_t n_unres;
	/* call sites that may reach a function through its address (import = PS_NONE: through a
	 * pointer) or directly (import = the callee, a function of argfns[]); vals = rdi there */
	struct ps_icall *psites;
	size_t n_psites;
	struct ps_argfn *argfns;
	size_t n_argfns;
	char *strings;
	size_t strings_size;
	uint64_t n_insns; /* decoded, for the statistics line */
};

void psummary_clear(struct psummary *s);
static inline const char *ps_str(const struct psummary *s, uint32_t off)
{
	return off == PS_NONE || off >= s->strings_size ? NULL : s->strings + off;
}
/* The function of an exported name, PS_NONE when not exported. */
uint32_t psummary_export(const struct psummary *s, const char *name);
/* The function whose region holds addr (funcs are sorted by addr), PS_NONE when none. */
uint32_t psummary_func_at(const struct psummary *s, uint64_t addr);

struct cf_elf;
/* Analyse one file (callgraph.c). -ENOTSUP without a decoder, -ENOMEM. */
CF_MUST_CHECK int psummary_build(const struct cf_elf *e, struct psummary *ret);
