/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON -> profile model, and seccomp model -> plain OCI JSON.
 *
 * Three document shapes are recognised (notes/profile-format.md):
 *   - a seccomp object (OCI linux.seccomp, Docker/Moby, Podman, SPO), found by
 *     its top-level "defaultAction";
 *   - an OCI runtime config.json ("ociVersion"), of which linux.seccomp is used;
 *   - a tinyjail profile ("tinyjail" key): the OCI config layout, where every
 *     section must be understood and enforced.
 *
 * Every error names the JSON path; tj_profile_load_buffer adds the file name
 * and the line:column at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/agent.h"
#include "tj/cleanup.h"
#include "tj/decisions.h"
#include "tj/filter.h"
#include "tj/jsonpos.h"
#include "tj/profile_json.h"

struct loader {
	struct tj_profile *p;
	struct tj_jpath path;
	struct tj_err **err;
};

/* --- small helpers --- */

__attribute__((format(printf, 2, 3)))
static int fail(struct loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tj_err_setv(L->err, TJ_ERR_PROFILE, 0, fmt, ap);
	va_end(ap);
	return tj_err_at(L->err, NULL, L->path.s);
}

__attribute__((format(printf, 2, 3)))
static void warn(struct loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = tj_xvasprintf(fmt, ap);
	va_end(ap);
	tj_notes_add(&L->p->warnings, L->path.s, "%s", msg);
	free(msg);
}

static const char *type_name(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a fractional number";
	case json_type_int: return "a number";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "something else";
}

static int expect_type(struct loader *L, json_object *o, enum json_type t, const char *what)
{
	if (json_object_get_type(o) == t)
		return 0;
	return fail(L, "expected %s, got %s", what, type_name(o));
}

/* A non-negative integer no larger than max (JSON integers only: json-c
 * would otherwise coerce strings, doubles and booleans). */
static int get_uint(struct loader *L, json_object *o, uint64_t max, uint64_t *ret)
{
	if (json_object_get_type(o) != json_type_int)
		return fail(L, "expected a non-negative integer, got %s", type_name(o));
	if (json_object_get_int64(o) < 0)
		return fail(L, "must not be negative, got %lld", (long long)json_object_get_int64(o));
	uint64_t v = json_object_get_uint64(o);
	if (v > max)
		return fail(L, "%llu is out of range (at most %llu)", (unsigned long long)v,
			    (unsigned long long)max);
	*ret = v;
	return 0;
}

static int get_string(struct loader *L, json_object *o, bool nonempty, const char **ret)
{
	if (expect_type(L, o, json_type_string, "a string") < 0)
		return -1;
	const char *s = json_object_get_string(o);
	if (strlen(s) != (size_t)json_object_get_string_len(o))
		return fail(L, "string contains a NUL character");
	if (nonempty && !*s)
		return fail(L, "must not be empty");
	*ret = s;
	return 0;
}

/* Unknown keys: an error where ignoring them could weaken the sandbox (or in
 * a tinyjail profile, which is ours to define); otherwise a warning.  Keys in
 * `ignored` are known foreign keys that are skipped silently. */
