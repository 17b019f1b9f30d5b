/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "predict/elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/stat.h>

#include "base/cleanup.h"

/* Highest counts we accept: far above any real file, low enough that a forged count cannot make
 * us allocate gigabytes before the bounds check catches it. */
#define MAX_PHDRS   4096
#define MAX_SHDRS   65535
#define MAX_SYMS    (8u << 20)
#define MAX_RELS    (16u << 20)
#define MAX_DYNAMIC 65536

static int bad(struct cf_diag *d, const char *label, const char *what)
{
	return diag_set(d, ENOEXEC, label, 0, 0, NULL, "not a usable x86-64 ELF64 file: %s", what);
}

/* [off, off+len) inside [0, size) without overflow. */
static bool in_file(const struct cf_elf *e, uint64_t off, uint64_t len)
{
	return off <= e->size && len <= e->size - off;
}

static bool mul_ok(uint64_t a, uint64_t b, uint64_t *ret)
{
	return !__builtin_mul_overflow(a, b, ret);
}

/* A NUL-terminated string at file offset off, inside [lo, hi) (a string table). */
static const char *str_in(const struct cf_elf *e, uint64_t lo, uint64_t hi, uint64_t off)
{
	if (hi > e->size || lo > hi || off >= hi - lo)
		return NULL;
	const char *s = (const char *)e->data + lo + off;
	if (!memchr(s, '\0', hi - lo - off))
		return NULL;
	return s;
}

/* File offset of vaddr through the PT_LOAD segments (what the loader maps). */
static bool vaddr_to_off(const struct cf_elf *e, const Elf64_Phdr *ph, size_t phnum, uint64_t vaddr,
			 uint64_t *ret_off, uint64_t *ret_avail)
{
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (vaddr < ph[i].p_vaddr || vaddr - ph[i].p_vaddr >= ph[i].p_filesz)
			continue;
		uint64_t off = ph[i].p_offset + (vaddr - ph[i].p_vaddr);
		if (off < ph[i].p_offset || !in_file(e, off, 0))
			return false;
		uint64_t avail = ph[i].p_filesz - (vaddr - ph[i].p_vaddr);
		if (avail > e->size - off)
			avail = e->size - off;
		*ret_off = off;
		*ret_avail = avail;
		return true;
	}
	return false;
}

static void parse_notes(struct cf_elf *e, uint64_t off, uint64_t len)
{
	if (!in_file(e, off, len))
		return;
	const uint8_t *p = e->data + off, *end = p + len;
	while ((size_t)(end - p) >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr n;
		memcpy(&n, p, sizeof(n));
		p += sizeof(n);
		uint64_t nsz = ((uint64_t)n.n_namesz + 3) & ~3ull,
			 dsz = ((uint64_t)n.n_descsz + 3) & ~3ull;
		if (nsz > (uint64_t)(end - p) || dsz > (uint64_t)(end - p) - nsz)
			return;
		if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 && memcmp(p, "GNU", 4) == 0 &&
		    n.n_descsz > 0 && n.n_descsz <= sizeof(e->build_id) && !e->build_id_len) {
			memcpy(e->build_id, p + nsz, n.n_descsz);
			e->build_id_len = n.n_descsz;
		}
		p += nsz + dsz;
	}
}

static int add_rels(struct cf_elf *e, const Elf64_Phdr *ph, size_t phnum, uint64_t vaddr,
		    uint64_t size, const char *label, struct cf_diag *reterr)
{
	uint64_t off, avail, n = size / sizeof(Elf64_Rela);
	struct cf_elf_rel *rels;

	if (!size)
		return 0;
	if (!vaddr_to_off(e, ph, phnum, vaddr, &off, &avail) || avail < size)
		return bad(reterr, label, "relocation table outside the file");
	if (n > MAX_RELS || e->n_rels + n > MAX_RELS)
		return bad(reterr, label, "too many relocations");
	rels = realloc(e->rels, (e->n_rels + n) * sizeof(*rels));
	if (!rels && n)
		return -ENOMEM;
	e->rels = rels;
	for (uint64_t i = 0; i < n; i++) {
		Elf64_Rela r;
		memcpy(&r, e->data + off + i * sizeof(r), sizeof(r));
		uint32_t sym = ELF64_R_SYM(r.r_info);
		e->rels[e->n_rels++] = (struct cf_elf_rel){
			.offset = r.r_offset,
			.addend = r.r_addend,
			.type = ELF64_R_TYPE(r.r_info),
			.sym = sym < e->n_dynsym ? sym : 0,
		};
	}
	return 0;
}

