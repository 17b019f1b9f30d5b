/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Exporters for consumers that are not OCI runtimes: the Kubernetes Localhost profile file, a
 * Security Profiles Operator SeccompProfile resource, and systemd unit settings. Each works on
 * the resolved profile (includes/excludes, archMap and minKernel already decided for one
 * capability set, arch and kernel), because none of these consumers can resolve them the way
 * moby does. What a target cannot express is a "loss": without `lossy` the exporter refuses
 * (-EINVAL, diag names the rule), with it the loss is applied and reported in `notes`.
 * Notes that change nothing (where a file goes, what was resolved) are reported too.
 */
#include <stdbool.h>

#include "base/diag.h"
#include "base/macro.h"
#include "profile/profile.h"

struct cf_export_opts {
	const char *name; /* k8s file NAME.json / SPO metadata.name; validated by the exporter */
	bool lossy; /* apply and report what the target cannot express instead of refusing */
	cf_capset caps; /* the capability set the profile was resolved for, for the notes */
};

/* k8s: the seccomp object a kubelet's CRI runtime reads (JSON, no Docker-only keys). */
CF_MUST_CHECK int cf_export_k8s(const struct cf_profile *p, const struct cf_resolved *r,
				const struct cf_export_opts *o, char **ret,
				struct cf_warnings *notes, struct cf_diag *reterr);
/* spo: a security-profiles-operator.x-k8s.io/v1 SeccompProfile as YAML. */
CF_MUST_CHECK int cf_export_spo(const struct cf_profile *p, const struct cf_resolved *r,
				const struct cf_export_opts *o, char **ret,
				struct cf_warnings *notes, struct cf_diag *reterr);
/* systemd: a [Service] drop-in with SystemCallFilter= and the nearest Restrict*= knobs. */
CF_MUST_CHECK int cf_export_systemd(const struct cf_profile *p, const struct cf_resolved *r,
				    const struct cf_export_opts *o, char **ret,
				    struct cf_warnings *notes, struct cf_diag *reterr);

/* Kubernetes object names (DNS subdomain, RFC 1123): what --name may be. */
bool cf_export_name_valid(const char *name);

/* Internal (src/export/): a note for stderr, positioned at the rule when rr is non-NULL. */
void export_note(struct cf_warnings *notes, const struct cf_profile *p,
		 const struct cf_resolved_rule *rr, const char *fmt, ...) CF_PRINTF(4, 5);
/*
 * Internal: a loss. Without o->lossy: -EINVAL with reterr naming the rule (or the profile) and
 * the message; with it: noted as "lossy: MESSAGE" and 0.
 */
CF_MUST_CHECK int export_loss(const struct cf_export_opts *o, struct cf_warnings *notes,
			      struct cf_diag *reterr, const struct cf_profile *p,
			      const struct cf_resolved_rule *rr, const char *fmt, ...)
	CF_PRINTF(6, 7);
/* Internal: o->name or "callfence", validated (-EINVAL + diag naming --name). */
CF_MUST_CHECK int export_name(const struct cf_export_opts *o, const char **ret,
			      struct cf_diag *reterr);