static int check_keys(struct loader *L, json_object *obj, const char *const *known,
		      const char *const *ignored, bool strict)
{
	json_object_object_foreach(obj, key, val) {
		(void)val;
		bool ok = false;
		for (size_t i = 0; known[i] && !ok; i++)
			ok = strcmp(known[i], key) == 0;
		for (size_t i = 0; ignored && ignored[i] && !ok; i++)
			ok = strcmp(ignored[i], key) == 0;
		if (ok)
			continue;
		const char *hint = tj_suggest(key, known);
		size_t old = tj_jpath_push_key(&L->path, key);
		int r = 0;
		/* A near miss of a known key is a typo whatever the shape: a
		 * misspelt "syscalls" would drop every rule. */
		if (hint)
			r = fail(L, "unknown key '%s' (did you mean '%s'?)", key, hint);
		else if (strict)
			r = fail(L, "unknown key '%s'", key);
		else
			warn(L, "unknown key '%s' ignored", key);
		tj_jpath_pop(&L->path, old);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Looks up a name in a NULL-terminated table; fails with a suggestion. */
static int lookup_name(struct loader *L, const char *what, const char *name,
		       int (*from_name)(const char *), const char *const *table, int *ret)
{
	int v = from_name(name);
	if (v >= 0) {
		*ret = v;
		return 0;
	}
	const char *hint = tj_suggest(name, table);
	if (hint)
		return fail(L, "unknown %s '%s' (did you mean '%s'?)", what, name, hint);
	return fail(L, "unknown %s '%s'", what, name);
}

/* An errno given as a name ("ENOSYS") or a decimal string ("38"), as
 * Podman's defaultErrno/errno fields allow. */
static int errno_from_string(struct loader *L, const char *s, unsigned *ret)
{
	uint64_t v;
	if (tj_parse_u64(s, &v) && v <= TJ_ERRNO_MAX) {
		*ret = (unsigned)v;
		return 0;
	}
	for (int e = 1; e <= TJ_ERRNO_MAX; e++) {
		const char *name = strerrorname_np(e);
		if (name && strcmp(name, s) == 0) {
			*ret = (unsigned)e;
			return 0;
		}
	}
	return fail(L, "unknown errno '%s' (expected a name such as EPERM or a number)", s);
}

static int errno_limit(enum tj_action a)
{
	/* ERRNO values above 4094 are rejected by libseccomp; TRACE carries a
	 * 16-bit message number. */
	return a == TJ_ACT_TRACE ? 0xffff : TJ_ERRNO_MAX;
}

/* Reads an optional array of strings; null counts as empty. */
static int get_string_array(struct loader *L, json_object *arr, bool nonempty_items,
			    struct tj_strv *out)
{
	if (!arr || json_object_get_type(arr) == json_type_null)
		return 0;
	if (expect_type(L, arr, json_type_array, "an array of strings") < 0)
		return -1;
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		const char *s;
		if (get_string(L, json_object_array_get_idx(arr, i), nonempty_items, &s) < 0)
			return -1;
		tj_strv_add(out, s);
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

/* Hands each string of an optional array to fn, with the item's index on
 * the JSON path while fn runs (fn reports a bad item with fail()); stops at
 * the first failure. */
static int each_string(struct loader *L, json_object *arr, bool nonempty_items,
		       int (*fn)(struct loader *L, void *ctx, const char *s), void *ctx)
{
	struct tj_strv list = {0};
	int r = get_string_array(L, arr, nonempty_items, &list);
	for (size_t i = 0; r == 0 && i < list.n; i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		r = fn(L, ctx, list.v[i]);
		if (r == 0)
			tj_jpath_pop(&L->path, old);
	}
	tj_strv_done(&list);
	return r;
}

/* --- seccomp rules --- */

static int parse_arg(struct loader *L, json_object *o, struct tj_arg *arg)
{
	static const char *const keys[] = {"index", "value", "valueTwo", "op", NULL};
	if (expect_type(L, o, json_type_object, "an object with index, value and op") < 0)
		return -1;
	if (check_keys(L, o, keys, NULL, true) < 0)
		return -1;

	json_object *v;
	uint64_t u;
	size_t old;
	if (!json_object_object_get_ex(o, "index", &v))
		return fail(L, "missing 'index' (the argument number, 0 to 5)");
	old = tj_jpath_push_key(&L->path, "index");
	if (json_object_get_type(v) == json_type_int && json_object_get_int64(v) > 5)
		return fail(L, "argument index %lld is out of range: system calls have arguments 0 to 5",
			    (long long)json_object_get_int64(v));
	if (get_uint(L, v, 5, &u) < 0)
		return -1;
	arg->index = (unsigned)u;
	tj_jpath_pop(&L->path, old);

	if (!json_object_object_get_ex(o, "value", &v))
		return fail(L, "missing 'value'");
	old = tj_jpath_push_key(&L->path, "value");
	if (get_uint(L, v, UINT64_MAX, &arg->value) < 0)
		return -1;
	tj_jpath_pop(&L->path, old);

	if (json_object_object_get_ex(o, "valueTwo", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "valueTwo");
		if (get_uint(L, v, UINT64_MAX, &arg->value_two) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}

	if (!json_object_object_get_ex(o, "op", &v))
		return fail(L, "missing 'op'");
	old = tj_jpath_push_key(&L->path, "op");
	const char *s;
	int op;
	if (get_string(L, v, true, &s) < 0 || lookup_name(L, "operator", s, tj_cmp_from_name, tj_cmp_names(), &op) < 0)
		return -1;
	arg->op = (enum tj_cmp)op;
	tj_jpath_pop(&L->path, old);

	if (arg->op != TJ_CMP_MASKED_EQ && arg->value_two != 0) {
		old = tj_jpath_push_key(&L->path, "valueTwo");
		return fail(L, "valueTwo is only used by SCMP_CMP_MASKED_EQ, not by %s", tj_cmp_name(arg->op));
	}
	if (arg->op == TJ_CMP_MASKED_EQ && (arg->value_two & ~arg->value)) {
		old = tj_jpath_push_key(&L->path, "valueTwo");
		return fail(L, "SCMP_CMP_MASKED_EQ can never match: valueTwo 0x%llx has bits outside the mask 'value' 0x%llx",
			    (unsigned long long)arg->value_two, (unsigned long long)arg->value);
	}
	return 0;
}

/* "MAJOR.MINOR" as moby reads minKernel: two decimal numbers of at most
 * 255, not both 0.  No signs, spaces or suffixes ("5.4-rc1", "4.8.1"). */
static bool parse_kernel_version(const char *s, unsigned *major, unsigned *minor)
{
	const char *digits = "0123456789";
	size_t n1 = strspn(s, digits);
	if (n1 == 0 || n1 > 3 || s[n1] != '.')
		return false;
	size_t n2 = strspn(s + n1 + 1, digits);
	if (n2 == 0 || n2 > 3 || s[n1 + 1 + n2] != '\0')
		return false;
	unsigned long a = strtoul(s, NULL, 10), b = strtoul(s + n1 + 1, NULL, 10);
	if (a > 255 || b > 255 || (a == 0 && b == 0))
		return false;
	*major = (unsigned)a;
	*minor = (unsigned)b;
	return true;
}

static int parse_cond(struct loader *L, json_object *o, struct tj_cond *c, bool *present)
{
	static const char *const keys[] = {"caps", "arches", "minKernel", NULL};
	*present = false;
	if (!o || json_object_get_type(o) == json_type_null)
		return 0;
	if (expect_type(L, o, json_type_object, "an object") < 0)
		return -1;
	if (check_keys(L, o, keys, NULL, true) < 0)
		return -1;
	json_object *v;
	size_t old;
	if (json_object_object_get_ex(o, "caps", &v)) {
		old = tj_jpath_push_key(&L->path, "caps");
		if (get_string_array(L, v, true, &c->caps) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "arches", &v)) {
		old = tj_jpath_push_key(&L->path, "arches");
		if (get_string_array(L, v, true, &c->arches) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "minKernel", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "minKernel");
		const char *s;
		if (get_string(L, v, false, &s) < 0)
			return -1;
		/* moby treats "" as "no minimum" */
		if (*s && !parse_kernel_version(s, &c->min_major, &c->min_minor))
			return fail(L, "invalid kernel version '%s' (expected MAJOR.MINOR, e.g. \"4.8\")", s);
		if (*s)
			c->min_kernel = tj_xstrdup(s);
		tj_jpath_pop(&L->path, old);
	}
	*present = c->caps.n || c->arches.n || c->min_kernel;
	return 0;
}

static int parse_rule(struct loader *L, json_object *o, struct tj_rule *r)
{
	static const char *const keys[] = {"names", "name", "action", "errnoRet", "errno", "args",
					   "comment", "includes", "excludes", NULL};
	if (expect_type(L, o, json_type_object, "an object with names and action") < 0)
		return -1;
	r->json_path = tj_xstrdup(L->path.s);
	if (check_keys(L, o, keys, NULL, true) < 0)
		return -1;

	json_object *names = NULL, *name = NULL, *v;
	size_t old;
	bool has_names = json_object_object_get_ex(o, "names", &names) &&
			 json_object_get_type(names) != json_type_null;
	bool has_name = json_object_object_get_ex(o, "name", &name) &&
			json_object_get_type(name) != json_type_null;
	if (has_names && has_name)
		return fail(L, "both 'name' and 'names' are set; use 'names' only");
	if (has_name) {
		old = tj_jpath_push_key(&L->path, "name");
		const char *s;
		if (get_string(L, name, true, &s) < 0)
			return -1;
		tj_strv_add(&r->names, s);
		r->singular_name = true;
		tj_jpath_pop(&L->path, old);
	} else if (has_names) {
		old = tj_jpath_push_key(&L->path, "names");
		if (expect_type(L, names, json_type_array, "an array of syscall names") < 0)
			return -1;
		if (json_object_array_length(names) == 0)
			return fail(L, "must list at least one syscall name");
		if (json_object_array_length(names) > TJ_PROFILE_MAX_NAMES)
			return fail(L, "too many names in one rule (limit %d)", TJ_PROFILE_MAX_NAMES);
		if (get_string_array(L, names, true, &r->names) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	} else {
		return fail(L, "missing 'names' (the syscalls this rule is about)");
	}

	if (!json_object_object_get_ex(o, "action", &v))
		return fail(L, "missing 'action'");
	old = tj_jpath_push_key(&L->path, "action");
	const char *s;
	int act;
	if (get_string(L, v, true, &s) < 0 ||
	    lookup_name(L, "action", s, tj_action_from_name, tj_action_names(), &act) < 0)
		return -1;
	r->action = (enum tj_action)act;
	tj_jpath_pop(&L->path, old);

	if (json_object_object_get_ex(o, "errnoRet", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "errnoRet");
		if (!tj_action_takes_errno(r->action))
			return fail(L, "errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
				    tj_action_name(r->action));
		uint64_t u;
		if (get_uint(L, v, (uint64_t)errno_limit(r->action), &u) < 0)
			return -1;
		r->has_errno = true;
		r->errno_ret = (unsigned)u;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "errno", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "errno");
		const char *es;
		if (get_string(L, v, false, &es) < 0)
			return -1;
		if (*es) { /* Podman writes "" for "not set" */
			if (!tj_action_takes_errno(r->action))
				return fail(L, "errno is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
					    tj_action_name(r->action));
			unsigned e;
			if (errno_from_string(L, es, &e) < 0)
				return -1;
			if (r->has_errno && r->errno_ret != e)
				warn(L, "errno '%s' overrides errnoRet %u (as Podman does)", es, r->errno_ret);
			r->has_errno = true;
			r->errno_ret = e;
		}
		tj_jpath_pop(&L->path, old);
	}

	if (json_object_object_get_ex(o, "args", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "args");
		if (expect_type(L, v, json_type_array, "an array of argument comparisons") < 0)
			return -1;
		size_t n = json_object_array_length(v);
		if (n > TJ_PROFILE_MAX_ARGS)
			return fail(L, "too many argument comparisons (limit %d)", TJ_PROFILE_MAX_ARGS);
		r->args = tj_xcalloc(n, sizeof(*r->args));
		for (size_t i = 0; i < n; i++) {
			size_t o2 = tj_jpath_push_index(&L->path, i);
			if (parse_arg(L, json_object_array_get_idx(v, i), &r->args[i]) < 0)
				return -1;
			r->nargs++;
			tj_jpath_pop(&L->path, o2);
		}
		tj_jpath_pop(&L->path, old);
	}

	if (json_object_object_get_ex(o, "comment", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "comment");
		if (get_string(L, v, false, &s) < 0)
			return -1;
		r->comment = tj_xstrdup(s);
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "includes", &v)) {
		old = tj_jpath_push_key(&L->path, "includes");
		if (parse_cond(L, v, &r->includes, &r->has_includes) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "excludes", &v)) {
		old = tj_jpath_push_key(&L->path, "excludes");
		if (parse_cond(L, v, &r->excludes, &r->has_excludes) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

/* --- the seccomp object --- */

static int parse_arch_map(struct loader *L, json_object *v, struct tj_seccomp *sc)
{
	if (expect_type(L, v, json_type_array, "an array of {architecture, subArchitectures}") < 0)
		return -1;
	static const char *const keys[] = {"architecture", "subArchitectures", NULL};
	size_t n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		json_object *e = json_object_array_get_idx(v, i), *a, *subs = NULL;
		if (expect_type(L, e, json_type_object, "an object") < 0 || check_keys(L, e, keys, NULL, true) < 0)
			return -1;
		if (!json_object_object_get_ex(e, "architecture", &a))
			return fail(L, "missing 'architecture'");
		size_t o2 = tj_jpath_push_key(&L->path, "architecture");
		const char *arch;
		if (get_string(L, a, true, &arch) < 0)
			return -1;
		if (!tj_arch_name_valid(arch)) {
			const char *hint = tj_suggest(arch, tj_arch_names());
			return hint ? fail(L, "unknown architecture '%s' (did you mean '%s'?)", arch, hint)
				    : fail(L, "unknown architecture '%s'", arch);
		}
		tj_jpath_pop(&L->path, o2);
		struct tj_strv sub = {0};
		json_object_object_get_ex(e, "subArchitectures", &subs);
		o2 = tj_jpath_push_key(&L->path, "subArchitectures");
		int r = get_string_array(L, subs, true, &sub);
		for (size_t k = 0; r == 0 && k < sub.n; k++) {
			if (!tj_arch_name_valid(sub.v[k])) {
				const char *hint = tj_suggest(sub.v[k], tj_arch_names());
				tj_jpath_push_index(&L->path, k);
				r = hint ? fail(L, "unknown architecture '%s' (did you mean '%s'?)", sub.v[k], hint)
					 : fail(L, "unknown architecture '%s'", sub.v[k]);
			}
		}
		/* As moby and containers-common do: only the entry for the
		 * native architecture matters; it and its sub-architectures
		 * become the architecture list. */
		if (r == 0 && strcmp(arch, "SCMP_ARCH_X86_64") == 0) {
			tj_strv_add(&sc->arches, arch);
			for (size_t k = 0; k < sub.n; k++)
				tj_strv_add(&sc->arches, sub.v[k]);
			sc->arches_from_archmap = true;
		}
		tj_strv_done(&sub);
		if (r < 0)
			return -1;
		tj_jpath_pop(&L->path, o2);
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_seccomp(struct loader *L, json_object *o, bool strict, struct tj_seccomp **ret)
{
	static const char *const keys[] = {"defaultAction", "defaultErrnoRet", "defaultErrno", "architectures",
					   "archMap", "flags", "listenerPath", "listenerMetadata", "syscalls", NULL};
	/* Keys real profiles carry that tinyjail does not use (SPO, comments). */
	static const char *const ignored[] = {"comment", "baseProfileName", "state", NULL};

	if (expect_type(L, o, json_type_object, "a seccomp object") < 0)
		return -1;
	struct tj_seccomp *sc = tj_xcalloc(1, sizeof(*sc));
	*ret = sc; /* owned by the caller from here on, even on failure */
	sc->json_path = tj_xstrdup(L->path.s);
	if (check_keys(L, o, keys, ignored, strict) < 0)
		return -1;

	json_object *v;
	size_t old;
	const char *s;
	if (!json_object_object_get_ex(o, "defaultAction", &v))
		return fail(L, "missing 'defaultAction' (required by the OCI runtime-spec)");
	old = tj_jpath_push_key(&L->path, "defaultAction");
	int act;
	if (get_string(L, v, true, &s) < 0 ||
	    lookup_name(L, "action", s, tj_action_from_name, tj_action_names(), &act) < 0)
		return -1;
	sc->default_action = (enum tj_action)act;
	tj_jpath_pop(&L->path, old);

	if (json_object_object_get_ex(o, "defaultErrnoRet", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "defaultErrnoRet");
		if (!tj_action_takes_errno(sc->default_action))
			return fail(L, "defaultErrnoRet is only valid when defaultAction is SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
				    tj_action_name(sc->default_action));
		uint64_t u;
		if (get_uint(L, v, (uint64_t)errno_limit(sc->default_action), &u) < 0)
			return -1;
		sc->has_default_errno = true;
		sc->default_errno = (unsigned)u;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "defaultErrno", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "defaultErrno");
		if (get_string(L, v, false, &s) < 0)
			return -1;
		if (*s) {
			if (!tj_action_takes_errno(sc->default_action))
				return fail(L, "defaultErrno is only valid when defaultAction is SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
			unsigned e;
			if (errno_from_string(L, s, &e) < 0)
				return -1;
			if (sc->has_default_errno && sc->default_errno != e)
				warn(L, "defaultErrno '%s' overrides defaultErrnoRet %u (as Podman does)", s, sc->default_errno);
			sc->has_default_errno = true;
			sc->default_errno = e;
		}
		tj_jpath_pop(&L->path, old);
	}

	json_object *arches = NULL, *archmap = NULL;
	bool has_arches = json_object_object_get_ex(o, "architectures", &arches) &&
			  json_object_get_type(arches) != json_type_null;
	bool has_archmap = json_object_object_get_ex(o, "archMap", &archmap) &&
			   json_object_get_type(archmap) != json_type_null;
	if (has_arches) {
		old = tj_jpath_push_key(&L->path, "architectures");
		if (get_string_array(L, arches, true, &sc->arches) < 0)
			return -1;
		for (size_t i = 0; i < sc->arches.n; i++) {
			if (!tj_arch_name_valid(sc->arches.v[i])) {
				tj_jpath_push_index(&L->path, i);
				const char *hint = tj_suggest(sc->arches.v[i], tj_arch_names());
				return hint ? fail(L, "unknown architecture '%s' (did you mean '%s'?)", sc->arches.v[i], hint)
					    : fail(L, "unknown architecture '%s'", sc->arches.v[i]);
			}
		}
		tj_jpath_pop(&L->path, old);
	}
	if (has_archmap) {
		old = tj_jpath_push_key(&L->path, "archMap");
		if (has_arches && sc->arches.n && json_object_get_type(archmap) == json_type_array &&
		    json_object_array_length(archmap) > 0)
			return fail(L, "'architectures' and 'archMap' are both set; use one of them");
		if (parse_arch_map(L, archmap, sc) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}

	if (json_object_object_get_ex(o, "flags", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "flags");
		struct tj_strv flags = {0};
		int r = get_string_array(L, v, true, &flags);
		sc->has_flags = true;
		for (size_t i = 0; r == 0 && i < flags.n; i++) {
			int f;
			size_t o2 = tj_jpath_push_index(&L->path, i);
			r = lookup_name(L, "flag", flags.v[i], tj_flag_from_name, tj_flag_names(), &f);
			if (r == 0) {
				sc->flags |= (unsigned)f;
				tj_jpath_pop(&L->path, o2);
			}
		}
		tj_strv_done(&flags);
		if (r < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}

	if (json_object_object_get_ex(o, "listenerPath", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "listenerPath");
		if (get_string(L, v, false, &s) < 0)
			return -1;
		if (*s)
			sc->listener_path = tj_xstrdup(s);
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "listenerMetadata", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "listenerMetadata");
		if (get_string(L, v, false, &s) < 0)
			return -1;
		if (*s && !sc->listener_path)
			return fail(L, "listenerMetadata is set but listenerPath is not (the OCI spec forbids this)");
		if (*s)
			sc->listener_metadata = tj_xstrdup(s);
		tj_jpath_pop(&L->path, old);
	}

	if (json_object_object_get_ex(o, "syscalls", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "syscalls");
		if (expect_type(L, v, json_type_array, "an array of rules") < 0)
			return -1;
		size_t n = json_object_array_length(v);
		if (n > TJ_PROFILE_MAX_RULES)
			return fail(L, "too many rules (limit %d)", TJ_PROFILE_MAX_RULES);
		sc->rules = tj_xcalloc(n, sizeof(*sc->rules));
		for (size_t i = 0; i < n; i++) {
			size_t o2 = tj_jpath_push_index(&L->path, i);
			sc->nrules++;
			if (parse_rule(L, json_object_array_get_idx(v, i), &sc->rules[i]) < 0)
				return -1;
			tj_jpath_pop(&L->path, o2);
		}
		tj_jpath_pop(&L->path, old);
	}
	if (sc->listener_path && sc->default_action != TJ_ACT_NOTIFY) {
		bool uses_notify = false;
		for (size_t i = 0; i < sc->nrules; i++)
			uses_notify |= sc->rules[i].action == TJ_ACT_NOTIFY;
		if (!uses_notify)
			warn(L, "listenerPath is ignored: no rule uses SCMP_ACT_NOTIFY");
	}
	return 0;
}

/* --- document shapes --- */

/* --- tinyjail profiles: sections --- */

/* A tinyjail profile is read section by section: every key of an object
 * must have an entry here (fail closed: an unknown section could be a
 * confinement this tinyjail does not apply). */
struct section {
	const char *key;
	int (*parse)(struct loader *L, json_object *v);
};

static int parse_sections(struct loader *L, json_object *obj, const struct section *table)
{
	const char *keys[32];
	size_t n = 0;
	for (; table[n].key && n + 1 < TJ_ARRAY_SIZE(keys); n++)
		keys[n] = table[n].key;
	keys[n] = NULL;
	if (expect_type(L, obj, json_type_object, "an object") < 0 || check_keys(L, obj, keys, NULL, true) < 0)
		return -1;
	for (size_t i = 0; table[i].key; i++) {
		json_object *v;
		if (!json_object_object_get_ex(obj, table[i].key, &v) || json_object_get_type(v) == json_type_null)
			continue;
		size_t old = tj_jpath_push_key(&L->path, table[i].key);
		if (table[i].parse(L, v) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_duration(struct loader *L, json_object *v, uint64_t *ret)
{
	const char *s;
	if (get_string(L, v, true, &s) < 0)
		return -1;
	if (!tj_parse_duration_ms(s, ret) || *ret == 0)
		return fail(L, "invalid duration '%s' (e.g. \"120s\", \"2m\", \"500ms\")", s);
	return 0;
}

static int parse_tj_version(struct loader *L, json_object *v)
{
	uint64_t version;
	if (get_uint(L, v, UINT32_MAX, &version) < 0)
		return -1;
	if (version != 1)
		return fail(L, "profile version %llu is not supported (this tinyjail reads version 1)",
			    (unsigned long long)version);
	return 0;
}

static int parse_tj_description(struct loader *L, json_object *v)
{
	const char *s;
	if (get_string(L, v, false, &s) < 0)
		return -1;
	L->p->description = tj_xstrdup(s);
	return 0;
}

static int parse_tj_timeout(struct loader *L, json_object *v)
{
	return parse_duration(L, v, &L->p->limits.timeout_ms);
}

static int parse_tj_kill_after(struct loader *L, json_object *v)
{
	return parse_duration(L, v, &L->p->limits.kill_after_ms);
}

static int degrade_item(struct loader *L, void *ctx, const char *s)
{
	(void)ctx;
	struct tj_err *e = NULL;
	int r = 0;
	if (tj_limits_parse_degrade(&L->p->limits, s, &e) < 0 && tj_isolation_parse_degrade(&L->p->iso, s) < 0)
		r = fail(L, "unknown layer '%s' (memory, cpu, pids, cgroup, landlock, landlock-net or net-rules)", s);
	tj_err_free(e);
	return r;
}

static int parse_tj_degrade(struct loader *L, json_object *v)
{
	return each_string(L, v, true, degrade_item, NULL);
}

static int name_item(struct loader *L, void *to, const char *s)
{
	struct tj_err *e = NULL;
	int r = 0;
	if (tj_env_add_list(to, s, &e) < 0 || strchr(s, ','))
		r = fail(L, "'%s' is not a variable name or pattern (letters, digits, _ and *)", s);
	tj_err_free(e);
	return r;
}

/* Validates a list of names or globs into `to`. */
static int parse_name_list(struct loader *L, json_object *v, struct tj_strv *to)
{
	return each_string(L, v, true, name_item, to);
}

static int parse_env_keep(struct loader *L, json_object *v)
{
	return parse_name_list(L, v, &L->p->env.keep);
}

static int parse_env_deny(struct loader *L, json_object *v)
{
	return parse_name_list(L, v, &L->p->env.deny);
}

static int parse_env_inherit_all(struct loader *L, json_object *v)
{
	if (expect_type(L, v, json_type_boolean, "true or false") < 0)
		return -1;
	L->p->env.inherit_all = json_object_get_boolean(v);
	return 0;
}


/* --- isolation sections --- */

static int path_item(struct loader *L, void *to, const char *s)
{
	char *clean = tj_isolation_clean_path(s);
	if (!clean)
		return fail(L, "'%s' is not an absolute path", s);
	tj_strv_add_owned(to, clean);
	return 0;
}

static int parse_path_list(struct loader *L, json_object *v, struct tj_strv *to)
{
	return each_string(L, v, true, path_item, to);
}

static int parse_fs_read(struct loader *L, json_object *v) { return parse_path_list(L, v, &L->p->iso.ro); }
static int parse_fs_write(struct loader *L, json_object *v) { return parse_path_list(L, v, &L->p->iso.rw); }
static int parse_fs_exec(struct loader *L, json_object *v) { return parse_path_list(L, v, &L->p->iso.exec); }
static int parse_fs_noexec(struct loader *L, json_object *v) { return parse_path_list(L, v, &L->p->iso.noexec); }
static int parse_fs_tmpfs(struct loader *L, json_object *v) { return parse_path_list(L, v, &L->p->iso.tmpfs); }

static int get_bool(struct loader *L, json_object *v, bool *ret)
{
	if (expect_type(L, v, json_type_boolean, "true or false") < 0)
		return -1;
	*ret = json_object_get_boolean(v);
	return 0;
}

static int parse_fs_exec_only_self(struct loader *L, json_object *v) { return get_bool(L, v, &L->p->iso.no_exec); }

/* writeLimits: [{"path": "/tmp/dl", "size": "50M"}] */
static int parse_fs_write_limits(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"path", "size", NULL};
	if (expect_type(L, v, json_type_array, "an array of {path, size}") < 0)
		return -1;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		json_object *e = json_object_array_get_idx(v, i), *path, *size;
		if (expect_type(L, e, json_type_object, "an object with path and size") < 0 ||
		    check_keys(L, e, keys, NULL, true) < 0)
			return -1;
		const char *ps, *ss;
		if (!json_object_object_get_ex(e, "path", &path) || !json_object_object_get_ex(e, "size", &size))
			return fail(L, "a write limit needs 'path' and 'size'");
		if (get_string(L, path, true, &ps) < 0 || get_string(L, size, true, &ss) < 0)
			return -1;
		char *arg = tj_xasprintf("%s=%s", ps, ss);
		struct tj_err *e2 = NULL;
		int r = tj_isolation_parse_rw_limit(&L->p->iso, arg, &e2);
		free(arg);
		if (r < 0) {
			r = fail(L, "%s", e2->msg);
			tj_err_free(e2);
			return r;
		}
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_filesystem(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"read", parse_fs_read},
		{"write", parse_fs_write},
		{"execute", parse_fs_exec},
		{"noexec", parse_fs_noexec},
		{"tmpfs", parse_fs_tmpfs},
		{"writeLimits", parse_fs_write_limits},
		{"executeOnlySelf", parse_fs_exec_only_self},
		{NULL, NULL},
	};
	return parse_sections(L, v, table);
}

static int parse_ports(struct loader *L, json_object *v, bool *has, uint16_t **ports, size_t *n)
{
	if (expect_type(L, v, json_type_array, "an array of TCP ports") < 0)
		return -1;
	size_t count = json_object_array_length(v);
	free(*ports);
	*ports = tj_xcalloc(count + 1, sizeof(**ports));
	*n = 0;
	*has = true;
	for (size_t i = 0; i < count; i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		uint64_t p;
		if (get_uint(L, json_object_array_get_idx(v, i), 65535, &p) < 0)
			return -1;
		(*ports)[(*n)++] = (uint16_t)p;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_tcp_connect(struct loader *L, json_object *v)
{
	struct tj_isolation *iso = &L->p->iso;
	return parse_ports(L, v, &iso->has_tcp_connect, &iso->tcp_connect.v, &iso->tcp_connect.n);
}

static int parse_tcp_bind(struct loader *L, json_object *v)
{
	struct tj_isolation *iso = &L->p->iso;
	return parse_ports(L, v, &iso->has_tcp_bind, &iso->tcp_bind.v, &iso->tcp_bind.n);
}

/* Hands a string to one of netpolicy.c's parsers; its complaint becomes
 * an error at the current JSON path. */
static int net_parse(struct loader *L, int (*fn)(void *to, const char *s, struct tj_err **err), void *to,
		     const char *s)
{
	struct tj_err *e = NULL;
	if (fn(to, s, &e) == 0)
		return 0;
	int r = fail(L, "%s", e->msg);
	tj_err_free(e);
	return r;
}

struct net_list {
	int (*fn)(void *to, const char *s, struct tj_err **err);
	void *to;
};

static int net_item(struct loader *L, void *ctx, const char *s)
{
	const struct net_list *nl = ctx;
	return net_parse(L, nl->fn, nl->to, s);
}

/* An array of strings, each handed to fn. */
static int net_parse_list(struct loader *L, json_object *v, int (*fn)(void *to, const char *s, struct tj_err **err),
			  void *to)
{
	struct net_list nl = {fn, to};
	return each_string(L, v, true, net_item, &nl);
}

static int net_allow_fn(void *to, const char *s, struct tj_err **err) { return tj_net_add_allow(to, s, err); }
static int net_resolve_fn(void *to, const char *s, struct tj_err **err) { return tj_net_add_resolve(to, s, err); }
static int net_cidrs_fn(void *to, const char *s, struct tj_err **err) { return tj_net_add_cidrs(to, s, err); }

static int parse_net_mode(struct loader *L, json_object *v)
{
	const char *s;
	if (get_string(L, v, true, &s) < 0)
		return -1;
	static const struct {
		const char *name;
		enum tj_net_mode mode;
	} modes[] = {{"none", TJ_NET_NONE}, {"host", TJ_NET_HOST}, {"filtered", TJ_NET_FILTERED}};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(modes); i++) {
		if (strcmp(modes[i].name, s) == 0) {
			L->p->net.mode = modes[i].mode;
			return 0;
		}
	}
	return fail(L, "unknown network mode '%s' (none, host or filtered)", s);
}

static int parse_net_allow(struct loader *L, json_object *v) { return net_parse_list(L, v, net_allow_fn, &L->p->net); }
static int parse_net_allow_cidrs(struct loader *L, json_object *v)
{
	return net_parse_list(L, v, net_cidrs_fn, &L->p->net.allow_cidrs);
}
static int parse_net_deny_cidrs(struct loader *L, json_object *v)
{
	return net_parse_list(L, v, net_cidrs_fn, &L->p->net.deny_cidrs);
}
static int parse_net_dns(struct loader *L, json_object *v)
{
	L->p->net.has_dns = true;
	return net_parse_list(L, v, net_cidrs_fn, &L->p->net.dns);
}

/* "resolve": {"name": "address", ...} */
static int parse_net_resolve(struct loader *L, json_object *v)
{
	if (expect_type(L, v, json_type_object, "an object of name: address") < 0)
		return -1;
	json_object_object_foreach(v, name, addr) {
		size_t old = tj_jpath_push_key(&L->path, name);
		const char *a;
		if (get_string(L, addr, true, &a) < 0)
			return -1;
		tj_autofree char *arg = tj_xasprintf("%s:%s", name, a);
		if (net_parse(L, net_resolve_fn, &L->p->net, arg) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_net_ports(struct loader *L, json_object *v)
{
	struct tj_net_policy *n = &L->p->net;
	if (expect_type(L, v, json_type_array, "an array of ports") < 0)
		return -1;
	n->has_ports = true;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		uint64_t port;
		if (get_uint(L, json_object_array_get_idx(v, i), 65535, &port) < 0)
			return -1;
		if (port == 0)
			return fail(L, "port 0 cannot be connected to");
		n->ports.v = tj_xrealloc(n->ports.v, (n->ports.n + 2) * sizeof(*n->ports.v));
		n->ports.v[n->ports.n++] = (uint16_t)port;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_net_max_conns(struct loader *L, json_object *v)
{
	uint64_t n;
	if (get_uint(L, v, 100000, &n) < 0)
		return -1;
	if (n == 0)
		return fail(L, "at least 1 connection");
	L->p->net.max_conns = (unsigned)n;
	return 0;
}

static int parse_net_conn_timeout(struct loader *L, json_object *v)
{
	return parse_duration(L, v, &L->p->net.conn_timeout_ms);
}

static int parse_net_idle_timeout(struct loader *L, json_object *v)
{
	return parse_duration(L, v, &L->p->net.idle_timeout_ms);
}

static int parse_net_deny_private(struct loader *L, json_object *v) { return get_bool(L, v, &L->p->net.deny_private); }

static int parse_network(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"mode", parse_net_mode},
		{"allow", parse_net_allow},
		{"resolve", parse_net_resolve},
		{"ports", parse_net_ports},
		{"maxConnections", parse_net_max_conns},
		{"connectionTimeout", parse_net_conn_timeout},
		{"idleTimeout", parse_net_idle_timeout},
		{"denyPrivate", parse_net_deny_private},
		{"allowCidrs", parse_net_allow_cidrs},
		{"denyCidrs", parse_net_deny_cidrs},
		{"dnsServers", parse_net_dns},
		{"tcpConnect", parse_tcp_connect},
		{"tcpBind", parse_tcp_bind},
		{NULL, NULL},
	};
	if (parse_sections(L, v, table) < 0)
		return -1;
	/* An allowlist makes sense only for the proxy. */
	if (L->p->net.nallow && L->p->net.mode != TJ_NET_FILTERED && L->p->net.mode != TJ_NET_UNSET)
		return fail(L, "'allow' needs \"mode\": \"filtered\" (it is the proxy's allowlist)");
	if (L->p->net.nallow && L->p->net.mode == TJ_NET_UNSET)
		L->p->net.mode = TJ_NET_FILTERED;
	return 0;
}

static int parse_h_wx(struct loader *L, json_object *v) { return get_bool(L, v, &L->p->iso.deny_write_execute); }
static int parse_h_nofork(struct loader *L, json_object *v) { return get_bool(L, v, &L->p->iso.no_new_processes); }

static int signal_item(struct loader *L, void *iso, const char *s)
{
	struct tj_isolation one = {0};
	struct tj_err *e = NULL;
	int r = tj_isolation_parse_signals(&one, s, &e) < 0 ? fail(L, "unknown signal '%s'", s) : 0;
	((struct tj_isolation *)iso)->signals |= one.signals;
	tj_err_free(e);
	return r;
}

static int parse_h_signals(struct loader *L, json_object *v)
{
	struct tj_isolation *iso = &L->p->iso;
	iso->has_signals = true;
	iso->signals = 0;
	return each_string(L, v, true, signal_item, iso);
}

static int parse_hardening(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"denyWriteExecute", parse_h_wx},
		{"noNewProcesses", parse_h_nofork},
		{"signals", parse_h_signals},
		{NULL, NULL},
	};
	return parse_sections(L, v, table);
}

static int parse_tj_user(struct loader *L, json_object *v)
{
	const char *s;
	if (get_string(L, v, true, &s) < 0)
		return -1;
	free(L->p->iso.user);
	L->p->iso.user = tj_xstrdup(s);
	return 0;
}

/* process.user: {"uid": N, "gid": N} (OCI). */
static int parse_process_user(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"uid", "gid", NULL};
	json_object *u, *g;
	if (expect_type(L, v, json_type_object, "an object with uid and gid") < 0 || check_keys(L, v, keys, NULL, true) < 0)
		return -1;
	if (!json_object_object_get_ex(v, "uid", &u) || !json_object_object_get_ex(v, "gid", &g))
		return fail(L, "process.user needs 'uid' and 'gid'");
	uint64_t uid, gid;
	size_t old = tj_jpath_push_key(&L->path, "uid");
	if (get_uint(L, u, UINT32_MAX - 1, &uid) < 0)
		return -1;
	tj_jpath_pop(&L->path, old);
	old = tj_jpath_push_key(&L->path, "gid");
	if (get_uint(L, g, UINT32_MAX - 1, &gid) < 0)
		return -1;
	tj_jpath_pop(&L->path, old);
	free(L->p->iso.user);
	L->p->iso.user = tj_xasprintf("%llu:%llu", (unsigned long long)uid, (unsigned long long)gid);
	return 0;
}

/* process.capabilities: {"bounding": [...], "permitted": [...], ...} (OCI):
 * tinyjail keeps one set, the union of those listed, in all five. */
static int parse_process_caps(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"bounding", "effective", "inheritable", "permitted", "ambient", NULL};
	if (expect_type(L, v, json_type_object, "an object of capability lists") < 0 ||
	    check_keys(L, v, keys, NULL, true) < 0)
		return -1;
	L->p->iso.has_keep_caps = true;
	json_object_object_foreach(v, key, list) {
		size_t old = tj_jpath_push_key(&L->path, key);
		struct tj_strv names = {0};
		if (get_string_array(L, list, true, &names) < 0) {
			tj_strv_done(&names);
			return -1;
		}
		for (size_t i = 0; i < names.n; i++) {
			struct tj_err *e = NULL;
			if (tj_isolation_parse_caps(&L->p->iso, names.v[i], &e) < 0) {
				tj_err_free(e);
				tj_jpath_push_index(&L->path, i);
				int r = fail(L, "unknown capability '%s'", names.v[i]);
				tj_strv_done(&names);
				return r;
			}
		}
		tj_strv_done(&names);
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_process_nnp(struct loader *L, json_object *v)
{
	bool on;
	if (get_bool(L, v, &on) < 0)
		return -1;
	if (!on)
		return fail(L, "tinyjail always sets no_new_privs; false cannot be honoured");
	return 0;
}

/* linux.namespaces: [{"type": "pid"}, ...] (OCI); joining one by path is not supported. */
static int parse_namespaces(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"type", NULL};
	static const struct {
		const char *oci, *ours;
	} map[] = {{"user", "user"}, {"mount", "mount"}, {"pid", "pid"}, {"ipc", "ipc"},
		   {"uts", "uts"},   {"network", "net"}, {"cgroup", "cgroup"}};
	if (expect_type(L, v, json_type_array, "an array of {type}") < 0)
		return -1;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		json_object *e = json_object_array_get_idx(v, i), *t;
		if (expect_type(L, e, json_type_object, "an object with type") < 0)
			return -1;
		if (json_object_object_get_ex(e, "path", NULL))
			return fail(L, "joining an existing namespace by path is not supported");
		if (check_keys(L, e, keys, NULL, true) < 0)
			return -1;
		const char *type;
		if (!json_object_object_get_ex(e, "type", &t) || get_string(L, t, true, &type) < 0)
			return json_object_object_get_ex(e, "type", NULL) ? -1 : fail(L, "missing 'type'");
		const char *ours = NULL;
		for (size_t k = 0; k < TJ_ARRAY_SIZE(map) && !ours; k++)
			if (strcmp(map[k].oci, type) == 0)
				ours = map[k].ours;
		if (!ours)
			return fail(L, "unknown namespace type '%s' (user, mount, pid, ipc, uts, network, cgroup)", type);
		struct tj_err *e2 = NULL;
		tj_isolation_parse_unshare(&L->p->iso, ours, &e2);
		tj_err_free(e2);
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_hostname(struct loader *L, json_object *v)
{
	const char *s;
	if (get_string(L, v, true, &s) < 0)
		return -1;
	if (strlen(s) > 64)
		return fail(L, "a hostname has at most 64 characters");
	free(L->p->iso.hostname);
	L->p->iso.hostname = tj_xstrdup(s);
	return 0;
}

/* tinyjail.environment: which variables of tinyjail's own environment pass. */
static int parse_environment(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"keep", parse_env_keep},
		{"deny", parse_env_deny},
		{"inheritAll", parse_env_inherit_all},
		{NULL, NULL},
	};
	return parse_sections(L, v, table);
}

static int parse_tinyjail_section(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"environment", parse_environment},
		{"filesystem", parse_filesystem},
		{"network", parse_network},
		{"hardening", parse_hardening},
		{"user", parse_tj_user},
		{"version", parse_tj_version},
		{"description", parse_tj_description},
		{"timeout", parse_tj_timeout},
		{"killAfter", parse_tj_kill_after},
		{"allowDegraded", parse_tj_degrade},
		{NULL, NULL},
	};
	if (expect_type(L, v, json_type_object, "an object with version and description") < 0)
		return -1;
	if (!json_object_object_get_ex(v, "version", NULL))
		return fail(L, "missing 'version' (this tinyjail reads version 1)");
	return parse_sections(L, v, table);
}

/* process.rlimits: [{"type": "RLIMIT_NOFILE", "hard": 256, "soft": 256}] (OCI). */
static int parse_rlimits(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"type", "hard", "soft", NULL};
	if (expect_type(L, v, json_type_array, "an array of {type, hard, soft}") < 0)
		return -1;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		json_object *e = json_object_array_get_idx(v, i), *t, *h, *so;
		if (expect_type(L, e, json_type_object, "an object with type, hard and soft") < 0 ||
		    check_keys(L, e, keys, NULL, true) < 0)
			return -1;
		if (!json_object_object_get_ex(e, "type", &t) || !json_object_object_get_ex(e, "hard", &h) ||
		    !json_object_object_get_ex(e, "soft", &so))
			return fail(L, "an rlimit needs 'type', 'hard' and 'soft' (the OCI runtime-spec form)");
		const char *name;
		size_t o2 = tj_jpath_push_key(&L->path, "type");
		if (get_string(L, t, true, &name) < 0)
			return -1;
		int r = strncmp(name, "RLIMIT_", 7) == 0 ? tj_rlimit_from_name(name) : -1;
		if (r < 0) {
			const char *hint = tj_suggest(name, tj_rlimit_names());
			return hint ? fail(L, "unknown rlimit '%s' (did you mean '%s'?)", name, hint)
				    : fail(L, "unknown rlimit '%s'", name);
		}
		tj_jpath_pop(&L->path, o2);
		uint64_t hard, soft;
		o2 = tj_jpath_push_key(&L->path, "hard");
		if (get_uint(L, h, UINT64_MAX, &hard) < 0)
			return -1;
		tj_jpath_pop(&L->path, o2);
		o2 = tj_jpath_push_key(&L->path, "soft");
		if (get_uint(L, so, UINT64_MAX, &soft) < 0)
			return -1;
		if (soft > hard)
			return fail(L, "soft %llu is above hard %llu", (unsigned long long)soft, (unsigned long long)hard);
		tj_jpath_pop(&L->path, o2);
		L->p->limits.rlimits[r] = (struct tj_rlimit){.set = true, .soft = soft, .hard = hard};
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

/* process.env: ["NAME=VALUE", ...] (OCI), set in the command's environment. */
static int env_setting_item(struct loader *L, void *env, const char *s)
{
	struct tj_err *e = NULL;
	int r = tj_env_add_setting(env, s, &e) < 0 ? fail(L, "'%s': expected NAME=VALUE", s) : 0;
	tj_err_free(e);
	return r;
}

static int parse_process_env(struct loader *L, json_object *v)
{
	return each_string(L, v, false, env_setting_item, &L->p->env);
}

static int parse_process(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"env", parse_process_env},
		{"rlimits", parse_rlimits},
		{"user", parse_process_user},
		{"capabilities", parse_process_caps},
		{"noNewPrivileges", parse_process_nnp},
		{NULL, NULL},
	};
	return parse_sections(L, v, table);
}

/* linux.resources.memory: {"limit": bytes, "swap": bytes (memory + swap)} */
static int parse_memory(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"limit", "swap", NULL};
	json_object *lim, *swap;
	if (expect_type(L, v, json_type_object, "an object with limit") < 0 || check_keys(L, v, keys, NULL, true) < 0)
		return -1;
	if (!json_object_object_get_ex(v, "limit", &lim))
		return fail(L, "missing 'limit' (bytes)");
	size_t old = tj_jpath_push_key(&L->path, "limit");
	if (get_uint(L, lim, UINT64_MAX, &L->p->limits.memory) < 0)
		return -1;
	if (L->p->limits.memory < 4096)
		return fail(L, "a memory limit below 4096 bytes cannot run anything");
	tj_jpath_pop(&L->path, old);
	if (json_object_object_get_ex(v, "swap", &swap)) {
		/* OCI's swap is memory + swap; tinyjail never lets swap extend
		 * the limit, so only swap == limit is meaningful. */
		uint64_t total;
		old = tj_jpath_push_key(&L->path, "swap");
		if (get_uint(L, swap, UINT64_MAX, &total) < 0)
			return -1;
		if (total != L->p->limits.memory)
			return fail(L, "swap must equal limit: tinyjail does not let swap extend the memory limit");
		tj_jpath_pop(&L->path, old);
	}
	L->p->limits.has_memory = true;
	return 0;
}

/* linux.resources.cpu: {"quota": us, "period": us} */
static int parse_cpu(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"quota", "period", NULL};
	json_object *q, *per;
	if (expect_type(L, v, json_type_object, "an object with quota and period") < 0 ||
	    check_keys(L, v, keys, NULL, true) < 0)
		return -1;
	if (!json_object_object_get_ex(v, "quota", &q))
		return fail(L, "missing 'quota' (microseconds of CPU per period)");
	L->p->limits.cpu_period = 100000;
	size_t old = tj_jpath_push_key(&L->path, "quota");
	if (get_uint(L, q, UINT32_MAX, &L->p->limits.cpu_quota) < 0)
		return -1;
	if (L->p->limits.cpu_quota < 1000)
		return fail(L, "a CPU quota below 1000 us per period is not accepted by the kernel");
	tj_jpath_pop(&L->path, old);
	if (json_object_object_get_ex(v, "period", &per)) {
		old = tj_jpath_push_key(&L->path, "period");
		if (get_uint(L, per, 1000000, &L->p->limits.cpu_period) < 0)
			return -1;
		if (L->p->limits.cpu_period < 1000)
			return fail(L, "the period must be between 1000 and 1000000 us");
		tj_jpath_pop(&L->path, old);
	}
	L->p->limits.has_cpu = true;
	return 0;
}

/* linux.resources.pids: {"limit": n} */
static int parse_pids(struct loader *L, json_object *v)
{
	static const char *const keys[] = {"limit", NULL};
	json_object *lim;
	if (expect_type(L, v, json_type_object, "an object with limit") < 0 || check_keys(L, v, keys, NULL, true) < 0)
		return -1;
	if (!json_object_object_get_ex(v, "limit", &lim))
		return fail(L, "missing 'limit' (the number of processes and threads)");
	size_t old = tj_jpath_push_key(&L->path, "limit");
	if (get_uint(L, lim, UINT32_MAX, &L->p->limits.pids) < 0)
		return -1;
	if (L->p->limits.pids == 0)
		return fail(L, "a pids limit of 0 cannot run anything");
	tj_jpath_pop(&L->path, old);
	L->p->limits.has_pids = true;
	return 0;
}

static int parse_resources(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"memory", parse_memory},
		{"cpu", parse_cpu},
		{"pids", parse_pids},
		{NULL, NULL},
	};
	return parse_sections(L, v, table);
}