static int parse_dynamic(struct cf_elf *e, const Elf64_Phdr *ph, size_t phnum,
			 const Elf64_Phdr *dyn, const char *label, struct cf_diag *reterr)
{
	uint64_t strtab = 0, strsz = 0, rela = 0, relasz = 0, jmprel = 0, pltrelsz = 0;
	uint64_t str_off = 0, str_avail = 0, n;
	uint64_t needed[CF_ELF_MAX_NEEDED], soname = UINT64_MAX, rpath = UINT64_MAX,
					    runpath = UINT64_MAX;
	size_t n_needed = 0;
	int r;

	if (!in_file(e, dyn->p_offset, dyn->p_filesz))
		return bad(reterr, label, "PT_DYNAMIC outside the file");
	n = dyn->p_filesz / sizeof(Elf64_Dyn);
	if (n > MAX_DYNAMIC)
		return bad(reterr, label, "PT_DYNAMIC too large");
	e->dynamic = true;
	for (uint64_t i = 0; i < n; i++) {
		Elf64_Dyn d;
		memcpy(&d, e->data + dyn->p_offset + i * sizeof(d), sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		switch (d.d_tag) {
		case DT_NEEDED:
			if (n_needed >= CF_ELF_MAX_NEEDED)
				return bad(reterr, label, "more than 128 DT_NEEDED entries");
			needed[n_needed++] = d.d_un.d_val;
			break;
		case DT_SONAME:
			soname = d.d_un.d_val;
			break;
		case DT_RPATH:
			rpath = d.d_un.d_val;
			break;
		case DT_RUNPATH:
			runpath = d.d_un.d_val;
			break;
		case DT_STRTAB:
			strtab = d.d_un.d_ptr;
			break;
		case DT_STRSZ:
			strsz = d.d_un.d_val;
			break;
		case DT_RELA:
			rela = d.d_un.d_ptr;
			break;
		case DT_RELASZ:
			relasz = d.d_un.d_val;
			break;
		case DT_JMPREL:
			jmprel = d.d_un.d_ptr;
			break;
		case DT_PLTRELSZ:
			pltrelsz = d.d_un.d_val;
			break;
		case DT_INIT:
			e->init = d.d_un.d_ptr;
			break;
		case DT_FINI:
			e->fini = d.d_un.d_ptr;
			break;
		case DT_INIT_ARRAY:
			e->init_array = d.d_un.d_ptr;
			break;
		case DT_INIT_ARRAYSZ:
			e->init_arraysz = d.d_un.d_val;
			break;
		case DT_FINI_ARRAY:
			e->fini_array = d.d_un.d_ptr;
			break;
		case DT_FINI_ARRAYSZ:
			e->fini_arraysz = d.d_un.d_val;
			break;
		case DT_PREINIT_ARRAY:
			e->preinit_array = d.d_un.d_ptr;
			break;
		case DT_PREINIT_ARRAYSZ:
			e->preinit_arraysz = d.d_un.d_val;
			break;
		default:
			break;
		}
	}
	if (strtab && !vaddr_to_off(e, ph, phnum, strtab, &str_off, &str_avail))
		return bad(reterr, label, "DT_STRTAB outside the file");
	if (strsz > str_avail)
		strsz = str_avail;
#define DSTR(v) ((v) == UINT64_MAX ? NULL : str_in(e, str_off, str_off + strsz, (v)))
	for (size_t i = 0; i < n_needed; i++) {
		const char *s = DSTR(needed[i]);
		if (!s || !*s)
			return bad(reterr, label, "DT_NEEDED name outside DT_STRTAB");
		e->needed[e->n_needed++] = s;
	}
	e->soname = DSTR(soname);
	e->rpath = DSTR(rpath);
	e->runpath = DSTR(runpath);
#undef DSTR
	r = add_rels(e, ph, phnum, rela, relasz, label, reterr);
	if (r < 0)
		return r;
	return add_rels(e, ph, phnum, jmprel, pltrelsz, label, reterr);
}

static int add_symtab(struct cf_elf *e, const Elf64_Shdr *sh, size_t shnum, size_t idx,
		      bool dynamic, const char *label, struct cf_diag *reterr)
{
	const Elf64_Shdr *s = &sh[idx], *str;
	uint64_t n;
	struct cf_elf_sym *syms;

	if (s->sh_entsize != sizeof(Elf64_Sym) || !in_file(e, s->sh_offset, s->sh_size))
		return bad(reterr, label, "symbol table outside the file");
	if (s->sh_link >= shnum || sh[s->sh_link].sh_type != SHT_STRTAB)
		return bad(reterr, label, "symbol table without its string table");
	str = &sh[s->sh_link];
	if (!in_file(e, str->sh_offset, str->sh_size))
		return bad(reterr, label, "string table outside the file");
	n = s->sh_size / sizeof(Elf64_Sym);
	if (n > MAX_SYMS || e->n_syms + n > MAX_SYMS)
		return bad(reterr, label, "too many symbols");
	syms = realloc(e->syms, (e->n_syms + n) * sizeof(*syms));
	if (!syms && n)
		return -ENOMEM;
	e->syms = syms;
	for (uint64_t i = 0; i < n; i++) {
		Elf64_Sym y;
		memcpy(&y, e->data + s->sh_offset + i * sizeof(y), sizeof(y));
		const char *name =
			str_in(e, str->sh_offset, str->sh_offset + str->sh_size, y.st_name);
		e->syms[e->n_syms++] = (struct cf_elf_sym){
			.name = name ? name : "",
			.value = y.st_value,
			.size = y.st_size,
			.type = ELF64_ST_TYPE(y.st_info),
			.bind = ELF64_ST_BIND(y.st_info),
			.defined = y.st_shndx != SHN_UNDEF,
			.dynamic = dynamic,
		};
	}
	if (dynamic)
		e->n_dynsym = e->n_syms;
	return 0;
}

static int parse_sections(struct cf_elf *e, const Elf64_Ehdr *eh, const char *label,
			  struct cf_diag *reterr)
{
	const Elf64_Shdr *sh;
	const Elf64_Shdr *shstr = NULL;
	uint64_t len;
	size_t shnum = eh->e_shnum;
	int r;

	if (!eh->e_shoff || !shnum)
		return 0;
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || shnum > MAX_SHDRS ||
	    !mul_ok(shnum, sizeof(Elf64_Shdr), &len) || !in_file(e, eh->e_shoff, len) ||
	    eh->e_shoff % 8)
		return bad(reterr, label, "section headers outside the file");
	sh = (const Elf64_Shdr *)(e->data + eh->e_shoff);
	if (eh->e_shstrndx < shnum && sh[eh->e_shstrndx].sh_type == SHT_STRTAB &&
	    in_file(e, sh[eh->e_shstrndx].sh_offset, sh[eh->e_shstrndx].sh_size))
		shstr = &sh[eh->e_shstrndx];
	e->ranges = calloc(shnum, sizeof(*e->ranges));
	if (!e->ranges)
		return -ENOMEM;
	/* dynsym first so that relocation symbol indexes are indexes into syms[] */
	for (size_t i = 0; i < shnum; i++)
		if (sh[i].sh_type == SHT_DYNSYM && !e->n_dynsym) {
			r = add_symtab(e, sh, shnum, i, true, label, reterr);
			if (r < 0)
				return r;
		}
	for (size_t i = 0; i < shnum; i++) {
		const Elf64_Shdr *s = &sh[i];
		if (s->sh_type == SHT_SYMTAB) {
			r = add_symtab(e, sh, shnum, i, false, label, reterr);
			if (r < 0)
				return r;
		}
		if (s->sh_type == SHT_NOTE)
			parse_notes(e, s->sh_offset, s->sh_size);
		if (!(s->sh_flags & SHF_ALLOC) || s->sh_type == SHT_NOBITS || !s->sh_size ||
		    !s->sh_addr)
			continue;
		if (!in_file(e, s->sh_offset, s->sh_size) || s->sh_addr + s->sh_size < s->sh_addr)
			return bad(reterr, label, "section contents outside the file");
		const char *name = shstr ? str_in(e, shstr->sh_offset,
						  shstr->sh_offset + shstr->sh_size, s->sh_name) :
					   NULL;
		e->ranges[e->n_ranges++] = (struct cf_elf_range){
			.vaddr = s->sh_addr,
			.size = s->sh_size,
			.offset = s->sh_offset,
			.exec = s->sh_flags & SHF_EXECINSTR,
			.write = s->sh_flags & SHF_WRITE,
			.name = name ? name : "",
		};
	}
	return 0;
}

