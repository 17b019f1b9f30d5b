/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * User side of the eBPF denial observer (kernel side: observe.bpf.c, shared structs:
 * observe-event.h). libbpf loads the skeleton generated at build time (CO-RE against the
 * running kernel's BTF); the parent seeds the command's first task through a pidfd before the
 * command may run its plan, and drains the ring buffer from the wait loop of exec.c.
 *
 * Which calls are the profile's: every event is a call the kernel skipped or killed in the
 * command's tree. Whether OUR program decided it is asked of our program itself (the BPF
 * simulator in cf_denials_decision): the program's own filters and tracers can skip calls
 * too, and those are never blamed on the profile (a "note" in JSON mode).
 *
 * Which program sees skipped calls (observe.bpf.c): the tp_btf/sys_exit program, which every
 * syscall on the machine pays for; or, opt-in and experimental, fexit on __seccomp_filter where
 * the kernel loads BPF trampolines (only seccomp-filtered tasks pay). Chosen with
 * CALLFENCE_OBSERVER=auto|fexit|sys_exit (tests, bench/bench-explain), named in the JSON
 * summary ("observer").
 *
 * Syscalls the parent makes after the child started (for the lead's parent allow-list):
 * rt_sigtimedwait (exec.c); drain = ring_buffer__consume reads the mmap'd ring only (no
 * syscall) and, per reported denial, write (stderr), process_vm_readv (path arguments),
 * brk/mmap/munmap (malloc); at the end bpf(BPF_MAP_GET_NEXT_KEY / LOOKUP_ELEM) for the counts,
 * then close/munmap when the skeleton is destroyed. attach: pidfd_open, bpf(MAP_UPDATE_ELEM),
 * close, write (the go byte).
 */
#include "observe/observe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/syscall.h>

#include "cf-config.h"

#if CF_HAVE_OBSERVER
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stddef.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/types.h>

#include "observe/observe-event.h"
#include "observe/observe.skel.h"

enum observer_kind {
	OBS_FEXIT,
	OBS_SYS_EXIT,
	_OBS_MAX,
};

static const char *const kind_name[_OBS_MAX] = {
	[OBS_FEXIT] = "fexit",
	[OBS_SYS_EXIT] = "sys_exit",
};

struct cf_observer {
	struct cf_denials *den;
	struct observe_bpf *skel;
	struct ring_buffer *rb;
	enum observer_kind kind;
	bool json;
	int go[2]; /* parent -> child: "you are tracked" */
};

/* The library never prints: libbpf's own messages are dropped, errors come back as -errno. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static const char *note_for(uint32_t kind)
{
	switch ((enum cf_obs_kind)kind) {
	case CF_OBS_SKIPPED:
		return "failed, not by the profile";
	case CF_OBS_SIGSYS:
		return "SIGSYS from the program's own seccomp filter, not the profile";
	case CF_OBS_EXIT_SIGSYS:
		return "thread killed by SIGSYS, not by the profile";
	}
	return "not by the profile";
}

/* Path arguments: the strings the kernel side read during the call, else the live process. */
static int event_str(void *userdata, uint64_t addr, char *buf, size_t size)
{
	const struct cf_obs_event *e = userdata;

	if (size == 0)
		return -EINVAL;
	for (int i = 0; i < CF_OBS_N_STR; i++)
		if ((e->str_ok & (1u << i)) && e->args[i] == addr) {
			size_t n = strnlen(e->str[i], sizeof(e->str[i]));

			if (n >= size)
				n = size - 1;
			memcpy(buf, e->str[i], n);
			buf[n] = '\0';
			return (int)n;
		}
	return cf_denials_read_str((void *)(intptr_t)e->tid, addr, buf, size);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct cf_observer *ob = ctx;
	const struct cf_obs_event *e = data;
	struct seccomp_data d = { 0 };
	uint32_t kret, act;
	bool ours;

	if (size < sizeof(*e))
		return 0;
	d.nr = e->nr;
	d.arch = e->arch;
	d.instruction_pointer = e->ip;
	memcpy(d.args, e->args, sizeof(d.args));
	kret = cf_denials_decision(ob->den, &d);
	act = kret & SECCOMP_RET_ACTION_FULL;
	switch ((enum cf_obs_kind)e->kind) {
	case CF_OBS_SKIPPED:
		/* a failed call our program denies cannot have run: the profile's denial
		 * (nr -1: a tracer cancelled the call before seccomp saw it) */
		ours = e->nr >= 0 && cf_denials_is_denial(kret);
		if (!ours)
			return 0; /* an ordinary error: nothing to say */
		break;
	case CF_OBS_SIGSYS:
		ours = cf_denials_is_denial(kret);
		break;
	case CF_OBS_EXIT_SIGSYS:
		ours = act == SECCOMP_RET_KILL_THREAD || act == SECCOMP_RET_KILL_PROCESS;
		break;
	default:
		return 0;
	}
	if (ours)
		cf_denials_report(ob->den, e->tid, e->tgid, &d, kret, "->", event_str,
				  (void *)(uintptr_t)e);
	else
		cf_denials_note(ob->den, e->tid, e->tgid, &d,
				e->kind == CF_OBS_SKIPPED ? e->ret : (int64_t)e->data,
				note_for(e->kind));
	return 0;
}

