/* SPDX-License-Identifier: Apache-2.0 */
/* The profile writer (profile_write.h): deterministic OCI JSON and SPO YAML. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tj/json/profile_json.h"
#include "tj/json/profile_write.h"

#include "json_internal.h"

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int arg_cmp(const struct tj_arg *a, const struct tj_arg *b)
{
	if (a->index != b->index)
		return a->index < b->index ? -1 : 1;
	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	if (a->value_two != b->value_two)
		return a->value_two < b->value_two ? -1 : 1;
	return 0;
}

int tj_profile_rule_cmp(const struct tj_rule *a, const struct tj_rule *b)
{
	const char *na = a->names.n ? a->names.v[0] : "", *nb = b->names.n ? b->names.v[0] : "";
	int c = strcmp(na, nb);
	if (c)
		return c;
	for (size_t i = 1; i < a->names.n && i < b->names.n; i++)
		if ((c = strcmp(a->names.v[i], b->names.v[i])) != 0)
			return c;
	if (a->names.n != b->names.n)
		return a->names.n < b->names.n ? -1 : 1;
	int ra = tj_action_rank(tj_action_canonical(a->action)), rb = tj_action_rank(tj_action_canonical(b->action));
	if (ra != rb)
		return ra < rb ? -1 : 1;
	unsigned ea = tj_action_takes_errno(a->action) ? tj_rule_effective_errno(a) : 0;
	unsigned eb = tj_action_takes_errno(b->action) ? tj_rule_effective_errno(b) : 0;
	if (ea != eb)
		return ea < eb ? -1 : 1;
	for (size_t i = 0; i < a->nargs && i < b->nargs; i++)
		if ((c = arg_cmp(&a->args[i], &b->args[i])) != 0)
			return c;
	if (a->nargs != b->nargs)
		return a->nargs < b->nargs ? -1 : 1;
	return strcmp(a->comment ? a->comment : "", b->comment ? b->comment : "");
}

static int rule_qsort_cmp(const void *a, const void *b)
{
	return tj_profile_rule_cmp(a, b);
}

static int args_qsort_cmp(const void *a, const void *b)
{
	return arg_cmp(a, b);
}

/* A copy of the rules in canonical order (names and arguments sorted too:
 * the order of comparisons in a rule does not change its meaning). */
static struct tj_rule *sorted_rules(const struct tj_seccomp *s, bool sort)
{
	struct tj_rule *v = tj_xcalloc(s->nrules ? s->nrules : 1, sizeof(*v));
	for (size_t i = 0; i < s->nrules; i++) {
		tj_rule_copy(&v[i], &s->rules[i]);
		if (!sort)
			continue;
		/* Origins describe names as written; sorting would misplace them. */
		for (size_t k = 0; v[i].origins && k < v[i].names.n; k++)
			free(v[i].origins[k].via);
		free(v[i].origins);
		v[i].origins = NULL;
		/* qsort's pointer must not be NULL, even for no elements (UBSan). */
		if (v[i].names.n > 1)
			qsort(v[i].names.v, v[i].names.n, sizeof(char *), strp_cmp);
		if (v[i].nargs > 1 && !tj_rule_has_repeated_index(&v[i]))
			qsort(v[i].args, v[i].nargs, sizeof(*v[i].args), args_qsort_cmp);
	}
	if (sort && s->nrules > 1)
		qsort(v, s->nrules, sizeof(*v), rule_qsort_cmp);
	return v;
}

static void free_rules(struct tj_rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tj_rule_done(&v[i]);
	free(v);
}

static const char *action_name(enum tj_action a)
{
	return tj_action_name(tj_action_canonical(a));
}

/* --- JSON --- */

static void json_strings(struct tj_buf *b, const struct tj_strv *v)
{
	tj_buf_add(b, "[");
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			tj_buf_add(b, ", ");
		tj_buf_add_json_string(b, v->v[i]);
	}
	tj_buf_add(b, "]");
}

static void json_cond(struct tj_buf *b, const char *key, const struct tj_cond *c)
{
	tj_buf_addf(b, ",\n      \"%s\": {", key);
	const char *sep = "";
	if (c->caps.n) {
		tj_buf_add(b, "\"caps\": ");
		json_strings(b, &c->caps);
		sep = ", ";
	}
	if (c->arches.n) {
		tj_buf_addf(b, "%s\"arches\": ", sep);
		json_strings(b, &c->arches);
		sep = ", ";
	}
	if (c->min_kernel) {
		tj_buf_addf(b, "%s\"minKernel\": ", sep);
		tj_buf_add_json_string(b, c->min_kernel);
	}
	tj_buf_add(b, "}");
}

