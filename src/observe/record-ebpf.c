/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * User side of the eBPF recorder (kernel side: record.bpf.c, shared: record-event.h). libbpf
 * loads the skeleton built at compile time (CO-RE against this kernel's BTF). The parent seeds
 * the command's first task through a pidfd before the command may run its first step (as
 * --explain's observer, observe.c), drains the ring buffer from exec.c's wait loop (the first
 * call of each: provenance, while the process still lives for /proc/PID/exe), and after the run
 * reads what the kernel kept, which is the recording: the `seen` bitmap, the per-CPU counters of
 * each seen call, the `ok` bits, the out-of-span calls and the argument vectors (hash maps read
 * whole), the capabilities, the losses. An event the ring could not take costs an origin only.
 *
 * Capabilities: tp_btf/cap_capable where the kernel has that tracepoint (6.x: the trace event
 * in security/commoncap.c); without it the object is loaded again without that program and
 * caps_observed stays false (fentry on cap_capable and the BPF LSM `capable` hook need BPF
 * trampolines, which the kernels this was written on refuse: not tried).
 *
 * Syscalls the confined parent makes after the start (cf_rec_parent_allow): draining reads the
 * mmap'd ring (no call); provenance: readlinkat of /proc/PID/exe; the end: bpf(MAP_LOOKUP_ELEM,
 * MAP_GET_NEXT_KEY) on fds already open; malloc.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/syscall.h>

#include "base/cleanup.h"
#include "cf-config.h"
#include "observe/record-observe.h"

#if CF_HAVE_OBSERVER
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/audit.h>
#include <linux/types.h>

#include "observe/record-event.h"
#include "observe/record.skel.h"

/* the noaudit ranges (record.bpf.c), scanned by a thread while the programs load */
struct noaudit_scan {
	__u64 lo[CF_REC_NOAUDIT], hi[CF_REC_NOAUDIT];
	pthread_t thread;
	bool running;
};

struct cf_rec_ebpf {
	struct noaudit_scan scan;
	const struct cf_rec_opts *o;
	struct cf_recording *rec;
	struct record_bpf *skel;
	struct ring_buffer *rb;
	int ncpus;
	int go[2];
	int error;
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static void fail(struct cf_rec_ebpf *e, int r)
{
	if (r < 0 && e->error == 0)
		e->error = r;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct cf_rec_ebpf *e = ctx;
	const struct cf_rec_event *ev = data;
	char exe[CF_REC_EXE_SIZE + 1], comm[17];
	struct cf_rec_call *c;
	int r;

	if (size < sizeof(*ev))
		return 0;
	r = cf_recording_add(e->rec, ev->arch, ev->nr, &c);
	if (r < 0) {
		fail(e, r);
		return 0;
	}
	memcpy(exe, ev->exe, CF_REC_EXE_SIZE);
	exe[CF_REC_EXE_SIZE] = '\0';
	memcpy(comm, ev->comm, 16);
	comm[16] = '\0';
	cf_rec_origin(ev->tgid, exe, comm, c->origin);
	return 0;
}

/* (arch, nr as the task passed it) of a bit of record-event.h */
static void bit_call(uint32_t bit, uint32_t *arch, int32_t *nr)
{
	uint32_t abi = bit / CF_REC_NR_SPAN, n = bit % CF_REC_NR_SPAN;

	*arch = abi == 2 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
	*nr = (int32_t)(abi == 1 ? n | CF_REC_X32_BIT : n);
}

/* Every masked argument vector the kernel kept (rtuples is the record; no event carries them) */
static int read_tuples(struct cf_rec_ebpf *e)
{
	int fd = bpf_map__fd(e->skel->maps.rtuples);
	struct cf_rec_tuple_key k, next, *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct cf_rec_call *c;
		uint32_t arch;
		int32_t nr;
		int r;

		if (next.bit < CF_REC_BITS) {
			bit_call(next.bit, &arch, &nr);
			r = cf_recording_add(e->rec, arch, nr, &c);
			if (r < 0)
				return r;
			r = cf_rec_call_add_tuple(c, (const uint64_t *)next.args);
			if (r < 0)
				return r;
		}
		k = next;
		prev = &k;
	}
	return 0;
}

