/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/seccomp.h>

#include "analyze/diff.h"
#include "analyze/lint.h"
#include "base/strbuf.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "explain/explain.h"

/* Text output names this many calls of a group, then counts the rest. */
#define TEXT_NAMES_MAX 12

static void diff_usage(FILE *f)
{
	fprintf(f,
		"Usage: callfence diff [OPTIONS] A B\n\n"
		"Compare two profiles by what they decide: both are resolved with the same\n"
		"options (default: Docker's 14 capabilities, this kernel, the native arch with\n"
		"archMap) and asked for every syscall number of every ABI either accepts, with\n"
		"the argument values around every condition of both. A and B are files, '-'\n"
		"(stdin, once) or 'builtin'.\n\n"
		"  -f, --format FORMAT    text (default) or json\n"
		"                         ({\"changes\": [...], \"subset\": true|false})\n"
		"  -h, --help             this help\n\n"
		"subset: B allows nothing that A denies (KEP-6061's question of a profile against\n"
		"a node baseline A).\n"
		"Exit status: 0 same verdicts, 1 they differ, 125 a profile cannot be read.\n\n%s",
		opts_security_help);
}

static int load(const char *path, const struct cf_resolve_opts *ro, struct cf_profile **p,
		struct cf_resolved **r, struct cf_diag *d)
{
	int q;

	q = cf_profile_builtin_named(path, p);
	if (q < 0 && q != -ENOENT)
		return diag_set(d, -q, path, 0, 0, "", "cannot build the %s profile", path);
	if (q == -ENOENT) {
		q = cf_profile_parse_file(path, p, d);
		if (q < 0)
			return q;
	}
	return cf_profile_resolve(*p, ro, r, d);
}

static bool allows(uint32_t ret)
{
	uint32_t a = ret & SECCOMP_RET_ACTION_FULL;

	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG;
}

static void args_text(const struct cf_diff_change *c, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 6; i++) {
		if (!(c->args_used & (1u << i)))
			continue;
		int w = snprintf(buf + n, size - n, "%sarg%u=0x%" PRIx64, n ? " " : "", i,
				 c->args[i]);
		if (w < 0 || (size_t)w >= size - n)
			return;
		n += (size_t)w;
	}
}

/* "B newly allows X", "B denies X that A allowed", "E1 became E2 for X" */
static void print_change_head(uint32_t a, uint32_t b, const char *what, FILE *f)
{
	char ta[64], tb[64];

	cf_explain_ret_name(a, ta, sizeof(ta));
	cf_explain_ret_name(b, tb, sizeof(tb));
	if (allows(b) && !allows(a))
		fprintf(f, "  B newly allows %s (A: %s)", what, ta);
	else if (allows(a) && !allows(b))
		fprintf(f, "  B denies %s that A allowed (B: %s)", what, tb);
	else
		fprintf(f, "  %s became %s for %s", ta, tb, what);
}

static void print_text(FILE *f, const struct cf_diff_result *res)
{
	bool *done = calloc(res->n ? res->n : 1, sizeof(bool));
	enum cf_arch arch = CF_ARCH_INVALID;

	if (!done)
		return;
	for (size_t i = 0; i < res->n; i++) {
		const struct cf_diff_change *c = &res->items[i];

		if (c->arch != arch) {
			arch = c->arch;
			fprintf(f, "%s:\n", arch_info(arch)->scmp_name);
		}
		if (done[i])
			continue;
		if (c->conditional) {
			char args[256];

			args_text(c, args, sizeof(args));
			print_change_head(c->a, c->b, c->syscall ? c->syscall : "?", f);
			fprintf(f, " when %s (%zu of %zu argument vectors tried)\n", args,
				c->n_differ, c->n_points);
			done[i] = true;
			continue;
		}
		/* group the unconditional changes of this arch with the same verdicts */
		struct strbuf names = { 0 };
		size_t n_named = 0, n_unnamed = 0;
		int lo = -1, hi = -1;

		for (size_t j = i; j < res->n && res->items[j].arch == arch; j++) {
			const struct cf_diff_change *o = &res->items[j];

			if (done[j] || o->conditional || o->a != c->a || o->b != c->b)
				continue;
			done[j] = true;
			if (o->syscall) {
				/* the JSON form lists every call; text names the first ones */
				if (n_named < TEXT_NAMES_MAX)
					strbuf_appendf(&names, "%s%s", n_named ? ", " : "",
						       o->syscall);
				n_named++;
			} else {
				n_unnamed += (size_t)(o->nr_last - o->nr + 1);
				if (lo < 0)
					lo = o->nr;
				hi = o->nr_last;
			}
		}
		if (n_named > TEXT_NAMES_MAX)
			strbuf_appendf(&names, " and %zu more", n_named - TEXT_NAMES_MAX);
		if (n_named) {
			struct strbuf what = { 0 };

			if (n_named > 1)
				strbuf_appendf(&what, "%zu calls: ", n_named);
			strbuf_append(&what, names.buf ? names.buf : "");
			print_change_head(c->a, c->b, what.buf ? what.buf : "", f);
			fprintf(f, "\n");
			strbuf_clear(&what);
		}
		if (n_unnamed) {
			char what[160];
			uint32_t base = arch_info(arch)->nr_base;
			bool tail = (uint32_t)hi - base == CF_DIFF_NR_SPAN - 1;

			snprintf(what, sizeof(what), "%zu unnamed number%s (%u..%u%s)", n_unnamed,
				 n_unnamed == 1 ? "" : "s", (uint32_t)lo - base,
				 (uint32_t)hi - base, tail ? " and every number above" : "");
			print_change_head(c->a, c->b, what, f);
			fprintf(f, "\n");
		}
		strbuf_clear(&names);
	}
	free(done);
}