static int parse_linux_seccomp(struct loader *L, json_object *v)
{
	return parse_seccomp(L, v, true, &L->p->seccomp);
}

static int parse_linux(struct loader *L, json_object *v)
{
	static const struct section table[] = {
		{"seccomp", parse_linux_seccomp},
		{"resources", parse_resources},
		{"namespaces", parse_namespaces},
		{NULL, NULL},
	};
	return parse_sections(L, v, table);
}

static int parse_oci_version(struct loader *L, json_object *v)
{
	const char *s;
	return get_string(L, v, true, &s);
}

static int parse_tinyjail_profile(struct loader *L, json_object *root)
{
	static const struct section table[] = {
		{"tinyjail", parse_tinyjail_section},
		{"ociVersion", parse_oci_version},
		{"hostname", parse_hostname},
		{"process", parse_process},
		{"linux", parse_linux},
		{NULL, NULL},
	};
	if (parse_sections(L, root, table) < 0)
		return -1;
	if (L->p->limits.kill_after_ms && !L->p->limits.timeout_ms) {
		tj_jpath_push_key(&L->path, "tinyjail");
		tj_jpath_push_key(&L->path, "killAfter");
		return fail(L, "killAfter needs a timeout");
	}
	return 0;
}

/* --- OCI runtime configs --- */

