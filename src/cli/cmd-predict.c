/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "cf-config.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "record/synth.h"

#if CF_HAVE_PREDICT
#include "explain/explain.h"
#include "predict/cache.h"
#include "predict/predict.h"
#endif

enum predict_format {
	PREDICT_LIST,
	PREDICT_DOCKER,
	PREDICT_OCI,
};

enum {
	OPT_MERGE = OPT_SHARED_LAST + 1,
	OPT_ASSUME,
	OPT_NO_CACHE,
	OPT_CACHE_DIR,
	OPT_LIBRARY_PATH,
	OPT_VERBOSE,
	OPT_FOR,
};

static void predict_usage(FILE *f)
{
	fprintf(f,
		"Usage: callfence predict [OPTIONS] BINARY...\n\n"
		"Predict the syscalls BINARY can make from its ELF files alone (the binary, its\n"
		"interpreter, every DT_NEEDED library, and the NSS, gconv and libgcc_s modules glibc\n"
		"loads when the program reaches them) and print a profile allowing them, each rule\n"
		"with the function path that needs it.\n\n"
		"  -f, --format FORMAT    docker (default): a Docker profile allowing what the base\n"
		"                         (--security-opt seccomp=..., default: Docker's) allows of\n"
		"                         the prediction, a comment per rule naming the function path\n"
		"                         oci: the same as an OCI runtime-spec fragment\n"
		"                         list: one line per syscall and its function path\n"
		"      --merge FILE       unite with FILE, a profile `callfence record` wrote: print\n"
		"                         the union, and report the calls predicted but never\n"
		"                         recorded (a reviewer may drop them) and the calls recorded\n"
		"                         but not predicted (an analysis bug: should be none)\n"
		"      --for docker|runc|crun|callfence|none\n"
		"                         add what that runtime calls after installing the filter,\n"
		"                         as record does (default docker, i.e. runc; callfence:\n"
		"                         callfence run's launcher; none: nothing)\n"
		"  -o, --output FILE      write FILE instead of stdout (replaced atomically)\n"
		"      --assume WHAT      accept what the analysis cannot resolve instead of refusing:\n"
		"                         no-plugins: a dlopen of a computed name loads nothing\n"
		"                         unresolved: leave out syscalls whose number is unknown\n"
		"      --library-path P   honour this LD_LIBRARY_PATH (the environment's is ignored)\n"
		"      --cache-dir DIR    per-build-id analysis cache (default:\n"
		"                         $XDG_CACHE_HOME/callfence/predict or ~/.cache/...)\n"
		"      --no-cache         analyse every file again, store nothing\n"
		"  -v, --verbose          print the objects analysed and what was loaded and why\n"
		"  -h, --help             this help\n\n"
		"Exit status: 0, or 125 when a file cannot be analysed or something the analysis\n"
		"cannot resolve is reachable and not accepted with --assume.\n\n%s",
		opts_security_help);
}

#if CF_HAVE_PREDICT
static int list(const struct cf_prediction *p, char **ret, size_t *ret_len)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < p->rec.n_calls; i++) {
		const struct cf_rec_call *c = &p->rec.calls[i];
		enum cf_arch a = arch_from_seccomp_data(c->arch, (uint32_t)c->nr);
		const char *name = syscall_resolve_num(a, c->nr);
		if (name)
			strbuf_appendf(&sb, "%-8s %-24s %s\n", arch_info(a)->native_name, name,
				       c->origin);
		else
			strbuf_appendf(&sb, "%-8s %-24d %s\n", arch_info(a)->native_name, c->nr,
				       c->origin);
	}
	*ret_len = sb.len;
	return strbuf_steal(&sb, ret);
}
/* The names a profile allows unconditionally or not; with `recorded_only`, only in the rules
 * `callfence record` wrote for what it saw (comment "recorded ...") when there are any. */
static bool allows(const struct cf_profile *p, const char *name, bool recorded_only)
{
	bool any_recorded = false;

	for (size_t i = 0; i < p->n_rules; i++)
		any_recorded = any_recorded || (p->rules[i].comment &&
						strncmp(p->rules[i].comment, "recorded", 8) == 0);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct cf_rule *rl = &p->rules[i];
		if (rl->action != CF_ACT_ALLOW)
			continue;
		if (recorded_only && any_recorded &&
		    !(rl->comment && strncmp(rl->comment, "recorded", 8) == 0))
			continue;
		for (size_t k = 0; k < rl->n_names; k++)
			if (strcmp(rl->names[k], name) == 0)
				return true;
	}
	return false;
}

