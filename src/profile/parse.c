/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Docker / OCI seccomp profile parser. Strict where Docker is lax (unknown keys, wrong types,
 * duplicate keys, unknown actions are errors here, so a typo never silently weakens a profile),
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

#include <sys/stat.h>

#include "base/cleanup.h"
#include "base/errno-util.h"
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

struct raw_number {
	char pointer[96];
	size_t offset;
};

struct parse_ctx {
	const char *source;
	const char *buf;
	size_t len;
	char base
		[32]; /* JSON pointer of the profile inside the document ("" or "/linux/seccomp") */
	size_t base_depth;
	struct cf_diag *diag;
	struct cf_profile *p;
	/* positions collected by one scan */
	struct cf_pos *rule_pos;
	struct cf_pos *action_pos;
	struct cf_pos **name_pos;
	size_t *n_name_pos;
	size_t n_rule_pos;
	struct raw_number *numbers;
	size_t n_numbers, cap_numbers;
	struct raw_number *objects; /* positions of argument objects, by pointer */
	size_t n_objects, cap_objects;
	struct cf_pos default_action_pos;
	int scan_error;
};

static int fail(struct parse_ctx *c, const char *ptr, const char *fmt, ...) CF_PRINTF(3, 4);

static int fail(struct parse_ctx *c, const char *ptr, const char *fmt, ...)
{
	char full[160];
	struct cf_pos pos = { 0 };
	va_list ap;

	snprintf(full, sizeof(full), "%s%s", c->base, ptr);
	if (json_pos_find(c->buf, c->len, full, &pos) < 0 || pos.line == 0) {
		/* a missing key: point at the enclosing object */
		char parent[160];
		char *slash;

		snprintf(parent, sizeof(parent), "%s", full);
		slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		(void)json_pos_find(c->buf, c->len, parent, &pos);
	}
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

/* ---- position scan --------------------------------------------------------------------- */

static bool elem_is_index(const struct json_path_elem *e)
{
	return e->key == NULL;
}

static void format_pointer(const struct json_path_elem *path, size_t from, size_t depth, char *buf,
			   size_t size)
{
	size_t n = 0;

	/* hand-rolled: this runs for every number in the document */
	for (size_t i = from; i < depth; i++) {
		char num[24];
		const char *src;
		size_t len;

		if (path[i].key) {
			src = path[i].key;
			len = path[i].key_len;
		} else {
			size_t v = path[i].index, k = sizeof(num);

			do {
				num[--k] = (char)('0' + v % 10);
				v /= 10;
			} while (v);
			src = num + k;
			len = sizeof(num) - k;
		}
		if (n + 1 + len + 1 > size)
			break;
		buf[n++] = '/';
		memcpy(buf + n, src, len);
		n += len;
	}
	buf[n] = '\0';
}

static int grow(void **arr, size_t elem, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	void *n = realloc(*arr, ncap * elem);
	if (!n)
		return -ENOMEM;
	memset((char *)n + *cap * elem, 0, (ncap - *cap) * elem);
	*arr = n;
	*cap = ncap;
	return 0;
}

static void scan_cb(const struct json_path_elem *path, size_t depth, struct cf_pos pos,
		    size_t offset, void *userdata)
{
	struct parse_ctx *c = userdata;
	size_t b = c->base_depth;

	if (c->scan_error || depth < b)
		return;
	/* the base prefix must match ("/linux/seccomp" in a config.json) */
	if (b >= 2 &&
	    (!json_path_key_is(&path[0], "linux") || !json_path_key_is(&path[1], "seccomp")))
		return;

	const struct json_path_elem *rel = path + b;
	size_t rd = depth - b;
	char ch = c->buf[offset];

	if ((ch == '-' || (ch >= '0' && ch <= '9'))) {
		if (grow((void **)&c->numbers, sizeof(*c->numbers), &c->cap_numbers,
			 c->n_numbers + 1) < 0) {
			c->scan_error = -ENOMEM;
			return;
		}
		struct raw_number *n = &c->numbers[c->n_numbers++];
		format_pointer(path, 0, depth, n->pointer, sizeof(n->pointer));
		n->offset = offset;
	}

	if (rd == 1 && json_path_key_is(&rel[0], "defaultAction"))
		c->default_action_pos = pos;
	if (rd == 4 && json_path_key_is(&rel[2], "args") && elem_is_index(&rel[3])) {
		if (grow((void **)&c->objects, sizeof(*c->objects), &c->cap_objects,
			 c->n_objects + 1) < 0) {
			c->scan_error = -ENOMEM;
			return;
		}
		struct raw_number *o = &c->objects[c->n_objects++];
		format_pointer(path, 0, depth, o->pointer, sizeof(o->pointer));
		o->offset = ((size_t)pos.line << 20) | pos.column; /* packed position */
	}
	if (rd < 2 || !json_path_key_is(&rel[0], "syscalls") || !elem_is_index(&rel[1]))
		return;
	size_t i = rel[1].index;
	if (i >= CF_PROFILE_MAX_RULES)
		return;
	if (i >= c->n_rule_pos) {
		size_t old = c->n_rule_pos, want = i + 1;
		size_t cap = old;

		if (grow((void **)&c->rule_pos, sizeof(*c->rule_pos), &cap, want) < 0) {
			c->scan_error = -ENOMEM;
			return;
		}
		cap = old;
		if (grow((void **)&c->action_pos, sizeof(*c->action_pos), &cap, want) < 0) {
			c->scan_error = -ENOMEM;
			return;
		}
		cap = old;
		if (grow((void **)&c->name_pos, sizeof(*c->name_pos), &cap, want) < 0) {
			c->scan_error = -ENOMEM;
			return;
		}
		cap = old;
		if (grow((void **)&c->n_name_pos, sizeof(*c->n_name_pos), &cap, want) < 0) {
			c->scan_error = -ENOMEM;
			return;
		}
		/* grow() doubles: remember the real capacity as the count we track */
		c->n_rule_pos = cap;
	}
	if (rd == 2)
		c->rule_pos[i] = pos;
	else if (rd == 3 && json_path_key_is(&rel[2], "action"))
		c->action_pos[i] = pos;
	else if (rd == 4 && json_path_key_is(&rel[2], "names") && elem_is_index(&rel[3])) {
		size_t j = rel[3].index;
		size_t cap = c->n_name_pos[i];

		if (j >= CF_PROFILE_MAX_NAMES)
			return;
		if (grow((void **)&c->name_pos[i], sizeof(**c->name_pos), &cap, j + 1) < 0) {
			c->scan_error = -ENOMEM;
			return;
		}
		c->n_name_pos[i] = cap;
		c->name_pos[i][j] = pos;
	}
}

static void ctx_free_positions(struct parse_ctx *c)
{
	for (size_t i = 0; i < c->n_rule_pos; i++)
		free(c->name_pos ? c->name_pos[i] : NULL);
	free(c->name_pos);
	free(c->n_name_pos);
	free(c->rule_pos);
	free(c->action_pos);
	free(c->numbers);
	free(c->objects);
}

/* ---- typed getters ------------------------------------------------------------------- */

/* Go's decoder matches keys case-insensitively; two keys that differ only in case are an error. */
static int obj_get(struct parse_ctx *c, const char *obj_ptr, json_t *obj, const char *key,
		   json_t **ret, const char **ret_key)
{
	const char *k;
	json_t *v;
	json_t *found = NULL;
	const char *found_key = NULL;

	json_object_foreach(obj, k, v) {
		if (strcasecmp(k, key) != 0)
			continue;
		if (found) {
			char ptr[160];

			snprintf(ptr, sizeof(ptr), "%s/%s", obj_ptr, k);
			return fail(c, ptr, "duplicate key \"%s\" (also spelled \"%s\")", k,
				    found_key);
		}
		found = v;
		found_key = k;
	}
	*ret = found;
	if (ret_key)
		*ret_key = found_key;
	return 0;
}

static int check_keys(struct parse_ctx *c, const char *obj_ptr, json_t *obj,
		      const char *const *valid, const char *valid_text)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		bool ok = false;

		for (size_t i = 0; valid[i]; i++)
			if (strcasecmp(k, valid[i]) == 0)
				ok = true;
		if (!ok) {
			char ptr[160];

			snprintf(ptr, sizeof(ptr), "%s/%s", obj_ptr, k);
			int r = fail(c, ptr, "unknown key \"%s\"", k);
			diag_hint(c->diag, "valid keys: %s", valid_text);
			return r;
		}
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

/* Numbers are read from the source text: jansson's int is signed 64-bit, profiles use uint64. */
static int get_uint(struct parse_ctx *c, const char *ptr, json_t *v, uint64_t max, uint64_t *ret)
{
	char full[160];

	if (!json_is_number(v))
		return fail(c, ptr, "expected a non-negative integer, found %s", type_name(v));
	snprintf(full, sizeof(full), "%s%s", c->base, ptr);
	for (size_t i = 0; i < c->n_numbers; i++) {
		if (strcasecmp(c->numbers[i].pointer, full) != 0)
			continue;
		const char *s = c->buf + c->numbers[i].offset;
		const char *e = s;
		uint64_t val = 0;

		if (*s == '-')
			return fail(c, ptr,
				    "negative number where an unsigned integer is required");
		while (e < c->buf + c->len && *e >= '0' && *e <= '9') {
			unsigned d = (unsigned)(*e - '0');

			if (val > (UINT64_MAX - d) / 10)
				return fail(c, ptr, "number does not fit in 64 bits");
			val = val * 10 + d;
			e++;
		}
		if (e < c->buf + c->len && (*e == '.' || *e == 'e' || *e == 'E'))
			return fail(c, ptr, "expected an integer, found a fraction or exponent");
		if (val > max) {
			int r = fail(c, ptr, "%" PRIu64 " is out of range", val);
			diag_hint(c->diag, "valid: 0..%" PRIu64, max);
			return r;
		}
		*ret = val;
		return 0;
	}
	return fail(c, ptr, "cannot locate number in the source text");
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
		char eptr[160], fptr[200];
		json_t *e = json_array_get(v, i), *f;
		int r;

		snprintf(eptr, sizeof(eptr), "%s/%zu", ptr, i);
		if (!json_is_object(e))
			return fail(c, eptr, "expected an object, found %s", type_name(e));
		r = check_keys(c, eptr, e, keys, "architecture, subArchitectures");
		if (r < 0)
			return r;
		r = obj_get(c, eptr, e, "architecture", &f, NULL);
		if (r < 0)
			return r;
		if (!f)
			return fail(c, eptr, "archMap entry without \"architecture\"");
		snprintf(fptr, sizeof(fptr), "%s/architecture", eptr);
		r = parse_arch(c, fptr, f, &p->arch_map[i].arch);
		if (r < 0)
			return r;
		p->n_arch_map = i + 1;
		r = obj_get(c, eptr, e, "subArchitectures", &f, NULL);
		if (r < 0)
			return r;
		snprintf(fptr, sizeof(fptr), "%s/subArchitectures", eptr);
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
	char fptr[200];
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
	r = obj_get(c, ptr, v, "caps", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/caps", ptr);
	if (f) {
		r = get_string_array(c, fptr, f, 64, &g->caps, &g->n_caps);
		if (r < 0)
			return r;
	}
	r = obj_get(c, ptr, v, "arches", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/arches", ptr);
	if (f) {
		r = get_string_array(c, fptr, f, 64, &g->arches, &g->n_arches);
		if (r < 0)
			return r;
	}
	r = obj_get(c, ptr, v, "minKernel", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/minKernel", ptr);
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
	char fptr[200];
	json_t *f;
	uint64_t u;
	int r;

	if (!json_is_object(v))
		return fail(c, ptr, "expected an argument object {index, value, op}, found %s",
			    type_name(v));
	r = check_keys(c, ptr, v, keys, "index, value, valueTwo, op");
	if (r < 0)
		return r;

	r = obj_get(c, ptr, v, "index", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/index", ptr);
	if (!f)
		return fail(c, ptr, "argument without \"index\"");
	r = get_uint(c, fptr, f, 5, &u);
	if (r < 0) {
		diag_hint(c->diag, "valid: 0..5 (syscalls have six arguments)");
		return r;
	}
	a->index = (unsigned)u;

	r = obj_get(c, ptr, v, "value", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/value", ptr);
	if (!f)
		return fail(c, ptr, "argument without \"value\"");
	r = get_uint(c, fptr, f, UINT64_MAX, &a->value);
	if (r < 0)
		return r;

	r = obj_get(c, ptr, v, "valueTwo", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/valueTwo", ptr);
	if (f && !json_is_null(f)) {
		r = get_uint(c, fptr, f, UINT64_MAX, &a->value_two);
		if (r < 0)
			return r;
		a->has_value_two = true;
	}

	r = obj_get(c, ptr, v, "op", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/op", ptr);
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
	char full[200];
	snprintf(full, sizeof(full), "%s%s", c->base, ptr);
	for (size_t i = 0; i < c->n_objects; i++)
		if (strcasecmp(c->objects[i].pointer, full) == 0)
			a->pos = (struct cf_pos){ .line = (unsigned)(c->objects[i].offset >> 20),
						  .column = (unsigned)(c->objects[i].offset &
								       0xfffff) };
	return 0;
}

static int parse_rule(struct parse_ctx *c, size_t idx, json_t *v, struct cf_rule *rule)
{
	static const char *const keys[] = { "names",   "name",	   "action",   "errnoRet", "args",
					    "comment", "includes", "excludes", "errno",	   NULL };
	char ptr[64], fptr[160];
	json_t *f, *names = NULL, *name = NULL;
	int r;

	snprintf(ptr, sizeof(ptr), "/syscalls/%zu", idx);
	if (idx < c->n_rule_pos) {
		rule->pos = c->rule_pos[idx];
		rule->action_pos = c->action_pos[idx];
	}
	if (!json_is_object(v))
		return fail(c, ptr, "expected a rule object, found %s", type_name(v));
	r = check_keys(c, ptr, v, keys,
		       "names, name, action, errnoRet, args, comment, includes, excludes");
	if (r < 0)
		return r;

	r = obj_get(c, ptr, v, "names", &names, NULL);
	if (r < 0)
		return r;
	r = obj_get(c, ptr, v, "name", &name, NULL);
	if (r < 0)
		return r;
	if (names && json_is_null(names))
		names = NULL;
	if (name && json_is_null(name))
		name = NULL;
	if (name && names && json_is_array(names) && json_array_size(names) > 0) {
		snprintf(fptr, sizeof(fptr), "%s/name", ptr);
		r = fail(c, fptr, "both 'name' and 'names' are specified in the seccomp profile");
		diag_hint(c->diag, "use either 'name' or 'names'");
		return r;
	}
	if (name) {
		snprintf(fptr, sizeof(fptr), "%s/name", ptr);
		rule->names = calloc(1, sizeof(char *));
		if (!rule->names)
			return -ENOMEM;
		r = dup_string(c, fptr, name, &rule->names[0]);
		if (r < 0)
			return r;
		rule->n_names = 1;
		rule->legacy_name = true;
		rule->name_pos = calloc(1, sizeof(*rule->name_pos));
		if (!rule->name_pos)
			return -ENOMEM;
		(void)json_pos_find(c->buf, c->len, fptr, &rule->name_pos[0]);
	} else if (names) {
		snprintf(fptr, sizeof(fptr), "%s/names", ptr);
		r = get_string_array(c, fptr, names, CF_PROFILE_MAX_NAMES, &rule->names,
				     &rule->n_names);
		if (r < 0)
			return r;
		rule->name_pos = calloc(rule->n_names ? rule->n_names : 1, sizeof(*rule->name_pos));
		if (!rule->name_pos)
			return -ENOMEM;
		for (size_t j = 0; j < rule->n_names; j++)
			if (idx < c->n_rule_pos && c->name_pos[idx] && j < c->n_name_pos[idx])
				rule->name_pos[j] = c->name_pos[idx][j];
	}
	if (rule->n_names == 0) {
		r = fail(c, ptr, "rule names no syscall");
		diag_hint(c->diag, "add \"names\": [\"syscall\", ...] (runc silently drops such a "
				   "rule; the OCI schema requires at least one name)");
		return r;
	}
	for (size_t j = 0; j < rule->n_names; j++) {
		if (rule->names[j][0] == '\0') {
			snprintf(fptr, sizeof(fptr), "%s/names/%zu", ptr, j);
			if (rule->legacy_name)
				snprintf(fptr, sizeof(fptr), "%s/name", ptr);
			return fail(c, fptr, "empty string is not a valid syscall");
		}
	}

	r = obj_get(c, ptr, v, "action", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/action", ptr);
	if (!f) {
		r = fail(c, ptr, "rule without \"action\"");
		diag_hint(c->diag, "%s", action_hint);
		return r;
	}
	r = parse_action(c, fptr, f, &rule->action);
	if (r < 0)
		return r;

	r = obj_get(c, ptr, v, "errnoRet", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/errnoRet", ptr);
	if (f && !json_is_null(f)) {
		uint64_t u;

		r = get_uint(c, fptr, f, UINT32_MAX, &u);
		if (r < 0)
			return r;
		rule->has_errno = true;
		rule->errno_ret = (uint32_t)u;
	}

	r = obj_get(c, ptr, v, "args", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/args", ptr);
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
			char aptr[200];

			snprintf(aptr, sizeof(aptr), "%s/%zu", fptr, j);
			r = parse_arg(c, aptr, json_array_get(f, j), &rule->args[j]);
			if (r < 0)
				return r;
			rule->n_args = j + 1;
		}
	}

	r = obj_get(c, ptr, v, "comment", &f, NULL);
	if (r < 0)
		return r;
	if (f && !json_is_null(f)) {
		snprintf(fptr, sizeof(fptr), "%s/comment", ptr);
		r = dup_string(c, fptr, f, &rule->comment);
		if (r < 0)
			return r;
	}

	r = obj_get(c, ptr, v, "includes", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/includes", ptr);
	if (f) {
		r = parse_gate(c, fptr, f, &rule->includes);
		if (r < 0)
			return r;
	}
	r = obj_get(c, ptr, v, "excludes", &f, NULL);
	if (r < 0)
		return r;
	snprintf(fptr, sizeof(fptr), "%s/excludes", ptr);
	if (f) {
		r = parse_gate(c, fptr, f, &rule->excludes);
		if (r < 0)
			return r;
	}
	/* Podman's per-rule "errno" (an errno name) is accepted and ignored, as Docker does. */
	r = obj_get(c, ptr, v, "errno", &f, NULL);
	if (r < 0)
		return r;
	if (f && !json_is_null(f) && !json_is_string(f)) {
		snprintf(fptr, sizeof(fptr), "%s/errno", ptr);
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
	json_t *f;
	int r;

	if (!json_is_object(root))
		return fail(c, "", "expected a seccomp profile object, found %s", type_name(root));
	r = check_keys(c, "", root, keys,
		       "defaultAction, defaultErrnoRet, architectures, archMap, flags, "
		       "listenerPath, listenerMetadata, syscalls");
	if (r < 0)
		return r;

	r = obj_get(c, "", root, "defaultAction", &f, NULL);
	if (r < 0)
		return r;
	if (f && !(json_is_string(f) && json_string_value(f)[0] == '\0')) {
		r = parse_action(c, "/defaultAction", f, &p->default_action);
		if (r < 0)
			return r;
		p->has_default_action = true;
		p->default_action_pos = c->default_action_pos;
	}

	r = obj_get(c, "", root, "defaultErrnoRet", &f, NULL);
	if (r < 0)
		return r;
	if (f && !json_is_null(f)) {
		uint64_t u;

		r = get_uint(c, "/defaultErrnoRet", f, UINT32_MAX, &u);
		if (r < 0)
			return r;
		p->has_default_errno = true;
		p->default_errno = (uint32_t)u;
	}
	r = obj_get(c, "", root, "defaultErrno", &f, NULL);
	if (r < 0)
		return r;
	if (f && !json_is_null(f) && !json_is_string(f))
		return fail(c, "/defaultErrno",
			    "expected an errno name string (Podman extension), found %s",
			    type_name(f));

	r = obj_get(c, "", root, "architectures", &f, NULL);
	if (r < 0)
		return r;
	if (f) {
		r = parse_arch_list(c, "/architectures", f, &p->architectures, &p->n_architectures);
		if (r < 0)
			return r;
	}
	r = obj_get(c, "", root, "archMap", &f, NULL);
	if (r < 0)
		return r;
	if (f) {
		p->format = CF_FORMAT_DOCKER;
		r = parse_arch_map(c, "/archMap", f);
		if (r < 0)
			return r;
	}
	if (p->n_architectures > 0 && p->n_arch_map > 0) {
		r = fail(c, "/archMap",
			 "both 'architectures' and 'archMap' are specified in the seccomp profile");
		diag_hint(c->diag, "use either 'architectures' or 'archMap'");
		return r;
	}

	r = obj_get(c, "", root, "flags", &f, NULL);
	if (r < 0)
		return r;
	if (f) {
		r = parse_flags(c, "/flags", f);
		if (r < 0)
			return r;
	}
	r = obj_get(c, "", root, "listenerPath", &f, NULL);
	if (r < 0)
		return r;
	if (f && !json_is_null(f)) {
		r = dup_string(c, "/listenerPath", f, &p->listener_path);
		if (r < 0)
			return r;
	}
	r = obj_get(c, "", root, "listenerMetadata", &f, NULL);
	if (r < 0)
		return r;
	if (f && !json_is_null(f)) {
		r = dup_string(c, "/listenerMetadata", f, &p->listener_metadata);
		if (r < 0)
			return r;
		if (!p->listener_path || !p->listener_path[0]) {
			r = fail(c, "/listenerMetadata",
				 "listenerMetadata is set without listenerPath");
			diag_hint(
				c->diag,
				"the runtime-spec forbids it; add listenerPath or drop listenerMetadata");
			return r;
		}
	}

	r = obj_get(c, "", root, "syscalls", &f, NULL);
	if (r < 0)
		return r;
	if (f && !json_is_null(f)) {
		if (!json_is_array(f))
			return fail(c, "/syscalls", "expected an array of rules, found %s",
				    type_name(f));
		size_t n = json_array_size(f);
		if (n > CF_PROFILE_MAX_RULES)
			return fail(c, "/syscalls", "too many rules (%zu, limit %u)", n,
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
	/* A missing defaultAction with rules is an error (runc: "" is not a valid action); with
	 * no rules Docker silently runs unconfined, which we report at resolve time. */
	if (!p->has_default_action && p->n_rules > 0) {
		int e = fail(c, "/defaultAction", "missing \"defaultAction\"");
		diag_hint(c->diag, "%s", action_hint);
		return e;
	}
	return 0;
}

static bool looks_like_oci_config(json_t *root)
{
	json_t *v;
	const char *k;

	json_object_foreach(root, k, v) {
		if (strcmp(k, "ociVersion") == 0 || strcmp(k, "linux") == 0 ||
		    strcmp(k, "process") == 0)
			return true;
	}
	return false;
}

int cf_profile_parse_buffer(const char *source, const char *buf, size_t len,
			    struct cf_profile **ret, struct cf_diag *reterr)
{
	cleanup(cf_profile_freep) struct cf_profile *p = NULL;
	cleanup(json_decref_retp) json_t *doc = NULL;
	struct parse_ctx c = { .source = source, .buf = buf, .len = len, .diag = reterr };
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

	root = doc;
	if (json_is_object(doc) && looks_like_oci_config(doc)) {
		json_t *linux_obj = json_object_get(doc, "linux");

		snprintf(c.base, sizeof(c.base), "/linux/seccomp");
		c.base_depth = 2;
		root = linux_obj ? json_object_get(linux_obj, "seccomp") : NULL;
		if (!root || json_is_null(root)) {
			r = diag_set(reterr, EINVAL, source, 1, 1, "/linux/seccomp",
				     "OCI config has no linux.seccomp object");
			diag_hint(reterr, "pass a config.json with linux.seccomp, a linux.seccomp "
					  "object, or a Docker profile");
			return r;
		}
	}

	r = json_pos_scan(buf, len, scan_cb, &c);
	if (r >= 0 && c.scan_error)
		r = c.scan_error;
	if (r < 0) {
		ctx_free_positions(&c);
		return r == -ENOMEM ?
			       r :
			       diag_set(reterr, EINVAL, source, 0, 0, "", "cannot scan JSON text");
	}
	r = parse_profile_object(&c, root);
	ctx_free_positions(&c);
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

int cf_profile_parse_file(const char *path, struct cf_profile **ret, struct cf_diag *reterr)
{
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	int r;

	if (strcmp(path, "-") == 0)
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		(void)diag_set(reterr, -r, path, 0, 0, "", "cannot open seccomp profile: %s",
			       strerror(-r));
		return r;
	}
	r = read_all(fd, &buf, &len);
	if (r == -EFBIG)
		return diag_set(reterr, EFBIG, path, 0, 0, "",
				"profile is too large (limit %u bytes)", CF_PROFILE_MAX_BYTES);
	if (r < 0) {
		(void)diag_set(reterr, -r, path, 0, 0, "", "cannot read seccomp profile: %s",
			       strerror(-r));
		return r;
	}
	return cf_profile_parse_buffer(strcmp(path, "-") == 0 ? "<stdin>" : path, buf, len, ret,
				       reterr);
}
