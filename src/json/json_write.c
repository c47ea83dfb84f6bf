/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing JSON: the seccomp model as plain OCI, and decisions written back into
 * a profile's text with its other fields kept.
 */
#include <stdlib.h>
#include <string.h>

#include "tj/json/profile_json.h"

#include "json_internal.h"

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

static json_object *rule_to_json(const struct tj_rule *r, const struct tj_arg *args, size_t nargs)
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
	return o;
}

char *tj_seccomp_to_oci_json(const struct tj_seccomp *s)
{
	json_object *root = json_object_new_object();
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
				json_object_array_add(rules, rule_to_json(r, &r->args[k], 1));
		} else {
			json_object_array_add(rules, rule_to_json(r, r->args, r->nargs));
		}
	}
	json_object_object_add(root, "syscalls", rules);

	const char *out = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								       JSON_C_TO_STRING_NOSLASHESCAPE);
	char *copy = tj_xasprintf("%s\n", out);
	json_object_put(root);
	return copy;
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
	if (json_object_object_get_ex(root, "linux", &linux_obj) &&
	    json_object_get_type(linux_obj) == json_type_object &&
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

/* Whether rule's "args" are exactly a's comparisons (the same class twice). */
static bool same_json_args(json_object *rule, const struct tj_added_rule *a)
{
	json_object *args;
	if (!json_object_object_get_ex(rule, "args", &args) || json_object_get_type(args) != json_type_array ||
	    json_object_array_length(args) != a->nargs)
		return false;
	for (size_t i = 0; i < a->nargs; i++) {
		json_object *o = json_object_array_get_idx(args, i), *v;
		if (json_object_get_type(o) != json_type_object)
			return false;
		uint64_t index = json_object_object_get_ex(o, "index", &v) ? (uint64_t)json_object_get_uint64(v) : 99;
		uint64_t value = json_object_object_get_ex(o, "value", &v) ? (uint64_t)json_object_get_uint64(v) : 0;
		uint64_t two = json_object_object_get_ex(o, "valueTwo", &v) ? (uint64_t)json_object_get_uint64(v) : 0;
		const char *op = json_object_object_get_ex(o, "op", &v) ? json_object_get_string(v) : "";
		if (index != a->args[i].index || value != a->args[i].value || two != a->args[i].value_two ||
		    strcmp(op ? op : "", tj_cmp_name(a->args[i].op)) != 0)
			return false;
	}
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
	json_object *o = rule_to_json(&r, a->args, a->nargs);
	tj_strv_done(&r.names);
	if (a->comment)
		json_object_object_add(o, "comment", json_object_new_string(a->comment));
	return o;
}

int tj_profile_json_add_rules(const char *display, const char *text, size_t len, struct tj_added_rule *rules,
			      size_t nrules, char **ret_text, struct tj_notes *skipped, struct tj_err **err)
{
	json_object *root = NULL;
	if (tj_json_parse_text(display, text, len, &root, err) < 0)
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
	 * rule would conflict with it (profile-format.md), so it is left.
	 * A decision for an argument class goes beside rules that check
	 * other arguments (libseccomp ORs them): an approved
	 * clone(CLONE_VM|CLONE_VFORK) next to a rule for threads. */
	for (size_t k = 0; k < nrules; k++) {
		struct tj_added_rule *a = &rules[k];
		for (size_t i = 0; i < nold && !a->skipped; i++) {
			json_object *r = json_object_array_get_idx(calls, i);
			if (json_object_get_type(r) != json_type_object || !rule_names(r, a->name))
				continue;
			if (plain_notify_rule(r) && !a->nargs)
				continue;
			if (a->nargs && nonempty(r, "args") && !same_json_args(r, a))
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
			/* Rules for other argument classes stay beside it. */
			if (json_object_get_type(r) != json_type_object || !rule_names(r, a->name) ||
			    !plain_notify_rule(r))
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

	const char *out = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								       JSON_C_TO_STRING_NOSLASHESCAPE);
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
