/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Edits carried back into a document's text (src/json/json_edit.c): what is
 * not changed keeps its bytes, over the 13 real profiles of the corpus, the
 * bundled policies and the good fixtures.
 */
#include "unit.h"

#include <dirent.h>

#include "tj/base/jsonpos.h"
#include "tj/base/util.h"
#include "tj/json/profile_edit.h"
#include "tj/json/profile_json.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct tj_buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		tj_buf_addn(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return tj_buf_steal(&b);
}

/* The profiles the tests go over: every corpus file, bundled policy and
 * good fixture with a seccomp section. */
static size_t list_profiles(struct tj_strv *out)
{
	static const char *const dirs[] = {TJ_FIXTURES "/corpus", "policies", TJ_FIXTURES "/profiles/good"};
	for (size_t d = 0; d < TJ_ARRAY_SIZE(dirs); d++) {
		DIR *dir = opendir(dirs[d]);
		assert_non_null(dir);
		struct dirent *e;
		while ((e = readdir(dir))) {
			size_t n = strlen(e->d_name);
			if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0)
				tj_strv_add_owned(out, tj_xasprintf("%s/%s", dirs[d], e->d_name));
		}
		closedir(dir);
	}
	return out->n;
}

/* NULL for the corpus files tinyjail refuses on purpose (errnoRet 12345). */
static struct tj_profile *try_load(const char *display, const char *text, size_t len)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer(display, text, len, &p, &err) < 0) {
		tj_err_free(err);
		return NULL;
	}
	return p;
}

static struct tj_profile *load(const char *display, const char *text, size_t len)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer(display, text, len, &p, &err) < 0) {
		char *m = tj_err_format(err);
		fail_msg("%s does not load: %s", display, m);
	}
	return p;
}

static char *rewrite(const char *display, const char *text, size_t len, const struct tj_profile *p,
		     const struct tj_seccomp *ed)
{
	char *out = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_json_rewrite(display, text, len, p->seccomp, ed, &out, &err) < 0) {
		char *m = tj_err_format(err);
		fail_msg("%s: rewrite failed: %s", display, m);
	}
	return out;
}

/* The bytes of rule i of a document. */
static char *rule_text(const char *text, size_t len, const struct tj_profile *p, size_t i)
{
	size_t k, s, e;
	assert_true(tj_jsonpos_span(text, len, p->seccomp->rules[i].json_path, &k, &s, &e));
	return tj_xstrndup(text + s, e - s);
}

static void assert_same_rule(const struct tj_rule *a, const struct tj_rule *b)
{
	assert_int_equal(a->names.n, b->names.n);
	for (size_t i = 0; i < a->names.n; i++)
		assert_string_equal(a->names.v[i], b->names.v[i]);
	assert_int_equal(a->action, b->action);
	assert_int_equal(a->has_errno, b->has_errno);
	if (a->has_errno)
		assert_int_equal(a->errno_ret, b->errno_ret);
	assert_int_equal(a->nargs, b->nargs);
	if (a->nargs)
		assert_memory_equal(a->args, b->args, a->nargs * sizeof(*a->args));
	assert_int_equal(a->has_includes, b->has_includes);
	assert_int_equal(a->has_excludes, b->has_excludes);
	assert_int_equal(a->includes.caps.n, b->includes.caps.n);
	assert_int_equal(a->excludes.caps.n, b->excludes.caps.n);
	assert_int_equal(a->includes.arches.n, b->includes.arches.n);
	assert_int_equal(!!a->includes.min_kernel, !!b->includes.min_kernel);
	assert_int_equal(!!a->comment, !!b->comment);
	if (a->comment)
		assert_string_equal(a->comment, b->comment);
}

/* No change: the same bytes. */
static void test_unchanged(void **state)
{
	(void)state;
	struct tj_strv files = {0};
	list_profiles(&files);
	size_t done = 0;
	for (size_t f = 0; f < files.n; f++) {
		size_t len;
		char *text = slurp(files.v[f], &len);
		struct tj_profile *p = try_load(files.v[f], text, len);
		if (p && p->seccomp) {
			struct tj_seccomp *ed = tj_seccomp_copy(p->seccomp);
			char *out = rewrite(files.v[f], text, len, p, ed);
			if (strlen(out) != len || memcmp(out, text, len) != 0)
				fail_msg("%s changed without an edit", files.v[f]);
			free(out);
			tj_seccomp_free(ed);
			done++;
		}
		tj_profile_free(p);
		free(text);
	}
	assert_true(done >= 13 + 8);
	tj_strv_done(&files);
}