/*
 * Can our program return anything but ALLOW/LOG/USER_NOTIF for (arch, nr)? The kernel's own
 * question for its action cache (kernel/seccomp.c seccomp_is_const_allow): follow the program
 * with nr and arch known; a load of anything else means "depends on the arguments", so maybe.
 */
static bool may_deny(const struct cf_bpf_prog *prog, uint32_t arch, uint32_t nr)
{
	uint32_t a = 0;

	for (size_t pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *f = &prog->insns[pc];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k == offsetof(struct seccomp_data, nr))
				a = nr;
			else if (f->k == offsetof(struct seccomp_data, arch))
				a = arch;
			else
				return true;
			break;
		case BPF_RET | BPF_K:
			return cf_denials_is_denial(f->k);
		case BPF_JMP | BPF_JA:
			pc += f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K: {
			bool t = BPF_OP(f->code) == BPF_JEQ ? a == f->k :
				 BPF_OP(f->code) == BPF_JGE ? a >= f->k :
				 BPF_OP(f->code) == BPF_JGT ? a > f->k :
							      (a & f->k) != 0;

			pc += t ? f->jt : f->jf;
			break;
		}
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			break;
		default:
			return true;
		}
	}
	return true;
}

static void fill_maybe_denied(__u64 *bits, const struct cf_bpf_prog *prog)
{
	static const uint32_t arches[3] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_X86_64, AUDIT_ARCH_I386 };

	for (uint32_t abi = 0; abi < 3; abi++)
		for (uint32_t n = 0; n < CF_OBS_NR_SPAN; n++) {
			uint32_t nr = abi == 1 ? n | CF_OBS_X32_BIT : n;

			if (may_deny(prog, arches[abi], nr))
				bits[(abi * CF_OBS_NR_SPAN + n) / 64] |=
					1ull << ((abi * CF_OBS_NR_SPAN + n) % 64);
		}
}

