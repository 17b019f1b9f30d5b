/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Starting the command: fork, child runs the plan, parent supervises.
 *
 * Why a supervising parent instead of exec'ing in place:
 *  - errors: the parent is not under the command's filter, so it can print a clear message
 *    after a failed step or execve (under its own allow-list, self-confine.c: write(2) only). The child only stores {step, errno} in a shared anonymous page (no syscall:
 *    a pipe write would itself have to pass the filter, and a profile may allow write only on
 *    fds 1 and 2) and exits; a successful execve drops the mapping, so only the launcher can
 *    write there. 126/127 are then decided from the real errno, not guessed from a status.
 *  - explain: a later --explain needs a process outside the filter that sees the command die
 *    (SIGSYS, status) and can read the kernel's record of it.
 * What keeps it transparent:
 *  - the child stays in callfence's process group and session, so the terminal (job control,
 *    ^C, ^Z, SIGWINCH) talks to it directly; the parent does not forward signals that came from
 *    the kernel/terminal (si_code SI_KERNEL), since the child already got them, but forwards
 *    every signal sent to callfence with kill(2)/sigqueue (SIGTERM from a supervisor, SIGHUP...);
 *  - when the job stops (the stop reached us too: terminal or sent to callfence), the parent
 *    stops itself (so the shell sees the job stopped); a stop sent to the command alone is not
 *    mirrored (nobody would resume us); our own SIGPIPE is ignored and never forwarded;
 * What keeps it safe: before the command may run the parent confines itself (self-confine.c),
 * and the child waits on a pipe (a NOTIFY run: the handoff) until it has.
 *  - exit status: the command's; 128+N when it was killed by signal N (as docker run);
 *  - stdin/stdout/stderr, the terminal, the environment and the signal mask pass through;
 *    every other fd is marked close-on-exec in the child before the first step (runc
 *    CloseExecFrom), so nothing of callfence's reaches the command.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "base/cleanup.h"
#include "run/run.h"
#include "run/supervise.h" /* explain team: --explain/--complain hooks */

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define REPORT_MAGIC 0x63667270u /* "cfrp" */

struct child_report {
	uint32_t magic;
	uint32_t step;
	int32_t error;
	struct cf_listener_handoff handoff;
};

static const char *path_env(char *const *envp)
{
	const char *path = NULL;

	/* runc prepareEnv keeps the last occurrence of a duplicated key. */
	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], "PATH=", 5) == 0)
			path = envp[i] + 5;
	return path ? path : CF_DEFAULT_PATH;
}

int cf_exec_find(const char *cmd, char *const *envp, char **ret_path)
{
	const char *path, *p;
	char *found;

	if (!cmd || !*cmd)
		return -ENOENT;
	if (strchr(cmd, '/')) {
		found = strdup(cmd);
		if (!found)
			return -ENOMEM;
		*ret_path = found;
		return 0;
	}
	/* Go exec.LookPath (what runc uses): first non-directory with any execute bit. */
	path = path_env(envp);
	p = path;
	for (;;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		cleanup_free char *cand = NULL;
		struct stat st;

		if (asprintf(&cand, "%.*s/%s", (int)(len ? len : 1), len ? p : ".", cmd) < 0)
			return -ENOMEM;
		if (stat(cand, &st) == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111)) {
			*ret_path = TAKE_PTR(cand);
			return 0;
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	return -ENOENT;
}

static void mark_fds_cloexec(void)
{
	long max;

	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	/* Pre-5.11 kernels (retire with them). */
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 1048576)
		max = 1048576;
	for (int fd = 3; fd < max; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fl >= 0 && !(fl & FD_CLOEXEC))
			(void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	}
}

static int launcher_exit_code(const struct cf_plan *plan, size_t step, int err)
{
	if (step < plan->n_steps && plan->steps[step].kind == CF_STEP_EXECVE)
		return err == ENOENT || err == ENOTDIR ? 127 : 126;
	return 125;
}

/*
 * The child holds here until the parent has confined itself (self-confine.c): the command
 * must never run next to an unconfined callfence. One byte means go; EOF (the parent died or
 * gave up) means the command is not started.
 */
static void child_gate(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(125);
	(void)close(fd);
}