/* Every rule removed in turn: the others keep their bytes and meaning. */
static void test_remove_each(void **state)
{
	(void)state;
	struct tj_strv files = {0};
	list_profiles(&files);
	for (size_t f = 0; f < files.n; f++) {
		size_t len;
		char *text = slurp(files.v[f], &len);
		struct tj_profile *p = try_load(files.v[f], text, len);
		size_t n = p && p->seccomp ? p->seccomp->nrules : 0;
		/* Large profiles: the first, a middle and the last rule. */
		size_t pick[16], npick = 0;
		for (size_t i = 0; i < n && n <= 12; i++)
			pick[npick++] = i;
		if (n > 12) {
			pick[0] = 0;
			pick[1] = n / 2;
			pick[2] = n - 1;
			npick = 3;
		}
		for (size_t t = 0; t < npick; t++) {
			size_t gone = pick[t];
			struct tj_seccomp *ed = tj_seccomp_copy(p->seccomp);
			tj_rule_done(&ed->rules[gone]);
			memmove(&ed->rules[gone], &ed->rules[gone + 1], (n - gone - 1) * sizeof(*ed->rules));
			ed->nrules--;
			char *out = rewrite(files.v[f], text, len, p, ed);
			struct tj_profile *q = load(files.v[f], out, strlen(out));
			assert_int_equal(q->seccomp->nrules, n - 1);
			for (size_t i = 0; i < n - 1; i++) {
				size_t from = i < gone ? i : i + 1;
				assert_same_rule(&q->seccomp->rules[i], &p->seccomp->rules[from]);
				char *a = rule_text(text, len, p, from), *b = rule_text(out, strlen(out), q, i);
				assert_string_equal(a, b);
				free(a);
				free(b);
			}
			tj_profile_free(q);
			free(out);
			tj_seccomp_free(ed);
		}
		tj_profile_free(p);
		free(text);
	}
	tj_strv_done(&files);
}

/* A rule changed (a name added, another action), and a new rule appended:
 * the changed rule keeps its comment and conditions, the rest its bytes,
 * and everything outside "syscalls" is unchanged. */
static void test_change_and_add(void **state)
{
	(void)state;
	struct tj_strv files = {0};
	list_profiles(&files);
	for (size_t f = 0; f < files.n; f++) {
		size_t len;
		char *text = slurp(files.v[f], &len);
		struct tj_profile *p = try_load(files.v[f], text, len);
		if (!p || !p->seccomp || !p->seccomp->nrules) {
			tj_profile_free(p);
			free(text);
			continue;
		}
		size_t n = p->seccomp->nrules;
		struct tj_seccomp *ed = tj_seccomp_copy(p->seccomp);
		struct tj_rule *r = &ed->rules[0];
		tj_strv_add(&r->names, "getpgrp");
		r->action = r->action == TJ_ACT_ALLOW ? TJ_ACT_LOG : TJ_ACT_ALLOW;
		r->has_errno = false;
		tj_xreserve((void **)&ed->rules, &(size_t){n}, n + 1, sizeof(*ed->rules));
		struct tj_rule *nr = &ed->rules[n];
		memset(nr, 0, sizeof(*nr));
		tj_strv_add(&nr->names, "sched_yield");
		nr->action = TJ_ACT_ERRNO;
		nr->has_errno = true;
		nr->errno_ret = 38;
		nr->args = tj_xcalloc(1, sizeof(*nr->args));
		nr->args[0] = (struct tj_arg){.index = 0, .value = 0xffffffff, .value_two = 2, .op = TJ_CMP_MASKED_EQ};
		nr->nargs = 1;
		nr->comment = tj_xstrdup("added \"by\" a test");
		ed->nrules++;

		char *out = rewrite(files.v[f], text, len, p, ed);
		struct tj_profile *q = load(files.v[f], out, strlen(out));
		assert_int_equal(q->seccomp->nrules, n + 1);
		assert_same_rule(&q->seccomp->rules[0], &ed->rules[0]);
		assert_same_rule(&q->seccomp->rules[n], &ed->rules[n]);
		for (size_t i = 1; i < n; i++) {
			char *a = rule_text(text, len, p, i), *b = rule_text(out, strlen(out), q, i);
			assert_string_equal(a, b);
			free(a);
			free(b);
		}
		/* Outside the rules array: the same bytes. */
		char *path = p->seccomp->json_path[0] ? tj_xasprintf("%s.syscalls", p->seccomp->json_path)
						      : tj_xstrdup("syscalls");
		size_t k, s1, e1, s2, e2;
		assert_true(tj_jsonpos_span(text, len, path, &k, &s1, &e1));
		assert_true(tj_jsonpos_span(out, strlen(out), path, &k, &s2, &e2));
		assert_int_equal(s1, s2);
		assert_memory_equal(text, out, s1);
		assert_string_equal(text + e1, out + e2);
		free(path);
		tj_profile_free(q);
		free(out);
		tj_seccomp_free(ed);
		tj_profile_free(p);
		free(text);
	}
	tj_strv_done(&files);
}

