/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The editor's model (src/edit/model.c) without a terminal: edits, undo and
 * redo, refused edits, and saving back into the document's text.
 */
#include "unit.h"

#include <dirent.h>
#include <linux/audit.h>

#include "tj/base/util.h"
#include "tj/edit/model.h"
#include "tj/json/profile_json.h"

static const char doc[] =
	"{\n"
	"  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
	"  \"comment\": \"kept\",\n"
	"  \"syscalls\": [\n"
	"    {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"io\"},\n"
	"    {\"names\": [\"@process\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
	"    {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}\n"
	"  ]\n"
	"}\n";

static void load(struct tj_edit_model *m, const char *text)
{
	struct tj_err *err = NULL;
	if (tj_edit_model_load(m, "t.json", text, strlen(text), &err) < 0)
		fail_msg("load: %s", tj_err_format(err));
}

static char *render(const struct tj_edit_model *m)
{
	char *out = NULL;
	size_t len;
	struct tj_err *err = NULL;
	if (tj_edit_render(m, &out, &len, &err) < 0)
		fail_msg("render: %s", tj_err_format(err));
	return out;
}

static enum tj_action action_of(struct tj_edit_model *m, const char *name)
{
	struct tj_edit_row *r = tj_edit_model_row(m, name);
	assert_non_null(r);
	return r->action;
}

static void test_rows(void **state)
{
	(void)state;
	struct tj_edit_model m;
	load(&m, doc);
	assert_true(m.nrows > 300);
	assert_int_equal(action_of(&m, "read"), TJ_ACT_ALLOW);
	assert_int_equal(tj_edit_model_row(&m, "read")->kind, TJ_EDIT_RULE);
	assert_int_equal(action_of(&m, "ptrace"), TJ_ACT_KILL_PROCESS);
	assert_int_equal(action_of(&m, "fork"), TJ_ACT_ALLOW); /* through @process */
	assert_contains(tj_edit_model_row(&m, "fork")->where, "@process");
	assert_int_equal(tj_edit_model_row(&m, "mount")->kind, TJ_EDIT_DEFAULT);
	assert_int_equal(action_of(&m, "mount"), TJ_ACT_ERRNO);
	assert_false(tj_edit_dirty(&m));
	tj_edit_model_done(&m);
}

static void test_edits_and_undo(void **state)
{
	(void)state;
	struct tj_edit_model m;
	struct tj_err *err = NULL;
	load(&m, doc);
	/* a name in a rule of two: it leaves that rule, a rule of its own comes */
	assert_int_equal(tj_edit_set_action(&m, "write", TJ_ACT_ERRNO, 13, &err), 0);
	assert_int_equal(action_of(&m, "write"), TJ_ACT_ERRNO);
	assert_int_equal(tj_edit_model_row(&m, "write")->errnum, 13);
	assert_int_equal(action_of(&m, "read"), TJ_ACT_ALLOW);
	/* a name brought by a group is excluded from it */
	assert_int_equal(tj_edit_set_action(&m, "fork", TJ_ACT_KILL_PROCESS, 0, &err), 0);
	assert_int_equal(action_of(&m, "fork"), TJ_ACT_KILL_PROCESS);
	assert_int_equal(action_of(&m, "vfork"), TJ_ACT_ALLOW);
	char *t = render(&m);
	assert_contains(t, "\"!fork\"");
	assert_contains(t, "\"comment\": \"kept\"");
	assert_contains(t, "\"comment\": \"io\"");
	free(t);
	/* a rule of one name changes in place */
	assert_int_equal(tj_edit_set_action(&m, "ptrace", TJ_ACT_ERRNO, 1, &err), 0);
	assert_true(tj_edit_dirty(&m));
	/* undo all three: the document again, byte for byte */
	assert_non_null(tj_edit_undo(&m));
	assert_non_null(tj_edit_undo(&m));
	assert_non_null(tj_edit_undo(&m));
	assert_null(tj_edit_undo(&m));
	assert_false(tj_edit_dirty(&m));
	t = render(&m);
	assert_string_equal(t, doc);
	free(t);
	/* redo brings them back */
	assert_non_null(tj_edit_redo(&m));
	assert_int_equal(action_of(&m, "write"), TJ_ACT_ERRNO);
	/* a new edit ends the redo history */
	assert_int_equal(tj_edit_clear(&m, "write", &err), 0);
	assert_false(tj_edit_can_redo(&m));
	assert_int_equal(action_of(&m, "write"), TJ_ACT_ERRNO); /* the default, EPERM */
	assert_int_equal(tj_edit_model_row(&m, "write")->kind, TJ_EDIT_DEFAULT);
	tj_edit_model_done(&m);
}

