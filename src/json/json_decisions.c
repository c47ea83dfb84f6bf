/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The supervisor's decisions file (notes/supervise.md).
 */

#include "tj/filter/filter.h"
#include "tj/supervise/decisions.h"

#include "json_internal.h"

/* --- the supervisor's decisions file (notes/supervise.md) --- */

/* "errno": a name ("EPERM"), a decimal string or a JSON integer. */
static int get_errno_value(struct loader *L, json_object *v, int *ret)
{
	unsigned e;
	if (json_object_get_type(v) == json_type_int) {
		uint64_t u;
		if (tj_json_get_uint(L, v, TJ_ERRNO_MAX, &u) < 0)
			return -1;
		e = (unsigned)u;
	} else {
		const char *s;
		if (tj_json_get_string(L, v, true, &s) < 0 || tj_json_errno_from_string(L, s, &e) < 0)
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
		return tj_json_fail(L, "missing 'decision' (allow, deny, kill or ask)");
	old = tj_jpath_push_key(&L->path, "decision");
	const char *s;
	int k;
	if (tj_json_get_string(L, v, true, &s) < 0 ||
	    tj_json_lookup_name(L, "decision", s, tj_decision_from_name, names, &k) < 0)
		return -1;
	tj_jpath_pop(&L->path, old);
	d->kind = (enum tj_decision_kind)k;
	d->errnum = EPERM;
	if (json_object_object_get_ex(o, "errno", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "errno");
		if (d->kind != TJ_DECIDE_DENY)
			return tj_json_fail(L, "errno is only valid with the decision 'deny', not '%s'", s);
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
	if (tj_json_expect_type(L, o, json_type_object, "an object with names and decision") < 0)
		return -1;
	r->json_path = tj_xstrdup(L->path.s);
	if (tj_json_check_keys(L, o, keys, NULL, true) < 0)
		return -1;
	json_object *v;
	size_t old;
	if (!json_object_object_get_ex(o, "names", &v) || json_object_get_type(v) == json_type_null)
		return tj_json_fail(L, "missing 'names' (the syscalls this rule is about)");
	old = tj_jpath_push_key(&L->path, "names");
	if (tj_json_expect_type(L, v, json_type_array, "an array of syscall names") < 0)
		return -1;
	if (json_object_array_length(v) == 0)
		return tj_json_fail(L, "must list at least one syscall name");
	if (json_object_array_length(v) > TJ_PROFILE_MAX_NAMES)
		return tj_json_fail(L, "too many names in one rule (limit %d)", TJ_PROFILE_MAX_NAMES);
	if (tj_json_get_string_array(L, v, true, &r->names) < 0)
		return -1;
	/* A misspelt name would silently never match. */
	for (size_t i = 0; i < r->names.n; i++) {
		int nr;
		if (tj_syscall_resolve(r->names.v[i], &nr) == TJ_SYSCALL_UNKNOWN) {
			tj_jpath_push_index(&L->path, i);
			return tj_json_fail(L, "unknown syscall '%s'", r->names.v[i]);
		}
	}
	tj_jpath_pop(&L->path, old);
	if (parse_decision_fields(L, o, &dr->d) < 0)
		return -1;
	r->action = tj_decision_action(&dr->d);
	if (json_object_object_get_ex(o, "args", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "args");
		if (tj_json_expect_type(L, v, json_type_array, "an array of argument comparisons") < 0)
			return -1;
		size_t n = json_object_array_length(v);
		if (n > TJ_PROFILE_MAX_ARGS)
			return tj_json_fail(L, "too many argument comparisons (limit %d)", TJ_PROFILE_MAX_ARGS);
		r->args = tj_xcalloc(n ? n : 1, sizeof(*r->args));
		for (size_t i = 0; i < n; i++) {
			size_t o2 = tj_jpath_push_index(&L->path, i);
			if (tj_json_parse_arg(L, json_object_array_get_idx(v, i), &r->args[i]) < 0)
				return -1;
			r->nargs++;
			tj_jpath_pop(&L->path, o2);
		}
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "comment", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "comment");
		const char *s;
		if (tj_json_get_string(L, v, false, &s) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

static int parse_decisions(struct loader *L, json_object *root, struct tj_decisions *d)
{
	static const char *const keys[] = {"tinyjailDecisions", "default", "rules", "comment", NULL};
	if (tj_json_expect_type(L, root, json_type_object, "an object") < 0)
		return -1;
	if (tj_json_check_keys(L, root, keys, NULL, true) < 0)
		return -1;
	json_object *v;
	size_t old;
	if (!json_object_object_get_ex(root, "tinyjailDecisions", &v))
		return tj_json_fail(L,
				    "missing 'tinyjailDecisions' (the format version, 1): is this a decisions file?");
	old = tj_jpath_push_key(&L->path, "tinyjailDecisions");
	uint64_t version;
	if (tj_json_get_uint(L, v, UINT32_MAX, &version) < 0)
		return -1;
	if (version != TJ_DECISIONS_VERSION)
		return tj_json_fail(L, "decisions version %llu is not supported (this tinyjail reads version 1)",
				    (unsigned long long)version);
	tj_jpath_pop(&L->path, old);

	d->def.kind = TJ_DECIDE_ASK;
	d->def.errnum = EPERM;
	if (json_object_object_get_ex(root, "default", &v) && json_object_get_type(v) != json_type_null) {
		static const char *const dkeys[] = {"decision", "errno", "comment", NULL};
		old = tj_jpath_push_key(&L->path, "default");
		if (tj_json_expect_type(L, v, json_type_object, "an object with decision (and errno)") < 0 ||
		    tj_json_check_keys(L, v, dkeys, NULL, true) < 0 || parse_decision_fields(L, v, &d->def) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(root, "rules", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "rules");
		if (tj_json_expect_type(L, v, json_type_array, "an array of rules") < 0)
			return -1;
		size_t n = json_object_array_length(v);
		if (n > TJ_PROFILE_MAX_RULES)
			return tj_json_fail(L, "too many rules (limit %d)", TJ_PROFILE_MAX_RULES);
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
	if (tj_json_parse_text(display, text, len, &root, err) < 0)
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
	if (tj_json_read_text_file(path, path, "decisions file", &b, err) < 0)
		return -1;
	int r = tj_decisions_load_buffer(path, b.s ? b.s : "", b.len, ret, err);
	tj_buf_done(&b);
	return r;
}