struct child_args {
	const struct cf_plan *plan;
	sigset_t mask; /* the caller's */
	struct sigaction chld, pipe; /* the caller's SIGCHLD and SIGPIPE dispositions */
	struct child_report *rep;
	struct cf_supervisor *sup;
	const struct cf_run_observer *obs;
	int gate; /* read end, -1 in listener mode */
	pid_t parent;
	bool seccomp_unenforced; /* record: RET_ALLOW in place of the profile's program */
};

/* record's stand-in for the profile's program (cf_exec_opts.seccomp_unenforced) */
static struct sock_filter allow_all[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };

static _Noreturn void child_main(const struct child_args *a)
{
	const struct cf_plan *plan = a->plan;
	struct child_report *rep = a->rep;
	size_t step = 0;
	int r;

	/* A NOTIFY run's child spins until the agent has its fd (cf_plan_execute): it must not
	 * outlive callfence there. The getppid() check closes the race with a parent that died
	 * before the prctl. */
	if (plan->listener_path) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != a->parent)
			_exit(125);
	}
	/* --explain/--complain (explain team): wait until the supervisor has attached */
	if (a->sup)
		cf_supervisor_child_wait(a->sup);
	if (a->obs)
		a->obs->child_wait(a->obs->data);
	if (a->gate >= 0)
		child_gate(a->gate);
	(void)sigaction(SIGCHLD, &a->chld, NULL);
	(void)sigaction(SIGPIPE, &a->pipe, NULL);
	(void)sigprocmask(SIG_SETMASK, &a->mask, NULL);
	mark_fds_cloexec();
	/* our private copy of the plan (fork): the seccomp step points at plan->fprog */
	if (a->seccomp_unenforced && plan->seccomp_step < plan->n_steps) {
		struct cf_plan *p = (struct cf_plan *)plan;

		p->fprog.len = 1;
		p->fprog.filter = allow_all;
	}

	r = cf_plan_execute(plan, &rep->handoff, &step);

	/* Possibly under the filter now: memory stores and exit only. */
	rep->step = (uint32_t)step;
	rep->error = -r;
	__atomic_store_n(&rep->magic, REPORT_MAGIC, __ATOMIC_RELEASE);
	(void)syscall(SYS_exit_group, launcher_exit_code(plan, step, -r));
	/* A profile that denies exit_group: die without another syscall. */
	__builtin_trap();
}

static void forward_set(sigset_t *set)
{
	/* Everything but the signals that cannot be caught, the parent's own fault signals, and
	 * SIGCHLD, which is how the parent learns about the child. */
	static const int keep[] = { SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL,
				    SIGFPE,  SIGTRAP, SIGSYS,  SIGCHLD };

	sigfillset(set);
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		sigdelset(set, keep[i]);
}

/*
 * Wait until the child has installed the filter and left the listener fd number in the report
 * page. 0 with the fd, or 1 when the child stopped before (a failed step, a signal): the main
 * loop then reaps and reports it. The child spins without syscalls, so polling is all there is.
 */
static int wait_listener(struct child_report *rep, pid_t pid, int *ret_fd)
{
	for (;;) {
		const struct timespec ts = { .tv_sec = 0, .tv_nsec = 20 * 1000 };
		siginfo_t si = { 0 };

		if (__atomic_load_n(&rep->handoff.state, __ATOMIC_ACQUIRE) == CF_HANDOFF_FD_READY) {
			*ret_fd = __atomic_load_n(&rep->handoff.fd, __ATOMIC_RELAXED);
			return 0;
		}
		if (__atomic_load_n(&rep->magic, __ATOMIC_ACQUIRE) == REPORT_MAGIC)
			return 1;
		/* WNOWAIT: leave the zombie to the main loop */
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid)
			return 1;
		(void)nanosleep(&ts, NULL);
	}
}

static bool is_tty_stop(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * The child stopped with a terminal stop signal: did it reach us too (the terminal's ^Z or
 * background read/write goes to our whole process group; or it was sent to callfence and
 * forwarded)? The child's SIGCHLD can be dequeued before our own copy (lower number first),
 * so give that copy a moment. SIGSTOP, or a stop sent to the child alone, is not the job's.
 */
static bool terminal_stopped_us(bool *tty_stop)
{
	const struct timespec wait = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };
	siginfo_t si;
	sigset_t set;

	if (*tty_stop) {
		*tty_stop = false;
		return true;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGTTIN);
	sigaddset(&set, SIGTTOU);
	return sigtimedwait(&set, &si, &wait) > 0 && si.si_code == SI_KERNEL;
	/* (one sent to callfence by kill(2) was forwarded, so it came first and armed *tty_stop) */
}