static void json_rule(struct tj_buf *b, const struct tj_rule *r)
{
	tj_buf_add(b, "    {\n      \"names\": ");
	json_strings(b, &r->names);
	tj_buf_addf(b, ",\n      \"action\": \"%s\"", action_name(r->action));
	if (tj_action_takes_errno(r->action))
		tj_buf_addf(b, ",\n      \"errnoRet\": %u", tj_rule_effective_errno(r));
	if (r->nargs) {
		tj_buf_add(b, ",\n      \"args\": [\n");
		for (size_t i = 0; i < r->nargs; i++) {
			const struct tj_arg *a = &r->args[i];
			tj_buf_addf(b, "        {\"index\": %u, \"value\": %llu", a->index,
				    (unsigned long long)a->value);
			if (a->op == TJ_CMP_MASKED_EQ || a->value_two)
				tj_buf_addf(b, ", \"valueTwo\": %llu", (unsigned long long)a->value_two);
			tj_buf_addf(b, ", \"op\": \"%s\"}%s\n", tj_cmp_name(a->op), i + 1 < r->nargs ? "," : "");
		}
		tj_buf_add(b, "      ]");
	}
	if (r->has_includes)
		json_cond(b, "includes", &r->includes);
	if (r->has_excludes)
		json_cond(b, "excludes", &r->excludes);
	if (r->comment) {
		tj_buf_add(b, ",\n      \"comment\": ");
		tj_buf_add_json_string(b, r->comment);
	}
	tj_buf_add(b, "\n    }");
}

static void json_arches(struct tj_buf *b, const struct tj_seccomp *s)
{
	struct tj_strv v = {0};
	tj_strv_add(&v, "SCMP_ARCH_X86_64");
	for (size_t i = 0; i < s->arches.n; i++)
		if (!tj_strv_contains(&v, s->arches.v[i]) && strcmp(s->arches.v[i], "SCMP_ARCH_NATIVE") != 0)
			tj_strv_add(&v, s->arches.v[i]);
	json_strings(b, &v);
	tj_strv_done(&v);
}

static void flag_names(const struct tj_seccomp *s, struct tj_strv *out)
{
	for (const char *const *f = tj_flag_names(); *f; f++)
		if (s->flags & (unsigned)tj_flag_from_name(*f))
			tj_strv_add(out, *f);
}

int tj_profile_write_json(const struct tj_seccomp *s, const struct tj_profile_write_opts *o, const char *display,
			  char **ret, struct tj_err **err)
{
	struct tj_profile_write_opts none = {0};
	if (!o)
		o = &none;
	struct tj_buf b = {0};
	tj_buf_addf(&b, "{\n  \"defaultAction\": \"%s\"", action_name(s->default_action));
	if (tj_action_takes_errno(s->default_action))
		tj_buf_addf(&b, ",\n  \"defaultErrnoRet\": %u", tj_seccomp_effective_default_errno(s));
	tj_buf_add(&b, ",\n  \"architectures\": ");
	json_arches(&b, s);
	if (s->has_flags) {
		struct tj_strv flags = {0};
		flag_names(s, &flags);
		tj_buf_add(&b, ",\n  \"flags\": ");
		json_strings(&b, &flags);
		tj_strv_done(&flags);
	}
	if (s->listener_path) {
		tj_buf_add(&b, ",\n  \"listenerPath\": ");
		tj_buf_add_json_string(&b, s->listener_path);
	}
	if (s->listener_metadata) {
		tj_buf_add(&b, ",\n  \"listenerMetadata\": ");
		tj_buf_add_json_string(&b, s->listener_metadata);
	}
	if (o->comment) {
		tj_buf_add(&b, ",\n  \"comment\": ");
		tj_buf_add_json_string(&b, o->comment);
	}
	tj_buf_add(&b, ",\n  \"syscalls\": [");
	struct tj_rule *rules = sorted_rules(s, o->flags & TJ_WRITE_SORT);
	for (size_t i = 0; i < s->nrules; i++) {
		tj_buf_add(&b, i ? ",\n" : "\n");
		json_rule(&b, &rules[i]);
	}
	free_rules(rules, s->nrules);
	tj_buf_add(&b, s->nrules ? "\n  ]\n}\n" : "]\n}\n");

	/* Never hand out what tinyjail itself could not read back. */
	struct tj_profile *check = NULL;
	if (tj_profile_load_buffer(display ? display : "<generated>", b.s, b.len, &check, err) < 0) {
		tj_buf_done(&b);
		return tj_err_wrap(err, "the generated profile does not load");
	}
	tj_profile_free(check);
	*ret = tj_buf_steal(&b);
	return 0;
}