/* A runtime config.json: tinyjail applies its own layers from its own flags
 * and profile sections; only linux.seccomp is taken, and what is not applied
 * is named in a warning. */
static int parse_oci_config(struct loader *L, json_object *root)
{
	struct tj_profile *p = L->p;
	json_object *linux_obj = NULL, *v;
	struct tj_buf ignored = {0};
	json_object_object_foreach(root, key, val) {
		(void)val;
		if (strcmp(key, "ociVersion") && strcmp(key, "linux"))
			tj_buf_addf(&ignored, "%s%s", ignored.len ? ", " : "", key);
	}
	bool has_linux = json_object_object_get_ex(root, "linux", &linux_obj) &&
			 json_object_get_type(linux_obj) == json_type_object;
	if (has_linux) {
		json_object_object_foreach(linux_obj, lkey, lval) {
			(void)lval;
			if (strcmp(lkey, "seccomp"))
				tj_buf_addf(&ignored, "%slinux.%s", ignored.len ? ", " : "", lkey);
		}
	}
	if (ignored.len)
		tj_notes_add(&p->warnings, NULL, "OCI config: only linux.seccomp is used; not applied: %s", ignored.s);
	tj_buf_done(&ignored);

	if (linux_obj && json_object_get_type(linux_obj) != json_type_null && !has_linux) {
		size_t old = tj_jpath_push_key(&L->path, "linux");
		(void)old;
		return expect_type(L, linux_obj, json_type_object, "an object");
	}
	if (!has_linux || !json_object_object_get_ex(linux_obj, "seccomp", &v) ||
	    json_object_get_type(v) == json_type_null) {
		tj_notes_add(&p->warnings, NULL, "OCI config has no linux.seccomp: no syscall filter");
		return 0;
	}
	tj_jpath_push_key(&L->path, "linux");
	tj_jpath_push_key(&L->path, "seccomp");
	return parse_seccomp(L, v, false, &p->seccomp);
}