/* --merge: the union (record's merge: argument rules kept whole), and the two differences. */
static int merge_recorded(const struct cf_prediction *pred, const struct cf_profile *predicted,
			  const char *path, char **ret)
{
	struct cf_profile *recorded = NULL;
	struct strbuf only_pred = { 0 }, only_rec = { 0 };
	size_t n_pred = 0, n_rec = 0;
	struct cf_diag d = { 0 };
	const char *sources[2] = { "callfence predict", path };
	int r;

	r = cf_profile_parse_file(path, &recorded, &d);
	if (r < 0) {
		if (d.message[0])
			output_diag(&d, "error");
		else
			fprintf(stderr, "callfence: predict: --merge %s: %s\n", path, strerror(-r));
		return -EPROTO;
	}
	for (size_t i = 0; i < pred->rec.n_calls; i++) {
		const struct cf_rec_call *c = &pred->rec.calls[i];
		const char *name = syscall_resolve_num(
			arch_from_seccomp_data(c->arch, (uint32_t)c->nr), c->nr);
		if (name && c->arch == arch_info(arch_native())->audit_arch &&
		    !allows(recorded, name, true)) {
			strbuf_appendf(&only_pred, " %s", name);
			n_pred++;
		}
	}
	for (size_t i = 0; i < recorded->n_rules; i++) {
		const struct cf_rule *rl = &recorded->rules[i];
		if (rl->action != CF_ACT_ALLOW || !rl->comment ||
		    strncmp(rl->comment, "recorded", 8) != 0)
			continue;
		for (size_t k = 0; k < rl->n_names; k++)
			if (!allows(predicted, rl->names[k], false) &&
			    (!only_rec.buf || !strstr(only_rec.buf, rl->names[k]))) {
				strbuf_appendf(&only_rec, " %s", rl->names[k]);
				n_rec++;
			}
	}
	fprintf(stderr,
		"callfence: predict: merge: %zu predicted but never recorded (a reviewer may drop "
		"them if no path of the program needs them):%s\n",
		n_pred, n_pred ? only_pred.buf : " none");
	if (n_rec)
		fprintf(stderr,
			"callfence: predict: merge: warning: %zu recorded but not predicted (an analysis "
			"bug: please report it):%s\n",
			n_rec, only_rec.buf);
	else
		fprintf(stderr, "callfence: predict: merge: every recorded call was predicted\n");
	strbuf_clear(&only_pred);
	strbuf_clear(&only_rec);
	const struct cf_profile *in[2] = { predicted, recorded };
	memset(&d, 0, sizeof(d));
	r = cf_synth_merge(in, sources, 2, ret, &d);
	cf_profile_free(recorded);
	if (r < 0) {
		if (d.message[0])
			output_diag(&d, "error");
		else
			fprintf(stderr, "callfence: predict: --merge: %s\n", strerror(-r));
		return -EPROTO;
	}
	return 0;
}

