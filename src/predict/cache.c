/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "predict/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "base/cleanup.h"
#include "predict/disasm.h"
#include "predict/elf.h"

#define MAGIC	"CFPRED01"
#define VERSION 2
/* an entry larger than this is not ours */
#define MAX_ENTRY (512u << 20)

struct header {
	char magic[8];
	uint32_t version;
	uint32_t id_len;
	char id[128];
	char analyzer[129]; /* the build-id of the executable that analysed (see analyzer_id) */
	char pad[7];
	uint64_t file_size;
	uint64_t n_insns;
	uint64_t counts[11];
	uint64_t payload_size;
	uint64_t checksum;
};

int pcache_default_dir(char *buf, size_t size)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	/* XDG base directory spec: a relative XDG_CACHE_HOME is invalid and ignored */
	if (x && x[0] == '/')
		n = snprintf(buf, size, "%s/callfence/predict", x);
	else if (home && home[0] == '/')
		n = snprintf(buf, size, "%s/.cache/callfence/predict", home);
	else
		return -ENOENT;
	return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

/* The analysis changes with callfence itself: an entry written by another build (its build-id
 * differs) is a miss, so a fixed or changed analysis never reuses an older one's results. */
static const char *analyzer_id(void)
{
	static char id[129];
	static bool done;

	if (!done) {
		struct cf_elf e;
		struct cf_diag d;
		if (cf_elf_open("/proc/self/exe", &e, &d) == 0) {
			cf_elf_build_id_hex(&e, id, sizeof(id));
			cf_elf_close(&e);
		}
		done = true;
	}
	return id;
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

#define ARRAYS(X)                                  \
	X(0, funcs, n_funcs, struct ps_func)       \
	X(1, edges, n_edges, uint32_t)             \
	X(2, sys, n_sys, uint32_t)                 \
	X(3, imports, n_imports, uint32_t)         \
	X(4, exports, n_exports, struct ps_export) \
	X(5, roots, n_roots, uint32_t)             \
	X(6, icalls, n_icalls, struct ps_icall)    \
	X(7, unres, n_unres, struct ps_unres)      \
	X(8, psites, n_psites, struct ps_icall)    \
	X(9, argfns, n_argfns, struct ps_argfn)    \
	X(10, strings, strings_size, char)

static int entry_path(const char *dir, const char *id, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", dir, id);
	return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

static bool str_ok(const struct psummary *s, uint32_t off, bool none_ok)
{
	return (none_ok && off == PS_NONE) || off < s->strings_size;
}

/* Every index in range, every slice inside its array, the order binary searches rely on. */
static bool valid(const struct psummary *s)
{
	if (!s->strings_size || s->strings[s->strings_size - 1] != '\0')
		return s->strings_size == 0 && !s->n_imports && !s->n_exports;
	for (size_t i = 0; i < s->n_funcs; i++) {
		const struct ps_func *f = &s->funcs[i];
		if ((i && f->addr <= s->funcs[i - 1].addr) || !str_ok(s, f->name, true) ||
		    f->edges > s->n_edges || f->n_edges > s->n_edges - f->edges ||
		    f->sys > s->n_sys || f->n_sys > s->n_sys - f->sys ||
		    (f->wrapper_reg != PR_NONE && f->wrapper_reg > PR_R15))
			return false;
	}
	for (size_t i = 0; i < s->n_edges; i++) {
		uint32_t e = s->edges[i];
		if (e & PE_IMPORT ? (e & ~PE_IMPORT) >= s->n_imports : e >= s->n_funcs)
			return false;
	}
	for (size_t i = 0; i < s->n_imports; i++)
		if (!str_ok(s, s->imports[i], false))
			return false;
	for (size_t i = 0; i < s->n_exports; i++)
		if (!str_ok(s, s->exports[i].name, false) || s->exports[i].func >= s->n_funcs ||
		    (i && strcmp(s->strings + s->exports[i - 1].name,
				 s->strings + s->exports[i].name) > 0))
			return false;
	for (size_t i = 0; i < s->n_roots; i++)
		if (s->roots[i] >= s->n_funcs)
			return false;
	for (size_t i = 0; i < s->n_icalls; i++) {
		const struct ps_icall *c = &s->icalls[i];
		if (c->func >= s->n_funcs || c->import >= s->n_imports || c->n > PS_MAX_VALS ||
		    c->kind > PA_STRING || !str_ok(s, c->str, true) ||
		    (c->kind == PA_STRING && c->str == PS_NONE))
			return false;
	}
	for (size_t i = 0; i < s->n_unres; i++)
		if (s->unres[i].func >= s->n_funcs)
			return false;
	for (size_t i = 0; i < s->n_psites; i++) {
		const struct ps_icall *c = &s->psites[i];
		if (c->func >= s->n_funcs || (c->import != PS_NONE && c->import >= s->n_funcs) ||
		    c->n > PS_MAX_VALS || (c->kind != PA_CONST && c->kind != PA_UNKNOWN))
			return false;
	}
	for (size_t i = 0; i < s->n_argfns; i++)
		if (s->argfns[i].func >= s->n_funcs || s->argfns[i].why > PAW_JCC)
			return false;
	return true;
}

int pcache_load(const char *dir, const char *build_id, uint64_t file_size, struct psummary *ret)
{
	char path[PATH_MAX];
	cleanup_close int fd = -1;
	cleanup_free uint8_t *payload = NULL;
	struct header h;
	struct stat st;
	size_t off = 0;

	*ret = (struct psummary){ 0 };
	if (strlen(build_id) >= sizeof(h.id) || entry_path(dir, build_id, path, sizeof(path)) < 0)
		return -ENOENT;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < sizeof(h) || (uint64_t)st.st_size > MAX_ENTRY)
		return -ENOENT;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h.magic, MAGIC, 8) != 0 ||
	    h.version != VERSION || h.id_len != strlen(build_id) ||
	    memcmp(h.id, build_id, h.id_len) != 0 || h.file_size != file_size ||
	    !analyzer_id()[0] || strncmp(h.analyzer, analyzer_id(), sizeof(h.analyzer)) != 0 ||
	    h.payload_size != (uint64_t)st.st_size - sizeof(h))
		return -ENOENT;
	payload = malloc(h.payload_size ? h.payload_size : 1);
	if (!payload || pread(fd, payload, h.payload_size, sizeof(h)) != (ssize_t)h.payload_size ||
	    fnv(payload, h.payload_size) != h.checksum)
		return -ENOENT;