/*
 * One signal callfence received. Forwarded: what was sent to callfence (kill(2), sigqueue)
 * by someone else. Not forwarded: what the terminal sent (SI_KERNEL: the child is in our
 * process group and got it too), what the child sent us, and what we raised ourselves — the
 * kernel's SIGPIPE for our own write to a closed stderr carries our pid (SI_USER from
 * current), and forwarding it once killed the command with 141. A stop signal that reached
 * us (from the terminal, or sent to callfence) arms *tty_stop: the child's stop that follows
 * is the job's, and we stop with it.
 */
static void on_signal(pid_t child, pid_t self, const siginfo_t *si, bool *tty_stop)
{
	if (si->si_code != SI_KERNEL && (si->si_pid == child || si->si_pid == self))
		return;
	if (is_tty_stop(si->si_signo))
		*tty_stop = true;
	else if (si->si_signo == SIGCONT)
		*tty_stop = false;
	if (si->si_code != SI_KERNEL)
		(void)kill(child, si->si_signo);
}

static int allow_append(struct cf_self_allow *buf, size_t cap, size_t *n,
			const struct cf_self_allow *add, size_t n_add)
{
	if (n_add > cap - *n)
		return -E2BIG;
	memcpy(buf + *n, add, n_add * sizeof(*add));
	*n += n_add;
	return 0;
}

/* The allow-list for this mode: the base (self-confine.c), the ptrace supervisor's requests,
 * --explain-out's final write for either explain backend, and what the caller adds. */
static int confine_parent(pid_t pid, struct cf_supervisor *sup, bool explain,
			  const struct cf_exec_opts *o, const char **ret_stage)
{
	struct cf_self_allow extra[64];
	struct cf_self_confine_opts co = { .child = pid };
	const struct cf_self_allow *s;
	size_t n = 0, ns;
	int r = 0;

	if (sup) {
		s = cf_self_supervisor_allow(&ns);
		r = allow_append(extra, ARRAY_SIZE(extra), &n, s, ns);
		/* process_vm_readv of a command that runs under another uid or holds more
		 * capabilities needs CAP_SYS_PTRACE (cap_ptrace_access_check); a command that
		 * could attach us holds it already. */
		co.keep_caps = 1ull << CAP_SYS_PTRACE;
	}
	if (r == 0 && (sup || explain)) {
		s = cf_self_outfile_allow(&ns);
		r = allow_append(extra, ARRAY_SIZE(extra), &n, s, ns);
	}
	if (r == 0 && o && o->n_extra) {
		r = allow_append(extra, ARRAY_SIZE(extra), &n, o->extra, o->n_extra);
		co.keep_caps |= o->keep_caps;
	}
	if (r < 0)
		return r;
	co.extra = extra;
	co.n_extra = n;
	return cf_self_confine(&co, ret_stage);
}

static void kill_and_reap(pid_t pid)
{
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
}

static int run_exec(const struct cf_plan *plan, struct cf_supervisor *sup,
		    const struct cf_run_observer *obs, const struct cf_exec_opts *opts,
		    struct cf_run_result *ret)
{
	struct cf_run_result res = { 0 };
	struct sigaction chld_dfl = { .sa_handler = SIG_DFL }, pipe_ign = { .sa_handler = SIG_IGN };
	struct child_args ca = {
		.plan = plan,
		.gate = -1,
		.parent = getpid(),
		.sup = sup,
		.obs = obs,
		.seccomp_unenforced = opts && opts->seccomp_unenforced,
	};
	struct child_report *rep;
	sigset_t fwd, waitset, old;
	int gate[2] = { -1, -1 };
	bool tty_stop = false, go_after_confine = false;
	const char *stage = NULL;
	pid_t pid, self = getpid();
	int r = 0;

