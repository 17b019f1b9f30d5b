/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bytes -> ELF64 reader -> whole analysis of one file (decode, call graph, syscall data flow):
 * predict reads any file the user names and every library the loader's search finds; and the
 * same bytes as /etc/ld.so.cache. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "predict/elf.h"
#include "predict/ldcache.h"
#include "predict/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the reader wants a buffer aligned like a mapping */
	uint64_t *buf = malloc(size + 8);
	struct cf_elf e;
	struct cf_diag d;
	struct psummary s;
	char id[129];

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	if (cf_elf_parse(buf, size, "fuzz", &e, &d) == 0) {
		cf_elf_build_id_hex(&e, id, sizeof(id));
		(void)cf_elf_string_at(&e, e.entry);
		(void)cf_elf_at(&e, e.entry, 16);
		if (psummary_build(&e, &s) == 0) {
			for (size_t i = 0; i < s.n_exports; i++)
				(void)psummary_export(&s, ps_str(&s, s.exports[i].name));
			(void)psummary_func_at(&s, e.entry);
			psummary_clear(&s);
		}
		cf_elf_close(&e);
	}
	free(buf);
	uint8_t *copy = malloc(size ? size : 1);
	struct cf_ldcache c;
	if (copy) {
		if (size)
			memcpy(copy, data, size);
		if (cf_ldcache_parse(&c, copy, size) == 0) {
			(void)cf_ldcache_lookup(&c, "libc.so.6");
			cf_ldcache_clear(&c);
		}
	}
	return 0;
}