/* Without section headers (sstrip'd files): the PT_LOAD segments are the ranges. */
static int ranges_from_segments(struct cf_elf *e, const Elf64_Phdr *ph, size_t phnum)
{
	e->ranges = calloc(phnum ? phnum : 1, sizeof(*e->ranges));
	if (!e->ranges)
		return -ENOMEM;
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_filesz ||
		    !in_file(e, ph[i].p_offset, ph[i].p_filesz) ||
		    ph[i].p_vaddr + ph[i].p_filesz < ph[i].p_vaddr)
			continue;
		e->ranges[e->n_ranges++] = (struct cf_elf_range){
			.vaddr = ph[i].p_vaddr,
			.size = ph[i].p_filesz,
			.offset = ph[i].p_offset,
			.exec = ph[i].p_flags & PF_X,
			.write = ph[i].p_flags & PF_W,
			.name = "",
		};
	}
	return 0;
}

int cf_elf_parse(const void *data, size_t size, const char *label, struct cf_elf *e,
		 struct cf_diag *reterr)
{
	Elf64_Ehdr eh;
	const Elf64_Phdr *ph = NULL, *dyn = NULL;
	size_t phnum;
	uint64_t len;
	int r;

	*e = (struct cf_elf){ .data = data, .size = size };
	/* headers are read in place as arrays: the buffer must be aligned like a mapping */
	if ((uintptr_t)data % 8)
		return diag_set(reterr, EINVAL, label, 0, 0, NULL, "ELF buffer not 8-byte aligned");
	if (size < sizeof(eh))
		return bad(reterr, label, "shorter than an ELF header");
	memcpy(&eh, data, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return bad(reterr, label, "no ELF magic");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64)
		return bad(reterr, label,
			   "not ELFCLASS64 little-endian x86-64 (predict reads x86-64 code only)");
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return bad(reterr, label, "neither an executable nor a shared object");
	e->type = eh.e_type;
	e->entry = eh.e_entry;
	phnum = eh.e_phnum;
	if (phnum) {
		if (eh.e_phentsize != sizeof(Elf64_Phdr) || phnum > MAX_PHDRS ||
		    !mul_ok(phnum, sizeof(Elf64_Phdr), &len) || !in_file(e, eh.e_phoff, len) ||
		    eh.e_phoff % 8)
			return bad(reterr, label, "program headers outside the file");
		ph = (const Elf64_Phdr *)((const uint8_t *)data + eh.e_phoff);
	}
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_INTERP) {
			e->interp = str_in(e, ph[i].p_offset, ph[i].p_offset + ph[i].p_filesz, 0);
			if (!e->interp || !*e->interp)
				return bad(reterr, label,
					   "PT_INTERP is not a string inside the file");
		}
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = &ph[i];
		if (ph[i].p_type == PT_NOTE)
			parse_notes(e, ph[i].p_offset, ph[i].p_filesz);
	}
	r = parse_sections(e, &eh, label, reterr);
	if (r < 0)
		goto fail;
	if (!e->n_ranges) {
		free(e->ranges);
		r = ranges_from_segments(e, ph, phnum);
		if (r < 0)
			goto fail;
	}
	if (dyn) {
		r = parse_dynamic(e, ph, phnum, dyn, label, reterr);
		if (r < 0)
			goto fail;
	}
	return 0;