/* Open, load and attach the programs of one kind (the skeleton has both skipped-call programs). */
static int load_kind(struct cf_observer *ob, enum observer_kind kind,
		     const struct cf_bpf_prog *prog, const char **ret_why)
{
	int r;

	ob->skel = observe_bpf__open();
	if (!ob->skel) {
		*ret_why = "cannot open the BPF object";
		return -errno;
	}
	r = bpf_program__set_autoload(ob->skel->progs.cf_seccomp_exit, kind == OBS_FEXIT);
	if (r == 0)
		r = bpf_program__set_autoload(ob->skel->progs.cf_sys_exit, kind == OBS_SYS_EXIT);
	if (r < 0) {
		*ret_why = "cannot select the BPF programs";
		return r;
	}
	r = observe_bpf__load(ob->skel);
	if (r < 0) {
		*ret_why =
			kind == OBS_FEXIT ?
				"the kernel refused the fexit program on __seccomp_filter: no BPF "
				"trampolines, or no such function" :
			r == -EPERM ? "loading BPF programs needs CAP_BPF and CAP_PERFMON" :
				      "the kernel refused the BPF programs";
		return r;
	}
	fill_maybe_denied(ob->skel->bss->maybe_denied, prog);
	r = observe_bpf__attach(ob->skel);
	if (r < 0) {
		*ret_why = kind == OBS_FEXIT ?
				   "cannot attach the fexit program to __seccomp_filter" :
				   "cannot attach to the syscall and scheduler tracepoints";
		return r;
	}
	ob->kind = kind;
	return 0;
}

/*
 * CALLFENCE_OBSERVER: which kinds to try, in order. Unset or "auto": sys_exit only. The fexit
 * program is opt-in (CALLFENCE_OBSERVER=fexit) until it has run where the kernel loads BPF
 * trampolines: the machines it was written on refuse them, so nothing has shown yet that it
 * sees every denial, and an observer that silently misses one would make --explain lie.
 */
static int kinds_to_try(enum observer_kind *first, enum observer_kind *last)
{
	const char *e = secure_getenv("CALLFENCE_OBSERVER");

	*first = OBS_SYS_EXIT;
	*last = OBS_SYS_EXIT;
	if (!e || !*e || strcmp(e, "auto") == 0)
		return 0;
	for (enum observer_kind k = 0; k < _OBS_MAX; k++)
		if (strcmp(e, kind_name[k]) == 0) {
			*first = *last = k;
			return 0;
		}
	return -EINVAL;
}

int cf_observer_new(const struct cf_denials_opts *o, struct cf_observer **ret, const char **ret_why)
{
	enum observer_kind first, last;
	struct cf_observer *ob;
	int r;

	*ret_why = NULL;
	if (kinds_to_try(&first, &last) < 0) {
		*ret_why = "CALLFENCE_OBSERVER: valid: auto, fexit, sys_exit";
		return -EINVAL;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		*ret_why = "the kernel has no BTF (/sys/kernel/btf/vmlinux)";
		return -ENOENT;
	}
	ob = calloc(1, sizeof(*ob));
	if (!ob)
		return -ENOMEM;
	ob->go[0] = ob->go[1] = -1;
	ob->json = o->format == CF_SUPERVISE_JSON;
	r = cf_denials_new(o, &ob->den);
	if (r < 0)
		goto fail;
	r = cf_go_open(ob->go);
	if (r < 0)
		goto fail;
	(void)libbpf_set_print(quiet);
	for (enum observer_kind k = first; k <= last; k++) {
		/* a kernel without BPF trampolines fails the load: the next kind, from scratch
		 * (libbpf cannot load an object twice) */
		r = load_kind(ob, k, o->prog, ret_why);
		if (r == 0)
			break;
		observe_bpf__destroy(ob->skel);
		ob->skel = NULL;
	}
	if (r < 0)
		goto fail;
	*ret_why = NULL;
	ob->rb = ring_buffer__new(bpf_map__fd(ob->skel->maps.events), on_event, ob, NULL);
	if (!ob->rb) {
		r = -errno;
		*ret_why = "cannot map the ring buffer";
		goto fail;
	}
	*ret = ob;
	return 0;
fail:
	if (!*ret_why)
		*ret_why = strerror(-r);
	cf_observer_free(ob);
	return r;
}

struct cf_observer *cf_observer_free(struct cf_observer *ob)
{
	if (!ob)
		return NULL;
	ring_buffer__free(ob->rb);
	observe_bpf__destroy(ob->skel);
	cf_denials_free(ob->den);
	cf_go_close(ob->go);
	free(ob);
	return NULL;
}