static json_t *verdict_json(uint32_t ret)
{
	uint32_t act = ret & SECCOMP_RET_ACTION_FULL;
	char text[64];
	json_t *o;

	cf_explain_ret_name(ret, text, sizeof(text));
	/* "SCMP_ACT_ERRNO(EPERM)" -> action "SCMP_ACT_ERRNO", errno 1 */
	char *paren = strchr(text, '(');
	if (paren)
		*paren = '\0';
	o = json_pack("{s:s}", "action", text);
	if (o && (act == SECCOMP_RET_ERRNO || act == SECCOMP_RET_TRACE))
		json_object_set_new(o, "errno", json_integer(ret & SECCOMP_RET_DATA));
	return o;
}

static int print_json(FILE *f, const struct cf_diff_result *res)
{
	json_t *doc = json_object(), *arr = json_array();
	char *text;

	if (!doc || !arr || json_object_set_new(doc, "changes", arr) < 0) {
		json_decref(doc);
		json_decref(arr);
		return -ENOMEM;
	}
	for (size_t i = 0; i < res->n; i++) {
		const struct cf_diff_change *c = &res->items[i];
		uint32_t base = arch_info(c->arch)->nr_base;
		json_t *o = json_pack("{s:s, s:o, s:I, s:o, s:o, s:b}", "arch",
				      arch_info(c->arch)->scmp_name, "syscall",
				      c->syscall ? json_string(c->syscall) : json_null(), "nr",
				      (json_int_t)((uint32_t)c->nr - base), "a", verdict_json(c->a),
				      "b", verdict_json(c->b), "conditional", c->conditional);

		if (!o || json_array_append_new(arr, o) < 0)
			goto oom;
		if (c->nr_last != c->nr)
			json_object_set_new(
				o, "nr_last",
				json_integer((json_int_t)((uint32_t)c->nr_last - base)));
		if (c->conditional) {
			json_t *when = json_object();

			for (unsigned k = 0; when && k < 6; k++) {
				char key[8], val[32];

				if (!(c->args_used & (1u << k)))
					continue;
				snprintf(key, sizeof(key), "arg%u", k);
				snprintf(val, sizeof(val), "0x%" PRIx64, c->args[k]);
				json_object_set_new(when, key, json_string(val));
			}
			json_object_set_new(o, "when", when);
			json_object_set_new(o, "differ", json_integer((json_int_t)c->n_differ));
			json_object_set_new(o, "tried", json_integer((json_int_t)c->n_points));
		}
	}
	json_object_set_new(doc, "subset", json_boolean(res->subset));
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!text)
		return -ENOMEM;
	fprintf(f, "%s\n", text);
	free(text);
	return 0;
oom:
	json_decref(doc);
	return -ENOMEM;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		CF_SECURITY_LONG_OPTIONS,
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cf_cli_security sec = { 0 };
	struct cf_resolve_opts ro;
	cleanup(cf_profile_freep) struct cf_profile *pa = NULL;
	cleanup(cf_profile_freep) struct cf_profile *pb = NULL;
	cleanup(cf_resolved_freep) struct cf_resolved *ra = NULL;
	cleanup(cf_resolved_freep) struct cf_resolved *rb = NULL;
	struct cf_diff_result res = { 0 };
	bool json = false;
	struct cf_diag d = { 0 };
	int opt, r;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			diff_usage(stdout);
			return 0;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				json = false;
			else if (strcmp(optarg, "json") == 0)
				json = true;
			else {
				fprintf(stderr,
					"callfence: --format: unknown format \"%s\"; valid: text, json\n",
					optarg);
				return CF_EXIT_ERROR;
			}
			break;
		case '?':
			diff_usage(stderr);
			return CF_EXIT_ERROR;
		default:
			r = opts_handle_security(opt, optarg, &sec, &d);
			if (r < 0) {
				output_diag(&d, "error");
				return CF_EXIT_ERROR;
			}
			if (r == 0) {
				diff_usage(stderr);
				return CF_EXIT_ERROR;
			}
		}
	}
	if (sec.seccomp) {
		fprintf(stderr, "callfence: diff: give the profiles as arguments A B, not with "
				"--security-opt seccomp=\n");
		return CF_EXIT_ERROR;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "callfence: diff: expected two profiles A B, got %d\n",
			argc - optind);
		return CF_EXIT_ERROR;
	}
	if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0) {
		fprintf(stderr, "callfence: diff: stdin can be only one of A and B\n");
		return CF_EXIT_ERROR;
	}
	r = opts_resolve_options(&sec, &ro, &d);
	if (r >= 0)
		r = load(argv[optind], &ro, &pa, &ra, &d);
	if (r >= 0)
		r = load(argv[optind + 1], &ro, &pb, &rb, &d);
	if (r >= 0)
		r = cf_diff(ra, rb, &res, &d);
	if (r < 0) {
		if (d.message[0])
			output_diag(&d, "error");
		else
			fprintf(stderr, "callfence: diff: %s\n", strerror(-r));
		cf_diff_result_clear(&res);
		return CF_EXIT_ERROR;
	}
	if (json)
		r = print_json(stdout, &res);
	else {
		print_text(stdout, &res);
		if (res.n == 0)
			printf("no differences\n");
		printf("subset: %s\n", res.subset ? "yes (B allows nothing that A denies)" :
						    "no (B allows calls that A denies)");
		if (res.sampled)
			printf("note: some calls had too many argument combinations; each argument "
			       "was varied alone\n");
	}
	size_t n = res.n;

	cf_diff_result_clear(&res);
	if (r < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "callfence: diff: cannot write the result\n");
		return CF_EXIT_ERROR;
	}
	return n ? 1 : 0;
}