#define LOAD(i, field, count, type)                                              \
	{                                                                        \
		uint64_t bytes;                                                  \
		if (h.counts[i] > MAX_ENTRY ||                                   \
		    __builtin_mul_overflow(h.counts[i], sizeof(type), &bytes) || \
		    bytes > h.payload_size - off)                                \
			goto bad;                                                \
		ret->field = malloc(bytes ? bytes : 1);                          \
		if (!ret->field)                                                 \
			goto bad;                                                \
		memcpy(ret->field, payload + off, bytes);                        \
		ret->count = h.counts[i];                                        \
		off += bytes;                                                    \
	}
	ARRAYS(LOAD)
#undef LOAD
	if (off != h.payload_size || !valid(ret))
		goto bad;
	ret->n_insns = h.n_insns;
	return 0;
bad:
	psummary_clear(ret);
	return -ENOENT;
}

static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	int n = snprintf(buf, sizeof(buf), "%s", dir);

	if (n <= 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0700) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int pcache_store(const char *dir, const char *build_id, uint64_t file_size,
		 const struct psummary *s)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	cleanup_fclose FILE *f = NULL;
	cleanup_free uint8_t *payload = NULL;
	struct header h = { .version = VERSION, .file_size = file_size, .n_insns = s->n_insns };
	size_t off = 0;
	int r, fd;

	if (strlen(build_id) >= sizeof(h.id))
		return -ENAMETOOLONG;
	r = entry_path(dir, build_id, path, sizeof(path));
	if (r < 0)
		return r;
	r = mkdir_p(dir);
	if (r < 0)
		return r;
	if (!analyzer_id()[0])
		return -ENOKEY; /* no build-id of our own: entries could not be told apart */
	snprintf(h.analyzer, sizeof(h.analyzer), "%s", analyzer_id());
	memcpy(h.magic, MAGIC, 8);
	h.id_len = (uint32_t)strlen(build_id);
	memcpy(h.id, build_id, h.id_len);
#define SIZE(i, field, count, type) \
	h.counts[i] = s->count;     \
	h.payload_size += (uint64_t)s->count * sizeof(type);
	ARRAYS(SIZE)
#undef SIZE
	payload = malloc(h.payload_size ? h.payload_size : 1);
	if (!payload)
		return -ENOMEM;
#define COPY(i, field, count, type)                                       \
	if (s->count) {                                                   \
		memcpy(payload + off, s->field, s->count * sizeof(type)); \
		off += s->count * sizeof(type);                           \
	}
	ARRAYS(COPY)
#undef COPY
	h.checksum = fnv(payload, h.payload_size);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "we");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	if (fwrite(&h, sizeof(h), 1, f) != 1 ||
	    (h.payload_size && fwrite(payload, h.payload_size, 1, f) != 1) || fflush(f) != 0) {
		unlink(tmp);
		return -EIO;
	}
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}
