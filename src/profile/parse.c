/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Docker / OCI seccomp profile parser. Strict where Docker is lax (wrong types, duplicate keys,
 * unknown actions, and unknown keys that are near misses of a valid one are errors here, so a
 * typo never silently weakens a profile; other unknown keys are warnings, as Docker ignores
 * them, and errors with cf_parse_opts.strict),
 * and exact where Docker's behaviour is the contract (minKernel syntax, name vs names, archMap).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sys/poll.h>
#include <sys/stat.h>

#include "base/cleanup.h"
#include "base/errno-util.h"
#include "base/suggest.h"
#include "profile/json-keys.h"
#include "profile/json-pos.h"
#include "profile/profile.h"

/* JSON pointers in diagnostics are bounded; a truncated pointer is still a useful message. */
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static json_t *json_decref_ret(json_t *j)
{
	json_decref(j);
	return NULL;
}
DEFINE_CLEANUP_FUNC(json_t *, json_decref_ret)

/* JSON pointers of values inside a profile are short; a longer one is truncated in messages. */
#define PTR_MAX 200

struct parse_ctx {
	const char *source;
	const char *buf;
	size_t len;
	/* JSON pointer of the profile inside the document: "" or "/linux/seccomp", spelled as
	 * written (PTR_MAX for obj_get; it is never longer than "/linux/seccomp") */
	char base[PTR_MAX];
	struct cf_diag *diag;
	bool strict; /* cf_parse_opts.strict: every unknown key is an error */
	struct cf_profile *p;
	struct json_pos_index idx; /* where each value of the document is */
	unsigned flags; /* enum cf_parse_flags */
	struct cf_warnings *accepted; /* what strict mode refuses and a flag let through */
};

static int fail(struct parse_ctx *c, const char *ptr, const char *fmt, ...) CF_PRINTF(3, 4);

/* The position of ptr (below c->base) in the text, the enclosing object's when it is missing;
 * full gets the whole pointer. */
static struct cf_pos locate(const struct parse_ctx *c, const char *ptr, char *full, size_t size)
{
	struct cf_pos pos = { 0 };

	snprintf(full, size, "%s%s", c->base, ptr);
	if (json_pos_find(c->buf, c->len, full, &pos) < 0 || pos.line == 0) {
		/* a missing key: point at the enclosing object */
		char parent[PTR_MAX + 32];
		char *slash;

		snprintf(parent, sizeof(parent), "%s", full);
		slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		(void)json_pos_find(c->buf, c->len, parent, &pos);
	}
	return pos;
}