static int parse_document(struct loader *L, json_object *root)
{
	struct tj_profile *p = L->p;
	if (json_object_get_type(root) != json_type_object)
		return fail(L, "expected a JSON object at the top level, got %s", type_name(root));
	if (json_object_object_get_ex(root, "tinyjail", NULL)) {
		p->shape = TJ_SHAPE_TINYJAIL;
		return parse_tinyjail_profile(L, root);
	}
	if (json_object_object_get_ex(root, "defaultAction", NULL) ||
	    json_object_object_get_ex(root, "syscalls", NULL)) {
		p->shape = TJ_SHAPE_SECCOMP;
		return parse_seccomp(L, root, false, &p->seccomp);
	}
	if (json_object_object_get_ex(root, "ociVersion", NULL) || json_object_object_get_ex(root, "linux", NULL)) {
		p->shape = TJ_SHAPE_OCI_CONFIG;
		return parse_oci_config(L, root);
	}
	return fail(L, "not a profile: expected 'defaultAction' (a seccomp profile), 'ociVersion' (an OCI config) or 'tinyjail' (a tinyjail profile)");
}

/* --- entry points --- */

/* True when text[0, end) is a whole JSON document: json-c's strict mode
 * reports text after the document as just an unexpected character. */
static bool complete_before(const char *text, size_t end)
{
	struct json_tokener *tok = json_tokener_new_ex(TJ_PROFILE_MAX_DEPTH);
	if (!tok)
		return false;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object *o = json_tokener_parse_ex(tok, text, (int)end);
	if (!o && json_tokener_get_error(tok) == json_tokener_continue)
		o = json_tokener_parse_ex(tok, "", 1);
	bool ok = json_tokener_get_error(tok) == json_tokener_success;
	json_object_put(o);
	json_tokener_free(tok);
	return ok;
}