/* --- SPO SeccompProfile (YAML) --- */

/* A YAML scalar: plain when it is a syscall-like word, else double-quoted
 * (the JSON escapes are valid YAML). */
static void yaml_string(struct tj_buf *b, const char *s)
{
	bool plain = *s && !(*s >= '0' && *s <= '9');
	for (const char *p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	if (plain)
		tj_buf_add(b, s);
	else
		tj_buf_add_json_string(b, s);
}

/* A comment of any text as YAML comment lines, wrapped at spaces. */
static void yaml_comment(struct tj_buf *b, const char *indent, const char *text)
{
	const size_t width = 96;
	const char *p = text;
	while (*p) {
		size_t n = strcspn(p, "\n");
		if (n > width) {
			size_t cut = width;
			while (cut > 20 && p[cut] != ' ')
				cut--;
			n = p[cut] == ' ' ? cut : width;
		}
		tj_buf_addf(b, "%s# ", indent);
		tj_buf_addn(b, p, n);
		tj_buf_add(b, "\n");
		p += n;
		while (*p == ' ' || *p == '\n')
			p++;
	}
}

static void spo_name(struct tj_buf *b, const char *name)
{
	size_t start = b->len;
	for (const char *p = name; *p && b->len - start < 253; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
			c = '-';
		tj_buf_addn(b, &c, 1);
	}
	/* It must start and end with an alphanumeric character. */
	while (b->len > start && (b->s[b->len - 1] == '-' || b->s[b->len - 1] == '.'))
		b->s[--b->len] = '\0';
	if (b->len == start || b->s[start] == '-' || b->s[start] == '.')
		tj_buf_add(b, b->len == start ? "profile" : "");
}

static int spo_check(const struct tj_seccomp *s, const struct tj_rule *rules, struct tj_err **err)
{
	if (tj_action_takes_errno(s->default_action) && tj_seccomp_effective_default_errno(s) != 1)
		return tj_err_set(err, TJ_ERR_PROFILE, 0,
				  "a SeccompProfile has no defaultErrnoRet: the default action %s(%u) cannot be "
				  "written (the operator would return EPERM)",
				  action_name(s->default_action), tj_seccomp_effective_default_errno(s));
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &rules[i];
		const char *where = r->json_path ? r->json_path : "syscalls";
		if (r->has_includes || r->has_excludes) {
			tj_err_set(err, TJ_ERR_PROFILE, 0,
				   "a SeccompProfile cannot hold conditional rules (includes/excludes)");
			return tj_err_at(err, NULL, where);
		}
		if (r->nargs > 6 && !tj_rule_has_repeated_index(r)) {
			tj_err_set(err, TJ_ERR_PROFILE, 0, "a SeccompProfile rule holds at most 6 arguments, not %zu",
				   r->nargs);
			return tj_err_at(err, NULL, where);
		}
		for (size_t k = 0; k < r->nargs; k++)
			if (r->args[k].value > INT64_MAX || r->args[k].value_two > INT64_MAX) {
				tj_err_set(err, TJ_ERR_PROFILE, 0,
					   "a SeccompProfile holds argument values up to 2^63-1 (format int64), not "
					   "%llu",
					   (unsigned long long)(r->args[k].value > INT64_MAX ? r->args[k].value
											     : r->args[k].value_two));
				return tj_err_at(err, NULL, where);
			}
	}
	return 0;
}

static void spo_rule(struct tj_buf *b, const struct tj_rule *r, const struct tj_arg *args, size_t nargs)
{
	if (r->comment)
		yaml_comment(b, "  ", r->comment);
	tj_buf_addf(b, "  - action: %s\n", action_name(r->action));
	if (tj_action_takes_errno(r->action))
		tj_buf_addf(b, "    errnoRet: %u\n", tj_rule_effective_errno(r));
	tj_buf_add(b, "    names:\n");
	for (size_t k = 0; k < r->names.n; k++) {
		tj_buf_add(b, "    - ");
		yaml_string(b, r->names.v[k]);
		tj_buf_add(b, "\n");
	}
	if (nargs)
		tj_buf_add(b, "    args:\n");
	for (size_t k = 0; k < nargs; k++) {
		const struct tj_arg *a = &args[k];
		tj_buf_addf(b, "    - index: %u\n      op: %s\n      value: %llu\n", a->index, tj_cmp_name(a->op),
			    (unsigned long long)a->value);
		if (a->op == TJ_CMP_MASKED_EQ || a->value_two)
			tj_buf_addf(b, "      valueTwo: %llu\n", (unsigned long long)a->value_two);
	}
}