static void child_wait(void *data)
{
	struct cf_observer *ob = data;

	cf_go_wait(ob->go);
}

struct task_state { /* observe.bpf.c */
	__u32 sigsys_nr;
	__u32 in_sigsys;
};

static int attach(void *data, pid_t pid)
{
	struct cf_observer *ob = data;
	struct task_state st = { 0 };
	int pidfd, r = 0;

	cf_go_parent_begin(ob->go);
	/* task storage is keyed by a pidfd from user space (kernel/bpf/bpf_task_storage.c) */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		r = -errno;
	else if (bpf_map_update_elem(bpf_map__fd(ob->skel->maps.tasks), &pidfd, &st, BPF_NOEXIST) <
		 0)
		r = -errno;
	if (pidfd >= 0)
		(void)close(pidfd);
	return cf_go_send(ob->go, r);
}

static void drain(void *data)
{
	struct cf_observer *ob = data;

	(void)ring_buffer__consume(ob->rb);
}

void cf_observer_hooks(struct cf_observer *ob, struct cf_run_observer *ret)
{
	*ret = (struct cf_run_observer){
		.data = ob, .child_wait = child_wait, .attach = attach, .drain = drain
	};
}

/*
 * The JSON summary names the program that saw the calls: {"event":"summary",...} becomes
 * {"event":"summary","observer":"fexit",...} (denials.c writes it compact, keys in order).
 */
static int name_observer(const struct cf_observer *ob, char **lines)
{
	static const char head[] = "{\"event\":\"summary\",";
	char *at = strstr(*lines, head), *out;

	if (!at)
		return 0;
	if (asprintf(&out, "%.*s\"observer\":\"%s\",%s", (int)(at - *lines + strlen(head)), *lines,
		     kind_name[ob->kind], at + strlen(head)) < 0)
		return -ENOMEM;
	free(*lines);
	*lines = out;
	return 0;
}

int cf_observer_summary(struct cf_observer *ob, const char *profile_out, char **ret_lines,
			char **ret_profile)
{
	struct cf_obs_key k, next, *prev = NULL;
	int fd = bpf_map__fd(ob->skel->maps.counts), r;

	drain(ob);
	/* the calls beyond the first events of each key were counted, not sent */
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		__u64 n;

		if (bpf_map_lookup_elem(fd, &next, &n) == 0 && n > CF_OBS_EVENTS_PER_KEY)
			cf_denials_add_count(ob->den, next.arch, next.nr,
					     (size_t)(n - CF_OBS_EVENTS_PER_KEY));
		k = next;
		prev = &k;
	}
	cf_denials_set_lost(ob->den, ob->skel->bss->lost);
	r = cf_denials_summary(ob->den, profile_out, ret_lines, ret_profile);
	if (r < 0 || !ob->json)
		return r;
	return name_observer(ob, ret_lines);
}

#else /* !CF_HAVE_OBSERVER */

int cf_observer_new(const struct cf_denials_opts *o, struct cf_observer **ret, const char **ret_why)
{
	(void)o;
	(void)ret;
	*ret_why = "callfence was built without it (meson -Dobserver: clang, bpftool, libbpf)";
	return -EOPNOTSUPP;
}

struct cf_observer *cf_observer_free(struct cf_observer *ob)
{
	(void)ob;
	return NULL;
}

void cf_observer_hooks(struct cf_observer *ob, struct cf_run_observer *ret)
{
	(void)ob;
	*ret = (struct cf_run_observer){ 0 };
}

int cf_observer_summary(struct cf_observer *ob, const char *profile_out, char **ret_lines,
			char **ret_profile)
{
	(void)ob;
	(void)profile_out;
	(void)ret_lines;
	(void)ret_profile;
	return -EOPNOTSUPP;
}

#endif