/* json-c takes a line break inside a string, so a missing closing quote
 * shows up later as a puzzling error; find that line break instead. */
static bool find_broken_string(const char *text, size_t end, size_t *at)
{
	bool in_string = false;
	for (size_t i = 0; i < end; i++) {
		char c = text[i];
		if (!in_string) {
			in_string = c == '"';
		} else if (c == '\\') {
			i++;
		} else if (c == '"') {
			in_string = false;
		} else if (c == '\n') {
			*at = i;
			return true;
		}
	}
	return false;
}

/* Says what is wrong where json-c stopped (*end), in words that point at
 * the usual mistakes; may move *end to where the mistake is. */
static const char *describe_json_error(const char *text, size_t len, enum json_tokener_error jerr, size_t *end)
{
	size_t at = *end;
	if (jerr == json_tokener_error_depth)
		return "nested too deeply (tinyjail accepts at most 32 levels)";
	if (find_broken_string(text, at, end))
		return "line break inside a string (is a closing quote missing?)";
	if (jerr == json_tokener_continue)
		return "unexpected end of file: the JSON is incomplete";
	if (jerr == json_tokener_error_parse_unexpected && complete_before(text, at))
		return "unexpected text after the end of the document";
	if (at + 1 < len && text[at] == '/' && (text[at + 1] == '/' || text[at + 1] == '*'))
		return "comments are not allowed in JSON";
	if (at < len && text[at] == '\'')
		return "strings must be in double quotes";
	if (at < len && (text[at] == ']' || text[at] == '}')) {
		size_t k = at;
		while (k > 0 && strchr(" \t\r\n", text[k - 1]))
			k--;
		if (k > 0 && text[k - 1] == ',') {
			*end = k - 1;
			return text[at] == ']' ? "trailing comma before ']'" : "trailing comma before '}'";
		}
	}
	return json_tokener_error_desc(jerr);
}

/* The checks every JSON document tinyjail reads gets: size, NUL bytes, a
 * BOM, strict syntax with a helpful message and position, nothing after
 * the document, duplicate keys and out-of-range integers.  On success
 * *ret_root is the document (NULL for the document `null`). */
static int parse_text(const char *display, const char *text, size_t len, json_object **ret_root,
		      struct tj_err **err)
{
	if (len > TJ_PROFILE_MAX_BYTES) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "file is too large (%zu bytes; the limit is %u)", len,
			   TJ_PROFILE_MAX_BYTES);
		return tj_err_at(err, display, NULL);
	}
	if (memchr(text, '\0', len)) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "file contains a NUL byte: not a JSON text file");
		return tj_err_at(err, display, NULL);
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		tj_err_set(err, TJ_ERR_PROFILE, 0,
			   "invalid JSON: the file starts with a byte order mark (save it as UTF-8 without BOM)");
		tj_err_at(err, display, NULL);
		return tj_err_position(err, 1, 1);
	}
	size_t start = 0;
	while (start < len && strchr(" \t\r\n", text[start]))
		start++;
	if (start == len) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "file is empty");
		return tj_err_at(err, display, NULL);
	}

	struct json_tokener *tok = json_tokener_new_ex(TJ_PROFILE_MAX_DEPTH);
	if (!tok)
		return tj_err_set(err, TJ_ERR_INTERNAL, ENOMEM, "json-c: cannot allocate a tokener");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	if (!root && jerr == json_tokener_continue) {
		/* A number or literal at the very end needs a terminator to
		 * be complete ("42" is a whole, if useless, document). */
		root = json_tokener_parse_ex(tok, "", 1);
		if (json_tokener_get_error(tok) == json_tokener_success) {
			jerr = json_tokener_success;
			end = len;
		}
	}
	json_tokener_free(tok);

	if (jerr != json_tokener_success) {
		int line, col;
		const char *why = describe_json_error(text, len, jerr, &end);
		tj_jsonpos_line_col(text, len, end, &line, &col);
		if (root)
			json_object_put(root);
		tj_err_set(err, TJ_ERR_PROFILE, 0, "invalid JSON: %s", why);
		tj_err_at(err, display, NULL);
		return tj_err_position(err, line, col);
	}
	while (end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (end < len) {
		int line, col;
		tj_jsonpos_line_col(text, len, end, &line, &col);
		json_object_put(root);
		tj_err_set(err, TJ_ERR_PROFILE, 0, "invalid JSON: unexpected text after the end of the document");
		tj_err_at(err, display, NULL);
		return tj_err_position(err, line, col);
	}
	if (tj_jsonpos_check(text, len, err) < 0) {
		json_object_put(root);
		return tj_err_at(err, display, NULL);
	}
	*ret_root = root;
	return 0;
}

int tj_profile_load_buffer(const char *display, const char *text, size_t len, struct tj_profile **ret,
			   struct tj_err **err)
{
	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *p = tj_xcalloc(1, sizeof(*p));
	p->file = tj_xstrdup(display);
	json_object *root = NULL;
	if (parse_text(display, text, len, &root, err) < 0)
		return -1;
	p->text = tj_xstrndup(text, len);
	p->text_len = len;

	/* On success root is NULL only for the document `null`, which
	 * parse_document rejects like any other non-object. */
	struct loader L = {.p = p, .err = err};
	tj_jpath_init(&L.path);
	int r = parse_document(&L, root);
	json_object_put(root);
	if (r < 0) {
		tj_err_at(err, display, NULL);
		tj_jsonpos_locate_error(p->text, p->text_len, err);
		return -1;
	}
	*ret = TJ_STEAL(&p);
	return 0;
}

/* Reads a whole file of at most TJ_PROFILE_MAX_BYTES ("-" is stdin). */
static int read_text_file(const char *path, const char *display, const char *what, struct tj_buf *out,
			  struct tj_err **err)
{
	tj_autoclose int fd = -1;
	bool is_stdin = strcmp(path, "-") == 0;
	if (is_stdin) {
		fd = dup(0);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0) {
		int e = errno;
		tj_err_set(err, TJ_ERR_PROFILE, e, "cannot open %s", what);
		if (e == ENOENT && strcmp(what, "profile") == 0)
			tj_err_hint(err, "bundled profiles are named without a path: --profile default, --profile strict");
		return tj_err_at(err, display, NULL);
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		tj_err_set(err, TJ_ERR_PROFILE, errno, "cannot stat %s", what);
		return tj_err_at(err, display, NULL);
	}
	if (S_ISDIR(st.st_mode)) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "is a directory, not a %s file", what);
		return tj_err_at(err, display, NULL);
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "is not a regular file");
		return tj_err_at(err, display, NULL);
	}

	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			tj_buf_done(out);
			tj_err_set(err, TJ_ERR_PROFILE, e, "cannot read %s", what);
			return tj_err_at(err, display, NULL);
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > TJ_PROFILE_MAX_BYTES) {
			tj_buf_done(out);
			tj_err_set(err, TJ_ERR_PROFILE, 0, "file is too large (the limit is %u bytes)", TJ_PROFILE_MAX_BYTES);
			return tj_err_at(err, display, NULL);
		}
		tj_buf_addn(out, chunk, (size_t)n);
	}
	return 0;
}

