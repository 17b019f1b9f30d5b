/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bytes -> run --env-file's parser (docker's format) with a small inherited environment; then
 * every entry must be NAME=VALUE with a non-empty name and each name must appear once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "run/run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *from[] = { "HOME=/root", "PATH=/bin", "A=inherited", NULL };
	struct cf_env e = { 0 };
	struct cf_diag d;

	if (cf_env_parse_file_buffer(&e, "fuzz.env", (const char *)data, size, from, &d) == 0) {
		for (size_t i = 0; i < e.n; i++) {
			const char *eq = strchr(e.v[i], '=');

			if (!eq || eq == e.v[i])
				abort();
			for (size_t j = 0; j < i; j++)
				if (strncmp(e.v[j], e.v[i], (size_t)(eq - e.v[i]) + 1) == 0)
					abort();
		}
		if (e.v && e.v[e.n])
			abort();
	}
	cf_env_clear(&e);
	return 0;
}
