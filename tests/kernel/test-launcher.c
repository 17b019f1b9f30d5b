/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The launcher with hand-written BPF (independent of the compiler): plan order in both modes,
 * preflight verdicts, and real runs (cf_run_exec forks and then confines the calling process, so
 * each run happens in a forked child of the test).
 */
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lib/cf-test.h"
#include "run/run.h"

extern char **environ;

/* "ERRNO(EPERM) for syscall nr, everything else ALLOW" for x86_64. */
#define DENY_ONE(sysnr)                                                                        \
	{                                                                                      \
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),       \
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),          \
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),                   \
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)), \
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (sysnr), 0, 1),                    \
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),                  \
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                          \
	}

static struct sock_filter deny_capset[] = DENY_ONE(SYS_capset);
static struct sock_filter deny_execve[] = DENY_ONE(SYS_execve);
static struct sock_filter deny_mkdir[] = DENY_ONE(SYS_mkdir);

/* "ERRNO(EPERM) for prctl and capset, everything else ALLOW" (x86_64) */
static struct sock_filter deny_prctl_capset[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_capset, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* "USER_NOTIF for mkdir, everything else ALLOW" (x86_64) */
static struct sock_filter notify_mkdir[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mkdir, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static struct cf_bpf_prog prog_of(struct sock_filter *f, size_t n)
{
	struct cf_bpf_prog p = { .insns = f, .len = n, .origin = NULL, .seccomp_flags = 0 };

	return p;
}

static int need_root(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		/* the default plan drops bounding caps and installs without NNP: root only */
		return -1;
	}
	return 0;
}

static struct cf_plan *build(const struct cf_bpf_prog *prog, bool nnp, const char *path,
			     char **argv)
{
	struct cf_run_spec spec = {
		.prog = prog,
		.caps = caps_docker_default(),
		.no_new_privileges = nnp,
		.path = path,
		.argv = argv,
		.envp = environ,
	};
	struct cf_plan *plan = NULL;
	struct cf_diag d;

	assert_int_equal(cf_plan_build(&spec, &plan, &d), 0);
	return plan;
}

static void test_plan_order(void **state)
{
	struct cf_bpf_prog p = prog_of(deny_mkdir, ARRAY_SIZE(deny_mkdir));
	char *argv[] = { "true", NULL };
	struct cf_plan *plan;

	(void)state;
	/* Docker's default: callfence's terminal guard, then the filter, both while
	 * CAP_SYS_ADMIN is held, then caps, execve */
	plan = build(&p, false, "/bin/true", argv);
	assert_int_equal(plan->steps[0].kind, CF_STEP_SECCOMP);
	assert_ptr_equal((void *)(uintptr_t)plan->steps[0].args[2], &plan->guard_fprog);
	assert_int_equal(plan->seccomp_step, 1);
	assert_int_equal(plan->steps[1].kind, CF_STEP_SECCOMP);
	assert_ptr_equal((void *)(uintptr_t)plan->steps[1].args[2], &plan->fprog);
	assert_int_equal(plan->steps[plan->n_steps - 2].kind, CF_STEP_CAPSET);
	assert_int_equal(plan->steps[plan->n_steps - 1].kind, CF_STEP_EXECVE);
	for (size_t i = 2; i < plan->n_steps - 2; i++)
		assert_int_equal(plan->steps[i].kind, CF_STEP_BOUNDING);
	cf_plan_free(plan);

	/* no-new-privileges: NNP first, the guard and the filter last before execve */
	plan = build(&p, true, "/bin/true", argv);
	assert_int_equal(plan->steps[0].kind, CF_STEP_NO_NEW_PRIVS);
	assert_int_equal(plan->seccomp_step, plan->n_steps - 2);
	assert_int_equal(plan->steps[plan->n_steps - 3].kind, CF_STEP_SECCOMP);
	assert_ptr_equal((void *)(uintptr_t)plan->steps[plan->n_steps - 3].args[2],
			 &plan->guard_fprog);
	assert_int_equal(plan->steps[plan->n_steps - 4].kind, CF_STEP_CAPSET);
	cf_plan_free(plan);

	/* no seccomp: no seccomp step at all, not even the guard (Seccomp: 0 as in Docker) */
	plan = build(NULL, false, "/bin/true", argv);
	assert_int_equal(plan->seccomp_step, plan->n_steps);
	for (size_t i = 0; i < plan->n_steps; i++)
		assert_int_not_equal(plan->steps[i].kind, CF_STEP_SECCOMP);
	cf_plan_free(plan);
}

/* A made-up caller: the plan's decisions for each missing capability (src/run/caller.c). */
static struct cf_caller fake_caller(uid_t uid, cf_capset eff)
{
	static gid_t groups[] = { 100 };
	struct cf_caller c = { .ruid = uid,
			       .euid = uid,
			       .suid = uid,
			       .rgid = 100,
			       .egid = 100,
			       .sgid = 100,
			       .groups = groups,
			       .n_groups = 1,
			       .effective = eff,
			       .permitted = eff,
			       .bounding = caps_bounding() };

	return c;
}

static int build_as(const struct cf_caller *c, const struct cf_bpf_prog *prog, cf_capset caps,
		    bool refused, struct cf_plan **plan, struct cf_diag *d)
{
	char *argv[] = { "true", NULL };
	struct cf_run_spec spec = {
		.prog = prog,
		.caps = caps,
		.no_new_privileges_refused = refused,
		.caller = c,
		.path = "/bin/true",
		.argv = argv,
		.envp = environ,
	};

	*plan = NULL;
	return cf_plan_build(&spec, plan, d);
}

static void test_plan_unprivileged(void **state)
{
	struct cf_bpf_prog p = prog_of(deny_mkdir, ARRAY_SIZE(deny_mkdir));
	cf_capset all = caps_bounding(), nbs = CF_CAP_BIT(CAP_NET_BIND_SERVICE);
	struct cf_caller nobody = fake_caller(65534, 0), holder = fake_caller(1000, nbs);
	struct cf_caller noadmin = fake_caller(0, all & ~CF_CAP_BIT(CAP_SYS_ADMIN));
	struct cf_caller nopcap = fake_caller(0, all & ~CF_CAP_BIT(CAP_SETPCAP));
	struct cf_plan *plan;
	struct cf_diag d;
	bool sw;

	(void)state;
	/* no CAP_SYS_ADMIN: NNP first, the filter last, no bounding drop (no CAP_SETPCAP) */
	assert_int_equal(build_as(&nobody, &p, 0, false, &plan, &d), 0);
	assert_true(plan->no_new_privileges);
	assert_int_equal(plan->steps[0].kind, CF_STEP_NO_NEW_PRIVS);
	assert_int_equal(plan->seccomp_step, plan->n_steps - 2);
	for (size_t i = 0; i < plan->n_steps; i++)
		assert_int_not_equal(plan->steps[i].kind, CF_STEP_BOUNDING);
	assert_non_null(strstr(plan->nnp_note, "uid 65534 without CAP_SYS_ADMIN"));
	assert_non_null(strstr(plan->nnp_note, "capabilities: none"));
	cf_plan_free(plan);
	/* ... and no-new-privileges=false cannot be honoured */
	memset(&d, 0, sizeof(d));
	assert_int_equal(build_as(&nobody, &p, 0, true, &plan, &d), -EPERM);
	assert_null(plan);
	assert_non_null(strstr(d.message, "no-new-privileges=false: you are uid 65534"));
	/* a held capability goes inheritable and ambient */
	assert_int_equal(build_as(&holder, &p, nbs, false, &plan, &d), 0);
	/* ... the last step before the filters (callfence's guard, then the profile's) */
	assert_int_equal(plan->steps[plan->n_steps - 4].kind, CF_STEP_AMBIENT);
	assert_int_equal(plan->steps[plan->n_steps - 4].args[2], CAP_NET_BIND_SERVICE);
	assert_int_equal(plan->steps[plan->n_steps - 3].kind, CF_STEP_SECCOMP);
	assert_int_equal(plan->cap_data[0].inheritable, (uint32_t)nbs);
	assert_non_null(strstr(plan->nnp_note, "capabilities: CAP_NET_BIND_SERVICE"));
	cf_plan_free(plan);
	/* root without CAP_SYS_ADMIN: NNP, still the bounding drops (it has CAP_SETPCAP) */
	assert_int_equal(build_as(&noadmin, &p, caps_docker_default(), false, &plan, &d), 0);
	assert_int_equal(plan->steps[0].kind, CF_STEP_NO_NEW_PRIVS);
	assert_int_equal(plan->steps[1].kind, CF_STEP_BOUNDING);
	cf_plan_free(plan);
	/* root without CAP_SETPCAP, no filter at all: NNP since the bounding set stays */
	assert_int_equal(build_as(&nopcap, NULL, caps_docker_default(), false, &plan, &d), 0);
	assert_true(plan->no_new_privileges);
	assert_non_null(strstr(plan->nnp_note, "uid 0 without CAP_SETPCAP"));
	cf_plan_free(plan);
	/* twin: a full root caller is planned as Docker's runtime does, no note */
	assert_int_equal(build_as(&noadmin, NULL, all, false, &plan, &d), 0);
	assert_false(plan->no_new_privileges);
	assert_string_equal(plan->nnp_note, "");
	cf_plan_free(plan);

	/* --user: yourself needs nothing, another uid CAP_SETUID, another gid CAP_SETGID */
	{
		gid_t g100[] = { 100 }, g0[] = { 0 };
		struct cf_creds self = { .uid = 65534, .gid = 100, .groups = g100, .n_groups = 1 };
		struct cf_creds root = { .uid = 0, .gid = 0, .groups = g0, .n_groups = 1 };
		struct cf_creds other_gid = { .uid = 65534, .gid = 0, .groups = g0, .n_groups = 1 };
		struct cf_caller ids =
			fake_caller(65534, CF_CAP_BIT(CAP_SETUID) | CF_CAP_BIT(CAP_SETGID));

		assert_int_equal(cf_caller_check_user(&nobody, &self, "nobody", &sw, &d), 0);
		assert_false(sw);
		assert_int_equal(cf_caller_check_user(&nobody, &root, "0", &sw, &d), -EPERM);
		assert_non_null(strstr(d.message, "you are uid 65534 without CAP_SETUID"));
		assert_int_equal(cf_caller_check_user(&nobody, &other_gid, "x", &sw, &d), -EPERM);
		assert_non_null(strstr(d.message, "without CAP_SETGID: cannot switch to gid 0"));
		assert_int_equal(cf_caller_check_user(&ids, &root, "0", &sw, &d), 0);
		assert_true(sw);
	}
}

static void test_preflight(void **state)
{
	struct cf_bpf_prog capset = prog_of(deny_capset, ARRAY_SIZE(deny_capset));
	struct cf_bpf_prog execve = prog_of(deny_execve, ARRAY_SIZE(deny_execve));
	struct cf_bpf_prog mkdir_ = prog_of(deny_mkdir, ARRAY_SIZE(deny_mkdir));
	char *argv[] = { "true", NULL };
	struct cf_plan *plan;
	struct cf_diag d;

	(void)state;
	plan = build(&capset, false, "/bin/true", argv);
	memset(&d, 0, sizeof(d));
	assert_int_equal(cf_preflight(plan, &capset, "t.json", &d), -EPERM);
	assert_non_null(strstr(d.message, "denies 1 system call callfence needs"));
	assert_non_null(strstr(d.message, "capset (SCMP_ACT_ERRNO: EPERM) to"));
	assert_non_null(strstr(d.hint, "no-new-privileges"));
	cf_plan_free(plan);

	/* two denied calls, many steps: both named at once, each once, and one rule for both */
	struct cf_bpf_prog two = prog_of(deny_prctl_capset, ARRAY_SIZE(deny_prctl_capset));
	plan = build(&two, false, "/bin/true", argv);
	assert_int_equal(cf_preflight(plan, &two, "t.json", &d), -EPERM);
	assert_non_null(strstr(d.message, "denies 2 system calls callfence needs"));
	assert_non_null(strstr(d.message, "prctl (SCMP_ACT_ERRNO: EPERM) to drop "));
	assert_non_null(strstr(d.message, "more steps; capset (SCMP_ACT_ERRNO: EPERM) to"));
	assert_null(strstr(strstr(d.message, "prctl") + 1, "prctl"));
	assert_non_null(strstr(
		d.hint, "{\"names\": [\"prctl\", \"capset\"], \"action\": \"SCMP_ACT_ALLOW\"}"));
	cf_plan_free(plan);

	/* twin: with NNP capset runs before the filter */
	plan = build(&capset, true, "/bin/true", argv);
	assert_int_equal(cf_preflight(plan, &capset, "t.json", &d), 0);
	cf_plan_free(plan);

	/* execve is checked in both modes */
	plan = build(&execve, true, "/bin/true", argv);
	assert_int_equal(cf_preflight(plan, &execve, "t.json", &d), -EPERM);
	assert_non_null(strstr(d.message, "denies execve"));
	cf_plan_free(plan);

	/* a filter that the launcher passes */
	plan = build(&mkdir_, false, "/bin/true", argv);
	assert_int_equal(cf_preflight(plan, &mkdir_, "t.json", &d), 0);
	cf_plan_free(plan);
}

/*
 * cf_run_exec confines the calling process for good once the command may start (the parent
 * must not stay an unconfined ptrace target): run it in a child and bring the result back.
 */
static int run_isolated(const struct cf_plan *plan, struct cf_run_result *res)
{
	struct shared {
		int r;
		struct cf_run_result res;
	} *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int st, r;
	pid_t pid;

	assert_true(sh != MAP_FAILED);
	sh->r = -EIO;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sh->r = cf_run_exec(plan, &sh->res);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	r = sh->r;
	*res = sh->res; /* listener_stage/confine_stage point to literals: same in both */
	munmap(sh, sizeof(*sh));
	return r;
}

static void run_one(const struct cf_bpf_prog *p, bool nnp, const char *path, char **argv,
		    struct cf_run_result *res)
{
	struct cf_plan *plan = build(p, nnp, path, argv);

	assert_int_equal(run_isolated(plan, res), 0);
	cf_plan_free(plan);
}

static void test_exec_status(void **state)
{
	struct cf_bpf_prog p = prog_of(deny_mkdir, ARRAY_SIZE(deny_mkdir));
	char *t[] = { "true", NULL }, *f[] = { "false", NULL };
	char *sh_kill[] = { "sh", "-c", "kill -TERM $$", NULL };
	char *nope[] = { "nope", NULL };
	struct cf_run_result res;

	(void)state;
	run_one(&p, false, "/bin/true", t, &res);
	assert_int_equal(res.exit_code, 0);
	assert_false(res.launcher_failed);
	run_one(&p, true, "/bin/false", f, &res);
	assert_int_equal(res.exit_code, 1);
	assert_false(res.launcher_failed);
	run_one(&p, false, "/bin/sh", sh_kill, &res);
	assert_int_equal(res.exit_code, 128 + SIGTERM);
	assert_int_equal(res.term_signal, SIGTERM);
	run_one(&p, false, "/nonexistent/nope", nope, &res);
	assert_true(res.launcher_failed);
	assert_int_equal(res.error, ENOENT);
	assert_int_equal(res.exit_code, 127);
	run_one(&p, false, "/etc/passwd", nope, &res);
	assert_true(res.launcher_failed);
	assert_int_equal(res.error, EACCES);
	assert_int_equal(res.exit_code, 126);
}

/* NOTIFY: the plan needs listenerPath and the NEW_LISTENER flag; no agent => killed, 125. */
static void test_listener(void **state)
{
	struct cf_bpf_prog p = prog_of(notify_mkdir, ARRAY_SIZE(notify_mkdir));
	char *argv[] = { "true", NULL };
	struct cf_run_spec spec = {
		.prog = &p,
		.caps = caps_docker_default(),
		.path = "/bin/true",
		.argv = argv,
		.envp = environ,
	};
	struct cf_run_result res = { 0 };
	struct cf_plan *plan = NULL;
	struct cf_diag d;

	(void)state;
	p.needs_listener = true;
	p.seccomp_flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
	memset(&d, 0, sizeof(d));
	assert_int_equal(cf_plan_build(&spec, &plan, &d), -EOPNOTSUPP);
	assert_null(plan);
	assert_non_null(strstr(d.message, "listenerPath"));

	/* twin: with a listenerPath the plan builds and keeps it */
	spec.listener_path = "/nonexistent/callfence-agent.sock";
	spec.listener_metadata = "m";
	assert_int_equal(cf_plan_build(&spec, &plan, &d), 0);
	assert_string_equal(plan->listener_path, spec.listener_path);
	assert_string_equal(plan->listener_metadata, "m");
	/* nothing listens there: the child is killed before the command, 125 */
	assert_int_equal(run_isolated(plan, &res), 0);
	assert_true(res.listener_failed);
	assert_false(res.launcher_failed);
	assert_int_equal(res.exit_code, 125);
	assert_int_equal(res.error, ENOENT);
	assert_string_equal(res.listener_stage, "connect");
	plan = cf_plan_free(plan);

	/* a NOTIFY program without the NEW_LISTENER flag is an internal error */
	p.seccomp_flags = 0;
	assert_int_equal(cf_plan_build(&spec, &plan, &d), -EINVAL);
	assert_null(plan);
}

static void test_filter_applies(void **state)
{
	struct cf_bpf_prog p = prog_of(deny_mkdir, ARRAY_SIZE(deny_mkdir));
	char dirpath[] = "/tmp/cf-launcher-XXXXXX", target[64];
	char *argv[] = { "mkdir", target, NULL };
	struct cf_run_result res;

	(void)state;
	assert_non_null(mkdtemp(dirpath));
	snprintf(target, sizeof(target), "%s/sub", dirpath);
	/* coreutils mkdir uses mkdir(2): denied, so it fails (exit 1) and nothing is created */
	run_one(&p, false, "/bin/mkdir", argv, &res);
	assert_int_equal(res.exit_code, 1);
	assert_int_not_equal(access(target, F_OK), 0);
	/* twin: without the filter the directory appears */
	run_one(NULL, false, "/bin/mkdir", argv, &res);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(access(target, F_OK), 0);
	rmdir(target);
	rmdir(dirpath);
}

static void test_no_fd_leak(void **state)
{
	char *argv[] = { "sh", "-c", "test ! -e /proc/self/fd/$0", NULL, NULL };
	char fdstr[16];
	struct cf_run_result res;
	int fd = open("/dev/null", O_RDONLY); /* deliberately without O_CLOEXEC */

	(void)state;
	assert_true(fd >= 3);
	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	argv[3] = fdstr;
	run_one(NULL, false, "/bin/sh", argv, &res);
	assert_int_equal(res.exit_code, 0);
	/* twin: the same check sees an fd that is really open in the shell (stdin) */
	argv[3] = "0";
	argv[2] = "test -e /proc/self/fd/$0";
	run_one(NULL, false, "/bin/sh", argv, &res);
	assert_int_equal(res.exit_code, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_order),	  cmocka_unit_test(test_preflight),
		cmocka_unit_test(test_plan_unprivileged), cmocka_unit_test(test_exec_status),
		cmocka_unit_test(test_filter_applies),	  cmocka_unit_test(test_no_fd_leak),
		cmocka_unit_test(test_listener),
	};

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, need_root, NULL);
}