int tj_profile_write_spo(const struct tj_seccomp *s, const struct tj_profile_write_opts *o, const char *name,
			 const char *ns, char **ret, struct tj_err **err)
{
	struct tj_profile_write_opts none = {0};
	if (!o)
		o = &none;
	struct tj_rule *rules = sorted_rules(s, o->flags & TJ_WRITE_SORT);
	if (spo_check(s, rules, err) < 0) {
		free_rules(rules, s->nrules);
		return -1;
	}
	struct tj_buf b = {0};
	if (o->comment)
		yaml_comment(&b, "", o->comment);
	tj_buf_add(&b, "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\n"
		       "metadata:\n  name: ");
	spo_name(&b, name && *name ? name : "profile");
	tj_buf_add(&b, "\n");
	if (ns) {
		tj_buf_add(&b, "  namespace: ");
		spo_name(&b, ns);
		tj_buf_add(&b, "\n");
	}
	tj_buf_addf(&b, "spec:\n  defaultAction: %s\n  architectures:\n  - SCMP_ARCH_X86_64\n",
		    action_name(s->default_action));
	for (size_t i = 0; i < s->arches.n; i++)
		if (strcmp(s->arches.v[i], "SCMP_ARCH_X86_64") && strcmp(s->arches.v[i], "SCMP_ARCH_NATIVE"))
			tj_buf_addf(&b, "  - %s\n", s->arches.v[i]);
	if (s->has_flags && s->flags) {
		struct tj_strv flags = {0};
		flag_names(s, &flags);
		tj_buf_add(&b, "  flags:\n");
		for (size_t i = 0; i < flags.n; i++)
			tj_buf_addf(&b, "  - %s\n", flags.v[i]);
		tj_strv_done(&flags);
	}
	if (s->listener_path) {
		tj_buf_add(&b, "  listenerPath: ");
		yaml_string(&b, s->listener_path);
		tj_buf_add(&b, "\n");
	}
	if (s->listener_metadata) {
		tj_buf_add(&b, "  listenerMetadata: ");
		yaml_string(&b, s->listener_metadata);
		tj_buf_add(&b, "\n");
	}
	size_t written = 0;
	for (size_t i = 0; i < s->nrules; i++)
		written += !tj_rule_equals_default(s, &rules[i]);
	tj_buf_add(&b, written ? "  syscalls:\n" : "  syscalls: []\n");
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &rules[i];
		/* As runc and crun apply them: a rule equal to the default
		 * is skipped, and repeated argument indexes are an OR, which
		 * is written as one rule per comparison. */
		if (tj_rule_equals_default(s, r))
			continue;
		bool split = tj_rule_has_repeated_index(r);
		for (size_t part = 0; part < (split ? r->nargs : 1); part++)
			spo_rule(&b, r, split ? &r->args[part] : r->args, split ? 1 : r->nargs);
	}
	free_rules(rules, s->nrules);
	*ret = tj_buf_steal(&b);
	return 0;
}

char *tj_profile_write_rule(const struct tj_rule *r)
{
	struct tj_buf b = {0};
	tj_buf_add(&b, "{\"names\": ");
	json_strings(&b, &r->names);
	tj_buf_addf(&b, ", \"action\": \"%s\"", action_name(r->action));
	if (tj_action_takes_errno(r->action))
		tj_buf_addf(&b, ", \"errnoRet\": %u", tj_rule_effective_errno(r));
	if (r->nargs) {
		tj_buf_add(&b, ", \"args\": [");
		for (size_t i = 0; i < r->nargs; i++) {
			const struct tj_arg *a = &r->args[i];
			tj_buf_addf(&b, "%s{\"index\": %u, \"value\": %llu", i ? ", " : "", a->index,
				    (unsigned long long)a->value);
			if (a->op == TJ_CMP_MASKED_EQ || a->value_two)
				tj_buf_addf(&b, ", \"valueTwo\": %llu", (unsigned long long)a->value_two);
			tj_buf_addf(&b, ", \"op\": \"%s\"}", tj_cmp_name(a->op));
		}
		tj_buf_add(&b, "]");
	}
	tj_buf_add(&b, "}");
	return tj_buf_steal(&b);
}

char *tj_profile_read_comment(const char *text, size_t len)
{
	json_object *root = NULL, *v;
	struct tj_err *err = NULL;
	if (tj_json_parse_text("<profile>", text, len, &root, &err) < 0) {
		tj_err_free(err);
		return NULL;
	}
	char *out = NULL;
	if (json_object_get_type(root) == json_type_object && json_object_object_get_ex(root, "comment", &v) &&
	    json_object_get_type(v) == json_type_string)
		out = tj_xstrdup(json_object_get_string(v));
	json_object_put(root);
	return out;
}