static void fill_watch(struct cf_rec_ebpf *e)
{
	for (size_t i = 0; e->o && i < e->o->n_arg_watch; i++) {
		const struct cf_rec_watch *w = &e->o->arg_watch[i];
		uint32_t bit = cf_rec_bit(w->arch, w->nr);

		if (bit < CF_REC_BITS)
			e->skel->bss->watch[bit] = w->arg_mask;
	}
}

/* One /proc/kallsyms line "ADDR TYPE NAME[\t[MODULE]]": the address and the name (not
 * terminated); false for a line of another shape. */
static bool ksym_line(const char *p, const char *end, uint64_t *addr, const char **name,
		      size_t *len)
{
	uint64_t a = 0;
	const char *q = p;

	for (; q < end && q - p < 16; q++) {
		int d = *q >= '0' && *q <= '9' ? *q - '0' :
			*q >= 'a' && *q <= 'f' ? *q - 'a' + 10 :
						 -1;

		if (d < 0)
			break;
		a = a << 4 | (uint64_t)d;
	}
	if (q == p || end - q < 4 || q[0] != ' ' || q[2] != ' ')
		return false;
	*addr = a;
	*name = q + 3;
	for (q += 3; q < end && *q != '\t'; q++)
		;
	*len = (size_t)(q - *name);
	return true;
}

/*
 * The address ranges of the functions that check a capability with CAP_OPT_NOAUDIT
 * (record.bpf.c says why): a symbol's range ends at the next symbol's address. Without
 * /proc/kallsyms addresses (kptr_restrict) the probes stay in (caps_used may name more).
 *
 * One pass in large reads, stopping once every range is closed: the kernel generates the file
 * line by line (5 MB, ~150k symbols; reading it whole with stdio and sscanf twice took 180-300 ms
 * of a recording's start). The kernel's own symbols come first, sorted by address
 * (scripts/kallsyms sorts them), so a range ends at the first later line with a higher address.
 */
