/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/audit.h>

#include "arch/arch.h"
#include "base/cleanup.h"
#include "predict/cache.h"
#include "predict/disasm.h"
#include "predict/elf.h"
#include "predict/ldcache.h"
#include "predict/predict.h"
#include "predict/setxid.h"
#include "predict/summary.h"

#define MAX_MODULES 1024

static void closedirp(DIR **d)
{
	if (*d)
		(void)closedir(*d);
}

struct node {
	uint32_t mod, func;
};

struct pmod {
	struct cf_elf elf;
	struct psummary sum;
	char path[PATH_MAX];
	const char *base;
	uint32_t exe; /* index of the program's executable (for rpath and the origin's name) */
	bool all_exports; /* a plugin: everything it exports may be called (dlsym) */
	struct node *import_to; /* per import: the definition, mod = UINT32_MAX when none */
	struct node *parent; /* per function: how the walk reached it (mod = UINT32_MAX: root) */
	uint8_t *reached;
	char why[64];
	bool cached;
};

struct prog {
	const struct cf_predict_opts *o;
	struct cf_ldcache ldcache;
	struct cf_ldsearch search;
	struct pmod *mods;
	size_t n_mods;
	struct node *work;
	size_t n_work, cap_work;
	struct cf_prediction *out;
	struct cf_diag *reterr;
	bool nss_done, gconv_done, gcc_done;
};

static int add_gap(struct prog *p, const char *where, bool fatal, const char *fmt, ...)
	CF_PRINTF(4, 5);

