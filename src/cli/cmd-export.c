/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "cli/runtime-warn.h"
#include "export/export.h"

enum export_format {
	EXPORT_OCI,
	EXPORT_DOCKER,
	EXPORT_BPF,
	EXPORT_ASM,
	EXPORT_K8S,
	EXPORT_SPO,
	EXPORT_SYSTEMD,
};

static const struct {
	const char *name;
	enum export_format format;
} formats[] = {
	{ "oci", EXPORT_OCI },	       { "docker", EXPORT_DOCKER }, { "bpf", EXPORT_BPF },
	{ "asm", EXPORT_ASM },	       { "k8s", EXPORT_K8S },	    { "spo", EXPORT_SPO },
	{ "systemd", EXPORT_SYSTEMD },
};

static void export_usage(FILE *f)
{
	fprintf(f,
		"Usage: callfence export [OPTIONS]\n\n"
		"Print the profile resolved for the given capabilities, as Docker hands it to\n"
		"its runtime.\n\n"
		"  -f, --format FORMAT    oci (default): OCI runtime-spec fragment\n"
		"                         {\"process\":{capabilities,noNewPrivileges},\"linux\":{seccomp}}\n"
		"                         docker: the profile in Docker format, normalised\n"
		"                         bpf: raw struct sock_filter array (bwrap --seccomp FD)\n"
		"                         asm: readable BPF listing naming each rule\n"
		"                         k8s: the Localhost profile file a kubelet reads (where\n"
		"                         it goes and the pod's securityContext: on stderr)\n"
		"                         spo: a Security Profiles Operator SeccompProfile (YAML)\n"
		"                         systemd: [Service] lines: SystemCallFilter=,\n"
		"                         SystemCallErrorNumber=, SystemCallArchitectures= and\n"
		"                         RestrictNamespaces=/RestrictAddressFamilies=/\n"
		"                         LockPersonality= for the argument rules they cover\n"
		"      --name NAME        k8s/spo: the profile's name (file NAME.json,\n"
		"                         metadata.name); default callfence\n"
		"      --lossy            spo/systemd: export what the target cannot express\n"
		"                         anyway, saying on stderr what was widened or changed\n"
		"                         (without it such a profile is refused, exit 125)\n"
		"  -o, --output FILE      write FILE instead of stdout: a regular file is replaced\n"
		"                         atomically (through symlinks), a device or FIFO is\n"
		"                         written in place, - is stdout\n"
		"  -h, --help             this help\n\n%s",
		opts_security_help);
}

static int emit_target(enum export_format format, const struct cf_confinement *c,
		       const struct cf_export_opts *xo, char **ret, struct cf_diag *reterr)
{
	cleanup(warnings_clear) struct cf_warnings notes = { 0 };
	int r;

	if (!c->profile)
		return diag_set(reterr, EINVAL, NULL, 0, 0, "--format",
				"seccomp is disabled (%s): there is no profile to export",
				c->seccomp_label);
	if (format == EXPORT_K8S)
		r = cf_export_k8s(c->profile, c->resolved, xo, ret, &notes, reterr);
	else if (format == EXPORT_SPO)
		r = cf_export_spo(c->profile, c->resolved, xo, ret, &notes, reterr);
	else
		r = cf_export_systemd(c->profile, c->resolved, xo, ret, &notes, reterr);
	if (r >= 0)
		for (size_t i = 0; i < notes.n; i++)
			output_diag(&notes.items[i], "note");
	return r;
}

static int emit(enum export_format format, const struct cf_confinement *c,
		const struct cf_export_opts *xo, char **ret, size_t *ret_len,
		struct cf_diag *reterr)
{
	struct cf_emit_opts eo = {
		.no_new_privileges = c->no_new_privileges,
		.seccomp_disabled = c->seccomp_disabled,
		.caps = c->caps,
	};
	cleanup(cf_bpf_prog_freep) struct cf_bpf_prog *prog = NULL;
	int r;

