/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The three outputs of callfence lint. Each returns 0 or -ENOMEM. */
#include <stdio.h>

#include "analyze/lint.h"

int lint_print_text(FILE *f, const struct cf_lint_result *res);
int lint_print_json(FILE *f, const struct cf_lint_result *res);
/* SARIF 2.1.0 (OASIS): one run, the driver's rules are every lint check. */
int lint_print_sarif(FILE *f, const struct cf_lint_result *res);
