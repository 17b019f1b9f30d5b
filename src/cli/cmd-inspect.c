/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * callfence inspect [--format text|json] PID: the seccomp filters a running process is under
 * (src/inspect/), as the verdict each syscall gets, and which programs callfence recognizes.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "inspect/inspect.h"

static void inspect_usage(FILE *f)
{
	fprintf(f,
		"Usage: callfence inspect [OPTIONS] PID\n\n"
		"Show the seccomp filters process PID is under (every filter, whoever installed\n"
		"it), decompiled into the verdict each syscall of each ABI gets from the whole\n"
		"stack, the strictest action winning as in the kernel. A verdict that depends on\n"
		"the arguments is marked conditional. Filters that callfence itself compiles on\n"
		"this host (the builtin profile for a capability set, the terminal guard) are\n"
		"named. Needs CAP_SYS_ADMIN; the process is stopped for the read and continues\n"
		"as before (a stopped process stays stopped). Nothing of it is changed.\n\n"
		"  -f, --format FORMAT    text (default): the filters, then the verdicts as a\n"
		"                         Docker-format profile for the native ABI and the\n"
		"                         differences of the other ABIs\n"
		"                         json: {\"pid\", \"filters\": [...], \"syscalls\": [{\"arch\",\n"
		"                         \"syscall\", \"action\", \"errno\", \"conditional\"}]}\n"
		"  -h, --help             this help\n\n"
		"Exit status: 0, or 125 when the filters cannot be read (no such process,\n"
		"already traced, no CAP_SYS_ADMIN, callfence itself under seccomp).\n");
}

static json_t *verdict_json(uint32_t ret)
{
	uint32_t e;
	const char *a = cf_inspect_action_name(ret, &e);

	return json_pack("{s:s, s:i}", "action", a, "errno", (json_int_t)e);
}

static json_t *filters_json(const struct cf_inspect_filters *fs)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < fs->n; i++) {
		json_t *o = json_pack("{s:i, s:i}", "index", (json_int_t)i, "instructions",
				      (json_int_t)fs->f[i].len);

		if (fs->f[i].origin[0])
			json_object_set_new(o, "origin", json_string(fs->f[i].origin));
		json_array_append_new(arr, o);
	}
	return arr;
}

static int print_json(pid_t pid, const struct cf_inspect_filters *fs,
		      const struct cf_inspect_report *rep)
{
	json_t *root = json_pack("{s:i, s:i, s:o, s:[]}", "pid", (json_int_t)pid, "seccomp_mode",
				 (json_int_t)fs->mode, "filters", filters_json(fs), "syscalls");
	json_t *sys = json_object_get(root, "syscalls");
	cleanup_free char *text = NULL;

	for (size_t i = 0; i < rep->n; i++) {
		const struct cf_inspect_verdict *v = &rep->v[i];
		json_t *o = verdict_json(v->ret);

		json_object_set_new(o, "arch", json_string(arch_info(v->arch)->scmp_name));
		json_object_set_new(o, "syscall", json_string(v->name));
		json_object_set_new(o, "nr", json_integer(v->nr));
		json_object_set_new(o, "conditional", json_boolean(v->conditional));
		if (v->conditional) {
			json_t *oth = json_array();

			for (unsigned k = 0; k < v->n_other; k++)
				json_array_append_new(oth, verdict_json(v->other[k]));
			json_object_set_new(o, "other", oth);
		}
		json_array_append_new(sys, o);
	}
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	printf("%s\n", text);
	return 0;
}

static void ret_words(uint32_t ret, char *buf, size_t size)
{
	uint32_t e;
	const char *a = cf_inspect_action_name(ret, &e);

	if (strcmp(a, "SCMP_ACT_ERRNO") == 0 || strcmp(a, "SCMP_ACT_TRACE") == 0)
		snprintf(buf, size, "%s(%u)", a, e);
	else
		snprintf(buf, size, "%s", a);
}