	switch (format) {
	case EXPORT_OCI:
		eo.format = CF_EMIT_OCI;
		r = cf_emit(c->profile, c->resolved, &eo, ret);
		if (r == 0)
			*ret_len = strlen(*ret);
		return r;
	case EXPORT_DOCKER:
		if (!c->profile)
			return diag_set(reterr, EINVAL, NULL, 0, 0, "--format",
					"seccomp is disabled (%s): there is no profile to print",
					c->seccomp_label);
		eo.format = CF_EMIT_DOCKER;
		r = cf_emit(c->profile, c->resolved, &eo, ret);
		if (r == 0)
			*ret_len = strlen(*ret);
		return r;
	case EXPORT_K8S:
	case EXPORT_SPO:
	case EXPORT_SYSTEMD:
		r = emit_target(format, c, xo, ret, reterr);
		if (r == 0)
			*ret_len = strlen(*ret);
		return r;
	case EXPORT_BPF:
	case EXPORT_ASM:
		if (c->seccomp_disabled)
			return diag_set(reterr, EINVAL, NULL, 0, 0, "--format",
					"seccomp is disabled (%s): there is no filter to print",
					c->seccomp_label);
		r = opts_compile_filter(c, &prog, reterr);
		if (r < 0)
			return r;
		if (format == EXPORT_ASM) {
			r = cf_bpf_disasm(prog, c->resolved, ret);
			if (r == 0)
				*ret_len = strlen(*ret);
			return r;
		}
		/* struct sock_filter is host-endian; on every host we build for, little-endian */
		*ret_len = prog->len * sizeof(*prog->insns);
		*ret = malloc(*ret_len ? *ret_len : 1);
		if (!*ret)
			return -ENOMEM;
		memcpy(*ret, prog->insns, *ret_len);
		return 0;
	}
	return -EINVAL;
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		CF_SECURITY_LONG_OPTIONS,
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, OPT_SHARED_LAST },
		{ "lossy", no_argument, NULL, OPT_SHARED_LAST + 1 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cf_cli_security sec = { 0 };
	struct cf_confinement conf = { 0 };
	enum export_format format = EXPORT_OCI;
	const char *output = "-";
	cleanup(cf_outfile_closep) struct cf_outfile out = CF_OUTFILE_INIT;
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct cf_export_opts xo = { 0 };
	bool format_set = false;
	struct cf_diag d;
	int opt, r;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:f:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			export_usage(stdout);
			return 0;
		case 'f':
			format_set = false;
			for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
				if (strcmp(optarg, formats[i].name) == 0) {
					format = formats[i].format;
					format_set = true;
				}
			if (!format_set) {
				fprintf(stderr,
					"callfence: --format: unknown format \"%s\"; valid:",
					optarg);
				for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
					fprintf(stderr, "%s %s", i ? "," : "", formats[i].name);
				fprintf(stderr, "\n");
				return CF_EXIT_ERROR;
			}
			break;
		case OPT_SHARED_LAST:
			xo.name = optarg;
			break;
		case OPT_SHARED_LAST + 1:
			xo.lossy = true;
			break;
		case 'o':
			if (cli_output_check_name("--output", optarg) < 0)
				return CF_EXIT_ERROR;
			output = optarg;
			break;
		case ':':
			fprintf(stderr, "callfence export: option %s needs a value\n",
				argv[optind - 1]);
			return CF_EXIT_ERROR;
		case '?':
			opts_unknown_option("export", argv[optind - 1], optopt, longopts);
			return CF_EXIT_ERROR;
		default:
			r = opts_handle_security(opt, optarg, &sec, &d);
			if (r < 0) {
				output_diag(&d, "error");
				return CF_EXIT_ERROR;
			}
			if (r == 0) {
				export_usage(stderr);
				return CF_EXIT_ERROR;
			}
		}
	}
	if (optind < argc) {
		fprintf(stderr, "callfence: export takes no arguments (got \"%s\")\n",
			argv[optind]);
		return CF_EXIT_ERROR;
	}
	/* before the work: a bad -o fails at once and the old file is never touched */
	if (cli_output_open("--output", output, &out) < 0)
		return CF_EXIT_ERROR;
	if (format == EXPORT_BPF && out.kind != CF_OUTFILE_REPLACE && isatty(out.fd)) {
		fprintf(stderr,
			"callfence: refusing to write binary BPF to a terminal; use -o FILE or a pipe\n");
		return CF_EXIT_ERROR;
	}

	r = opts_load_confinement(&sec, &conf, &d);
	if (r < 0) {
		output_diag(&d, "error");
		return CF_EXIT_ERROR;
	}
	if (conf.resolved) {
		output_warnings(&conf.resolved->warnings);
		if (conf.resolved->unconfined)
			fprintf(stderr,
				"callfence: warning: %s has no defaultAction and no syscalls; "
				"Docker runs such a container without seccomp\n",
				conf.seccomp_label);
	}
	if (xo.lossy && format != EXPORT_SPO && format != EXPORT_SYSTEMD) {
		cf_confinement_clear(&conf);
		fprintf(stderr, "callfence: --lossy applies to --format spo and systemd only\n");
		return CF_EXIT_ERROR;
	}
	if (xo.name && format != EXPORT_K8S && format != EXPORT_SPO) {
		cf_confinement_clear(&conf);
		fprintf(stderr, "callfence: --name applies to --format k8s and spo only\n");
		return CF_EXIT_ERROR;
	}
	xo.caps = conf.caps;
	memset(&d, 0, sizeof(d));
	r = emit(format, &conf, &xo, &text, &len, &d);
	if (r >= 0 && !conf.seccomp_disabled && !sec.arch)
		warn_export_runtime_gaps(&conf);
	cf_confinement_clear(&conf);
	if (r < 0) {
		if (d.message[0])
			output_diag(&d, "error");
		else
			fprintf(stderr, "callfence: export: %s\n", strerror(-r));
		return CF_EXIT_ERROR;
	}
	if (cli_output_write("--output", output, &out, text, len) < 0)
		return CF_EXIT_ERROR;
	return 0;
}