static int synthesize(const struct cf_prediction *pred, const struct cf_cli_security *sec,
		      const struct cf_confinement *conf, enum predict_format format,
		      const char *runtime, const char *merge, char **ret, size_t *ret_len)
{
	struct cf_explain_ctx ctx = {
		.profile = conf->seccomp_disabled ? NULL : conf->profile,
		.resolved = conf->seccomp_disabled ? NULL : conf->resolved,
		.seccomp_disabled = conf->seccomp_disabled,
		.privileged = sec->privileged,
		.explicit_profile = sec->seccomp && strcmp(sec->seccomp, "builtin") != 0 &&
				    strcmp(sec->seccomp, "unconfined") != 0,
		.label = conf->seccomp_label,
	};
	struct cf_synth_opts so = {
		.base = &ctx,
		.format = format == PREDICT_OCI ? CF_SYNTH_OCI : CF_SYNTH_DOCKER,
		.label = "predicted",
		.tool = "callfence predict",
		.run_caps = conf->caps,
		.no_new_privileges = conf->no_new_privileges,
	};
	struct cf_synth_result res = { 0 };
	struct cf_synth_need needs[64];
	struct cf_diag d = { 0 };
	int r;

	ctx.opts.bounding = conf->caps;
	ctx.opts.native = arch_native();
	/* record's --for, from the same lists; no plan for callfence: run's default launcher */
	r = cf_synth_runtime_needs(runtime, conf->no_new_privileges, NULL, needs,
				   ARRAY_SIZE(needs));
	if (r < 0) {
		fprintf(stderr, "callfence: predict: --for %s: %s\n", runtime, strerror(-r));
		return -EPROTO;
	}
	so.runtime = cf_synth_runtime_label(runtime);
	so.needs = needs;
	so.n_needs = (size_t)r;
	r = cf_synth(&pred->rec, &so, &res, &d);
	if (r < 0) {
		if (d.message[0])
			output_diag(&d, "error");
		else
			fprintf(stderr, "callfence: predict: %s\n", strerror(-r));
		return -EPROTO;
	}
	for (size_t i = 0; i < res.n_denied; i++)
		fprintf(stderr,
			"callfence: predict: %s is predicted but %s gives it %s: left out%s%s\n"
			"  reached by %s\n",
			res.denied[i].name, conf->seccomp_label, res.denied[i].verdict,
			res.denied[i].fix[0] ? "; fix: " : "", res.denied[i].fix,
			res.denied[i].origin);
	fprintf(stderr,
		"callfence: predict: %zu syscalls predicted, the profile allows %zu names\n",
		res.n_recorded, res.n_names);
	if (merge) {
		r = merge_recorded(pred, res.profile, merge, ret);
		cf_synth_result_clear(&res);
		if (r < 0)
			return r;
		*ret_len = strlen(*ret);
		return 0;
	}
	*ret = res.text;
	res.text = NULL;
	*ret_len = strlen(*ret);
	cf_synth_result_clear(&res);
	return 0;
}
#endif

int cmd_predict(int argc, char **argv)
{
	static const struct option longopts[] = {
		CF_SECURITY_LONG_OPTIONS,
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "merge", required_argument, NULL, OPT_MERGE },
		{ "assume", required_argument, NULL, OPT_ASSUME },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
		{ "library-path", required_argument, NULL, OPT_LIBRARY_PATH },
		{ "verbose", no_argument, NULL, 'v' },
		{ "for", required_argument, NULL, OPT_FOR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* in enum predict_format order; --assume in CF_ASSUME_* bit order */
	static const char *const formats[] = { "list", "docker", "oci" };
	static const char *const assumes[] = { "no-plugins", "unresolved" };
	struct cf_cli_security sec = { 0 };
	enum predict_format format = PREDICT_DOCKER;
	const char *runtime = "docker", *merge = NULL;
	const char *output = "-", *cache_dir = NULL, *library_path = NULL;
	bool no_cache = false, verbose = false;
	unsigned assume = 0;
	struct cf_diag d;
	int opt, r;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f:o:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			predict_usage(stdout);
			return 0;
		case 'f':
			r = opts_parse_choice("predict", "--format", optarg, formats,
					      ARRAY_SIZE(formats));
			if (r < 0)
				return CF_EXIT_ERROR;
			format = (enum predict_format)r;
			break;
		case 'o':
			if (cli_output_check_name("--output", optarg) < 0)
				return CF_EXIT_ERROR;
			output = optarg;
			break;
		case OPT_ASSUME:
			r = opts_parse_choice("predict", "--assume", optarg, assumes,
					      ARRAY_SIZE(assumes));
			if (r < 0)
				return CF_EXIT_ERROR;
			assume |= 1u << r;
			break;
		case OPT_NO_CACHE:
			no_cache = true;
			break;
		case OPT_CACHE_DIR:
			cache_dir = optarg;
			break;
		case OPT_LIBRARY_PATH:
			library_path = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_FOR:
			r = opts_parse_choice("predict", "--for", optarg, cf_synth_runtimes,
					      cf_synth_n_runtimes);
			if (r < 0)
				return CF_EXIT_ERROR;
			runtime = cf_synth_runtimes[r];
			break;
		case OPT_MERGE:
			merge = optarg;
			break;
		case '?':
			predict_usage(stderr);
			return CF_EXIT_ERROR;
		default:
			r = opts_handle_security(opt, optarg, &sec, &d);
			if (r < 0) {
				output_diag(&d, "error");
				return CF_EXIT_ERROR;
			}
			if (r == 0) {
				predict_usage(stderr);
				return CF_EXIT_ERROR;
			}
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "callfence: predict: name at least one BINARY\n");
		predict_usage(stderr);
		return CF_EXIT_ERROR;
	}
