/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli/lint-format.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "cf-config.h"

static json_t *json_decref_null(json_t *j)
{
	json_decref(j);
	return NULL;
}
DEFINE_CLEANUP_FUNC(json_t *, json_decref_null)

int lint_print_text(FILE *f, const struct cf_lint_result *res)
{
	size_t count[3] = { 0 };

	for (size_t i = 0; i < res->n; i++) {
		const struct cf_lint_finding *x = &res->items[i];

		count[x->severity]++;
		if (x->line)
			fprintf(f, "%s:%u:%u: ", x->file, x->line, x->column);
		else
			fprintf(f, "%s: ", x->file);
		fprintf(f, "%s [%s] %s: %s\n", cf_lint_severity_name(x->severity), x->id,
			x->pointer[0] ? x->pointer : "/", x->message);
		if (x->fix[0])
			fprintf(f, "    fix: %s\n", x->fix);
	}
	fprintf(f, "%zu error%s, %zu warning%s, %zu info\n", count[CF_LINT_ERROR],
		count[CF_LINT_ERROR] == 1 ? "" : "s", count[CF_LINT_WARNING],
		count[CF_LINT_WARNING] == 1 ? "" : "s", count[CF_LINT_INFO]);
	return 0;
}

static int dump(FILE *f, json_t *doc)
{
	cleanup_free char *text = NULL;

	if (!doc)
		return -ENOMEM;
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		return -ENOMEM;
	fprintf(f, "%s\n", text);
	return 0;
}

int lint_print_json(FILE *f, const struct cf_lint_result *res)
{
	cleanup(json_decref_nullp) json_t *doc = json_object();
	json_t *arr = json_array();

	if (!doc || !arr || json_object_set_new(doc, "findings", arr) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < res->n; i++) {
		const struct cf_lint_finding *x = &res->items[i];
		json_t *o =
			json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s}", "id", x->id,
				  "severity", cf_lint_severity_name(x->severity), "file", x->file,
				  "line", (json_int_t)x->line, "column", (json_int_t)x->column,
				  "pointer", x->pointer, "message", x->message, "fix", x->fix);

		if (!o || json_array_append_new(arr, o) < 0)
			return -ENOMEM;
	}
	return dump(f, doc);
}

static const char *sarif_level(enum cf_lint_severity s)
{
	/* SARIF 2.1.0 §3.27.10: "error", "warning", "note" (and "none") */
	switch (s) {
	case CF_LINT_ERROR:
		return "error";
	case CF_LINT_WARNING:
		return "warning";
	case CF_LINT_INFO:
		return "note";
	}
	return "error";
}

static int rule_index(const char *id)
{
	for (size_t i = 0; i < cf_lint_n_checks; i++)
		if (strcmp(cf_lint_checks[i].id, id) == 0)
			return (int)i;
	return -1;
}

int lint_print_sarif(FILE *f, const struct cf_lint_result *res)
{
	cleanup(json_decref_nullp) json_t *doc = NULL;
	json_t *rules = json_array(), *results = json_array();

	doc = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o}]}", "$schema",
			"https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs",
			"tool", "driver", "name", "callfence", "version", CF_VERSION,
			"informationUri", "https://github.com/callfence/callfence", "rules", rules,
			"results", results);
	if (!doc)
		return -ENOMEM;
	for (size_t i = 0; i < cf_lint_n_checks; i++) {
		json_t *r = json_pack("{s:s, s:s, s:{s:s}}", "id", cf_lint_checks[i].id, "name",
				      cf_lint_checks[i].id, "shortDescription", "text",
				      cf_lint_checks[i].summary);

		if (!r || json_array_append_new(rules, r) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < res->n; i++) {
		const struct cf_lint_finding *x = &res->items[i];
		json_t *phys = json_pack("{s:{s:s}}", "artifactLocation", "uri", x->file);
		json_t *o;

		if (!phys)
			return -ENOMEM;
		/* SARIF regions are 1-based; the builtin profile has no text to point into */
		if (x->line &&
		    json_object_set_new(phys, "region",
					json_pack("{s:I, s:I}", "startLine", (json_int_t)x->line,
						  "startColumn",
						  (json_int_t)(x->column ? x->column : 1))) < 0) {
			json_decref(phys);
			return -ENOMEM;
		}
		o = json_pack("{s:s, s:i, s:s, s:{s:s}, s:[{s:o}], s:{s:s, s:s}}", "ruleId", x->id,
			      "ruleIndex", rule_index(x->id), "level", sarif_level(x->severity),
			      "message", "text", x->message, "locations", "physicalLocation", phys,
			      "properties", "pointer", x->pointer, "fix", x->fix);
		if (!o || json_array_append_new(results, o) < 0)
			return -ENOMEM;
	}
	return dump(f, doc);
}