static void edit_text(const char *text, struct tj_seccomp *(*change)(const struct tj_seccomp *), char **out,
		      struct tj_profile **q)
{
	struct tj_profile *p = load("t.json", text, strlen(text));
	struct tj_seccomp *ed = change(p->seccomp);
	*out = rewrite("t.json", text, strlen(text), p, ed);
	*q = load("t.json", *out, strlen(*out));
	tj_seccomp_free(ed);
	tj_profile_free(p);
}

static struct tj_seccomp *to_kill(const struct tj_seccomp *s)
{
	struct tj_seccomp *c = tj_seccomp_copy(s);
	c->default_action = TJ_ACT_KILL_PROCESS;
	c->has_default_errno = false;
	return c;
}

static struct tj_seccomp *to_enosys(const struct tj_seccomp *s)
{
	struct tj_seccomp *c = tj_seccomp_copy(s);
	c->default_action = TJ_ACT_ERRNO;
	c->has_default_errno = true;
	c->default_errno = 38;
	return c;
}

static struct tj_seccomp *add_one(const struct tj_seccomp *s)
{
	struct tj_seccomp *c = tj_seccomp_copy(s);
	c->rules = tj_xrealloc(c->rules, (c->nrules + 1) * sizeof(*c->rules));
	memset(&c->rules[c->nrules], 0, sizeof(*c->rules));
	tj_strv_add(&c->rules[c->nrules].names, "read");
	c->rules[c->nrules].action = TJ_ACT_ALLOW;
	c->nrules++;
	return c;
}

static struct tj_seccomp *drop_all(const struct tj_seccomp *s)
{
	struct tj_seccomp *c = tj_seccomp_copy(s);
	for (size_t i = 0; i < c->nrules; i++)
		tj_rule_done(&c->rules[i]);
	c->nrules = 0;
	return c;
}