#if !CF_HAVE_PREDICT
	(void)no_cache, (void)verbose, (void)assume, (void)cache_dir, (void)library_path,
		(void)format, (void)output, (void)runtime, (void)merge;
	fprintf(stderr, "callfence: predict: this callfence was built without capstone (the x86-64 "
			"decoder predict needs); install libcapstone-dev and rebuild\n");
	return CF_EXIT_ERROR;
#else
	cleanup(cf_outfile_closep) struct cf_outfile out = CF_OUTFILE_INIT;
	struct cf_predict_opts po = { .library_path = library_path, .assume = assume };
	struct cf_prediction pred;
	char defdir[4096];
	cleanup_free char *text = NULL;
	size_t len = 0;
	bool refuse = false;

	struct cf_confinement conf = { 0 };

	if (sec.arch && arch_from_alias(sec.arch) != CF_ARCH_X86_64) {
		fprintf(stderr,
			"callfence: predict: --arch %s: predict reads x86-64 code only; valid: "
			"x86_64\n",
			sec.arch);
		return CF_EXIT_ERROR;
	}
	if (merge && format != PREDICT_DOCKER) {
		fprintf(stderr, "callfence: predict: --merge writes a Docker profile: use --format "
				"docker (the default)\n");
		return CF_EXIT_ERROR;
	}
	if (format != PREDICT_LIST) {
		r = opts_load_confinement(&sec, &conf, &d);
		if (r < 0) {
			output_diag(&d, "error");
			return CF_EXIT_ERROR;
		}
		if (conf.resolved)
			output_warnings(&conf.resolved->warnings);
	}
	if (!no_cache) {
		if (cache_dir)
			po.cache_dir = cache_dir;
		else if (pcache_default_dir(defdir, sizeof(defdir)) == 0)
			po.cache_dir = defdir;
	}
	if (cli_output_open("--output", output, &out) < 0) {
		cf_confinement_clear(&conf);
		return CF_EXIT_ERROR;
	}
	memset(&d, 0, sizeof(d));
	r = cf_predict((const char *const *)argv + optind, (size_t)(argc - optind), &po, &pred, &d);
	if (r < 0) {
		cf_confinement_clear(&conf);
		if (d.message[0])
			output_diag(&d, "error");
		else
			fprintf(stderr, "callfence: predict: %s\n", strerror(-r));
		return CF_EXIT_ERROR;
	}
	if (verbose) {
		for (size_t i = 0; i < pred.n_modules; i++)
			fprintf(stderr,
				"callfence: predict: %s (%s): %zu of %zu functions reached%s\n",
				pred.modules[i].path, pred.modules[i].why,
				pred.modules[i].n_reached, pred.modules[i].n_funcs,
				pred.modules[i].cached ? ", cached" : "");
	}
	if (pred.notes[0])
		fprintf(stderr, "%s", pred.notes);
	for (size_t i = 0; i < pred.n_gaps; i++) {
		fprintf(stderr, "callfence: predict: %s: %s\n  reached by %s\n",
			pred.gaps[i].fatal ? "error" : "warning", pred.gaps[i].what,
			pred.gaps[i].where);
		refuse = refuse || pred.gaps[i].fatal;
	}
	if (refuse) {
		fprintf(stderr, "callfence: predict: refusing to print a profile that may be too "
				"narrow; accept with --assume unresolved / --assume no-plugins\n");
		cf_prediction_clear(&pred);
		cf_confinement_clear(&conf);
		return CF_EXIT_ERROR;
	}
	if (format == PREDICT_LIST)
		r = list(&pred, &text, &len);
	else
		r = synthesize(&pred, &sec, &conf, format, runtime, merge, &text, &len);
	cf_prediction_clear(&pred);
	cf_confinement_clear(&conf);
	if (r == -EPROTO)
		return CF_EXIT_ERROR;
	if (r < 0) {
		fprintf(stderr, "callfence: predict: %s\n", strerror(-r));
		return CF_EXIT_ERROR;
	}
	if (cli_output_write("--output", output, &out, text, len) < 0)
		return CF_EXIT_ERROR;
	return 0;
#endif
}