int tj_profile_load_file(const char *path, const char *display, struct tj_profile **ret, struct tj_err **err)
{
	if (!display)
		display = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct tj_buf b = {0};
	if (read_text_file(path, display, "profile", &b, err) < 0)
		return -1;
	int r = tj_profile_load_buffer(display, b.s ? b.s : "", b.len, ret, err);
	tj_buf_done(&b);
	return r;
}

/* --- writing plain OCI --- */

static json_object *arg_to_json(const struct tj_arg *a)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "index", json_object_new_int64(a->index));
	json_object_object_add(o, "value", json_object_new_uint64(a->value));
	if (a->op == TJ_CMP_MASKED_EQ)
		json_object_object_add(o, "valueTwo", json_object_new_uint64(a->value_two));
	json_object_object_add(o, "op", json_object_new_string(tj_cmp_name(a->op)));
	return o;
}

static json_object *rule_to_json(const struct tj_rule *r, const struct tj_arg *args, size_t nargs, bool comments)
{
	json_object *o = json_object_new_object();
	json_object *names = json_object_new_array();
	for (size_t i = 0; i < r->names.n; i++)
		json_object_array_add(names, json_object_new_string(r->names.v[i]));
	json_object_object_add(o, "names", names);
	/* Written as enforced: runc would read SCMP_ACT_KILL as KILL_THREAD. */
	json_object_object_add(o, "action", json_object_new_string(tj_action_name(tj_action_canonical(r->action))));
	if (tj_action_takes_errno(r->action))
		json_object_object_add(o, "errnoRet", json_object_new_int64(tj_rule_effective_errno(r)));
	if (nargs) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < nargs; i++)
			json_object_array_add(arr, arg_to_json(&args[i]));
		json_object_object_add(o, "args", arr);
	}
	if (comments && r->comment)
		json_object_object_add(o, "comment", json_object_new_string(r->comment));
	return o;
}

static char *seccomp_to_json(const struct tj_seccomp *s, bool comments, const char *comment)
{
	json_object *root = json_object_new_object();
	if (comment)
		json_object_object_add(root, "comment", json_object_new_string(comment));
	json_object_object_add(root, "defaultAction",
			       json_object_new_string(tj_action_name(tj_action_canonical(s->default_action))));
	if (tj_action_takes_errno(s->default_action))
		json_object_object_add(root, "defaultErrnoRet",
				       json_object_new_int64(tj_seccomp_effective_default_errno(s)));
	json_object *arches = json_object_new_array();
	json_object_array_add(arches, json_object_new_string("SCMP_ARCH_X86_64"));
	for (size_t i = 0; i < s->arches.n; i++) {
		const char *a = s->arches.v[i];
		if (strcmp(a, "SCMP_ARCH_X86_64") && strcmp(a, "SCMP_ARCH_NATIVE"))
			json_object_array_add(arches, json_object_new_string(a));
	}
	json_object_object_add(root, "architectures", arches);
	if (s->has_flags) {
		json_object *flags = json_object_new_array();
		for (const char *const *f = tj_flag_names(); *f; f++)
			if (s->flags & (unsigned)tj_flag_from_name(*f))
				json_object_array_add(flags, json_object_new_string(*f));
		json_object_object_add(root, "flags", flags);
	}
	if (s->listener_path)
		json_object_object_add(root, "listenerPath", json_object_new_string(s->listener_path));
	if (s->listener_metadata)
		json_object_object_add(root, "listenerMetadata", json_object_new_string(s->listener_metadata));

	json_object *rules = json_object_new_array();
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		if (tj_rule_equals_default(s, r))
			continue;
		if (tj_rule_has_repeated_index(r)) {
			/* runc and crun turn every argument into its own rule
			 * here (an OR); write that out so no reader can take it
			 * for an AND. */
			for (size_t k = 0; k < r->nargs; k++)
				json_object_array_add(rules, rule_to_json(r, &r->args[k], 1, comments));
		} else {
			json_object_array_add(rules, rule_to_json(r, r->args, r->nargs, comments));
		}
	}
	json_object_object_add(root, "syscalls", rules);

	const char *out = json_object_to_json_string_ext(
		root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *copy = tj_xasprintf("%s\n", out);
	json_object_put(root);
	return copy;
}

char *tj_seccomp_to_oci_json(const struct tj_seccomp *s)
{
	return seccomp_to_json(s, false, NULL);
}

char *tj_seccomp_to_commented_json(const struct tj_seccomp *s, const char *comment)
{
	return seccomp_to_json(s, true, comment);
}

/* --- the supervisor's decisions file (notes/supervise.md) --- */

/* "errno": a name ("EPERM"), a decimal string or a JSON integer. */
static int get_errno_value(struct loader *L, json_object *v, int *ret)
{
	unsigned e;
	if (json_object_get_type(v) == json_type_int) {
		uint64_t u;
		if (get_uint(L, v, TJ_ERRNO_MAX, &u) < 0)
			return -1;
		e = (unsigned)u;
	} else {
		const char *s;
		if (get_string(L, v, true, &s) < 0 || errno_from_string(L, s, &e) < 0)
			return -1;
	}
	*ret = (int)e;
	return 0;
}

/* A decision: "allow" | "deny" | "kill" | "ask" in o["decision"], with an
 * optional "errno" for deny (EPERM when absent). */