/* The default, and the places a first rule goes. */
static void test_default_and_shapes(void **state)
{
	(void)state;
	char *out;
	struct tj_profile *q;

	/* Podman's errno name and errnoRet stay in step; other keys stay. */
	edit_text("{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"defaultErrnoRet\": 1,\n\t\"defaultErrno\": "
		  "\"EPERM\",\n\t\"comment\": \"x\"\n}\n",
		  to_enosys, &out, &q);
	assert_string_equal(out,
			    "{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"defaultErrnoRet\": 38,\n\t\"defaultErrno\": "
			    "\"ENOSYS\",\n\t\"comment\": \"x\"\n}\n");
	free(out);
	tj_profile_free(q);
	/* Kill takes no errno: both go. */
	edit_text("{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"defaultErrnoRet\": 1,\n  \"defaultErrno\": "
		  "\"EPERM\"\n}\n",
		  to_kill, &out, &q);
	assert_string_equal(out, "{\n  \"defaultAction\": \"SCMP_ACT_KILL_PROCESS\"\n}\n");
	free(out);
	tj_profile_free(q);
	/* An errno where there was none. */
	edit_text("{\"defaultAction\": \"SCMP_ACT_KILL\", \"syscalls\": []}", to_enosys, &out, &q);
	assert_string_equal(out, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": []}");
	free(out);
	tj_profile_free(q);

	/* The first rule: into "[]", into null, and where "syscalls" is absent. */
	edit_text("{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": []\n}\n", add_one, &out, &q);
	assert_string_equal(out,
			    "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n    {\n      \"names\": "
			    "[\"read\"],\n      \"action\": \"SCMP_ACT_ALLOW\"\n    }\n  ]\n}\n");
	free(out);
	tj_profile_free(q);
	edit_text("{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"syscalls\": null\n}\n", add_one, &out, &q);
	assert_int_equal(q->seccomp->nrules, 1);
	assert_contains(
		out,
		"\t\"syscalls\": [\n\t\t{\n\t\t\t\"names\": [\"read\"],\n\t\t\t\"action\": \"SCMP_ACT_ALLOW\"\n\t\t}\n\t]\n}");
	free(out);
	tj_profile_free(q);
	edit_text("{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\"\n}\n", add_one, &out, &q);
	assert_int_equal(q->seccomp->nrules, 1);
	assert_contains(out, "\"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [");
	free(out);
	tj_profile_free(q);
	/* An OCI config: the rule goes into linux.seccomp. */
	edit_text("{\"ociVersion\": \"1.0.2\", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\"}}}",
		  add_one, &out, &q);
	assert_int_equal(q->seccomp->nrules, 1);
	assert_string_equal(q->seccomp->rules[0].json_path, "linux.seccomp.syscalls[0]");
	free(out);
	tj_profile_free(q);
	/* Every rule removed: an empty array, the rest as it was. */
	edit_text("{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n    {\"names\": [\"a\"], \"action\": "
		  "\"SCMP_ACT_ALLOW\"},\n    {\"names\": [\"b\"], \"action\": \"SCMP_ACT_ALLOW\"}\n  ],\n  \"x\": 1\n}\n",
		  drop_all, &out, &q);
	assert_string_equal(out, "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [],\n  \"x\": 1\n}\n");
	free(out);
	tj_profile_free(q);
}

/* A changed rule keeps the keys the editor does not manage, and Docker's
 * singular "name". */
static void test_kept_keys(void **state)
{
	(void)state;
	const char *text =
		"{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"syscalls\": [\n\t\t{\n\t\t\t\"name\": \"chmod\",\n"
		"\t\t\t\"action\": \"SCMP_ACT_ERRNO\",\n\t\t\t\"errno\": \"EACCES\",\n\t\t\t\"comment\": \"c\",\n"
		"\t\t\t\"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}\n\t\t}\n\t]\n}\n";
	struct tj_profile *p = load("k.json", text, strlen(text));
	struct tj_seccomp *ed = tj_seccomp_copy(p->seccomp);
	ed->rules[0].errno_ret = 1;
	char *out = rewrite("k.json", text, strlen(text), p, ed);
	assert_string_equal(
		out,
		"{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"syscalls\": [\n\t\t{\n\t\t\t\"name\": \"chmod\",\n"
		"\t\t\t\"action\": \"SCMP_ACT_ERRNO\",\n\t\t\t\"errno\": \"EPERM\",\n\t\t\t\"comment\": \"c\",\n"
		"\t\t\t\"includes\": {\n\t\t\t\t\"caps\": [\"CAP_SYS_ADMIN\"]\n\t\t\t}\n\t\t}\n\t]\n}\n");
	free(out);
	tj_seccomp_free(ed);
	tj_profile_free(p);
}

static void test_rule_index(void **state)
{
	(void)state;
	assert_int_equal(tj_profile_json_rule_index("", "syscalls[3]"), 3);
	assert_int_equal(tj_profile_json_rule_index("linux.seccomp", "linux.seccomp.syscalls[12]"), 12);
	assert_int_equal(tj_profile_json_rule_index("", "linux.seccomp.syscalls[1]"), -1);
	assert_int_equal(tj_profile_json_rule_index("", "syscalls[1].names[0]"), -1);
	assert_int_equal(tj_profile_json_rule_index("", NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchanged),      cmocka_unit_test(test_remove_each),
		cmocka_unit_test(test_change_and_add), cmocka_unit_test(test_default_and_shapes),
		cmocka_unit_test(test_kept_keys),      cmocka_unit_test(test_rule_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