	/* The supervisor's ptrace stops would need the parent while it waits for the listener
	 * fd; the CLI refuses the combination with a message, this is the library's guard. */
	if ((sup || obs) && plan->listener_path)
		return -EOPNOTSUPP;
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rep == MAP_FAILED)
		return -errno;
	ca.rep = rep;
	if (!plan->listener_path && pipe2(gate, O_CLOEXEC) < 0) {
		r = -errno;
		goto out_unmap;
	}

	/* A caller that ignores SIGCHLD would make the child auto-reaped and the signal never
	 * arrive: take the default for the wait, give the caller's back to the command. */
	sigemptyset(&chld_dfl.sa_mask);
	if (sigaction(SIGCHLD, &chld_dfl, &ca.chld) < 0) {
		r = -errno;
		goto out_close;
	}
	/* Our own writes to a closed stdout/stderr must fail with EPIPE, not kill us or (queued
	 * while blocked) be forwarded; the command gets the caller's disposition back. Stays
	 * ignored after the run: the process only reports and exits then. */
	sigemptyset(&pipe_ign.sa_mask);
	if (sigaction(SIGPIPE, &pipe_ign, &ca.pipe) < 0) {
		r = -errno;
		goto out;
	}
	forward_set(&fwd);
	waitset = fwd;
	sigaddset(&waitset, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &waitset, &old) < 0) {
		r = -errno;
		goto out;
	}
	ca.mask = old;
	ca.gate = gate[0];

	pid = fork();
	if (pid < 0) {
		r = -errno;
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	if (pid == 0) {
		if (gate[1] >= 0)
			(void)close(gate[1]);
		child_main(&ca);
	}
	if (gate[0] >= 0) {
		(void)close(gate[0]);
		gate[0] = -1;
	}
	/* --explain/--complain (explain team): trace the child before it installs the filter */
	if (sup || obs) {
		r = sup ? cf_supervisor_attach(sup, pid) : obs->attach(obs->data, pid);
		if (r < 0) {
			kill_and_reap(pid);
			(void)sigprocmask(SIG_SETMASK, &old, NULL);
			goto out;
		}
	}
	if (plan->listener_path) {
		struct cf_listener_conn conn = CF_LISTENER_CONN_INIT;
		int child_fd = -1, q, sig;

		/* Connect while the child works towards the seccomp step, so that it spins only
		 * for pidfd_getfd + sendmsg (it competes for a CPU with us meanwhile). Bounded by
		 * CF_LISTENER_TIMEOUT_MS; SIGTERM/SIGINT/SIGHUP/SIGQUIT sent to us end the wait. */
		conn.abort_on = &fwd;
		q = cf_listener_prepare(plan, pid, &conn, &stage);
		if (q == 0) {
			if (wait_listener(rep, pid, &child_fd) == 0)
				q = cf_listener_send(&conn, child_fd, &stage);
			else
				child_fd = -1; /* stopped before the filter: the loop reports it */
		}
		sig = conn.signal;
		cf_listener_conn_clear(&conn);
		if (q < 0) {
			/* Never run the command without its agent holding the fd. */
			kill_and_reap(pid);
			res.listener_failed = true;
			res.listener_stage = stage;
			res.error = -q;
			res.exit_code = 125;
			if (sig > 0) {
				/* killed while it waited: end as the signal asked */
				res.term_signal = sig;
				res.exit_code = 128 + sig;
			}
			goto done;
		}
		go_after_confine = child_fd >= 0;
	}

	/* Nothing unconfined may stay next to the command: confine before it can run, or do not
	 * run it (self-confine.c). */
	r = confine_parent(pid, sup, obs != NULL, opts, &stage);
	if (r < 0) {
		kill_and_reap(pid);
		res.confine_failed = true;
		res.confine_stage = stage;
		res.error = -r;
		res.exit_code = 125;
		r = 0;
		goto done;
	}
	if (gate[1] >= 0) {
		ssize_t n;

		do
			n = write(gate[1], "g", 1);
		while (n < 0 && errno == EINTR);
		(void)close(gate[1]);
		gate[1] = -1;
	}
	if (go_after_confine)
		__atomic_store_n(&rep->handoff.state, CF_HANDOFF_GO, __ATOMIC_RELEASE);

	for (;;) {
		/* --explain (explain team): an observer is drained between waits; after the
		 * child starts it adds rt_sigtimedwait and whatever drain() calls (see
		 * src/observe/observe.c) to the parent's syscalls */
		static const struct timespec drain_ts = { .tv_nsec = CF_RUN_OBSERVER_DRAIN_MS *
								     1000000L };
		siginfo_t si;
		bool timed = obs && obs->drain;
		int sig = timed ? sigtimedwait(&waitset, &si, &drain_ts) :
				  sigwaitinfo(&waitset, &si),
		    st;
		pid_t p;

		if (timed)
			obs->drain(obs->data);
		if (sig < 0)
			continue; /* EINTR: a stop/continue of callfence itself */
		if (sig != SIGCHLD) {
			on_signal(pid, self, &si, &tty_stop);
			continue;
		}
		if (sup || (obs && obs->reap)) {
			/* --explain/--complain (explain team), record's ptrace observer: every
			 * ptrace stop goes to the supervisor; it returns the command's status once
			 * nothing is left */
			int q = sup ? cf_supervisor_reap(sup, &st) : obs->reap(obs->data, &st);

			if (q < 0) {
				r = q;
				break;
			}
			if (q == 2)
				(void)kill(self, SIGSTOP);
			if (q != 1)
				continue;
			if (WIFEXITED(st)) {
				res.exit_code = WEXITSTATUS(st);
				goto done;
			}
			res.term_signal = WTERMSIG(st);
			res.exit_code = 128 + res.term_signal;
			goto done;
		}
		while ((p = waitpid(pid, &st, WNOHANG | WUNTRACED | WCONTINUED)) > 0) {
			if (WIFSTOPPED(st)) {
				/* A stop through the terminal stopped the job: stop with it, so the
				 * shell sees the job stop; its SIGCONT reaches both of us. A stop
				 * someone sent to the command alone is theirs to undo: we keep
				 * waiting (and see WIFCONTINUED when it is). */
				if (is_tty_stop(WSTOPSIG(st)) && terminal_stopped_us(&tty_stop))
					(void)kill(self, SIGSTOP);
				continue;
			}
			if (WIFEXITED(st)) {
				res.exit_code = WEXITSTATUS(st);
				goto done;
			}
			if (WIFSIGNALED(st)) {
				res.term_signal = WTERMSIG(st);
				res.exit_code = 128 + res.term_signal;
				goto done;
			}
		}
		if (p < 0 && errno == ECHILD) {
			r = -ECHILD;
			break;
		}
	}
done:
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	if (__atomic_load_n(&rep->magic, __ATOMIC_ACQUIRE) == REPORT_MAGIC) {
		res.launcher_failed = true;
		res.failed_step = rep->step;
		res.error = rep->error;
		res.term_signal = 0;
		res.exit_code = launcher_exit_code(plan, rep->step, rep->error);
	}
	if (r == 0)
		*ret = res;
out:
	(void)sigaction(SIGCHLD, &ca.chld, NULL);
out_close:
	if (gate[0] >= 0)
		(void)close(gate[0]);
	if (gate[1] >= 0)
		(void)close(gate[1]);
out_unmap:
	(void)munmap(rep, sizeof(*rep));
	return r;
}