static int parse_decision_fields(struct loader *L, json_object *o, struct tj_decision *d)
{
	static const char *const names[] = {"allow", "deny", "kill", "ask", NULL};
	json_object *v;
	size_t old;
	if (!json_object_object_get_ex(o, "decision", &v))
		return fail(L, "missing 'decision' (allow, deny, kill or ask)");
	old = tj_jpath_push_key(&L->path, "decision");
	const char *s;
	int k;
	if (get_string(L, v, true, &s) < 0 || lookup_name(L, "decision", s, tj_decision_from_name, names, &k) < 0)
		return -1;
	tj_jpath_pop(&L->path, old);
	d->kind = (enum tj_decision_kind)k;
	d->errnum = EPERM;
	if (json_object_object_get_ex(o, "errno", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "errno");
		if (d->kind != TJ_DECIDE_DENY)
			return fail(L, "errno is only valid with the decision 'deny', not '%s'", s);
		if (get_errno_value(L, v, &d->errnum) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_decision_rule(struct loader *L, json_object *o, struct tj_decision_rule *dr)
{
	static const char *const keys[] = {"names", "decision", "errno", "args", "comment", NULL};
	struct tj_rule *r = &dr->rule;
	if (expect_type(L, o, json_type_object, "an object with names and decision") < 0)
		return -1;
	r->json_path = tj_xstrdup(L->path.s);
	if (check_keys(L, o, keys, NULL, true) < 0)
		return -1;
	json_object *v;
	size_t old;
	if (!json_object_object_get_ex(o, "names", &v) || json_object_get_type(v) == json_type_null)
		return fail(L, "missing 'names' (the syscalls this rule is about)");
	old = tj_jpath_push_key(&L->path, "names");
	if (expect_type(L, v, json_type_array, "an array of syscall names") < 0)
		return -1;
	if (json_object_array_length(v) == 0)
		return fail(L, "must list at least one syscall name");
	if (json_object_array_length(v) > TJ_PROFILE_MAX_NAMES)
		return fail(L, "too many names in one rule (limit %d)", TJ_PROFILE_MAX_NAMES);
	if (get_string_array(L, v, true, &r->names) < 0)
		return -1;
	/* A misspelt name would silently never match. */
	for (size_t i = 0; i < r->names.n; i++) {
		int nr;
		if (tj_syscall_resolve(r->names.v[i], &nr) == TJ_SYSCALL_UNKNOWN) {
			tj_jpath_push_index(&L->path, i);
			return fail(L, "unknown syscall '%s'", r->names.v[i]);
		}
	}
	tj_jpath_pop(&L->path, old);
	if (parse_decision_fields(L, o, &dr->d) < 0)
		return -1;
	r->action = tj_decision_action(&dr->d);
	if (json_object_object_get_ex(o, "args", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "args");
		if (expect_type(L, v, json_type_array, "an array of argument comparisons") < 0)
			return -1;
		size_t n = json_object_array_length(v);
		if (n > TJ_PROFILE_MAX_ARGS)
			return fail(L, "too many argument comparisons (limit %d)", TJ_PROFILE_MAX_ARGS);
		r->args = tj_xcalloc(n ? n : 1, sizeof(*r->args));
		for (size_t i = 0; i < n; i++) {
			size_t o2 = tj_jpath_push_index(&L->path, i);
			if (parse_arg(L, json_object_array_get_idx(v, i), &r->args[i]) < 0)
				return -1;
			r->nargs++;
			tj_jpath_pop(&L->path, o2);
		}
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "comment", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "comment");
		const char *s;
		if (get_string(L, v, false, &s) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_decisions(struct loader *L, json_object *root, struct tj_decisions *d)
{
	static const char *const keys[] = {"tinyjailDecisions", "default", "rules", "comment", NULL};
	if (expect_type(L, root, json_type_object, "an object") < 0)
		return -1;
	if (check_keys(L, root, keys, NULL, true) < 0)
		return -1;
	json_object *v;
	size_t old;
	if (!json_object_object_get_ex(root, "tinyjailDecisions", &v))
		return fail(L, "missing 'tinyjailDecisions' (the format version, 1): is this a decisions file?");
	old = tj_jpath_push_key(&L->path, "tinyjailDecisions");
	uint64_t version;
	if (get_uint(L, v, UINT32_MAX, &version) < 0)
		return -1;
	if (version != TJ_DECISIONS_VERSION)
		return fail(L, "decisions version %llu is not supported (this tinyjail reads version 1)",
			    (unsigned long long)version);
	tj_jpath_pop(&L->path, old);

	d->def.kind = TJ_DECIDE_ASK;
	d->def.errnum = EPERM;
	if (json_object_object_get_ex(root, "default", &v) && json_object_get_type(v) != json_type_null) {
		static const char *const dkeys[] = {"decision", "errno", "comment", NULL};
		old = tj_jpath_push_key(&L->path, "default");
		if (expect_type(L, v, json_type_object, "an object with decision (and errno)") < 0 ||
		    check_keys(L, v, dkeys, NULL, true) < 0 || parse_decision_fields(L, v, &d->def) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(root, "rules", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "rules");
		if (expect_type(L, v, json_type_array, "an array of rules") < 0)
			return -1;
		size_t n = json_object_array_length(v);
		if (n > TJ_PROFILE_MAX_RULES)
			return fail(L, "too many rules (limit %d)", TJ_PROFILE_MAX_RULES);
		d->rules = tj_xcalloc(n ? n : 1, sizeof(*d->rules));
		for (size_t i = 0; i < n; i++) {
			size_t o2 = tj_jpath_push_index(&L->path, i);
			d->nrules++;
			if (parse_decision_rule(L, json_object_array_get_idx(v, i), &d->rules[i]) < 0)
				return -1;
			tj_jpath_pop(&L->path, o2);
		}
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

int tj_decisions_load_buffer(const char *display, const char *text, size_t len, struct tj_decisions **ret,
			     struct tj_err **err)
{
	json_object *root = NULL;
	if (parse_text(display, text, len, &root, err) < 0)
		return -1;
	struct tj_decisions *d = tj_xcalloc(1, sizeof(*d));
	d->file = tj_xstrdup(display);
	struct loader L = {.err = err};
	tj_jpath_init(&L.path);
	int r = parse_decisions(&L, root, d);
	json_object_put(root);
	if (r < 0) {
		tj_decisions_free(d);
		tj_err_at(err, display, NULL);
		tj_jsonpos_locate_error(text, len, err);
		return -1;
	}
	*ret = d;
	return 0;
}

int tj_decisions_load_file(const char *path, struct tj_decisions **ret, struct tj_err **err)
{
	struct tj_buf b = {0};
	if (read_text_file(path, path, "decisions file", &b, err) < 0)
		return -1;
	int r = tj_decisions_load_buffer(path, b.s ? b.s : "", b.len, ret, err);
	tj_buf_done(&b);
	return r;
}

/* --- the container process state (OCI seccomp agent protocol) --- */

static char *opt_string(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || json_object_get_type(v) != json_type_string)
		return NULL;
	return tj_xstrdup(json_object_get_string(v));
}

int tj_agent_state_parse(const char *json, size_t len, struct tj_agent_state *st, struct tj_err **err)
{
	memset(st, 0, sizeof(*st));
	st->seccomp_fd_index = -1;
	json_object *root = NULL;
	if (parse_text("container state", json, len, &root, err) < 0)
		return -1;
	struct loader L = {.err = err};
	tj_jpath_init(&L.path);
	json_object *v, *state;
	int r = -1;
	/* Runtimes add keys of their own; only what the spec requires is
	 * checked (specs-go ContainerProcessState). */
	if (expect_type(&L, root, json_type_object, "an object") < 0)
		goto out;
	st->oci_version = opt_string(root, "ociVersion");
	if (!st->oci_version) {
		fail(&L, "missing 'ociVersion'");
		goto out;
	}
	if (!json_object_object_get_ex(root, "pid", &v) || json_object_get_type(v) != json_type_int ||
	    json_object_get_int64(v) <= 0 || json_object_get_int64(v) > INT32_MAX) {
		tj_jpath_push_key(&L.path, "pid");
		fail(&L, "missing or invalid 'pid'");
		goto out;
	}
	st->pid = (pid_t)json_object_get_int64(v);
	st->metadata = opt_string(root, "metadata");
	if (json_object_object_get_ex(root, "fds", &v) && json_object_get_type(v) == json_type_array) {
		st->nfds = json_object_array_length(v);
		for (size_t i = 0; i < st->nfds; i++) {
			json_object *e = json_object_array_get_idx(v, i);
			if (json_object_get_type(e) == json_type_string &&
			    strcmp(json_object_get_string(e), TJ_AGENT_SECCOMP_FD) == 0 && st->seccomp_fd_index < 0)
				st->seccomp_fd_index = (int)i;
		}
	}
	if (!json_object_object_get_ex(root, "state", &state) || json_object_get_type(state) != json_type_object) {
		fail(&L, "missing 'state' (the container state)");
		goto out;
	}
	st->id = opt_string(state, "id");
	st->status = opt_string(state, "status");
	st->bundle = opt_string(state, "bundle");
	if (!st->id) {
		tj_jpath_push_key(&L.path, "state");
		fail(&L, "missing 'id'");
		goto out;
	}
	r = 0;
out:
	json_object_put(root);
	if (r < 0)
		tj_agent_state_done(st);
	return r;
}

/* --- writing decisions back into a profile --- */

/* The seccomp object of a profile document, or NULL. */
static json_object *find_seccomp(json_object *root)
{
	json_object *linux_obj, *sc;
	if (json_object_get_type(root) != json_type_object)
		return NULL;
	if (json_object_object_get_ex(root, "defaultAction", NULL))
		return root;
	if (json_object_object_get_ex(root, "linux", &linux_obj) && json_object_get_type(linux_obj) == json_type_object &&
	    json_object_object_get_ex(linux_obj, "seccomp", &sc) && json_object_get_type(sc) == json_type_object)
		return sc;
	return NULL;
}

static bool rule_names(json_object *rule, const char *name)
{
	json_object *v;
	if (json_object_object_get_ex(rule, "name", &v) && json_object_get_type(v) == json_type_string)
		return strcmp(json_object_get_string(v), name) == 0;
	if (!json_object_object_get_ex(rule, "names", &v) || json_object_get_type(v) != json_type_array)
		return false;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);
		if (json_object_get_type(e) == json_type_string && strcmp(json_object_get_string(e), name) == 0)
			return true;
	}
	return false;
}

static bool nonempty(json_object *rule, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(rule, key, &v) || json_object_get_type(v) == json_type_null)
		return false;
	if (json_object_get_type(v) == json_type_array)
		return json_object_array_length(v) > 0;
	return true;
}

/* A rule that notifies for every call of its syscalls on every host. */
static bool plain_notify_rule(json_object *rule)
{
	json_object *v;
	return json_object_object_get_ex(rule, "action", &v) && json_object_get_type(v) == json_type_string &&
	       strcmp(json_object_get_string(v), "SCMP_ACT_NOTIFY") == 0 && !nonempty(rule, "args") &&
	       !nonempty(rule, "includes") && !nonempty(rule, "excludes");
}

/* Removes name from a rule; returns true when the rule has no names left. */
static bool remove_name(json_object *rule, const char *name)
{
	json_object *v;
	if (json_object_object_get_ex(rule, "name", &v) && json_object_get_type(v) == json_type_string)
		return true;
	if (!json_object_object_get_ex(rule, "names", &v) || json_object_get_type(v) != json_type_array)
		return false;
	for (size_t i = json_object_array_length(v); i-- > 0;) {
		json_object *e = json_object_array_get_idx(v, i);
		if (json_object_get_type(e) == json_type_string && strcmp(json_object_get_string(e), name) == 0)
			json_object_array_del_idx(v, i, 1);
	}
	return json_object_array_length(v) == 0;
}

static json_object *added_to_json(const struct tj_added_rule *a)
{
	struct tj_rule r = {.action = a->action, .has_errno = true, .errno_ret = a->errno_ret};
	tj_strv_add(&r.names, a->name);
	json_object *o = rule_to_json(&r, a->args, a->nargs, false);
	tj_strv_done(&r.names);
	if (a->comment)
		json_object_object_add(o, "comment", json_object_new_string(a->comment));
	return o;
}

int tj_profile_json_add_rules(const char *display, const char *text, size_t len, struct tj_added_rule *rules,
			      size_t nrules, char **ret_text, struct tj_notes *skipped, struct tj_err **err)
{
	json_object *root = NULL;
	if (parse_text(display, text, len, &root, err) < 0)
		return -1;
	json_object *sc = find_seccomp(root);
	if (!sc) {
		json_object_put(root);
		tj_err_set(err, TJ_ERR_PROFILE, 0, "the profile has no seccomp section to add rules to");
		return tj_err_at(err, display, NULL);
	}
	json_object *calls;
	if (!json_object_object_get_ex(sc, "syscalls", &calls) || json_object_get_type(calls) != json_type_array) {
		calls = json_object_new_array();
		json_object_object_add(sc, "syscalls", calls);
	}
	size_t nold = json_object_array_length(calls);
	const char *prefix = sc == root ? "" : "linux.seccomp.";

	/* First, on the document as written (so that paths in messages are
	 * the user's): another rule already decides a name, and a second
	 * rule would conflict with it (profile-format.md), so it is left. */
	for (size_t k = 0; k < nrules; k++) {
		struct tj_added_rule *a = &rules[k];
		for (size_t i = 0; i < nold && !a->skipped; i++) {
			json_object *r = json_object_array_get_idx(calls, i);
			if (json_object_get_type(r) != json_type_object || !rule_names(r, a->name))
				continue;
			if (plain_notify_rule(r) && !a->nargs)
				continue;
			char path[64];
			snprintf(path, sizeof(path), "%ssyscalls[%zu]", prefix, i);
			tj_notes_add(skipped, path, "'%s' was not written back: this rule already decides it", a->name);
			a->skipped = true;
		}
	}
	/* Then the edit: the name leaves the rules that sent it to the agent
	 * (emptied rules go), and the decision is appended. */
	for (size_t k = 0; k < nrules; k++) {
		const struct tj_added_rule *a = &rules[k];
		if (a->skipped)
			continue;
		for (size_t i = nold; i-- > 0;) {
			json_object *r = json_object_array_get_idx(calls, i);
			if (json_object_get_type(r) != json_type_object || !rule_names(r, a->name))
				continue;
			if (remove_name(r, a->name)) {
				json_object_array_del_idx(calls, i, 1);
				nold--;
			}
		}
		json_object_array_add(calls, added_to_json(a));
	}
	/* Once nothing is sent to the agent any more, the listener fields go
	 * too: runtimes (crun) connect to listenerPath whenever it is set, and
	 * the updated profile must run without an agent. */
	bool notifies = false;
	json_object *v;
	if (json_object_object_get_ex(sc, "defaultAction", &v) && json_object_get_type(v) == json_type_string)
		notifies = strcmp(json_object_get_string(v), "SCMP_ACT_NOTIFY") == 0;
	for (size_t i = 0; i < json_object_array_length(calls) && !notifies; i++) {
		json_object *r = json_object_array_get_idx(calls, i);
		notifies = json_object_get_type(r) == json_type_object && json_object_object_get_ex(r, "action", &v) &&
			   json_object_get_type(v) == json_type_string &&
			   strcmp(json_object_get_string(v), "SCMP_ACT_NOTIFY") == 0;
	}
	if (!notifies) {
		json_object_object_del(sc, "listenerPath");
		json_object_object_del(sc, "listenerMetadata");
	}

	const char *out = json_object_to_json_string_ext(
		root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *result = tj_xasprintf("%s\n", out);
	json_object_put(root);

	struct tj_profile *check = NULL;
	if (tj_profile_load_buffer(display, result, strlen(result), &check, err) < 0) {
		free(result);
		return tj_err_wrap(err, "the profile with the decisions added would not load");
	}
	tj_profile_free(check);
	*ret_text = result;
	return 0;
}

const char *tj_json_library_version(void)
{
	return json_c_version();
}
