/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Starting the command: fork, child runs the plan, parent supervises.
 *
 * Why a supervising parent instead of exec'ing in place:
 *  - errors: the parent is not under the filter, so it can print a clear message after a failed
 *    step or execve. The child only stores {step, errno} in a shared anonymous page (no syscall:
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
 *  - when the command stops, the parent stops itself (so the shell sees the job stopped) and
 *    forwards the SIGCONT that resumes it;
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

#include <sys/mman.h>
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

static _Noreturn void child_main(const struct cf_plan *plan, const sigset_t *mask,
				 const struct sigaction *chld, struct child_report *rep,
				 struct cf_supervisor *sup, const struct cf_run_observer *obs)
{
	size_t step = 0;
	int r;

	/* --explain/--complain (explain team): wait until the supervisor has attached */
	if (sup)
		cf_supervisor_child_wait(sup);
	if (obs)
		obs->child_wait(obs->data);
	(void)sigaction(SIGCHLD, chld, NULL);
	(void)sigprocmask(SIG_SETMASK, mask, NULL);
	mark_fds_cloexec();

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

static int run_exec(const struct cf_plan *plan, struct cf_supervisor *sup,
		    const struct cf_run_observer *obs, struct cf_run_result *ret)
{
	struct cf_run_result res = { 0 };
	struct sigaction chld_dfl = { .sa_handler = SIG_DFL }, chld_old;
	struct child_report *rep;
	sigset_t fwd, waitset, old;
	pid_t pid;
	int r = 0;

	/* The supervisor's ptrace stops would need the parent while it waits for the listener
	 * fd; the CLI refuses the combination with a message, this is the library's guard. */
	if ((sup || obs) && plan->listener_path)
		return -EOPNOTSUPP;
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rep == MAP_FAILED)
		return -errno;

	/* A caller that ignores SIGCHLD would make the child auto-reaped and the signal never
	 * arrive: take the default for the wait, give the caller's back to the command. */
	sigemptyset(&chld_dfl.sa_mask);
	if (sigaction(SIGCHLD, &chld_dfl, &chld_old) < 0) {
		r = -errno;
		goto out_unmap;
	}
	forward_set(&fwd);
	waitset = fwd;
	sigaddset(&waitset, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &waitset, &old) < 0) {
		r = -errno;
		goto out;
	}

	pid = fork();
	if (pid < 0) {
		r = -errno;
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	if (pid == 0)
		child_main(plan, &old, &chld_old, rep, sup, obs);
	/* --explain/--complain (explain team): trace the child before it installs the filter */
	if (sup || obs) {
		r = sup ? cf_supervisor_attach(sup, pid) : obs->attach(obs->data, pid);
		if (r < 0) {
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, NULL, 0);
			(void)sigprocmask(SIG_SETMASK, &old, NULL);
			goto out;
		}
	}
	if (plan->listener_path) {
		struct cf_listener_conn conn = CF_LISTENER_CONN_INIT;
		const char *stage = NULL;
		int child_fd = -1, q;

		/* Connect while the child works towards the seccomp step, so that it spins only
		 * for pidfd_getfd + sendmsg (it competes for a CPU with us meanwhile). */
		q = cf_listener_prepare(plan, pid, &conn, &stage);
		if (q == 0) {
			if (wait_listener(rep, pid, &child_fd) == 0)
				q = cf_listener_send(&conn, child_fd, &stage);
			else
				child_fd = -1; /* stopped before the filter: the loop reports it */
		}
		cf_listener_conn_clear(&conn);
		if (q < 0) {
			/* Never run the command without its agent holding the fd. */
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, NULL, 0);
			res.listener_failed = true;
			res.listener_stage = stage;
			res.error = -q;
			res.exit_code = 125;
			goto done;
		}
		if (child_fd >= 0)
			__atomic_store_n(&rep->handoff.state, CF_HANDOFF_GO, __ATOMIC_RELEASE);
	}

	for (;;) {
		/* --explain (explain team): an observer is drained between waits; after the
		 * child starts it adds rt_sigtimedwait and whatever drain() calls (see
		 * src/observe/observe.c) to the parent's syscalls */
		static const struct timespec drain_ts = { .tv_nsec = CF_RUN_OBSERVER_DRAIN_MS *
								     1000000L };
		siginfo_t si;
		int sig = obs ? sigtimedwait(&waitset, &si, &drain_ts) : sigwaitinfo(&waitset, &si),
		    st;
		pid_t p;

		if (obs)
			obs->drain(obs->data);
		if (sig < 0)
			continue; /* EINTR: a stop/continue of callfence itself */
		if (sig != SIGCHLD) {
			/* From the terminal (SI_KERNEL) the child got it already: same group. */
			if (si.si_code != SI_KERNEL && si.si_pid != pid)
				(void)kill(pid, sig);
			continue;
		}
		if (sup) {
			/* --explain/--complain (explain team): every ptrace stop goes to the
			 * supervisor; it returns the command's status once nothing is left */
			int q = cf_supervisor_reap(sup, &st);

			if (q < 0) {
				r = q;
				break;
			}
			if (q == 2)
				(void)kill(getpid(), SIGSTOP);
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
		while ((p = waitpid(pid, &st, WNOHANG | WUNTRACED)) > 0) {
			if (WIFSTOPPED(st)) {
				/* Stop with it so the shell sees the job stop; the SIGCONT that
				 * resumes us is then forwarded like any other signal. */
				(void)kill(getpid(), SIGSTOP);
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
	(void)sigaction(SIGCHLD, &chld_old, NULL);
out_unmap:
	(void)munmap(rep, sizeof(*rep));
	return r;
}

int cf_run_exec(const struct cf_plan *plan, struct cf_run_result *ret)
{
	return run_exec(plan, NULL, NULL, ret);
}

/* --explain (explain team): the same, with a passive observer (src/observe/). */
int cf_run_exec_observed(const struct cf_plan *plan, const struct cf_run_observer *obs,
			 struct cf_run_result *ret)
{
	return run_exec(plan, NULL, obs, ret);
}

/* --explain/--complain (explain team): the same, with the ptrace supervisor attached. */
int cf_run_exec_supervised(const struct cf_plan *plan, struct cf_supervisor *sup,
			   struct cf_run_result *ret)
{
	return run_exec(plan, sup, NULL, ret);
}