static int fail(struct parse_ctx *c, const char *ptr, const char *fmt, ...)
{
	char full[PTR_MAX + 32];
	struct cf_pos pos = locate(c, ptr, full, sizeof(full));
	va_list ap;

	(void)diag_set(c->diag, EINVAL, c->source, pos.line, pos.column, full, "%s", "");
	if (c->diag) {
		va_start(ap, fmt);
		vsnprintf(c->diag->message, sizeof(c->diag->message), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

/* ---- positions ------------------------------------------------------------------------- */

/* The position of v, the very value jansson returned (never a look-up by name). */
static struct cf_pos pos_of(const struct parse_ctx *c, const json_t *v)
{
	const struct json_pos_entry *e = json_pos_index_get(&c->idx, v);

	return e ? e->pos : (struct cf_pos){ 0 };
}

/* ---- typed getters ------------------------------------------------------------------- */

/*
 * The member of obj that Go's decoder would match to the field key (case-insensitively, as
 * Docker reads a profile and runc a config.json: "DefaultAction" is "defaultAction"). The
 * document has no two keys that fold together (json_check_folded_keys), so there is at most one.
 * ret_ptr (PTR_MAX bytes, may be NULL) gets the member's JSON pointer spelled with the key as
 * written, so positions and diagnostics name that very member.
 */
static void obj_get(json_t *obj, const char *obj_ptr, const char *key, json_t **ret, char *ret_ptr)
{
	const char *k, *found_key = key;
	json_t *v;

	*ret = NULL;
	json_object_foreach(obj, k, v) {
		if (json_key_folds_to(k, key)) {
			*ret = v;
			found_key = k;
			break;
		}
	}
	if (ret_ptr)
		json_pointer_append(ret_ptr, PTR_MAX, obj_ptr, found_key);
}

/*
 * Keys whose loss changes nothing: a misspelling of them is not worth an error even when it is a
 * near miss ("_comment" is one edit from "comment"). Podman's errno names are read and ignored.
 */
static bool key_is_inert(const char *k)
{
	return strcmp(k, "comment") == 0 || strcmp(k, "errno") == 0 ||
	       strcmp(k, "defaultErrno") == 0;
}

/*
 * Unknown keys (cf_parse_opts): an error when strict or when the key is a near miss of a key
 * that means something at this place (a misspelled "includes" makes the rule unconditional in
 * Docker, which ignores the key), otherwise a warning and the key is ignored, as Docker does.
 */
static int check_keys(struct parse_ctx *c, const char *obj_ptr, json_t *obj,
		      const char *const *valid, const char *valid_text)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		struct cf_suggest live, any;
		char ptr[PTR_MAX], full[PTR_MAX + 32];
		struct cf_diag d;
		bool ok = false;
		int r;

		for (size_t i = 0; valid[i]; i++)
			if (json_key_folds_to(k, valid[i]))
				ok = true;
		if (ok)
			continue;
		cf_suggest_init(&live, k);
		cf_suggest_init(&any, k);
		for (size_t i = 0; valid[i]; i++) {
			if (!key_is_inert(valid[i]))
				cf_suggest_consider(&live, valid[i]);
			cf_suggest_consider(&any, valid[i]);
		}
		json_pointer_append(ptr, sizeof(ptr), obj_ptr, k);
		if (c->strict || cf_suggest_is_near_miss(&live)) {
			r = fail(c, ptr, "unknown key \"%s\"", k);
			if (cf_suggest_is_near_miss(&live))
				diag_hint(c->diag,
					  "did you mean \"%s\"? Docker would ignore the misspelled "
					  "key and the rule would mean something else",
					  live.best);
			else
				diag_hint(c->diag,
					  "valid keys: %s (without --strict an unknown key is a "
					  "warning and ignored, as Docker ignores it)",
					  valid_text);
			return r;
		}
		struct cf_pos pos = locate(c, ptr, full, sizeof(full));
		(void)diag_set(&d, EINVAL, c->source, pos.line, pos.column, full,
			       "unknown key \"%s\" ignored", k);
		if (cf_suggest_is_near_miss(&any))
			diag_hint(&d, "did you mean \"%s\"? Docker ignores unknown keys too",
				  any.best);
		else
			diag_hint(&d, "Docker ignores unknown keys too; valid keys here: %s",
				  valid_text);
		warnings_add(&c->p->warnings, &d);
	}
	return 0;
}

static int get_string(struct parse_ctx *c, const char *ptr, json_t *v, const char **ret)
{
	if (!json_is_string(v))
		return fail(c, ptr, "expected a string, found %s", type_name(v));
	*ret = json_string_value(v);
	return 0;
}

static int dup_string(struct parse_ctx *c, const char *ptr, json_t *v, char **ret)
{
	const char *s = NULL;
	int r = get_string(c, ptr, v, &s);

	if (r < 0)
		return r;
	if (strlen(s) != json_string_length(v))
		return fail(c, ptr, "string contains a NUL character");
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

/*
 * Numbers are read from the source text: jansson's int is signed 64-bit, profiles use uint64.
 * The text is the one of v itself, found through the position index: O(1) per number, and
 * never the text of another member whose key merely looks alike.
 */
static int get_uint(struct parse_ctx *c, const char *ptr, json_t *v, uint64_t max, uint64_t *ret)
{
	if (!json_is_number(v))
		return fail(c, ptr, "expected a non-negative integer, found %s", type_name(v));
	const struct json_pos_entry *e = json_pos_index_get(&c->idx, v);
	if (!e)
		return fail(c, ptr, "cannot locate number in the source text");

	const char *s = c->buf + e->offset;
	const char *end = c->buf + c->len;
	const char *d = s;
	uint64_t val = 0;

	if (*s == '-')
		return fail(c, ptr, "negative number where an unsigned integer is required");
	while (d < end && *d >= '0' && *d <= '9') {
		unsigned digit = (unsigned)(*d - '0');

		if (val > (UINT64_MAX - digit) / 10)
			return fail(c, ptr, "number does not fit in 64 bits");
		val = val * 10 + digit;
		d++;
	}
	if (d < end && (*d == '.' || *d == 'e' || *d == 'E'))
		return fail(c, ptr, "expected an integer, found a fraction or exponent");
	if (val > max) {
		int r = fail(c, ptr, "%" PRIu64 " is out of range", val);
		diag_hint(c->diag, "valid: 0..%" PRIu64, max);
		return r;
	}
	*ret = val;
	return 0;
}

static int get_string_array(struct parse_ctx *c, const char *ptr, json_t *v, size_t max,
			    char ***ret, size_t *ret_n)
{
	if (json_is_null(v)) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	if (!json_is_array(v))
		return fail(c, ptr, "expected an array of strings, found %s", type_name(v));
	size_t n = json_array_size(v);
	if (n > max)
		return fail(c, ptr, "too many entries (%zu, limit %zu)", n, max);
	char **arr = calloc(n ? n : 1, sizeof(char *));
	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);
		int r;

		/* fast path: no pointer formatting unless there is an error to report */
		if (json_is_string(e) && strlen(json_string_value(e)) == json_string_length(e)) {
			arr[i] = strdup(json_string_value(e));
			r = arr[i] ? 0 : -ENOMEM;
		} else {
			char eptr[160];

			snprintf(eptr, sizeof(eptr), "%s/%zu", ptr, i);
			r = dup_string(c, eptr, e, &arr[i]);
		}
		if (r < 0) {
			for (size_t j = 0; j < i; j++)
				free(arr[j]);
			free(arr);
			return r;
		}
	}
	*ret = arr;
	*ret_n = n;
	return 0;
}

/* ---- pieces -------------------------------------------------------------------------- */

static const char action_hint[] =
	"valid: SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, "
	"SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG, SCMP_ACT_NOTIFY";