static void test_refused_edit_changes_nothing(void **state)
{
	(void)state;
	struct tj_edit_model m;
	struct tj_err *err = NULL;
	load(&m, doc);
	/* a conditional rule that denies more than the unconditional ALLOW of
	 * read: the compiler refuses it, and nothing changed */
	struct tj_arg a = {.index = 0, .op = TJ_CMP_EQ, .value = 0};
	assert_int_equal(tj_edit_add_condition(&m, "read", TJ_ACT_KILL_PROCESS, 0, &a, 1, NULL, &err), -1);
	assert_non_null(err);
	tj_err_free(err);
	err = NULL;
	assert_false(tj_edit_can_undo(&m));
	char *t = render(&m);
	assert_string_equal(t, doc);
	free(t);
	/* a condition on a syscall the default decides is taken */
	a = (struct tj_arg){.index = 0, .op = TJ_CMP_EQ, .value = 2};
	assert_int_equal(tj_edit_add_condition(&m, "socket", TJ_ACT_ALLOW, 0, &a, 1, NULL, &err), 0);
	assert_int_equal(tj_edit_model_row(&m, "socket")->kind, TJ_EDIT_CONDITIONAL);
	struct seccomp_data d = {.nr = 41, .arch = AUDIT_ARCH_X86_64, .args = {2}};
	enum tj_action act;
	unsigned e;
	assert_true(tj_edit_decide(&m, &d, &act, &e));
	assert_int_equal(act, TJ_ACT_ALLOW);
	d.args[0] = 10;
	assert_false(tj_edit_decide(&m, &d, &act, &e));
	tj_edit_model_done(&m);
}

static void test_group_and_default(void **state)
{
	(void)state;
	struct tj_edit_model m;
	struct tj_err *err = NULL;
	load(&m, doc);
	assert_int_equal(tj_edit_set_group_action(&m, "@process", TJ_ACT_LOG, 0, &err), 0);
	assert_int_equal(action_of(&m, "fork"), TJ_ACT_LOG);
	assert_int_equal(tj_edit_set_group_action(&m, "@nosuch", TJ_ACT_LOG, 0, &err), -1);
	tj_err_free(err);
	err = NULL;
	assert_int_equal(tj_edit_set_default(&m, TJ_ACT_KILL_PROCESS, 0, &err), 0);
	assert_int_equal(action_of(&m, "mount"), TJ_ACT_KILL_PROCESS);
	struct tj_strv diff = {0};
	tj_edit_diff(&m, &diff);
	assert_true(diff.n >= 1);
	tj_strv_done(&diff);
	char *t = render(&m);
	assert_contains(t, "\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\"");
	free(t);
	tj_edit_model_done(&m);
}

/* Saving with no change gives back every corpus profile, policy and good
 * fixture byte for byte: the rewrite keeps the text when nothing differs. */
