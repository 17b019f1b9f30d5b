/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A bounds-checked reader of x86-64 ELF64 files for `callfence predict`. The input is untrusted
 * (any file the user names, any library the loader's search order finds): every offset, size,
 * count and string is checked against the mapping before use; a malformed file is -ENOEXEC with
 * the reason in the diag, never a crash (fuzz/fuzz-elf.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/macro.h"

struct cf_elf_sym {
	const char *name; /* NUL-terminated inside the mapping */
	uint64_t value;
	uint64_t size;
	uint8_t type; /* STT_* */
	uint8_t bind; /* STB_* */
	bool defined; /* st_shndx != SHN_UNDEF */
	bool dynamic; /* from .dynsym (else .symtab) */
};

struct cf_elf_rel {
	uint64_t offset; /* the slot's vaddr */
	int64_t addend;
	uint32_t type; /* R_X86_64_* */
	uint32_t sym; /* index into the dynsym part of syms[], 0 = none */
};

/* A range of the file mapped at a vaddr (a section with contents). */
struct cf_elf_range {
	uint64_t vaddr;
	uint64_t size;
	uint64_t offset;
	bool exec;
	bool write;
	const char *name;
};

#define CF_ELF_MAX_NEEDED 128

struct cf_elf {
	const uint8_t *data;
	size_t size;
	bool mapped; /* data is our mmap (cf_elf_close unmaps) */
	uint16_t type; /* ET_EXEC, ET_DYN */
	uint64_t entry;
	const char *interp; /* PT_INTERP or NULL */
	bool dynamic; /* has PT_DYNAMIC */
	const char *needed[CF_ELF_MAX_NEEDED];
	size_t n_needed;
	const char *soname, *rpath, *runpath;
	uint64_t init, fini; /* DT_INIT/DT_FINI, 0 when absent */
	uint64_t init_array, init_arraysz, fini_array, fini_arraysz, preinit_array, preinit_arraysz;
	struct cf_elf_range *ranges; /* sections with file contents (SHT_PROGBITS etc.) */
	size_t n_ranges;
	struct cf_elf_sym *syms; /* dynsym first (index = dynsym index), then symtab */
	size_t n_dynsym, n_syms;
	struct cf_elf_rel *rels;
	size_t n_rels;
	uint8_t build_id[64];
	size_t build_id_len;
};

/* Parse a buffer the caller keeps alive as long as `e`. -ENOEXEC (diag says why), -ENOMEM. */
CF_MUST_CHECK int cf_elf_parse(const void *data, size_t size, const char *label, struct cf_elf *e,
			       struct cf_diag *reterr);
/* Map and parse a file. -errno of open/mmap, -ENOEXEC. */
CF_MUST_CHECK int cf_elf_open(const char *path, struct cf_elf *e, struct cf_diag *reterr);
void cf_elf_close(struct cf_elf *e);

/* The range holding vaddr, or NULL. */
const struct cf_elf_range *cf_elf_range_at(const struct cf_elf *e, uint64_t vaddr);
/* Pointer to len bytes at vaddr when they lie inside one range's file contents, else NULL. */
const void *cf_elf_at(const struct cf_elf *e, uint64_t vaddr, size_t len);
/* A NUL-terminated string at vaddr inside one range, else NULL. */
const char *cf_elf_string_at(const struct cf_elf *e, uint64_t vaddr);
/* Hex of the build-id (or "" when none) into buf (>= 129 bytes). */
void cf_elf_build_id_hex(const struct cf_elf *e, char *buf, size_t size);