int cf_run_exec(const struct cf_plan *plan, struct cf_run_result *ret)
{
	return run_exec(plan, NULL, NULL, NULL, ret);
}

/* --explain (explain team): the same, with a passive observer (src/observe/), whose parent
 * side adds the calls of its drain and summary to the self-confinement list. */
int cf_run_exec_observed(const struct cf_plan *plan, const struct cf_run_observer *obs,
			 struct cf_run_result *ret)
{
	size_t n;
	const struct cf_self_allow *extra = cf_self_observer_allow(&n);
	/* process_vm_readv of a command under another uid needs CAP_SYS_PTRACE
	 * (cap_ptrace_access_check); a command that could attach us holds it already */
	const struct cf_exec_opts o = { .extra = extra,
					.n_extra = n,
					.keep_caps = 1ull << CAP_SYS_PTRACE };

	return run_exec(plan, NULL, obs, &o, ret);
}

int cf_run_exec_observed_with(const struct cf_plan *plan, const struct cf_run_observer *obs,
			      const struct cf_exec_opts *opts, struct cf_run_result *ret)
{
	return run_exec(plan, NULL, obs, opts, ret);
}

int cf_run_exec_with(const struct cf_plan *plan, const struct cf_exec_opts *opts,
		     struct cf_run_result *ret)
{
	return run_exec(plan, NULL, NULL, opts, ret);
}

/* --explain/--complain (explain team): the same, with the ptrace supervisor attached. */
int cf_run_exec_supervised(const struct cf_plan *plan, struct cf_supervisor *sup,
			   struct cf_run_result *ret)
{
	return run_exec(plan, sup, NULL, NULL, ret);
}