static int parse_action(struct parse_ctx *c, const char *ptr, json_t *v, enum cf_action *ret)
{
	const char *s = NULL;
	int r = get_string(c, ptr, v, &s);

	if (r < 0)
		return r;
	enum cf_action a = cf_action_from_name(s);
	if (a == CF_ACT_INVALID) {
		r = fail(c, ptr, "unknown action \"%s\"", s);
		diag_hint(c->diag, "%s", action_hint);
		return r;
	}
	*ret = a;
	return 0;
}

static int parse_arch(struct parse_ctx *c, const char *ptr, json_t *v, enum cf_arch *ret)
{
	const char *s = NULL;
	int r = get_string(c, ptr, v, &s);

	if (r < 0)
		return r;
	enum cf_arch a = arch_from_scmp_name(s);
	if (a == CF_ARCH_INVALID) {
		r = fail(c, ptr, "unknown architecture \"%s\"", s);
		diag_hint(c->diag, "valid: %s", arch_valid_names());
		return r;
	}
	*ret = a;
	return 0;
}

static int parse_arch_list(struct parse_ctx *c, const char *ptr, json_t *v, enum cf_arch **ret,
			   size_t *ret_n)
{
	if (json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return fail(c, ptr, "expected an array of SCMP_ARCH_* names, found %s",
			    type_name(v));
	size_t n = json_array_size(v);
	if (n > 64)
		return fail(c, ptr, "too many architectures (%zu)", n);
	enum cf_arch *arr = calloc(n ? n : 1, sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char eptr[160];

		snprintf(eptr, sizeof(eptr), "%s/%zu", ptr, i);
		int r = parse_arch(c, eptr, json_array_get(v, i), &arr[i]);
		if (r < 0) {
			free(arr);
			return r;
		}
	}
	*ret = arr;
	*ret_n = n;
	return 0;
}

static int parse_arch_map(struct parse_ctx *c, const char *ptr, json_t *v)
{
	static const char *const keys[] = { "architecture", "subArchitectures", NULL };
	struct cf_profile *p = c->p;

	if (json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return fail(c, ptr, "expected an array, found %s", type_name(v));
	size_t n = json_array_size(v);
	if (n > 64)
		return fail(c, ptr, "too many archMap entries (%zu)", n);
	p->arch_map = calloc(n ? n : 1, sizeof(*p->arch_map));
	if (!p->arch_map)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char eptr[160], fptr[PTR_MAX];
		json_t *e = json_array_get(v, i), *f;
		int r;

		snprintf(eptr, sizeof(eptr), "%s/%zu", ptr, i);
		if (!json_is_object(e))
			return fail(c, eptr, "expected an object, found %s", type_name(e));
		r = check_keys(c, eptr, e, keys, "architecture, subArchitectures");
		if (r < 0)
			return r;
		obj_get(e, eptr, "architecture", &f, fptr);
		if (!f)
			return fail(c, eptr, "archMap entry without \"architecture\"");
		r = parse_arch(c, fptr, f, &p->arch_map[i].arch);
		if (r < 0)
			return r;
		p->n_arch_map = i + 1;
		obj_get(e, eptr, "subArchitectures", &f, fptr);
		if (f) {
			r = parse_arch_list(c, fptr, f, &p->arch_map[i].sub, &p->arch_map[i].n_sub);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int parse_flags(struct parse_ctx *c, const char *ptr, json_t *v)
{
	static const struct {
		const char *name;
		unsigned flag;
	} flags[] = {
		{ "SECCOMP_FILTER_FLAG_TSYNC", CF_FLAG_TSYNC },
		{ "SECCOMP_FILTER_FLAG_LOG", CF_FLAG_LOG },
		{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", CF_FLAG_SPEC_ALLOW },
		{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", CF_FLAG_WAIT_KILLABLE_RECV },
	};

	/* runc only adds its SPEC_ALLOW default when the key is absent (nil slice). */
	if (json_is_null(v))
		return 0;
	c->p->has_flags = true;
	if (!json_is_array(v))
		return fail(c, ptr, "expected an array of SECCOMP_FILTER_FLAG_* names, found %s",
			    type_name(v));
	for (size_t i = 0; i < json_array_size(v); i++) {
		char eptr[160];
		const char *s = NULL;
		bool ok = false;

		snprintf(eptr, sizeof(eptr), "%s/%zu", ptr, i);
		int r = get_string(c, eptr, json_array_get(v, i), &s);
		if (r < 0)
			return r;
		for (size_t f = 0; f < ARRAY_SIZE(flags); f++)
			if (strcmp(s, flags[f].name) == 0) {
				c->p->flags |= flags[f].flag;
				ok = true;
			}
		if (!ok) {
			r = fail(c, eptr, "unknown flag \"%s\"", s);
			diag_hint(c->diag,
				  "valid: SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, "
				  "SECCOMP_FILTER_FLAG_SPEC_ALLOW, "
				  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
			return r;
		}
	}
	return 0;
}

static int parse_gate(struct parse_ctx *c, const char *ptr, json_t *v, struct cf_gate *g)
{
	static const char *const keys[] = { "caps", "arches", "minKernel", NULL };
	char fptr[PTR_MAX];
	json_t *f;
	int r;

	if (json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return fail(c, ptr, "expected an object with caps, arches, minKernel; found %s",
			    type_name(v));
	r = check_keys(c, ptr, v, keys, "caps, arches, minKernel");
	if (r < 0)
		return r;
	obj_get(v, ptr, "caps", &f, fptr);
	if (f) {
		r = get_string_array(c, fptr, f, 64, &g->caps, &g->n_caps);
		if (r < 0)
			return r;
	}
	obj_get(v, ptr, "arches", &f, fptr);
	if (f) {
		r = get_string_array(c, fptr, f, 64, &g->arches, &g->n_arches);
		if (r < 0)
			return r;
	}
	obj_get(v, ptr, "minKernel", &f, fptr);
	if (f && !json_is_null(f)) {
		const char *s = NULL;

		if (!json_is_string(f)) {
			r = fail(c, fptr,
				 "invalid kernel version: expected a string \"X.Y\", found %s",
				 type_name(f));
			diag_hint(c->diag, "write it quoted, e.g. \"4.8\"");
			return r;
		}
		s = json_string_value(f);
		if (cf_kernel_parse(s, &g->min_kernel) < 0) {
			r = fail(c, fptr, "invalid kernel version \"%s\"", s);
			diag_hint(c->diag,
				  "valid: \"<kernel>.<major>\" with numbers 0-255, e.g. \"4.8\"; "
				  "\"0.0\" and a third part are rejected");
			return r;
		}
	}
	return 0;
}

static int parse_arg(struct parse_ctx *c, const char *ptr, json_t *v, struct cf_arg *a)
{
	static const char *const keys[] = { "index", "value", "valueTwo", "op", NULL };
	char fptr[PTR_MAX], two_ptr[PTR_MAX];
	json_t *f;
	uint64_t u;
	int r;

	if (!json_is_object(v))
		return fail(c, ptr, "expected an argument object {index, value, op}, found %s",
			    type_name(v));
	r = check_keys(c, ptr, v, keys, "index, value, valueTwo, op");
	if (r < 0)
		return r;
	a->pos = pos_of(c, v);

	obj_get(v, ptr, "index", &f, fptr);
	if (!f)
		return fail(c, ptr, "argument without \"index\"");
	r = get_uint(c, fptr, f, 5, &u);
	if (r < 0) {
		diag_hint(c->diag, "valid: 0..5 (syscalls have six arguments)");
		return r;
	}
	a->index = (unsigned)u;

	obj_get(v, ptr, "value", &f, fptr);
	if (!f)
		return fail(c, ptr, "argument without \"value\"");
	r = get_uint(c, fptr, f, UINT64_MAX, &a->value);
	if (r < 0)
		return r;

	obj_get(v, ptr, "valueTwo", &f, two_ptr);
	if (f && !json_is_null(f)) {
		r = get_uint(c, two_ptr, f, UINT64_MAX, &a->value_two);
		if (r < 0)
			return r;
		a->has_value_two = true;
	}

	obj_get(v, ptr, "op", &f, fptr);
	if (!f)
		return fail(c, ptr, "argument without \"op\"");
	const char *s = NULL;
	r = get_string(c, fptr, f, &s);
	if (r < 0)
		return r;
	a->op = cf_op_from_name(s);
	if (a->op == CF_OP_INVALID) {
		r = fail(c, fptr, "unknown operator \"%s\"", s);
		diag_hint(c->diag, "valid: SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, "
				   "SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ");
		return r;
	}
	/*
	 * runc hands valueTwo to libseccomp, which reads it only for SCMP_CMP_MASKED_EQ: on any
	 * other operator it is dropped without a word, so the condition a reviewer reads is not the
	 * one installed. moby's default profile writes "valueTwo": 0 everywhere: 0 stays valid.
	 */
	if (a->has_value_two && a->value_two != 0 && a->op != CF_OP_MASKED_EQ) {
		r = fail(c, two_ptr,
			 "valueTwo %" PRIu64 " is ignored by %s (runc and libseccomp read "
			 "valueTwo only for SCMP_CMP_MASKED_EQ)",
			 a->value_two, s);
		diag_hint(c->diag,
			  "valueTwo is the datum of SCMP_CMP_MASKED_EQ, which matches "
			  "(arg & value) == valueTwo; with %s write 0 or leave it out",
			  s);
		return r;
	}
	return 0;
}

/*
 * errnoRet and defaultErrnoRet. The kernel returns -data for SECCOMP_RET_ERRNO (clamped to
 * MAX_ERRNO, 4095); libseccomp keeps 16 bits of data and refuses SCMP_ACT_ERRNO(x) for
 * x >= 4095; runc converts the value with int16(), so 65536 reaches libseccomp as 0 and 65537 as
 * EPERM. A value whose meaning changes on the way is refused here, for every command, and so
 * is 0: ERRNO(0) makes the call return success without running it, and a program that checks
 * the result goes on as if it had run (a setuid() that "succeeds" leaves it root). runc and
 * libseccomp accept 0; callfence refuses it (docs/ERRORS.md). 4095..65535 are kept as Docker
 * keeps them (moby's own fixtures use 12345) and refused where a filter is built, as runc does
 * (cf_resolved_check_runtime). TRACE passes its 16 bits to the tracer; other actions ignore the
 * value (resolve warns).
 */
static int check_errno_ret(struct parse_ctx *c, const char *ptr, const char *field,
			   enum cf_action action, uint64_t v)
{
	static const char hint[] = "valid: 1..4094 (the kernel's MAX_ERRNO is 4095), an errno "
				   "such as 1 (EPERM), 13 (EACCES) or 38 (ENOSYS)";
	int r;

	if (action == CF_ACT_ERRNO && v == 0) {
		struct cf_diag *strict = c->diag, kept;

		/* lint reports it as a finding and goes on (CF_PARSE_KEEP_ERRNO_ZERO) */
		if ((c->flags & CF_PARSE_KEEP_ERRNO_ZERO) && c->accepted)
			c->diag = &kept;
		r = fail(c, ptr,
			 "%s 0 makes the call return 0 (success) without running it: a program "
			 "that checks the result goes on as if it had run",
			 field);
		diag_hint(c->diag, "%s; to let the call run use SCMP_ACT_ALLOW", hint);
		if (c->diag != &kept)
			return r;
		c->diag = strict;
		size_t n = c->accepted->n;
		warnings_add(c->accepted, &kept);
		/* a lost finding would make lint pass what strict mode refuses */
		return c->accepted->n > n ? 0 : -ENOMEM;
	}
	if ((action == CF_ACT_ERRNO || action == CF_ACT_TRACE) && v > 0xffff) {
		r = fail(c, ptr,
			 "%s %" PRIu64 " does not fit in the 16 bits libseccomp keeps: runc would "
			 "install %" PRIu64 "%s",
			 field, v, v & 0xffff,
			 action == CF_ACT_ERRNO && (v & 0xffff) == 0 ?
				 ", which makes the call return success without running it" :
				 "");
		diag_hint(c->diag, "%s", action == CF_ACT_ERRNO ? hint : "valid: 0..65535");
		return r;
	}
	return 0;
}

static int parse_rule(struct parse_ctx *c, size_t idx, json_t *v, struct cf_rule *rule)
{
	static const char *const keys[] = { "names",   "name",	   "action",   "errnoRet", "args",
					    "comment", "includes", "excludes", "errno",	   NULL };
	char ptr[64], fptr[PTR_MAX], names_ptr[PTR_MAX], name_ptr[PTR_MAX];
	json_t *f, *names = NULL, *name = NULL;
	int r;

	snprintf(ptr, sizeof(ptr), "/syscalls/%zu", idx);
	rule->pos = pos_of(c, v);
	if (!json_is_object(v))
		return fail(c, ptr, "expected a rule object, found %s", type_name(v));
	r = check_keys(c, ptr, v, keys,
		       "names, name, action, errnoRet, args, comment, includes, excludes");
	if (r < 0)
		return r;

	obj_get(v, ptr, "names", &names, names_ptr);
	obj_get(v, ptr, "name", &name, name_ptr);
	if (names && json_is_null(names))
		names = NULL;
	if (name && json_is_null(name))
		name = NULL;
	if (name && names && json_is_array(names) && json_array_size(names) > 0) {
		r = fail(c, name_ptr,
			 "both 'name' and 'names' are specified in the seccomp profile");
		diag_hint(c->diag, "use either 'name' or 'names'");
		return r;
	}
	if (name) {
		rule->names = calloc(1, sizeof(char *));
		if (!rule->names)
			return -ENOMEM;
		r = dup_string(c, name_ptr, name, &rule->names[0]);
		if (r < 0)
			return r;
		rule->n_names = 1;
		rule->legacy_name = true;
		rule->name_pos = calloc(1, sizeof(*rule->name_pos));
		if (!rule->name_pos)
			return -ENOMEM;
		rule->name_pos[0] = pos_of(c, name);
	} else if (names) {
		r = get_string_array(c, names_ptr, names, CF_PROFILE_MAX_NAMES, &rule->names,
				     &rule->n_names);
		if (r < 0)
			return r;
		rule->name_pos = calloc(rule->n_names ? rule->n_names : 1, sizeof(*rule->name_pos));
		if (!rule->name_pos)
			return -ENOMEM;
		for (size_t j = 0; j < rule->n_names; j++)
			rule->name_pos[j] = pos_of(c, json_array_get(names, j));
	}
	if (rule->n_names == 0) {
		r = fail(c, ptr, "rule names no syscall");
		diag_hint(c->diag, "add \"names\": [\"syscall\", ...] (runc silently drops such a "
				   "rule; the OCI schema requires at least one name)");
		return r;
	}
	for (size_t j = 0; j < rule->n_names; j++) {
		if (rule->names[j][0] == '\0') {
			snprintf(fptr, sizeof(fptr), "%s/%zu", names_ptr, j);
			return fail(c, rule->legacy_name ? name_ptr : fptr,
				    "empty string is not a valid syscall");
		}
	}

	obj_get(v, ptr, "action", &f, fptr);
	if (!f) {
		r = fail(c, ptr, "rule without \"action\"");
		diag_hint(c->diag, "%s", action_hint);
		return r;
	}
	r = parse_action(c, fptr, f, &rule->action);
	if (r < 0)
		return r;
	rule->action_pos = pos_of(c, f);

	obj_get(v, ptr, "errnoRet", &f, fptr);
	if (f && !json_is_null(f)) {
		uint64_t u;

		r = get_uint(c, fptr, f, UINT32_MAX, &u);
		if (r < 0)
			return r;
		r = check_errno_ret(c, fptr, "errnoRet", rule->action, u);
		if (r < 0)
			return r;
		rule->has_errno = true;
		rule->errno_ret = (uint32_t)u;
	}

	obj_get(v, ptr, "args", &f, fptr);
	if (f && !json_is_null(f)) {
		if (!json_is_array(f))
			return fail(c, fptr, "expected an array of arguments, found %s",
				    type_name(f));
		size_t n = json_array_size(f);
		if (n > 64)
			return fail(c, fptr, "too many argument conditions (%zu, limit 64)", n);
		rule->args = calloc(n ? n : 1, sizeof(*rule->args));
		if (!rule->args)
			return -ENOMEM;
		for (size_t j = 0; j < n; j++) {
			char aptr[PTR_MAX];

			snprintf(aptr, sizeof(aptr), "%s/%zu", fptr, j);
			r = parse_arg(c, aptr, json_array_get(f, j), &rule->args[j]);
			if (r < 0)
				return r;
			rule->n_args = j + 1;
		}
	}

	obj_get(v, ptr, "comment", &f, fptr);
	if (f && !json_is_null(f)) {
		r = dup_string(c, fptr, f, &rule->comment);
		if (r < 0)
			return r;
	}

	obj_get(v, ptr, "includes", &f, fptr);
	if (f) {
		r = parse_gate(c, fptr, f, &rule->includes);
		if (r < 0)
			return r;
	}
	obj_get(v, ptr, "excludes", &f, fptr);
	if (f) {
		r = parse_gate(c, fptr, f, &rule->excludes);
		if (r < 0)
			return r;
	}
	/* Podman's per-rule "errno" (an errno name) is accepted and ignored, as Docker does. */
	obj_get(v, ptr, "errno", &f, fptr);
	if (f && !json_is_null(f) && !json_is_string(f)) {
		return fail(c, fptr, "expected an errno name string (Podman extension), found %s",
			    type_name(f));
	}
	return 0;
}

static int parse_profile_object(struct parse_ctx *c, json_t *root)
{
	static const char *const keys[] = {
		"defaultAction", "defaultErrnoRet",  "architectures", "archMap",      "flags",
		"listenerPath",	 "listenerMetadata", "syscalls",      "defaultErrno", NULL
	};
	struct cf_profile *p = c->p;
	char fptr[PTR_MAX];
	json_t *f;
	int r;

	if (!json_is_object(root))
		return fail(c, "", "expected a seccomp profile object, found %s", type_name(root));
	r = check_keys(c, "", root, keys,
		       "defaultAction, defaultErrnoRet, architectures, archMap, flags, "
		       "listenerPath, listenerMetadata, syscalls");
	if (r < 0)
		return r;

	obj_get(root, "", "defaultAction", &f, fptr);
	if (!f || json_is_null(f) || (json_is_string(f) && json_string_value(f)[0] == '\0')) {
		json_t *rules;

		/*
		 * moby (profiles/seccomp setupSeccomp) and runc (libcontainer/specconv SetupSeccomp):
		 * no defaultAction and no syscalls means no seccomp at all, so {} or
		 * "linux": {"seccomp": {}} would run the command unconfined; with syscalls runc
		 * fails on the empty action. Neither is what passing a profile asks for: an
		 * unconfined run must be asked for by name.
		 */
		obj_get(root, "", "syscalls", &rules, NULL);
		r = fail(c, fptr, "%s \"defaultAction\": %s",
			 !f		 ? "missing" :
			 json_is_null(f) ? "null" :
					   "empty",
			 json_array_size(rules) > 0 ?
				 "runc refuses the profile" :
				 "Docker and runc would run the command with no seccomp filter");
		diag_hint(c->diag,
			  "to run without a filter ask for it: --security-opt seccomp=unconfined; "
			  "otherwise set \"defaultAction\" (%s)",
			  action_hint);
		return r;
	}
	r = parse_action(c, fptr, f, &p->default_action);
	if (r < 0)
		return r;
	p->has_default_action = true;
	p->default_action_pos = pos_of(c, f);

	obj_get(root, "", "defaultErrnoRet", &f, fptr);
	if (f && !json_is_null(f)) {
		uint64_t u;

		r = get_uint(c, fptr, f, UINT32_MAX, &u);
		if (r < 0)
			return r;
		r = check_errno_ret(c, fptr, "defaultErrnoRet", p->default_action, u);
		if (r < 0)
			return r;
		p->has_default_errno = true;
		p->default_errno = (uint32_t)u;
	}
	obj_get(root, "", "defaultErrno", &f, fptr);
	if (f && !json_is_null(f) && !json_is_string(f))
		return fail(c, fptr, "expected an errno name string (Podman extension), found %s",
			    type_name(f));

	obj_get(root, "", "architectures", &f, fptr);
	if (f) {
		r = parse_arch_list(c, fptr, f, &p->architectures, &p->n_architectures);
		if (r < 0)
			return r;
	}
	obj_get(root, "", "archMap", &f, fptr);
	if (f) {
		p->format = CF_FORMAT_DOCKER;
		r = parse_arch_map(c, fptr, f);
		if (r < 0)
			return r;
	}
	if (p->n_architectures > 0 && p->n_arch_map > 0) {
		r = fail(c, fptr,
			 "both 'architectures' and 'archMap' are specified in the seccomp profile");
		diag_hint(c->diag, "use either 'architectures' or 'archMap'");
		return r;
	}

	obj_get(root, "", "flags", &f, fptr);
	if (f) {
		r = parse_flags(c, fptr, f);
		if (r < 0)
			return r;
	}
	obj_get(root, "", "listenerPath", &f, fptr);
	if (f && !json_is_null(f)) {
		r = dup_string(c, fptr, f, &p->listener_path);
		if (r < 0)
			return r;
	}
	obj_get(root, "", "listenerMetadata", &f, fptr);
	if (f && !json_is_null(f)) {
		r = dup_string(c, fptr, f, &p->listener_metadata);
		if (r < 0)
			return r;
		if (!p->listener_path || !p->listener_path[0]) {
			r = fail(c, fptr, "listenerMetadata is set without listenerPath");
			diag_hint(
				c->diag,
				"the runtime-spec forbids it; add listenerPath or drop listenerMetadata");
			return r;
		}
	}

	obj_get(root, "", "syscalls", &f, fptr);
	if (f && !json_is_null(f)) {
		if (!json_is_array(f))
			return fail(c, fptr, "expected an array of rules, found %s", type_name(f));
		size_t n = json_array_size(f);
		if (n > CF_PROFILE_MAX_RULES)
			return fail(c, fptr, "too many rules (%zu, limit %u)", n,
				    CF_PROFILE_MAX_RULES);
		p->rules = calloc(n ? n : 1, sizeof(*p->rules));
		if (!p->rules)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			p->n_rules = i + 1;
			r = parse_rule(c, i, json_array_get(f, i), &p->rules[i]);
			if (r < 0)
				return r;
			if (p->rules[i].includes.n_caps || p->rules[i].excludes.n_caps ||
			    p->rules[i].includes.n_arches || p->rules[i].excludes.n_arches ||
			    p->rules[i].includes.min_kernel.set ||
			    p->rules[i].excludes.min_kernel.set || p->rules[i].legacy_name)
				p->format = CF_FORMAT_DOCKER;
		}
	}
	return 0;
}

/* A config.json rather than a profile: runc's decoder matches these keys in any case too. */
static bool looks_like_oci_config(json_t *root)
{
	json_t *v;
	const char *k;

	json_object_foreach(root, k, v) {
		if (json_key_folds_to(k, "ociVersion") || json_key_folds_to(k, "linux") ||
		    json_key_folds_to(k, "process"))
			return true;
	}
	return false;
}

/*
 * The profile object of the document: the document itself, or linux.seccomp of a config.json.
 * Before anything is read, no object on the way may hold two keys that Go's decoder merges
 * (json-keys.h); the config's other members (annotations, sysctl: maps in which Go keeps keys
 * that differ in case apart) are not the profile's business.
 */
static int find_profile(struct parse_ctx *c, json_t *doc, json_t **ret)
{
	char linux_ptr[PTR_MAX];
	json_t *linux_obj = NULL;
	int r;

	*ret = doc;
	if (!json_is_object(doc) || !looks_like_oci_config(doc))
		return json_check_folded_keys(doc, true, &c->idx, c->buf, c->len, c->source, "",
					      c->diag);
	r = json_check_folded_keys(doc, false, &c->idx, c->buf, c->len, c->source, "", c->diag);
	if (r < 0)
		return r;
	obj_get(doc, "", "linux", &linux_obj, linux_ptr);
	if (json_is_object(linux_obj)) {
		r = json_check_folded_keys(linux_obj, false, &c->idx, c->buf, c->len, c->source,
					   linux_ptr, c->diag);
		if (r < 0)
			return r;
		obj_get(linux_obj, linux_ptr, "seccomp", ret, c->base);
	} else {
		*ret = NULL;
	}
	if (!*ret || json_is_null(*ret)) {
		r = diag_set(c->diag, EINVAL, c->source, 1, 1, "/linux/seccomp",
			     "OCI config has no linux.seccomp object");
		diag_hint(c->diag, "pass a config.json with linux.seccomp, a linux.seccomp object, "
				   "or a Docker profile");
		return r;
	}
	return json_check_folded_keys(*ret, true, &c->idx, c->buf, c->len, c->source, c->base,
				      c->diag);
}

int cf_profile_parse_buffer(const char *source, const char *buf, size_t len,
			    struct cf_profile **ret, struct cf_diag *reterr)
{
	return cf_profile_parse_buffer_flags(source, buf, len, 0, NULL, ret, reterr);
}

int cf_profile_parse_buffer_with(const char *source, const char *buf, size_t len,
				 const struct cf_parse_opts *opts, struct cf_profile **ret,
				 struct cf_diag *reterr)
{
	return cf_profile_parse_buffer_flags(
		source, buf, len, opts && opts->strict ? CF_PARSE_STRICT : 0, NULL, ret, reterr);
}

int cf_profile_parse_buffer_flags(const char *source, const char *buf, size_t len, unsigned flags,
				  struct cf_warnings *accepted, struct cf_profile **ret,
				  struct cf_diag *reterr)
{
	cleanup(cf_profile_freep) struct cf_profile *p = NULL;
	cleanup(json_decref_retp) json_t *doc = NULL;
	struct parse_ctx c = { .source = source,
			       .buf = buf,
			       .len = len,
			       .diag = reterr,
			       .strict = flags & CF_PARSE_STRICT,
			       .flags = flags,
			       .accepted = accepted };
	json_error_t jerr;
	json_t *root;
	int r;

	if (len > CF_PROFILE_MAX_BYTES)
		return diag_set(reterr, EFBIG, source, 0, 0, "",
				"profile is too large (%zu bytes, limit %u)", len,
				CF_PROFILE_MAX_BYTES);
	/* Integers are re-read from the text (uint64); reals let jansson accept > INT64_MAX. */
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
	if (!doc) {
		r = diag_set(reterr, EINVAL, source, (unsigned)CF_MAX(jerr.line, 0),
			     (unsigned)CF_MAX(jerr.column, 0), "", "invalid JSON: %s", jerr.text);
		diag_hint(reterr, "a seccomp profile is a JSON object like "
				  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [...]}");
		return r;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->source = strdup(source);
	if (!p->source)
		return -ENOMEM;
	p->format = CF_FORMAT_OCI;
	c.p = p;

	r = json_pos_index_build(&c.idx, buf, len, doc);
	if (r < 0) {
		json_pos_index_free(&c.idx);
		return r == -ENOMEM ?
			       r :
			       diag_set(reterr, EINVAL, source, 0, 0, "", "cannot scan JSON text");
	}
	r = find_profile(&c, doc, &root);
	if (r >= 0)
		r = parse_profile_object(&c, root);
	json_pos_index_free(&c.idx);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}

static int read_all(int fd, char **ret, size_t *ret_len)
{
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 0;

	for (;;) {
		if (len + 4096 > cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			if (ncap > (size_t)CF_PROFILE_MAX_BYTES + 65536)
				ncap = (size_t)CF_PROFILE_MAX_BYTES + 65536;
			if (ncap <= len)
				return -EFBIG;
			char *n = realloc(buf, ncap);
			if (!n)
				return -ENOMEM;
			buf = n;
			cap = ncap;
		}
		ssize_t k = read(fd, buf + len, cap - len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			/* a non-blocking stdin (O_NONBLOCK is shared with whoever set it) */
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLIN };

				if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
					return -errno;
				continue;
			}
			return -errno;
		}
		if (k == 0)
			break;
		len += (size_t)k;
		if (len > CF_PROFILE_MAX_BYTES)
			return -EFBIG;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

/*
 * A profile is read from a regular file, or from stdin when the path is "-" (then a pipe or a
 * FIFO is what the caller asked for). Opened with O_NONBLOCK so that a FIFO given as the path
 * neither blocks the open until a writer appears nor the read forever; a directory, device,
 * socket or FIFO is refused at once. O_NONBLOCK does nothing to a regular file.
 */
int cf_profile_parse_file(const char *path, struct cf_profile **ret, struct cf_diag *reterr)
{
	return cf_profile_parse_file_with(path, NULL, ret, reterr);
}

int cf_profile_parse_file_with(const char *path, const struct cf_parse_opts *opts,
			       struct cf_profile **ret, struct cf_diag *reterr)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	int r = cf_profile_read_file(path, &buf, &len, reterr);

	if (r < 0)
		return r;
	return cf_profile_parse_buffer_with(strcmp(path, "-") == 0 ? "<stdin>" : path, buf, len,
					    opts, ret, reterr);
}

int cf_profile_read_file(const char *path, char **ret_buf, size_t *ret_len, struct cf_diag *reterr)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *source = is_stdin ? "<stdin>" : path;
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	if (is_stdin)
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		(void)diag_set(reterr, -r, source, 0, 0, "", "cannot open seccomp profile: %s",
			       strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		(void)diag_set(reterr, -r, source, 0, 0, "", "cannot stat seccomp profile: %s",
			       strerror(-r));
		return r;
	}
	if (!is_stdin && !S_ISREG(st.st_mode)) {
		r = diag_set(reterr, EINVAL, source, 0, 0, "",
			     "not a regular file (%s): a seccomp profile is read from a file",
			     S_ISDIR(st.st_mode)  ? "a directory" :
			     S_ISFIFO(st.st_mode) ? "a FIFO" :
			     S_ISSOCK(st.st_mode) ? "a socket" :
			     S_ISCHR(st.st_mode)  ? "a character device" :
			     S_ISBLK(st.st_mode)  ? "a block device" :
						    "not a file");
		diag_hint(reterr, "to read the profile from a pipe, give it on stdin: "
				  "--security-opt seccomp=- <PROFILE");
		return r;
	}
	r = read_all(fd, &buf, &len);
	if (r == -EFBIG)
		return diag_set(reterr, EFBIG, source, 0, 0, "",
				"profile is too large (limit %u bytes)", CF_PROFILE_MAX_BYTES);
	if (r < 0) {
		(void)diag_set(reterr, -r, source, 0, 0, "", "cannot read seccomp profile: %s",
			       strerror(-r));
		return r;
	}
	*ret_buf = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}