/* the native ABI's verdicts as a Docker-format profile: the commonest verdict is the default */
static json_t *docker_profile(const struct cf_inspect_report *rep, size_t from, size_t to)
{
	uint32_t vals[64];
	size_t counts[64] = { 0 }, nv = 0, best = 0;
	json_t *prof, *rules = json_array(), *arches = json_array();
	uint32_t e;

	for (size_t i = from; i < to; i++) {
		size_t k;

		for (k = 0; k < nv && vals[k] != rep->v[i].ret; k++)
			;
		if (k == nv && nv < ARRAY_SIZE(vals))
			vals[nv++] = rep->v[i].ret;
		if (k < nv && !rep->v[i].conditional)
			counts[k]++;
	}
	for (size_t k = 1; k < nv; k++)
		if (counts[k] > counts[best])
			best = k;
	prof = json_pack("{s:s}", "defaultAction", cf_inspect_action_name(vals[best], &e));
	if (e && (vals[best] & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
		json_object_set_new(prof, "defaultErrnoRet", json_integer(e));
	for (size_t a = 0; a < rep->n_arches; a++)
		json_array_append_new(arches, json_string(arch_info(rep->arches[a])->scmp_name));
	json_object_set_new(prof, "architectures", arches);
	/* one rule per verdict, unconditional names first; conditional names one rule each */
	for (size_t k = 0; k < nv; k++) {
		json_t *names = json_array();

		for (size_t i = from; i < to; i++)
			if (rep->v[i].ret == vals[k] && !rep->v[i].conditional && k != best)
				json_array_append_new(names, json_string(rep->v[i].name));
		if (!json_array_size(names)) {
			json_decref(names);
			continue;
		}
		json_t *r = json_pack("{s:o, s:s}", "names", names, "action",
				      cf_inspect_action_name(vals[k], &e));
		if (e)
			json_object_set_new(r, "errnoRet", json_integer(e));
		json_array_append_new(rules, r);
	}
	for (size_t i = from; i < to; i++) {
		const struct cf_inspect_verdict *v = &rep->v[i];
		char c[256], w[48];
		size_t n = 0;

		if (!v->conditional)
			continue;
		n += (size_t)snprintf(c + n, sizeof(c) - n,
				      "conditional: with other arguments also");
		for (unsigned k = 0; k < v->n_other && n < sizeof(c); k++) {
			ret_words(v->other[k], w, sizeof(w));
			n += (size_t)snprintf(c + n, sizeof(c) - n, " %s", w);
		}
		json_t *r = json_pack("{s:[s], s:s, s:s}", "names", v->name, "action",
				      cf_inspect_action_name(v->ret, &e), "comment", c);
		if (e)
			json_object_set_new(r, "errnoRet", json_integer(e));
		json_array_append_new(rules, r);
	}
	json_object_set_new(prof, "syscalls", rules);
	return prof;
}

static int print_text(pid_t pid, const struct cf_inspect_filters *fs,
		      const struct cf_inspect_report *rep)
{
	size_t native_end = 0;
	cleanup_free char *text = NULL;
	json_t *prof;

	if (fs->mode == 0) {
		printf("process %d: no seccomp filter (unconfined)\n", (int)pid);
		return 0;
	}
	if (fs->mode == 1) {
		printf("process %d: seccomp strict mode: only read, write, _exit and sigreturn\n",
		       (int)pid);
		return 0;
	}
	printf("process %d: %zu seccomp filter%s (index 0 installed first; all run, the "
	       "strictest verdict wins)\n",
	       (int)pid, fs->n, fs->n == 1 ? "" : "s");
	for (size_t i = 0; i < fs->n; i++)
		printf("  filter %zu: %zu instructions%s%s\n", i, fs->f[i].len,
		       fs->f[i].origin[0] ? ": " : "", fs->f[i].origin);
	while (native_end < rep->n && rep->v[native_end].arch == rep->arches[0])
		native_end++;
	prof = docker_profile(rep, 0, native_end);
	text = json_dumps(prof, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(prof);
	if (!text)
		return -ENOMEM;
	printf("\nverdicts for %s, as a Docker-format profile:\n%s\n",
	       arch_info(rep->arches[0])->scmp_name, text);
	/* the other ABIs: what differs from the native verdict of the same name */
	for (size_t a = 1; a < rep->n_arches; a++) {
		size_t same = 0, total = 0, own = 0, diff = 0;

		for (size_t i = native_end; i < rep->n; i++) {
			const struct cf_inspect_verdict *v = &rep->v[i];
			const struct cf_inspect_verdict *nat = NULL;
			char w1[48], w2[48];

			if (v->arch != rep->arches[a])
				continue;
			total++;
			for (size_t j = 0; j < native_end && !nat; j++)
				if (strcmp(rep->v[j].name, v->name) == 0)
					nat = &rep->v[j];
			if (!nat) {
				own++; /* a call the native ABI does not have */
				continue;
			}
			if (nat->ret == v->ret && nat->conditional == v->conditional) {
				same++;
				continue;
			}
			if (diff++ < 12) {
				ret_words(v->ret, w1, sizeof(w1));
				ret_words(nat->ret, w2, sizeof(w2));
				printf("%s %s: %s%s (%s: %s)\n", arch_info(v->arch)->scmp_name,
				       v->name, w1, v->conditional ? ", conditional" : "",
				       arch_info(rep->arches[0])->scmp_name, w2);
			}
		}
		printf("%s: %zu of %zu calls get the %s verdict of the same name, %zu differ%s, "
		       "%zu are its own\n",
		       arch_info(rep->arches[a])->scmp_name, same, total,
		       arch_info(rep->arches[0])->scmp_name, diff,
		       diff > 12 ? " (first 12 shown)" : "", own);
	}
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup(cf_inspect_filters_clear) struct cf_inspect_filters fs = { 0 };
	cleanup(cf_inspect_report_clear) struct cf_inspect_report rep = { 0 };
	bool json = false;
	struct cf_diag d;
	char *end;
	long pid;
	int opt, r;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			inspect_usage(stdout);
			return 0;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "text") == 0)
				json = false;
			else {
				fprintf(stderr,
					"callfence: --format: unknown format \"%s\"; valid: text, json\n",
					optarg);
				return CF_EXIT_ERROR;
			}
			break;
		default:
			inspect_usage(stderr);
			return CF_EXIT_ERROR;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "callfence: inspect takes one PID\n");
		inspect_usage(stderr);
		return CF_EXIT_ERROR;
	}
	errno = 0;
	pid = strtol(argv[optind], &end, 10);
	if (errno || *end || end == argv[optind] || pid <= 0 || pid > INT32_MAX) {
		fprintf(stderr, "callfence: inspect: \"%s\" is not a process id (a number > 0)\n",
			argv[optind]);
		return CF_EXIT_ERROR;
	}
	memset(&d, 0, sizeof(d));
	r = cf_inspect_fetch((pid_t)pid, &fs, &d);
	if (r == 0)
		r = cf_inspect_analyze(&fs, &rep, &d);
	for (size_t i = 0; r == 0 && i < fs.n; i++)
		r = cf_inspect_recognize(fs.f[i].insns, fs.f[i].len, fs.f[i].origin,
					 sizeof(fs.f[i].origin));
	if (r < 0) {
		if (d.message[0])
			output_diag(&d, "error");
		else
			fprintf(stderr, "callfence: inspect: %s\n", strerror(-r));
		return CF_EXIT_ERROR;
	}
	r = json ? print_json((pid_t)pid, &fs, &rep) : print_text((pid_t)pid, &fs, &rep);
	if (r < 0) {
		fprintf(stderr, "callfence: inspect: %s\n", strerror(-r));
		return CF_EXIT_ERROR;
	}
	return 0;
}
