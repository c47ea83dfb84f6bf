/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp grammar: an OCI linux.seccomp object (Docker/Moby, Podman and SPO
 * forms included) and its rules, arguments and Docker conditions.
 */
#include <string.h>

#include "json_internal.h"

/* --- seccomp rules --- */

int tj_json_parse_arg(struct loader *L, json_object *o, struct tj_arg *arg)
{
	static const char *const keys[] = {"index", "value", "valueTwo", "op", NULL};
	if (tj_json_expect_type(L, o, json_type_object, "an object with index, value and op") < 0)
		return -1;
	if (tj_json_check_keys(L, o, keys, NULL, true) < 0)
		return -1;

	json_object *v;
	uint64_t u;
	size_t old;
	if (!json_object_object_get_ex(o, "index", &v))
		return tj_json_fail(L, "missing 'index' (the argument number, 0 to 5)");
	old = tj_jpath_push_key(&L->path, "index");
	if (json_object_get_type(v) == json_type_int && json_object_get_int64(v) > 5)
		return tj_json_fail(L, "argument index %lld is out of range: system calls have arguments 0 to 5",
				    (long long)json_object_get_int64(v));
	if (tj_json_get_uint(L, v, 5, &u) < 0)
		return -1;
	arg->index = (unsigned)u;
	tj_jpath_pop(&L->path, old);

	if (!json_object_object_get_ex(o, "value", &v))
		return tj_json_fail(L, "missing 'value'");
	old = tj_jpath_push_key(&L->path, "value");
	if (tj_json_get_uint(L, v, UINT64_MAX, &arg->value) < 0)
		return -1;
	tj_jpath_pop(&L->path, old);

	if (json_object_object_get_ex(o, "valueTwo", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "valueTwo");
		if (tj_json_get_uint(L, v, UINT64_MAX, &arg->value_two) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}

	if (!json_object_object_get_ex(o, "op", &v))
		return tj_json_fail(L, "missing 'op'");
	old = tj_jpath_push_key(&L->path, "op");
	const char *s;
	int op;
	if (tj_json_get_string(L, v, true, &s) < 0 ||
	    tj_json_lookup_name(L, "operator", s, tj_cmp_from_name, tj_cmp_names(), &op) < 0)
		return -1;
	arg->op = (enum tj_cmp)op;
	tj_jpath_pop(&L->path, old);

	if (arg->op != TJ_CMP_MASKED_EQ && arg->value_two != 0) {
		old = tj_jpath_push_key(&L->path, "valueTwo");
		return tj_json_fail(L, "valueTwo is only used by SCMP_CMP_MASKED_EQ, not by %s", tj_cmp_name(arg->op));
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
	if (tj_json_expect_type(L, o, json_type_object, "an object") < 0)
		return -1;
	if (tj_json_check_keys(L, o, keys, NULL, true) < 0)
		return -1;
	json_object *v;
	size_t old;
	if (json_object_object_get_ex(o, "caps", &v)) {
		old = tj_jpath_push_key(&L->path, "caps");
		if (tj_json_get_string_array(L, v, true, &c->caps) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "arches", &v)) {
		old = tj_jpath_push_key(&L->path, "arches");
		if (tj_json_get_string_array(L, v, true, &c->arches) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "minKernel", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "minKernel");
		const char *s;
		if (tj_json_get_string(L, v, false, &s) < 0)
			return -1;
		/* moby reads "" as version 0.0, which every kernel is at least:
		 * includes.minKernel "" always holds, excludes.minKernel "" always
		 * drops the rule (null is no condition). */
		if (*s && !parse_kernel_version(s, &c->min_major, &c->min_minor))
			return tj_json_fail(L, "invalid kernel version '%s' (expected MAJOR.MINOR, e.g. \"4.8\")", s);
		c->min_kernel = tj_xstrdup(s);
		tj_jpath_pop(&L->path, old);
	}
	*present = c->caps.n || c->arches.n || c->min_kernel;
	return 0;
}

static int parse_rule(struct loader *L, json_object *o, struct tj_rule *r)
{
	static const char *const keys[] = {"names", "name",    "action",   "errnoRet", "errno",
					   "args",  "comment", "includes", "excludes", NULL};
	if (tj_json_expect_type(L, o, json_type_object, "an object with names and action") < 0)
		return -1;
	r->json_path = tj_xstrdup(L->path.s);
	if (tj_json_check_keys(L, o, keys, NULL, true) < 0)
		return -1;

	json_object *names = NULL, *name = NULL, *v;
	size_t old;
	bool has_names = json_object_object_get_ex(o, "names", &names) && json_object_get_type(names) != json_type_null;
	bool has_name = json_object_object_get_ex(o, "name", &name) && json_object_get_type(name) != json_type_null;
	if (has_names && has_name)
		return tj_json_fail(L, "both 'name' and 'names' are set; use 'names' only");
	if (has_name) {
		old = tj_jpath_push_key(&L->path, "name");
		const char *s;
		if (tj_json_get_string(L, name, true, &s) < 0)
			return -1;
		tj_strv_add(&r->names, s);
		r->singular_name = true;
		tj_jpath_pop(&L->path, old);
	} else if (has_names) {
		old = tj_jpath_push_key(&L->path, "names");
		if (tj_json_expect_type(L, names, json_type_array, "an array of syscall names") < 0)
			return -1;
		if (json_object_array_length(names) == 0)
			return tj_json_fail(L, "must list at least one syscall name");
		if (json_object_array_length(names) > TJ_PROFILE_MAX_NAMES)
			return tj_json_fail(L, "too many names in one rule (limit %d)", TJ_PROFILE_MAX_NAMES);
		if (tj_json_get_string_array(L, names, true, &r->names) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	} else {
		return tj_json_fail(L, "missing 'names' (the syscalls this rule is about)");
	}

	if (!json_object_object_get_ex(o, "action", &v))
		return tj_json_fail(L, "missing 'action'");
	old = tj_jpath_push_key(&L->path, "action");
	const char *s;
	int act;
	if (tj_json_get_string(L, v, true, &s) < 0 ||
	    tj_json_lookup_name(L, "action", s, tj_action_from_name, tj_action_names(), &act) < 0)
		return -1;
	r->action = (enum tj_action)act;
	tj_jpath_pop(&L->path, old);

	if (json_object_object_get_ex(o, "errnoRet", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "errnoRet");
		if (!tj_action_takes_errno(r->action))
			return tj_json_fail(L, "errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
					    tj_action_name(r->action));
		uint64_t u;
		if (tj_json_get_uint(L, v, (uint64_t)tj_json_errno_limit(r->action), &u) < 0)
			return -1;
		r->has_errno = true;
		r->errno_ret = (unsigned)u;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "errno", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "errno");
		const char *es;
		if (tj_json_get_string(L, v, false, &es) < 0)
			return -1;
		if (*es) { /* Podman writes "" for "not set" */
			if (!tj_action_takes_errno(r->action))
				return tj_json_fail(L,
						    "errno is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
						    tj_action_name(r->action));
			unsigned e;
			if (tj_json_errno_from_string(L, es, &e) < 0)
				return -1;
			if (r->has_errno && r->errno_ret != e)
				tj_json_warn(L, "errno '%s' overrides errnoRet %u (as Podman does)", es, r->errno_ret);
			r->has_errno = true;
			r->errno_ret = e;
		}
		tj_jpath_pop(&L->path, old);
	}

	if (json_object_object_get_ex(o, "args", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "args");
		if (tj_json_expect_type(L, v, json_type_array, "an array of argument comparisons") < 0)
			return -1;
		size_t n = json_object_array_length(v);
		if (n > TJ_PROFILE_MAX_ARGS)
			return tj_json_fail(L, "too many argument comparisons (limit %d)", TJ_PROFILE_MAX_ARGS);
		r->args = tj_xcalloc(n, sizeof(*r->args));
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
		if (tj_json_get_string(L, v, false, &s) < 0)
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
	if (tj_json_expect_type(L, v, json_type_array, "an array of {architecture, subArchitectures}") < 0)
		return -1;
	static const char *const keys[] = {"architecture", "subArchitectures", NULL};
	size_t n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		json_object *e = json_object_array_get_idx(v, i), *a, *subs = NULL;
		if (tj_json_expect_type(L, e, json_type_object, "an object") < 0 ||
		    tj_json_check_keys(L, e, keys, NULL, true) < 0)
			return -1;
		if (!json_object_object_get_ex(e, "architecture", &a))
			return tj_json_fail(L, "missing 'architecture'");
		size_t o2 = tj_jpath_push_key(&L->path, "architecture");
		const char *arch;
		if (tj_json_get_string(L, a, true, &arch) < 0)
			return -1;
		if (!tj_arch_name_valid(arch)) {
			const char *hint = tj_suggest(arch, tj_arch_names());
			return hint ? tj_json_fail(L, "unknown architecture '%s' (did you mean '%s'?)", arch, hint)
				    : tj_json_fail(L, "unknown architecture '%s'", arch);
		}
		tj_jpath_pop(&L->path, o2);
		struct tj_strv sub = {0};
		json_object_object_get_ex(e, "subArchitectures", &subs);
		o2 = tj_jpath_push_key(&L->path, "subArchitectures");
		int r = tj_json_get_string_array(L, subs, true, &sub);
		for (size_t k = 0; r == 0 && k < sub.n; k++) {
			if (!tj_arch_name_valid(sub.v[k])) {
				const char *hint = tj_suggest(sub.v[k], tj_arch_names());
				tj_jpath_push_index(&L->path, k);
				r = hint ? tj_json_fail(L, "unknown architecture '%s' (did you mean '%s'?)", sub.v[k],
							hint)
					 : tj_json_fail(L, "unknown architecture '%s'", sub.v[k]);
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

int tj_json_parse_seccomp(struct loader *L, json_object *o, bool strict, struct tj_seccomp **ret)
{
	static const char *const keys[] = {"defaultAction", "defaultErrnoRet",
					   "defaultErrno",  "architectures",
					   "archMap",	    "flags",
					   "listenerPath",  "listenerMetadata",
					   "syscalls",	    NULL};
	/* Keys real profiles carry that tinyjail does not use (SPO, comments). */
	static const char *const ignored[] = {"comment", "baseProfileName", "state", NULL};

	if (tj_json_expect_type(L, o, json_type_object, "a seccomp object") < 0)
		return -1;
	struct tj_seccomp *sc = tj_xcalloc(1, sizeof(*sc));
	*ret = sc; /* owned by the caller from here on, even on failure */
	sc->json_path = tj_xstrdup(L->path.s);
	if (tj_json_check_keys(L, o, keys, ignored, strict) < 0)
		return -1;

	json_object *v;
	size_t old;
	const char *s;
	/* A plain profile's top-level comment describes it (tinyjail profiles
	 * have tinyjail.description, which wins). */
	if (L->p && !L->p->description && json_object_object_get_ex(o, "comment", &v) &&
	    json_object_is_type(v, json_type_string))
		L->p->description = tj_xstrdup(json_object_get_string(v));
	if (!json_object_object_get_ex(o, "defaultAction", &v)) {
		/* A profile that extends another may keep that one's default. */
		if (!(L->p && L->p->extends))
			return tj_json_fail(L, "missing 'defaultAction' (required by the OCI runtime-spec)");
		sc->default_inherited = true;
		sc->default_action = TJ_ACT_KILL_PROCESS; /* replaced by the base's */
	} else {
		old = tj_jpath_push_key(&L->path, "defaultAction");
		int act;
		if (tj_json_get_string(L, v, true, &s) < 0 ||
		    tj_json_lookup_name(L, "action", s, tj_action_from_name, tj_action_names(), &act) < 0)
			return -1;
		sc->default_action = (enum tj_action)act;
		tj_jpath_pop(&L->path, old);
	}

	if (json_object_object_get_ex(o, "defaultErrnoRet", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "defaultErrnoRet");
		if (!tj_action_takes_errno(sc->default_action))
			return tj_json_fail(
				L,
				"defaultErrnoRet is only valid when defaultAction is SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
				tj_action_name(sc->default_action));
		uint64_t u;
		if (tj_json_get_uint(L, v, (uint64_t)tj_json_errno_limit(sc->default_action), &u) < 0)
			return -1;
		sc->has_default_errno = true;
		sc->default_errno = (unsigned)u;
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "defaultErrno", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "defaultErrno");
		if (tj_json_get_string(L, v, false, &s) < 0)
			return -1;
		if (*s) {
			if (!tj_action_takes_errno(sc->default_action))
				return tj_json_fail(
					L,
					"defaultErrno is only valid when defaultAction is SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
			unsigned e;
			if (tj_json_errno_from_string(L, s, &e) < 0)
				return -1;
			if (sc->has_default_errno && sc->default_errno != e)
				tj_json_warn(L, "defaultErrno '%s' overrides defaultErrnoRet %u (as Podman does)", s,
					     sc->default_errno);
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
		if (tj_json_get_string_array(L, arches, true, &sc->arches) < 0)
			return -1;
		for (size_t i = 0; i < sc->arches.n; i++) {
			if (!tj_arch_name_valid(sc->arches.v[i])) {
				tj_jpath_push_index(&L->path, i);
				const char *hint = tj_suggest(sc->arches.v[i], tj_arch_names());
				return hint ? tj_json_fail(L, "unknown architecture '%s' (did you mean '%s'?)",
							   sc->arches.v[i], hint)
					    : tj_json_fail(L, "unknown architecture '%s'", sc->arches.v[i]);
			}
			if (tj_arch_big_endian(sc->arches.v[i])) {
				/* As runc and crun: libseccomp's seccomp_arch_add fails with EDOM. */
				tj_jpath_push_index(&L->path, i);
				return tj_json_fail(L,
						    "%s is a big-endian architecture: no filter on this little-endian host "
						    "can include it, and runc and crun refuse the profile too; remove it, or "
						    "list it in 'archMap', whose entries apply only on their own host",
						    sc->arches.v[i]);
			}
		}
		tj_jpath_pop(&L->path, old);
	}
	if (has_archmap) {
		old = tj_jpath_push_key(&L->path, "archMap");
		if (has_arches && sc->arches.n && json_object_get_type(archmap) == json_type_array &&
		    json_object_array_length(archmap) > 0)
			return tj_json_fail(L, "'architectures' and 'archMap' are both set; use one of them");
		if (parse_arch_map(L, archmap, sc) < 0)
			return -1;
		tj_jpath_pop(&L->path, old);
	}

	if (json_object_object_get_ex(o, "flags", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "flags");
		struct tj_strv flags = {0};
		int r = tj_json_get_string_array(L, v, true, &flags);
		sc->has_flags = true;
		for (size_t i = 0; r == 0 && i < flags.n; i++) {
			int f;
			size_t o2 = tj_jpath_push_index(&L->path, i);
			r = tj_json_lookup_name(L, "flag", flags.v[i], tj_flag_from_name, tj_flag_names(), &f);
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
		if (tj_json_get_string(L, v, false, &s) < 0)
			return -1;
		if (*s)
			sc->listener_path = tj_xstrdup(s);
		tj_jpath_pop(&L->path, old);
	}
	if (json_object_object_get_ex(o, "listenerMetadata", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "listenerMetadata");
		if (tj_json_get_string(L, v, false, &s) < 0)
			return -1;
		if (*s && !sc->listener_path)
			return tj_json_fail(L,
					    "listenerMetadata is set but listenerPath is not (the OCI spec forbids this)");
		if (*s)
			sc->listener_metadata = tj_xstrdup(s);
		tj_jpath_pop(&L->path, old);
	}

	if (json_object_object_get_ex(o, "syscalls", &v) && json_object_get_type(v) != json_type_null) {
		old = tj_jpath_push_key(&L->path, "syscalls");
		if (tj_json_expect_type(L, v, json_type_array, "an array of rules") < 0)
			return -1;
		size_t n = json_object_array_length(v);
		if (n > TJ_PROFILE_MAX_RULES)
			return tj_json_fail(L, "too many rules (limit %d)", TJ_PROFILE_MAX_RULES);
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
			tj_json_warn(L, "listenerPath is ignored: no rule uses SCMP_ACT_NOTIFY");
	}
	return 0;
}
