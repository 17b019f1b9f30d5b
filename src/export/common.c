/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every exporter shares: notes, losses, Kubernetes names. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "export/export.h"

static void where(struct cf_diag *d, const struct cf_profile *p, const struct cf_resolved_rule *rr)
{
	snprintf(d->file, sizeof(d->file), "%s", p && p->source ? p->source : "");
	if (!rr)
		return;
	d->line = rr->rule->pos.line;
	d->column = rr->rule->pos.column;
	snprintf(d->path, sizeof(d->path), "/syscalls/%zu", rr->index);
}

void export_note(struct cf_warnings *notes, const struct cf_profile *p,
		 const struct cf_resolved_rule *rr, const char *fmt, ...)
{
	struct cf_diag d = { 0 };
	va_list ap;

	where(&d, p, rr);
	va_start(ap, fmt);
	vsnprintf(d.message, sizeof(d.message), fmt, ap);
	va_end(ap);
	warnings_add(notes, &d);
}

int export_loss(const struct cf_export_opts *o, struct cf_warnings *notes, struct cf_diag *reterr,
		const struct cf_profile *p, const struct cf_resolved_rule *rr, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o->lossy) {
		export_note(notes, p, rr, "lossy: %s", msg);
		return 0;
	}
	memset(reterr, 0, sizeof(*reterr));
	where(reterr, p, rr);
	snprintf(reterr->message, sizeof(reterr->message), "%s", msg);
	diag_hint(reterr, "--lossy exports it anyway and says what changed");
	return -EINVAL;
}

/* RFC 1123 subdomain, as Kubernetes validates metadata.name (at most 253 characters) */
bool cf_export_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (alnum)
			continue;
		if ((c != '-' && c != '.') || i == 0 || i == n - 1)
			return false;
		/* each dot-separated label starts and ends alphanumeric */
		if (c == '.' && (name[i - 1] == '.' || name[i - 1] == '-' || name[i + 1] == '-'))
			return false;
		if (c == '-' && name[i + 1] == '.')
			return false;
	}
	return true;
}

int export_name(const struct cf_export_opts *o, const char **ret, struct cf_diag *reterr)
{
	int e;

	*ret = o->name ? o->name : "callfence";
	if (cf_export_name_valid(*ret))
		return 0;
	e = diag_set(reterr, EINVAL, NULL, 0, 0, "--name", "invalid name \"%s\"", *ret);
	diag_hint(reterr, "lowercase letters, digits, '-' and '.' (a Kubernetes object name)");
	return e;
}
