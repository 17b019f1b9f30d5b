/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bytes -> parse (Docker or OCI form) -> resolve for a few cap sets and arches -> emit; and the
 * lenient parse of callfence lint (CF_PARSE_KEEP_ERRNO_ZERO) with every lint check. */
#include <stdint.h>
#include <stdlib.h>

#include "analyze/lint.h"
#include "profile/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum cf_arch arches[] = { CF_ARCH_X86_64, CF_ARCH_AARCH64, CF_ARCH_S390X };
	struct cf_profile *p = NULL;
	struct cf_diag d;

	struct cf_lint_opts lo = {
		.resolve = { .native = CF_ARCH_X86_64,
			     .kernel = { .set = true, .major = 6, .minor = 1 },
			     .bounding = caps_docker_default() },
	};
	struct cf_lint_result lr = { 0 };

	/* lint parses leniently: what strict mode refuses may reach the resolver and compiler */
	if (cf_lint_buffer("fuzz.json", (const char *)data, size, &lo, &lr, &d) == 0 &&
	    cf_lint_max_severity(&lr) > (int)CF_LINT_ERROR)
		__builtin_trap(); /* a severity out of range */
	cf_lint_result_clear(&lr);
	if (cf_profile_parse_buffer("fuzz.json", (const char *)data, size, &p, &d) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		struct cf_resolve_opts o = {
			.native = arches[i],
			.bounding = i == 0 ? caps_docker_default() : ~(cf_capset)0,
			.kernel = { .set = true, .major = (unsigned)(4 + i), .minor = 8 },
		};
		struct cf_resolved *r = NULL;
		char *text = NULL;

		if (cf_profile_resolve(p, &o, &r, &d) < 0)
			continue;
		struct cf_emit_opts eo = { .format = CF_EMIT_OCI, .caps = o.bounding };
		if (cf_emit(p, r, &eo, &text) == 0)
			free(text);
		eo.format = CF_EMIT_DOCKER;
		if (cf_emit(p, r, &eo, &text) == 0)
			free(text);
		cf_resolved_free(r);
	}
	cf_profile_free(p);
	return 0;
}