static void test_corpus_round_trip(void **state)
{
	(void)state;
	static const char *const dirs[] = {TJ_FIXTURES "/corpus", "policies"};
	size_t tried = 0;
	for (size_t k = 0; k < TJ_ARRAY_SIZE(dirs); k++) {
		DIR *dir = opendir(dirs[k]);
		assert_non_null(dir);
		struct dirent *de;
		while ((de = readdir(dir))) {
			size_t n = strlen(de->d_name);
			if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
				continue;
			char *path = tj_xasprintf("%s/%s", dirs[k], de->d_name);
			struct tj_edit_model m;
			struct tj_err *err = NULL;
			if (tj_edit_model_open(&m, path, NULL, &err) < 0) {
				tj_err_free(err); /* refused on purpose (errnoRet 12345), or no seccomp */
				free(path);
				continue;
			}
			char *t = render(&m);
			if (strlen(t) != m.len || memcmp(t, m.text, m.len) != 0)
				fail_msg("%s: not byte-identical after a save without edits", path);
			/* an edit and its undo: identical too */
			if (tj_edit_set_action(&m, "getpgrp", TJ_ACT_ERRNO, 38, &err) == 0) {
				tj_edit_undo(&m);
				char *u = render(&m);
				if (strcmp(u, t) != 0)
					fail_msg("%s: an undone edit changed the text", path);
				free(u);
			} else {
				tj_err_free(err);
				err = NULL;
			}
			free(t);
			tried++;
			tj_edit_model_done(&m);
			free(path);
		}
		closedir(dir);
	}
	assert_true(tried >= 13);
}

/* --log: syscall events of every verdict and usage counts, x86_64 only;
 * a line that is not an event is skipped and counted. */
static void test_read_log(void **state)
{
	(void)state;
	char path[] = "/tmp/tj-edit-log.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const char log[] =
		"{\"v\":1,\"time\":\"2026-12-06T17:40:05.500000Z\",\"event\":\"syscall\",\"verdict\":\"would-deny\","
		"\"pid\":7,\"comm\":\"probe\",\"arch\":\"x86_64\",\"syscall\":\"getpgrp\",\"nr\":111,"
		"\"action\":\"SCMP_ACT_KILL_PROCESS\",\"rule\":\"defaultAction\"}\n"
		"{\"v\":1,\"time\":\"2026-12-06T17:40:05.600000Z\",\"event\":\"usage\",\"pid\":7,\"arch\":\"x86_64\","
		"\"syscall\":\"read\",\"nr\":0,\"action\":\"SCMP_ACT_ALLOW\",\"rule\":\"syscalls[0]\",\"count\":5}\n"
		"{\"v\":1,\"time\":\"2026-12-06T17:40:05.700000Z\",\"event\":\"syscall\",\"verdict\":\"killed\","
		"\"pid\":7,\"comm\":\"probe\",\"arch\":\"x86\",\"syscall\":\"ptrace\",\"nr\":26,"
		"\"action\":\"SCMP_ACT_KILL_PROCESS\",\"rule\":\"defaultAction\"}\n"
		"not an event\n";
	assert_int_equal(write(fd, log, sizeof(log) - 1), (ssize_t)(sizeof(log) - 1));
	close(fd);
	struct tj_edit_model m;
	load(&m, doc);
	size_t bad = 0;
	struct tj_err *err = NULL;
	assert_int_equal(tj_edit_model_read_log(&m, path, &bad, &err), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(tj_edit_model_row(&m, "getpgrp")->used, 1);
	assert_int_equal(tj_edit_model_row(&m, "read")->used, 5);
	assert_int_equal(tj_edit_model_row(&m, "ptrace")->used, 0); /* an i386 call */
	/* An edit keeps the counts. */
	assert_int_equal(tj_edit_set_action(&m, "getpgrp", TJ_ACT_ALLOW, 0, &err), 0);
	assert_int_equal(tj_edit_model_row(&m, "getpgrp")->used, 1);
	tj_edit_model_done(&m);
	unlink(path);
	assert_int_equal(tj_edit_model_read_log(&m, path, &bad, &err), -1);
	tj_err_free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_edits_and_undo),
		cmocka_unit_test(test_refused_edit_changes_nothing),
		cmocka_unit_test(test_group_and_default),
		cmocka_unit_test(test_corpus_round_trip),
		cmocka_unit_test(test_read_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