fail:
	free(e->ranges);
	free(e->syms);
	free(e->rels);
	*e = (struct cf_elf){ 0 };
	return r;
}

int cf_elf_open(const char *path, struct cf_elf *e, struct cf_diag *reterr)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	void *p;
	int r;

	*e = (struct cf_elf){ 0 };
	if (fd < 0)
		return diag_set(reterr, errno, path, 0, 0, NULL, "cannot open: %m");
	if (fstat(fd, &st) < 0)
		return diag_set(reterr, errno, path, 0, 0, NULL, "cannot stat: %m");
	if (!S_ISREG(st.st_mode))
		return diag_set(reterr, ENOEXEC, path, 0, 0, NULL, "not a regular file");
	if (st.st_size <= 0)
		return bad(reterr, path, "empty file");
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return diag_set(reterr, errno, path, 0, 0, NULL, "cannot map: %m");
	r = cf_elf_parse(p, st.st_size, path, e, reterr);
	if (r < 0) {
		munmap(p, st.st_size);
		return r;
	}
	e->mapped = true;
	return 0;
}

void cf_elf_close(struct cf_elf *e)
{
	if (e->mapped)
		munmap((void *)e->data, e->size);
	free(e->ranges);
	free(e->syms);
	free(e->rels);
	*e = (struct cf_elf){ 0 };
}

const struct cf_elf_range *cf_elf_range_at(const struct cf_elf *e, uint64_t vaddr)
{
	for (size_t i = 0; i < e->n_ranges; i++)
		if (vaddr >= e->ranges[i].vaddr && vaddr - e->ranges[i].vaddr < e->ranges[i].size)
			return &e->ranges[i];
	return NULL;
}

const void *cf_elf_at(const struct cf_elf *e, uint64_t vaddr, size_t len)
{
	const struct cf_elf_range *r = cf_elf_range_at(e, vaddr);

	if (!r || len > r->size - (vaddr - r->vaddr))
		return NULL;
	return e->data + r->offset + (vaddr - r->vaddr);
}

const char *cf_elf_string_at(const struct cf_elf *e, uint64_t vaddr)
{
	const struct cf_elf_range *r = cf_elf_range_at(e, vaddr);

	if (!r)
		return NULL;
	const char *s = (const char *)e->data + r->offset + (vaddr - r->vaddr);
	return memchr(s, '\0', r->size - (vaddr - r->vaddr)) ? s : NULL;
}

void cf_elf_build_id_hex(const struct cf_elf *e, char *buf, size_t size)
{
	size_t o = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < e->build_id_len && o + 3 <= size; i++)
		o += snprintf(buf + o, size - o, "%02x", e->build_id[i]);
}