static void scan_noaudit(struct noaudit_scan *sc)
{
	static const char *const names[] = { "cap_vm_enough_memory", "security_vm_enough_memory_mm",
					     "ns_capable_noaudit", "has_ns_capability_noaudit",
					     "has_capability_noaudit" };
	__u64 *lo = sc->lo, *hi = sc->hi;
	const size_t n = ARRAY_SIZE(names), size = 256 * 1024;
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	size_t have = 0, closed = 0;
	bool done = false;

	fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	buf = malloc(size);
	if (fd < 0 || !buf)
		return;
	while (!done) {
		ssize_t got = read(fd, buf + have, size - have);
		char *p = buf, *end, *nl;

		if (got <= 0)
			break;
		end = buf + have + got;
		for (; !done && (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1) {
			const char *name;
			uint64_t a;
			size_t len;

			if (!ksym_line(p, nl, &a, &name, &len) || a == 0)
				continue;
			for (size_t i = 0; i < n; i++) {
				if (lo[i] && !hi[i] && a > lo[i]) {
					hi[i] = a;
					closed++;
				}
				if (!lo[i] && strlen(names[i]) == len &&
				    memcmp(name, names[i], len) == 0)
					lo[i] = a;
			}
			done = closed == n;
		}
		have = (size_t)(end - p);
		if (have == size) /* a line longer than the buffer: not kallsyms */
			break;
		memmove(buf, p, have);
	}
	for (size_t i = 0; i < n; i++)
		if (!hi[i])
			lo[i] = 0;
}

static void *scan_thread(void *data)
{
	scan_noaudit(data);
	return NULL;
}

/* The scan (~30 ms of kernel formatting) runs beside libbpf's load (vmlinux BTF, the verifier:
 * ~40 ms) on another CPU; the parent is not confined yet and the thread is joined before the
 * command is started. Without a thread, it runs here. */
static void noaudit_begin(struct noaudit_scan *sc)
{
	*sc = (struct noaudit_scan){ 0 };
	sc->running = pthread_create(&sc->thread, NULL, scan_thread, sc) == 0;
	if (!sc->running)
		scan_noaudit(sc);
}

static void noaudit_end(struct noaudit_scan *sc)
{
	if (sc->running)
		(void)pthread_join(sc->thread, NULL);
	sc->running = false;
}

static int load(struct cf_rec_ebpf *e, bool caps, const char **ret_why)
{
	int r;

	e->skel = record_bpf__open();
	if (!e->skel) {
		*ret_why = "cannot open the BPF object";
		return -errno;
	}
	r = bpf_program__set_autoload(e->skel->progs.cf_rec_cap, caps);
	if (r < 0) {
		*ret_why = "cannot select the BPF programs";
		return r;
	}
	r = record_bpf__load(e->skel);
	if (r < 0) {
		*ret_why = r == -EPERM ? "loading BPF programs needs CAP_BPF and CAP_PERFMON" :
					 "the kernel refused the BPF programs";
		return r;
	}
	fill_watch(e);
	noaudit_end(&e->scan);
	_Static_assert(sizeof(e->skel->bss->noaudit_lo) == sizeof(e->scan.lo), "record.bpf.c");
	memcpy(e->skel->bss->noaudit_lo, e->scan.lo, sizeof(e->scan.lo));
	memcpy(e->skel->bss->noaudit_hi, e->scan.hi, sizeof(e->scan.hi));
	r = record_bpf__attach(e->skel);
	if (r < 0) {
		*ret_why = "cannot attach to the syscall and scheduler tracepoints";
		return r;
	}
	return 0;
}

int cf_rec_ebpf_new(const struct cf_rec_opts *o, struct cf_recording *rec, struct cf_rec_ebpf **ret,
		    const char **ret_why)
{
	struct cf_rec_ebpf *e;
	int r;

	*ret_why = NULL;
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		*ret_why = "the kernel has no BTF (/sys/kernel/btf/vmlinux)";
		return -ENOENT;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->o = o;
	e->rec = rec;
	e->go[0] = e->go[1] = -1;
	/* reads /sys/devices/system/cpu/possible: now, before the parent is confined */
	e->ncpus = libbpf_num_possible_cpus();
	if (e->ncpus <= 0) {
		r = e->ncpus < 0 ? e->ncpus : -EINVAL;
		*ret_why = "cannot count the possible CPUs";
		goto fail;
	}
	r = cf_go_open(e->go);
	if (r < 0)
		goto fail;
	(void)libbpf_set_print(quiet);
	noaudit_begin(&e->scan);
	r = load(e, true, ret_why);
	rec->caps_observed = r == 0;
	if (r < 0 && r != -EPERM) {
		/* a kernel without the cap_capable tracepoint: record without capabilities */
		record_bpf__destroy(e->skel);
		e->skel = NULL;
		r = load(e, false, ret_why);
	}
	if (r < 0)
		goto fail;
	*ret_why = NULL;
	e->rb = ring_buffer__new(bpf_map__fd(e->skel->maps.revents), on_event, e, NULL);
	if (!e->rb) {
		r = -errno;
		*ret_why = "cannot map the ring buffer";
		goto fail;
	}
	rec->observer = "ebpf";
	*ret = e;
	return 0;
fail:
	if (!*ret_why)
		*ret_why = strerror(-r);
	rec->caps_observed = false;
	cf_rec_ebpf_free(e);
	return r;
}

struct cf_rec_ebpf *cf_rec_ebpf_free(struct cf_rec_ebpf *e)
{
	if (!e)
		return NULL;
	noaudit_end(&e->scan);
	ring_buffer__free(e->rb);
	record_bpf__destroy(e->skel);
	cf_go_close(e->go);
	free(e);
	return NULL;
}

static void child_wait(void *data)
{
	struct cf_rec_ebpf *e = data;

	cf_go_wait(e->go);
}

struct rec_task { /* record.bpf.c */
	__u32 armed;
	__u32 bit1;
};

static int attach(void *data, pid_t pid)
{
	struct cf_rec_ebpf *e = data;
	struct rec_task st = { 0 };
	int pidfd, r = 0;

	cf_go_parent_begin(e->go);
	/* task storage is keyed by a pidfd from user space (kernel/bpf/bpf_task_storage.c) */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		r = -errno;
	else if (bpf_map_update_elem(bpf_map__fd(e->skel->maps.rtasks), &pidfd, &st, BPF_NOEXIST) <
		 0)
		r = -errno;
	if (pidfd >= 0)
		(void)close(pidfd);
	return cf_go_send(e->go, r);
}

static void drain(void *data)
{
	struct cf_rec_ebpf *e = data;

	(void)ring_buffer__consume(e->rb);
}

void cf_rec_ebpf_hooks(struct cf_rec_ebpf *e, struct cf_run_observer *ret)
{
	*ret = (struct cf_run_observer){
		.data = e, .child_wait = child_wait, .attach = attach, .drain = drain
	};
}

int cf_rec_ebpf_finish(struct cf_rec_ebpf *e)
{
	const struct record_bpf__bss *b = e->skel->bss;
	int fd = bpf_map__fd(e->skel->maps.rcounts), ofd = bpf_map__fd(e->skel->maps.rothers);
	struct cf_rec_other_key k, next, *prev = NULL;
	__u64 *vals;
	int r;

	drain(e);
	vals = calloc((size_t)e->ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t bit = 0; bit < CF_REC_BITS; bit++) {
		struct cf_rec_call *c;
		uint32_t arch;
		int32_t nr;

		if (!(b->seen[bit / 64] & (1ull << (bit % 64))))
			continue;
		bit_call(bit, &arch, &nr);
		/* `seen` is the record; an event the ring could not take costs the origin: "?" */
		r = cf_recording_add(e->rec, arch, nr, &c);
		if (r < 0)
			goto out;
		if (!c->origin[0])
			strcpy(c->origin, "?");
		c->count = 0;
		if (bpf_map_lookup_elem(fd, &bit, vals) == 0)
			for (int i = 0; i < e->ncpus; i++)
				c->count += vals[i];
		c->succeeded = b->ok[bit / 64] & (1ull << (bit % 64));
		if (b->tuple_full[bit / 64] & (1ull << (bit % 64)))
			c->tuples_dropped++;
	}
	while (bpf_map_get_next_key(ofd, prev, &next) == 0) {
		struct cf_rec_call *c;
		__u64 n = 0;

		r = cf_recording_add(e->rec, next.arch, next.nr, &c);
		if (r < 0)
			goto out;
		if (bpf_map_lookup_elem(ofd, &next, &n) == 0)
			c->count = n;
		if (!c->origin[0])
			strcpy(c->origin, "?");
		k = next;
		prev = &k;
	}
	e->rec->caps_used = e->rec->caps_observed ? b->caps_used : 0;
	e->rec->caps_denied = e->rec->caps_observed ? b->caps_denied : 0;
	/* a lost ring event (b->lost) costs an origin, not a call: not a loss of the recording */
	e->rec->lost = b->untracked + b->others_full;
	r = read_tuples(e);
	if (r == 0)
		r = e->error;
out:
	free(vals);
	return r;
}

#else /* !CF_HAVE_OBSERVER */

int cf_rec_ebpf_new(const struct cf_rec_opts *o, struct cf_recording *rec, struct cf_rec_ebpf **ret,
		    const char **ret_why)
{
	(void)o, (void)rec, (void)ret;
	*ret_why = "callfence was built without it (meson -Dobserver: clang, bpftool, libbpf)";
	return -EOPNOTSUPP;
}

struct cf_rec_ebpf *cf_rec_ebpf_free(struct cf_rec_ebpf *e)
{
	(void)e;
	return NULL;
}

void cf_rec_ebpf_hooks(struct cf_rec_ebpf *e, struct cf_run_observer *ret)
{
	(void)e;
	*ret = (struct cf_run_observer){ 0 };
}

int cf_rec_ebpf_finish(struct cf_rec_ebpf *e)
{
	(void)e;
	return -EOPNOTSUPP;
}

#endif