static int add_gap(struct prog *p, const char *where, bool fatal, const char *fmt, ...)
{
	struct cf_predict_gap *n;
	va_list ap;

	n = realloc(p->out->gaps, (p->out->n_gaps + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->out->gaps = n;
	n = &n[p->out->n_gaps++];
	*n = (struct cf_predict_gap){ .fatal = fatal };
	snprintf(n->where, sizeof(n->where), "%s", where);
	va_start(ap, fmt);
	vsnprintf(n->what, sizeof(n->what), fmt, ap);
	va_end(ap);
	return 0;
}

static void note(struct prog *p, const char *fmt, ...) CF_PRINTF(2, 3);
static void note(struct prog *p, const char *fmt, ...)
{
	size_t len = strlen(p->out->notes);
	char line[512];
	int n;
	va_list ap;

	n = snprintf(line, sizeof(line), "callfence: predict: loaded: ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	/* one line per fact: several NSS databases name the same missing module */
	if (strstr(p->out->notes, line) || len + strlen(line) + 1 >= sizeof(p->out->notes))
		return;
	memcpy(p->out->notes + len, line, strlen(line) + 1);
}

static int analyse(struct prog *p, struct pmod *m)
{
	char id[129];
	int r;

	cf_elf_build_id_hex(&m->elf, id, sizeof(id));
	if (!*id) {
		/* no GNU build-id (Go's linker writes its own note): key the cache by content */
		uint64_t h = 0xcbf29ce484222325ull;
		for (size_t i = 0; i < m->elf.size; i++)
			h = (h ^ m->elf.data[i]) * 0x100000001b3ull;
		snprintf(id, sizeof(id), "content-%016llx-%zu", (unsigned long long)h, m->elf.size);
	}
	if (p->o->cache_dir && pcache_load(p->o->cache_dir, id, m->elf.size, &m->sum) == 0) {
		m->cached = true;
		return 0;
	}
	r = psummary_build(&m->elf, &m->sum);
	if (r < 0)
		return diag_set(p->reterr, -r, m->path, 0, 0, NULL, "cannot analyse: %s",
				r == -ENOTSUP ? "capstone cannot decode x86-64" : strerror(-r));
	if (p->o->cache_dir)
		(void)pcache_store(p->o->cache_dir, id, m->elf.size, &m->sum);
	return 0;
}

/* Load and analyse a file once; its index in *ret. */
static int load(struct prog *p, const char *path, uint32_t exe, const char *why, uint32_t *ret)
{
	char real[PATH_MAX];
	struct pmod *m;
	int r;

	if (!realpath(path, real))
		return diag_set(p->reterr, errno, path, 0, 0, NULL, "cannot resolve: %m");
	for (size_t i = 0; i < p->n_mods; i++)
		if (strcmp(p->mods[i].path, real) == 0) {
			*ret = (uint32_t)i;
			return 0;
		}
	if (p->n_mods == MAX_MODULES)
		return diag_set(p->reterr, E2BIG, path, 0, 0, NULL, "more than %d objects",
				MAX_MODULES);
	m = &p->mods[p->n_mods];
	*m = (struct pmod){ .exe = exe == UINT32_MAX ? (uint32_t)p->n_mods : exe };
	snprintf(m->path, sizeof(m->path), "%s", real);
	snprintf(m->why, sizeof(m->why), "%s", why);
	m->base = strrchr(m->path, '/') ? strrchr(m->path, '/') + 1 : m->path;
	r = cf_elf_open(m->path, &m->elf, p->reterr);
	if (r < 0)
		return r;
	p->n_mods++;
	r = analyse(p, m);
	if (r < 0)
		return r;
	m->reached = calloc(m->sum.n_funcs + 1, 1);
	m->parent = malloc((m->sum.n_funcs + 1) * sizeof(*m->parent));
	m->import_to = malloc((m->sum.n_imports + 1) * sizeof(*m->import_to));
	if (!m->reached || !m->parent || !m->import_to)
		return -ENOMEM;
	for (size_t i = 0; i < m->sum.n_imports; i++)
		m->import_to[i] = (struct node){ UINT32_MAX, 0 };
	*ret = (uint32_t)(m - p->mods);
	return 0;
}

/* The program's objects in the loader's breadth-first order, starting at module `first`. */
static int load_needed(struct prog *p, size_t first)
{
	for (size_t i = first; i < p->n_mods; i++) {
		struct pmod *m = &p->mods[i];
		const struct pmod *exe = &p->mods[m->exe];
		for (size_t k = 0; k < m->elf.n_needed; k++) {
			char path[PATH_MAX], why[64];
			uint32_t idx;
			int r;

			r = cf_ld_resolve(&p->search, m->elf.needed[k], m->path, m->elf.rpath,
					  m->elf.runpath, exe->path, exe->elf.rpath, path,
					  sizeof(path));
			if (r < 0)
				return diag_set(
					p->reterr, ENOENT, m->path, 0, 0, NULL,
					"DT_NEEDED %s not found in the loader's search path",
					m->elf.needed[k]);
			snprintf(why, sizeof(why), "DT_NEEDED of %.40s", m->base);
			r = load(p, path, m->exe, why, &idx);
			if (r < 0)
				return r;
			m = &p->mods[i];
		}
	}
	return 0;
}

static int push(struct prog *p, uint32_t mod, uint32_t func, struct node parent)
{
	struct pmod *m = &p->mods[mod];

	if (func >= m->sum.n_funcs || m->reached[func])
		return 0;
	m->reached[func] = 1;
	m->parent[func] = parent;
	if (p->n_work == p->cap_work) {
		size_t ncap = p->cap_work ? p->cap_work * 2 : 4096;
		struct node *n = realloc(p->work, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		p->work = n;
		p->cap_work = ncap;
	}
	p->work[p->n_work++] = (struct node){ mod, func };
	return 0;
}

static const struct node ROOT = { UINT32_MAX, 0 };

/* Bind every import of every module to the first definition in load order (the global scope;
 * symbol versions are not distinguished: a name defined twice binds to the first object). */
static void link_imports(struct prog *p)
{
	for (size_t i = 0; i < p->n_mods; i++) {
		struct pmod *m = &p->mods[i];
		for (size_t k = 0; k < m->sum.n_imports; k++) {
			const char *name = ps_str(&m->sum, m->sum.imports[k]);
			if (m->import_to[k].mod != UINT32_MAX || !name)
				continue;
			for (size_t j = 0; j < p->n_mods; j++) {
				uint32_t f = psummary_export(&p->mods[j].sum, name);
				if (f != PS_NONE) {
					m->import_to[k] = (struct node){ (uint32_t)j, f };
					break;
				}
			}
		}
	}
}

static int seed(struct prog *p, size_t first)
{
	int r = 0;

	for (size_t i = first; i < p->n_mods && r == 0; i++) {
		struct pmod *m = &p->mods[i];
		for (size_t k = 0; k < m->sum.n_roots && r == 0; k++)
			r = push(p, (uint32_t)i, m->sum.roots[k], ROOT);
		if (m->all_exports)
			for (size_t k = 0; k < m->sum.n_exports && r == 0; k++)
				r = push(p, (uint32_t)i, m->sum.exports[k].func, ROOT);
	}
	return r;
}

static int walk(struct prog *p)
{
	int r = 0;

	/* breadth-first, so the recorded parents give short paths */
	for (size_t head = 0; head < p->n_work && r == 0; head++) {
		struct node n = p->work[head];
		const struct pmod *m = &p->mods[n.mod];
		const struct ps_func *f = &m->sum.funcs[n.func];
		for (uint32_t e = 0; e < f->n_edges && r == 0; e++) {
			uint32_t t = m->sum.edges[f->edges + e];
			if (t & PE_IMPORT) {
				t &= ~PE_IMPORT;
				if (t < m->sum.n_imports && m->import_to[t].mod != UINT32_MAX)
					r = push(p, m->import_to[t].mod, m->import_to[t].func, n);
			} else {
				r = push(p, n.mod, t, n);
			}
		}
	}
	p->n_work = 0;
	return r;
}

static const char *func_label(const struct pmod *m, uint32_t f, char *buf, size_t size)
{
	const char *name = ps_str(&m->sum, m->sum.funcs[f].name);

	if (name)
		return name;
	if (m->sum.funcs[f].addr == m->elf.entry)
		snprintf(buf, size, "%s:entry", m->base);
	else
		snprintf(buf, size, "%s+0x%llx", m->base, (unsigned long long)m->sum.funcs[f].addr);
	return buf;
}

/* "gzip: main -> ... -> write -> write(1)": the walk's path from a root to (mod, func), named
 * functions only (unnamed ones are collapsed), the syscall last; the middle is elided when it
 * does not fit. */
static void origin(const struct prog *p, uint32_t mod, uint32_t func, const char *tail, char *buf,
		   size_t size)
{
	const char *names[64];
	char unnamed[64][80];
	size_t n = 0, o;
	struct node cur = { mod, func };

	while (cur.mod != UINT32_MAX && n < ARRAY_SIZE(names)) {
		const struct pmod *m = &p->mods[cur.mod];
		const char *name = ps_str(&m->sum, m->sum.funcs[cur.func].name);
		struct node up = m->parent[cur.func];
		bool boundary = up.mod == UINT32_MAX || up.mod != cur.mod;
		if (name || boundary) {
			names[n] = func_label(m, cur.func, unnamed[n], sizeof(unnamed[n]));
			n++;
		}
		cur = up;
	}
	o = (size_t)snprintf(buf, size, "%s:", p->mods[p->mods[mod].exe].base);
	for (size_t i = n; i-- > 0 && o < size;) {
		/* keep the first two and the last names when long */
		if (n > 6 && i < n - 2 && i > 3) {
			if (i == 4)
				o += (size_t)snprintf(buf + o, size - o, " ... ->");
			continue;
		}
		o += (size_t)snprintf(buf + o, size - o, " %s ->", names[i]);
	}
	if (o < size)
		snprintf(buf + o, size - o, " %s", tail);
}

static int add_call(struct prog *p, uint32_t mod, uint32_t func, uint32_t v)
{
	struct cf_rec_call *c;
	uint32_t arch = v & PS_I386 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
	int32_t nr = (int32_t)(v & ~PS_I386);
	int r;

	r = cf_recording_add(&p->out->rec, arch, nr, &c);
	if (r < 0)
		return r;
	if (!c->count) {
		const char *name =
			syscall_resolve_num(arch_from_seccomp_data(arch, (uint32_t)nr), nr);
		char tail[64];
		if (name)
			snprintf(tail, sizeof(tail), "%s", name);
		else
			snprintf(tail, sizeof(tail), "syscall %d", nr);
		origin(p, mod, func, tail, c->origin, sizeof(c->origin));
	}
	/* a prediction has no counts: 1 says "predicted" without suggesting a frequency */
	c->count = 1;
	c->succeeded = true;
	return 0;
}

static bool reached_export(const struct prog *p, const char *name)
{
	for (size_t i = 0; i < p->n_mods; i++) {
		uint32_t f = psummary_export(&p->mods[i].sum, name);
		if (f != PS_NONE && p->mods[i].reached[f])
			return true;
	}
	return false;
}

/* Load a plugin by soname/path for the program; everything it exports is a root. */
static int load_plugin(struct prog *p, const char *name, const char *why, bool quiet_missing)
{
	char path[PATH_MAX];
	uint32_t idx;
	size_t before = p->n_mods;
	int r;

	r = cf_ld_resolve(&p->search, name, p->mods[0].path, NULL, NULL, p->mods[0].path,
			  p->mods[0].elf.rpath, path, sizeof(path));
	if (r < 0) {
		if (!quiet_missing)
			note(p, "%s: %s not found (a dlopen there fails at run time)", why, name);
		return 0;
	}
	r = load(p, path, 0, why, &idx);
	if (r < 0)
		return r;
	if (idx < before)
		return 0;
	p->mods[idx].all_exports = true;
	r = load_needed(p, idx);
	if (r < 0)
		return r;
	note(p, "%s: %s", why, p->mods[idx].path);
	return 1;
}

/* glibc's NSS: getpwnam & co. dlopen libnss_SERVICE.so.2 for each service nsswitch.conf lists
 * for the database (nss/nsswitch.c); files and dns live in libc itself since 2.34. */
static const char *const nss_triggers[] = {
	"getpwnam",	    "getpwuid",	       "getpwent",	   "getpwnam_r",
	"getpwuid_r",	    "getpwent_r",      "getgrnam",	   "getgrgid",
	"getgrent",	    "getgrnam_r",      "getgrgid_r",	   "getgrent_r",
	"getgrouplist",	    "initgroups",      "getspnam",	   "getspnam_r",
	"getaddrinfo",	    "getnameinfo",     "gethostbyname",	   "gethostbyname2",
	"gethostbyaddr",    "gethostbyname_r", "gethostbyname2_r", "gethostbyaddr_r",
	"getservbyname",    "getservbyport",   "getservbyname_r",  "getprotobyname",
	"getprotobynumber", "getnetbyname",    "getlogin",	   "getlogin_r",
	"getpwnam_r",	    "cuserid",
};

static int nss(struct prog *p)
{
	const char *trigger = NULL;
	cleanup_fclose FILE *f = NULL;
	char line[1024];
	int r, loaded = 0;

	for (size_t i = 0; i < ARRAY_SIZE(nss_triggers) && !trigger; i++)
		if (reached_export(p, nss_triggers[i]))
			trigger = nss_triggers[i];
	if (!trigger || p->nss_done)
		return 0;
	p->nss_done = true;
	f = fopen(p->o->nsswitch ? p->o->nsswitch : "/etc/nsswitch.conf", "re");
	if (!f) {
		note(p, "NSS (%s reachable): no nsswitch.conf, glibc's defaults are in libc",
		     trigger);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = strchr(line, '#'), *tok, *save;
		if (s)
			*s = '\0';
		s = strchr(line, ':');
		if (!s)
			continue;
		for (tok = strtok_r(s + 1, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			char so[128], why[64];
			if (tok[0] == '[') {
				while (tok && !strchr(tok, ']'))
					tok = strtok_r(NULL, " \t\n", &save);
				if (!tok)
					break;
				continue;
			}
			if (strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(tok))
				continue;
			snprintf(so, sizeof(so), "libnss_%s.so.2", tok);
			snprintf(why, sizeof(why), "NSS (%s reachable)", trigger);
			r = load_plugin(p, so, why, false);
			if (r < 0)
				return r;
			loaded += r;
		}
	}
	return loaded;
}

/* iconv_open loads gconv modules by the charset's name from GCONV_PATH / the gconv directory
 * (iconv/gconv_dl.c): a computed name, so every module there counts. */
static int gconv(struct prog *p)
{
	static const char dir[] = "/usr/lib/x86_64-linux-gnu/gconv";
	cleanup(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r, loaded = 0;

	if (p->gconv_done || !reached_export(p, "iconv_open"))
		return 0;
	p->gconv_done = true;
	d = opendir(dir);
	if (!d) {
		note(p, "iconv_open reachable: no %s", dir);
		return 0;
	}
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		size_t len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 3, ".so") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		r = load_plugin(p, path, "gconv (iconv_open reachable)", true);
		if (r < 0)
			return r;
		loaded += r;
	}
	return loaded;
}

/* pthread_cancel/pthread_exit unwind through libgcc_s, which glibc dlopens (nptl/unwind.c,
 * misc/unwind-link.c); so does backtrace(). */
static int libgcc(struct prog *p)
{
	static const char *const triggers[] = { "pthread_cancel", "pthread_exit", "backtrace" };

	if (p->gcc_done)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(triggers); i++)
		if (reached_export(p, triggers[i])) {
			char why[64];
			p->gcc_done = true;
			snprintf(why, sizeof(why), "unwinding (%s reachable)", triggers[i]);
			return load_plugin(p, "libgcc_s.so.1", why, false);
		}
	return 0;
}

static bool is_dlopen(const char *name)
{
	return strcmp(name, "dlopen") == 0 || strcmp(name, "dlmopen") == 0 ||
	       strcmp(name, "__libc_dlopen_mode") == 0;
}

/* dlopen calls in reached code: a constant name is loaded, a computed one is a gap. */
static int dlopens(struct prog *p, size_t *seen)
{
	int loaded = 0, r;

	for (size_t i = 0; i < p->n_mods; i++) {
		struct pmod *m = &p->mods[i];
		for (size_t k = 0; k < m->sum.n_icalls; k++) {
			const struct ps_icall *ic = &m->sum.icalls[k];
			const char *name = ps_str(&m->sum, m->sum.imports[ic->import]);
			char where[CF_REC_ORIGIN_SIZE];
			if (!m->reached[ic->func] || !name || !is_dlopen(name))
				continue;
			if (ic->kind == PA_STRING) {
				char why[64];
				snprintf(why, sizeof(why), "dlopen in %.40s", m->base);
				r = load_plugin(p, ps_str(&m->sum, ic->str), why, false);
				if (r < 0)
					return r;
				loaded += r;
				continue;
			}
			if (seen[i] & 1)
				continue;
			seen[i] |= 1;
			origin(p, (uint32_t)i, ic->func, name, where, sizeof(where));
			r = add_gap(
				p, where, !(p->o->assume & CF_ASSUME_NO_PLUGINS),
				"%s of a computed name at %s+0x%llx: what it loads is not predicted",
				name, m->base, (unsigned long long)ic->addr);
			if (r < 0)
				return r;
		}
	}
	return loaded;
}

static bool imports_name(const struct pmod *m, const char *name)
{
	for (size_t k = 0; k < m->sum.n_imports; k++) {
		const char *n = ps_str(&m->sum, m->sum.imports[k]);
		if (n && strcmp(n, name) == 0)
			return true;
	}
	return false;
}

/* Ways for other objects to put functions of their own into libcap's syscall pointers
 * (fnptr.c): cap_set_syscall() (libcap/cap_proc.c) called by another object, libpsx's
 * psx_load_syscalls() (libpsx/psx.c) present. Either: the pointers' numbers reach functions the
 * per-file rule does not see, so the gap stays. */
static const char *pointer_replaced(const struct prog *p, uint32_t mod)
{
	for (size_t i = 0; i < p->n_mods; i++) {
		/* libcap defines a weak psx_load_syscalls of its own that does nothing */
		if (i != mod && psummary_export(&p->mods[i].sum, "psx_load_syscalls") != PS_NONE)
			return "libpsx's psx_load_syscalls replaces libcap's syscall pointers";
		if (i != mod && psummary_export(&p->mods[mod].sum, "cap_set_syscall") != PS_NONE &&
		    imports_name(&p->mods[i], "cap_set_syscall"))
			return "cap_set_syscall is called from another object: the syscall "
			       "pointers may hold its functions";
	}
	return NULL;
}

/* A function passing its first argument to an imported wrapper, reached through its address
 * (fnptr.c): its numbers are the constants at the reached sites that may call it. 1 when done,
 * 0 when the rule does not apply (the caller reports the gap), -errno. */
static int pointer_wrapper(struct prog *p, uint32_t mod, const struct ps_icall *ic)
{
	const struct pmod *m = &p->mods[mod];
	const struct ps_argfn *a = NULL;
	int r;

	if (ic->kind != PA_ARG || ic->reg != PR_RDI || pointer_replaced(p, mod))
		return 0;
	for (size_t k = 0; k < m->sum.n_argfns && !a; k++)
		if (m->sum.argfns[k].func == ic->func)
			a = &m->sum.argfns[k];
	if (!a || a->why != PAW_SITES)
		return 0;
	for (size_t k = 0; k < m->sum.n_psites; k++) {
		const struct ps_icall *ps = &m->sum.psites[k];
		if ((ps->import != PS_NONE && ps->import != ic->func) || !m->reached[ps->func])
			continue;
		if (ps->kind != PA_CONST)
			return 0;
	}
	for (size_t k = 0; k < m->sum.n_psites; k++) {
		const struct ps_icall *ps = &m->sum.psites[k];
		if ((ps->import != PS_NONE && ps->import != ic->func) || !m->reached[ps->func])
			continue;
		for (uint8_t v = 0; v < ps->n; v++) {
			if (ps->vals[v] >= 1024)
				continue;
			r = add_call(p, mod, ps->func, ps->vals[v]);
			if (r < 0)
				return r;
		}
	}
	return 1;
}

/* Imported wrappers (glibc's syscall()): the number is the caller's constant first argument. */
static int wrapper_calls(struct prog *p)
{
	int r;

	for (size_t i = 0; i < p->n_mods; i++) {
		struct pmod *m = &p->mods[i];
		for (size_t k = 0; k < m->sum.n_icalls; k++) {
			const struct ps_icall *ic = &m->sum.icalls[k];
			struct node to = m->import_to[ic->import];
			char where[CF_REC_ORIGIN_SIZE];
			if (!m->reached[ic->func] || to.mod == UINT32_MAX ||
			    p->mods[to.mod].sum.funcs[to.func].wrapper_reg == PR_NONE)
				continue;
			if (p->mods[to.mod].sum.funcs[to.func].wrapper_reg == PR_RDI &&
			    ic->kind == PA_CONST) {
				for (uint8_t v = 0; v < ic->n; v++) {
					if (ic->vals[v] >= 1024)
						continue;
					r = add_call(p, (uint32_t)i, ic->func, ic->vals[v]);
					if (r < 0)
						return r;
				}
				continue;
			}
			r = pointer_wrapper(p, (uint32_t)i, ic);
			if (r < 0)
				return r;
			if (r > 0)
				continue;
			origin(p, (uint32_t)i, ic->func,
			       ps_str(&m->sum, m->sum.imports[ic->import]), where, sizeof(where));
			r = add_gap(
				p, where, !(p->o->assume & CF_ASSUME_UNRESOLVED),
				"syscall wrapper called at %s+0x%llx with a number the analysis "
				"cannot resolve",
				m->base, (unsigned long long)ic->addr);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int collect(struct prog *p)
{
	int r;

	for (size_t i = 0; i < p->n_mods; i++) {
		struct pmod *m = &p->mods[i];
		for (uint32_t f = 0; f < m->sum.n_funcs; f++) {
			const struct ps_func *fn = &m->sum.funcs[f];
			if (!m->reached[f])
				continue;
			for (uint32_t s = 0; s < fn->n_sys; s++) {
				r = add_call(p, (uint32_t)i, f, m->sum.sys[fn->sys + s]);
				if (r < 0)
					return r;
			}
		}
		for (size_t k = 0; k < m->sum.n_unres; k++) {
			const struct ps_unres *u = &m->sum.unres[k];
			char where[CF_REC_ORIGIN_SIZE];
			uint32_t nrs[16];
			int n;
			if (!m->reached[u->func])
				continue;
			/* glibc's setxid broadcast repeats the set*id calls its callers make */
			n = psetxid_numbers(&m->elf, &m->sum, m->reached, u, nrs, ARRAY_SIZE(nrs));
			for (int j = 0; j < n; j++) {
				r = add_call(p, (uint32_t)i, u->func, nrs[j]);
				if (r < 0)
					return r;
			}
			if (n >= 0)
				continue;
			origin(p, (uint32_t)i, u->func, "syscall", where, sizeof(where));
			r = add_gap(
				p, where, !(p->o->assume & CF_ASSUME_UNRESOLVED),
				"%s at %s+0x%llx: the number is not a constant the analysis reaches",
				u->why == PW_NUMBER ? "syscall" : "call of a syscall wrapper",
				m->base, (unsigned long long)u->addr);
			if (r < 0)
				return r;
		}
	}
	return wrapper_calls(p);
}

void cf_prediction_clear(struct cf_prediction *p)
{
	cf_recording_clear(&p->rec);
	free(p->gaps);
	free(p->modules);
	*p = (struct cf_prediction){ 0 };
}

int cf_predict(const char *const *binaries, size_t n, const struct cf_predict_opts *o,
	       struct cf_prediction *ret, struct cf_diag *reterr)
{
	struct prog p = { .o = o, .out = ret, .reterr = reterr };
	cleanup_free size_t *seen = NULL;
	int r;

	*ret = (struct cf_prediction){ 0 };
	p.mods = calloc(MAX_MODULES, sizeof(*p.mods));
	seen = calloc(MAX_MODULES, sizeof(*seen));
	if (!p.mods || !seen)
		return -ENOMEM;
	(void)cf_ldcache_load(o->ldcache ? o->ldcache : "/etc/ld.so.cache", &p.ldcache);
	p.search = (struct cf_ldsearch){ .cache = &p.ldcache, .library_path = o->library_path };
	for (size_t i = 0; i < n; i++) {
		uint32_t idx, interp;
		size_t first = p.n_mods;
		r = load(&p, binaries[i], UINT32_MAX, "binary", &idx);
		if (r < 0)
			goto out;
		if (p.mods[idx].elf.interp) {
			char path[PATH_MAX];
			r = cf_ld_resolve(&p.search, p.mods[idx].elf.interp, "/", NULL, NULL, NULL,
					  NULL, path, sizeof(path));
			if (r < 0) {
				r = diag_set(reterr, ENOENT, p.mods[idx].path, 0, 0, NULL,
					     "interpreter %s not found", p.mods[idx].elf.interp);
				goto out;
			}
			r = load(&p, path, idx, "interpreter", &interp);
			if (r < 0)
				goto out;
		}
		r = load_needed(&p, first);
		if (r < 0)
			goto out;
	}
	link_imports(&p);
	r = seed(&p, 0);
	for (;;) {
		size_t before = p.n_mods;
		if (r == 0)
			r = walk(&p);
		if (r < 0)
			goto out;
		int more = nss(&p);
		if (more >= 0)
			more += gconv(&p) + 0;
		if (more >= 0) {
			int g = libgcc(&p);
			more = g < 0 ? g : more + g;
		}
		if (more >= 0) {
			int d = dlopens(&p, seen);
			more = d < 0 ? d : more + d;
		}
		if (more < 0) {
			r = more;
			goto out;
		}
		if (p.n_mods == before)
			break;
		link_imports(&p);
		r = seed(&p, before);
	}
	r = collect(&p);
	if (r < 0)
		goto out;
	ret->modules = calloc(p.n_mods, sizeof(*ret->modules));
	if (!ret->modules) {
		r = -ENOMEM;
		goto out;
	}
	ret->n_modules = p.n_mods;
	for (size_t i = 0; i < p.n_mods; i++) {
		struct cf_predict_module *pm = &ret->modules[i];
		const struct pmod *m = &p.mods[i];
		snprintf(pm->path, sizeof(pm->path), "%s", m->path);
		snprintf(pm->why, sizeof(pm->why), "%s", m->why);
		cf_elf_build_id_hex(&m->elf, pm->build_id, sizeof(pm->build_id));
		pm->n_funcs = m->sum.n_funcs;
		pm->n_insns = m->sum.n_insns;
		pm->cached = m->cached;
		for (size_t f = 0; f < m->sum.n_funcs; f++)
			pm->n_reached += m->reached[f];
	}
out:
	for (size_t i = 0; i < p.n_mods; i++) {
		cf_elf_close(&p.mods[i].elf);
		psummary_clear(&p.mods[i].sum);
		free(p.mods[i].reached);
		free(p.mods[i].parent);
		free(p.mods[i].import_to);
	}
	free(p.mods);
	free(p.work);
	cf_ldcache_clear(&p.ldcache);
	if (r < 0)
		cf_prediction_clear(ret);
	return r;
}
