/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The supervisor's decisions (src/supervise/decisions.c) and their file format, and
 * writing decisions back into profiles (tj_profile_json_add_rules).
 */
#include "unit.h"

#include <errno.h>
#include <linux/audit.h>
#include <sys/syscall.h>

#include "tj/json/profile_json.h"
#include "tj/supervise/decisions.h"

static struct tj_decisions *load(const char *text)
{
	struct tj_decisions *d = NULL;
	struct tj_err *err = NULL;
	if (tj_decisions_load_buffer("d.json", text, strlen(text), &d, &err) < 0)
		fail_msg("load: %s", err->msg);
	return d;
}

/* Expects a load error whose message contains want, at path and line. */
static void expect_error(const char *text, const char *want, const char *path, int line)
{
	struct tj_decisions *d = NULL;
	struct tj_err *err = NULL;
	assert_int_equal(tj_decisions_load_buffer("d.json", text, strlen(text), &d, &err), -1);
	assert_null(d);
	assert_non_null(err);
	assert_contains(err->msg, want);
	assert_string_equal(err->file, "d.json");
	if (path)
		assert_string_equal(err->json_path, path);
	if (line)
		assert_int_equal(err->line, line);
	assert_int_equal(tj_err_exit_code(err), 125);
	tj_err_free(err);
}

static struct seccomp_data call(int nr, uint64_t a0)
{
	return (struct seccomp_data){.nr = nr, .arch = AUDIT_ARCH_X86_64, .args = {a0}};
}

static const char rules_text[] =
	"{\"tinyjailDecisions\": 1,\n"
	" \"default\": {\"decision\": \"deny\", \"errno\": \"ENOSYS\"},\n"
	" \"rules\": [\n"
	"  {\"names\": [\"getppid\", \"getpgrp\"], \"decision\": \"allow\", \"comment\": \"harmless\"},\n"
	"  {\"names\": [\"socket\"], \"decision\": \"allow\",\n"
	"   \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},\n"
	"  {\"names\": [\"socket\"], \"decision\": \"deny\", \"errno\": 13},\n"
	"  {\"names\": [\"ptrace\"], \"decision\": \"kill\"},\n"
	"  {\"names\": [\"mkdir\"], \"decision\": \"deny\"},\n"
	"  {\"names\": [\"connect\"], \"decision\": \"ask\"}\n"
	" ]}\n";

static void test_load_and_match(void **state)
{
	(void)state;
	struct tj_decisions *d = load(rules_text);
	assert_int_equal(d->def.kind, TJ_DECIDE_DENY);
	assert_int_equal(d->def.errnum, ENOSYS);
	assert_int_equal(d->nrules, 6);

	struct seccomp_data c = call(SYS_getpgrp, 0);
	const struct tj_decision_rule *r = tj_decisions_match(d, &c);
	assert_non_null(r);
	assert_string_equal(r->rule.json_path, "rules[0]");
	assert_int_equal(r->d.kind, TJ_DECIDE_ALLOW);
	/* Arguments are register values: AF_UNIX (1) is allowed, the rest denied. */
	c = call(SYS_socket, 1);
	assert_string_equal(tj_decisions_match(d, &c)->rule.json_path, "rules[1]");
	c = call(SYS_socket, 2);
	r = tj_decisions_match(d, &c);
	assert_string_equal(r->rule.json_path, "rules[2]");
	assert_int_equal(r->d.kind, TJ_DECIDE_DENY);
	assert_int_equal(r->d.errnum, 13);
	c = call(SYS_ptrace, 16);
	assert_int_equal(tj_decisions_match(d, &c)->d.kind, TJ_DECIDE_KILL);
	c = call(SYS_mkdir, 0);
	r = tj_decisions_match(d, &c);
	assert_int_equal(r->d.errnum, EPERM); /* deny without errno: EPERM */
	c = call(SYS_connect, 0);
	assert_int_equal(tj_decisions_match(d, &c)->d.kind, TJ_DECIDE_ASK);
	c = call(SYS_kcmp, 0);
	assert_null(tj_decisions_match(d, &c));
	/* The same name through the i386 ABI matches by name. */
	c = (struct seccomp_data){.nr = 26, .arch = AUDIT_ARCH_I386};
	assert_string_equal(tj_decisions_match(d, &c)->rule.json_path, "rules[3]");
	assert_null(tj_decisions_match(NULL, &c));
	tj_decisions_free(d);

	/* Without "default" every unnamed call is asked. */
	d = load("{\"tinyjailDecisions\": 1}");
	assert_int_equal(d->def.kind, TJ_DECIDE_ASK);
	assert_int_equal(d->nrules, 0);
	tj_decisions_free(d);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("{\"rules\": []}", "missing 'tinyjailDecisions'", "", 1);
	expect_error("{\"tinyjailDecisions\": 2}", "decisions version 2 is not supported", "tinyjailDecisions", 1);
	expect_error("{\"tinyjailDecisions\": 1, \"rule\": []}", "unknown key 'rule' (did you mean 'rules'?)", NULL, 1);
	expect_error("{\"tinyjailDecisions\": 1,\n \"rules\": [{\"names\": [\"ptrac\"], \"decision\": \"kill\"}]}",
		     "unknown syscall 'ptrac'", "rules[0].names[0]", 2);
	expect_error("{\"tinyjailDecisions\": 1, \"rules\": [{\"names\": [\"ptrace\"], \"decision\": \"alow\"}]}",
		     "unknown decision 'alow' (did you mean 'allow'?)", "rules[0].decision", 1);
	expect_error("{\"tinyjailDecisions\": 1, \"rules\": [{\"names\": [\"ptrace\"]}]}", "missing 'decision'",
		     "rules[0]", 1);
	expect_error("{\"tinyjailDecisions\": 1, \"rules\": [{\"names\": [], \"decision\": \"kill\"}]}",
		     "must list at least one syscall name", "rules[0].names", 1);
	expect_error("{\"tinyjailDecisions\": 1, \"rules\": [{\"names\": [\"ptrace\"], \"decision\": \"allow\", "
		     "\"errno\": \"EPERM\"}]}",
		     "errno is only valid with the decision 'deny'", "rules[0].errno", 1);
	expect_error("{\"tinyjailDecisions\": 1, \"rules\": [{\"names\": [\"ptrace\"], \"decision\": \"deny\", "
		     "\"errno\": \"EWHAT\"}]}",
		     "unknown errno 'EWHAT'", "rules[0].errno", 1);
	expect_error("{\"tinyjailDecisions\": 1, \"rules\": [{\"names\": [\"ptrace\"], \"decision\": \"deny\", "
		     "\"errno\": 5000}]}",
		     "out of range", "rules[0].errno", 1);
	expect_error("{\"tinyjailDecisions\": 1, \"rules\": [{\"names\": [\"ptrace\"], \"decision\": \"deny\", "
		     "\"args\": [{\"index\": 6, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		     "argument index 6 is out of range", "rules[0].args[0].index", 1);
	expect_error("{\"tinyjailDecisions\": 1, \"rules\": [{\"names\": [\"ptrace\"], \"decision\": \"kill\", "
		     "\"arg\": []}]}",
		     "unknown key 'arg' (did you mean 'args'?)", NULL, 1);
	expect_error("{\"tinyjailDecisions\": 1, \"default\": \"deny\"}", "expected an object", "default", 1);
	expect_error("{\"tinyjailDecisions\": 1, \"tinyjailDecisions\": 1}", "duplicate", NULL, 0);
	expect_error("{\"tinyjailDecisions\": 1,}", "trailing comma", NULL, 1);
	expect_error("[]", "expected an object", NULL, 0);
}

static void test_memory(void **state)
{
	(void)state;
	struct tj_memory m = {0};
	struct tj_decision allow = {.kind = TJ_DECIDE_ALLOW}, deny = {.kind = TJ_DECIDE_DENY, .errnum = 13};
	struct seccomp_data c = call(SYS_getpgrp, 0);
	assert_null(tj_memory_find(&m, &c));
	assert_true(tj_memory_add(&m, &c, &allow, NULL, 0, "a person"));
	assert_false(tj_memory_add(&m, &c, &deny, NULL, 0, "again")); /* the first answer stands */
	const struct tj_learned *l = tj_memory_find(&m, &c);
	assert_non_null(l);
	assert_string_equal(l->name, "getpgrp");
	assert_int_equal(l->d.kind, TJ_DECIDE_ALLOW);
	/* A decision with argument checks answers the calls that meet them,
	 * never the whole syscall. */
	struct tj_arg a = {.index = 0, .value = 1, .op = TJ_CMP_EQ};
	c = call(SYS_socket, 1);
	assert_true(tj_memory_add(&m, &c, &deny, &a, 1, "rules"));
	assert_non_null(tj_memory_find(&m, &c));
	struct seccomp_data other = call(SYS_socket, 2);
	assert_null(tj_memory_find(&m, &other));
	assert_int_equal(m.n, 2);
	assert_int_equal(m.v[1].nargs, 1);
	assert_int_equal(tj_decision_action(&deny), TJ_ACT_ERRNO);
	assert_int_equal(tj_decision_action(&allow), TJ_ACT_ALLOW);
	struct tj_decision kill = {.kind = TJ_DECIDE_KILL};
	assert_int_equal(tj_decision_action(&kill), TJ_ACT_KILL_PROCESS);
	assert_string_equal(tj_decision_name(TJ_DECIDE_ASK), "ask");
	assert_int_equal(tj_decision_from_name("kill"), TJ_DECIDE_KILL);
	assert_int_equal(tj_decision_from_name("KILL"), -1);
	tj_memory_done(&m);
}

/* --- write-back --- */

static char *add_rules(const char *text, struct tj_added_rule *rules, size_t n, struct tj_notes *skipped)
{
	char *out = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_json_add_rules("p.json", text, strlen(text), rules, n, &out, skipped, &err) < 0)
		fail_msg("add_rules: %s", err->msg);
	return out;
}

static struct tj_profile *reload(const char *text)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer("p.json", text, strlen(text), &p, &err) < 0)
		fail_msg("reload: %s", err->msg);
	return p;
}

static void test_write_back_plain(void **state)
{
	(void)state;
	const char *text = "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
			   "{\"names\": [\"read\", \"execve\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	struct tj_arg a = {.index = 0, .value = 1, .op = TJ_CMP_EQ};
	struct tj_added_rule add[] = {
		{.name = "getpgrp", .action = TJ_ACT_ALLOW, .comment = "by a person"},
		{.name = "socket", .action = TJ_ACT_ERRNO, .errno_ret = 13, .args = &a, .nargs = 1},
		{.name = "read", .action = TJ_ACT_ERRNO, .errno_ret = 1},
	};
	struct tj_notes skipped = {0};
	char *out = add_rules(text, add, 3, &skipped);
	/* read is already decided by syscalls[0]: not added, and said so. */
	assert_int_equal(skipped.n, 1);
	assert_string_equal(skipped.v[0].json_path, "syscalls[0]");
	assert_contains(skipped.v[0].msg, "'read' was not written back");
	assert_false(add[0].skipped);
	assert_true(add[2].skipped);
	struct tj_profile *p = reload(out);
	assert_int_equal(p->seccomp->nrules, 3);
	const struct tj_rule *r = &p->seccomp->rules[1];
	assert_string_equal(r->names.v[0], "getpgrp");
	assert_int_equal(r->action, TJ_ACT_ALLOW);
	assert_string_equal(r->comment, "by a person");
	r = &p->seccomp->rules[2];
	assert_string_equal(r->names.v[0], "socket");
	assert_int_equal(r->action, TJ_ACT_ERRNO);
	assert_int_equal(r->errno_ret, 13);
	assert_int_equal(r->nargs, 1);
	assert_int_equal(r->args[0].value, 1);
	assert_int_equal(p->seccomp->default_action, TJ_ACT_KILL_PROCESS);
	tj_profile_free(p);
	tj_notes_done(&skipped);
	free(out);
}

static void test_write_back_moves_notify(void **state)
{
	(void)state;
	/* An OCI config whose agent is asked about three calls: a decided
	 * name leaves the NOTIFY rule; the rule goes when it is empty; other
	 * sections and Docker keys stay as they were. */
	const char *text = "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"]}, \"linux\": {\"seccomp\": {"
			   "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/a.sock\", "
			   "\"syscalls\": ["
			   "{\"names\": [\"mkdir\", \"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\"},"
			   "{\"name\": \"chmod\", \"action\": \"SCMP_ACT_NOTIFY\"},"
			   "{\"names\": [\"uname\"], \"action\": \"SCMP_ACT_NOTIFY\", "
			   "\"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}}}";
	struct tj_added_rule add[] = {
		{.name = "getppid", .action = TJ_ACT_ALLOW},
		{.name = "chmod", .action = TJ_ACT_ERRNO, .errno_ret = 1},
		{.name = "uname", .action = TJ_ACT_ALLOW},
	};
	struct tj_notes skipped = {0};
	char *out = add_rules(text, add, 3, &skipped);
	assert_int_equal(skipped.n, 1); /* uname's NOTIFY rule has argument checks */
	assert_string_equal(skipped.v[0].json_path, "linux.seccomp.syscalls[2]");
	assert_contains(out, "\"process\"");
	/* mkdir still goes to the agent: the listener stays. */
	assert_contains(out, "\"listenerPath\": \"/run/a.sock\"");
	struct tj_profile *p = reload(out);
	assert_int_equal(p->shape, TJ_SHAPE_OCI_CONFIG);
	const struct tj_seccomp *s = p->seccomp;
	assert_int_equal(s->nrules, 4);
	assert_int_equal(s->rules[0].action, TJ_ACT_NOTIFY);
	assert_int_equal(s->rules[0].names.n, 1);
	assert_string_equal(s->rules[0].names.v[0], "mkdir");
	assert_string_equal(s->rules[1].names.v[0], "uname");
	assert_string_equal(s->rules[2].names.v[0], "getppid");
	assert_int_equal(s->rules[2].action, TJ_ACT_ALLOW);
	assert_string_equal(s->rules[3].names.v[0], "chmod");
	assert_int_equal(s->rules[3].action, TJ_ACT_ERRNO);
	tj_profile_free(p);
	tj_notes_done(&skipped);
	free(out);

	/* When the last name leaves, the listener fields go: runtimes would
	 * otherwise still look for an agent. */
	const char *one = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/a.sock\", "
			  "\"listenerMetadata\": \"m\", \"syscalls\": [{\"names\": [\"getppid\"], "
			  "\"action\": \"SCMP_ACT_NOTIFY\"}]}";
	struct tj_added_rule deny[] = {{.name = "getppid", .action = TJ_ACT_ERRNO, .errno_ret = 1}};
	out = add_rules(one, deny, 1, &skipped);
	assert_null(strstr(out, "listener"));
	p = reload(out);
	assert_int_equal(p->seccomp->nrules, 1);
	assert_int_equal(p->seccomp->rules[0].action, TJ_ACT_ERRNO);
	assert_int_equal(p->warnings.n, 0);
	tj_profile_free(p);
	free(out);
}

static void test_write_back_tinyjail_profile(void **state)
{
	(void)state;
	/* A tinyjail profile without "syscalls": the array is created. */
	const char *text = "{\"tinyjail\": {\"version\": 1}, \"linux\": {\"seccomp\": "
			   "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38}}}";
	struct tj_added_rule add[] = {{.name = "ptrace", .action = TJ_ACT_KILL_PROCESS}};
	struct tj_notes skipped = {0};
	char *out = add_rules(text, add, 1, &skipped);
	struct tj_profile *p = reload(out);
	assert_int_equal(p->shape, TJ_SHAPE_TINYJAIL);
	assert_int_equal(p->seccomp->nrules, 1);
	assert_int_equal(p->seccomp->rules[0].action, TJ_ACT_KILL_PROCESS);
	tj_profile_free(p);
	free(out);

	/* No seccomp section, or not JSON: an error, nothing produced. */
	struct tj_err *err = NULL;
	char *none = NULL;
	const char *bad = "{\"ociVersion\": \"1.0.2\"}";
	assert_int_equal(tj_profile_json_add_rules("p.json", bad, strlen(bad), add, 1, &none, &skipped, &err), -1);
	assert_null(none);
	assert_contains(err->msg, "no seccomp section");
	tj_err_free(err);
	err = NULL;
	assert_int_equal(tj_profile_json_add_rules("p.json", "{", 1, add, 1, &none, &skipped, &err), -1);
	assert_contains(err->msg, "invalid JSON");
	tj_err_free(err);
	tj_notes_done(&skipped);
}

static void test_write_back_argument_class(void **state)
{
	(void)state;
	/* strict's thread rule checks clone's flags; an approved vfork-like
	 * clone goes beside it for its own class (issue 12: it used to be
	 * "not written back: this rule already decides it"). */
	const char *text = "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
			   "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			   "[{\"index\": 0, \"value\": 65536, \"valueTwo\": 65536, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
			   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	struct tj_arg vfork_class = {.index = 0, .op = TJ_CMP_MASKED_EQ, .value = 0xffffffffull & ~0x4111ull};
	struct tj_arg thread_class = {.index = 0, .op = TJ_CMP_MASKED_EQ, .value = 65536, .value_two = 65536};
	struct tj_added_rule add[] = {
		{.name = "clone", .action = TJ_ACT_ALLOW, .args = &vfork_class, .nargs = 1},
		/* the same class as a rule already there: nothing to add */
		{.name = "clone", .action = TJ_ACT_ALLOW, .args = &thread_class, .nargs = 1},
		/* a whole syscall another rule decides: left, as before */
		{.name = "getppid", .action = TJ_ACT_ERRNO, .errno_ret = 1},
	};
	struct tj_notes skipped = {0};
	char *out = add_rules(text, add, 3, &skipped);
	assert_int_equal(skipped.n, 2);
	assert_false(add[0].skipped);
	assert_true(add[1].skipped);
	assert_true(add[2].skipped);
	struct tj_profile *p = reload(out);
	const struct tj_seccomp *s = p->seccomp;
	assert_int_equal(s->nrules, 3);
	assert_string_equal(s->rules[2].names.v[0], "clone");
	assert_int_equal(s->rules[2].nargs, 1);
	assert_int_equal(s->rules[2].args[0].value, 0xffffffffull & ~0x4111ull);
	/* The thread rule is still there. */
	assert_int_equal(s->rules[0].nargs, 1);
	assert_int_equal(s->rules[0].args[0].value_two, 65536);
	tj_profile_free(p);
	tj_notes_done(&skipped);
	free(out);
}

static void test_memory_argument_class(void **state)
{
	(void)state;
	/* A remembered class answers calls of that class only. */
	struct tj_memory m = {0};
	struct tj_arg vfork_class = {.index = 0, .op = TJ_CMP_MASKED_EQ, .value = 0xffffffffull & ~0x4111ull};
	struct tj_decision allow = {.kind = TJ_DECIDE_ALLOW};
	struct seccomp_data vfork = call(SYS_clone, 0x4111);
	assert_true(tj_memory_add(&m, &vfork, &allow, &vfork_class, 1, "a person"));
	assert_non_null(tj_memory_find(&m, &vfork));
	struct seccomp_data newuser = call(SYS_clone, 0x4111 | 0x10000000);
	assert_null(tj_memory_find(&m, &newuser));
	struct seccomp_data plain = call(SYS_clone, 0x11);
	assert_non_null(tj_memory_find(&m, &plain)); /* fewer flags: within the class */
	tj_memory_done(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_match),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_write_back_plain),
		cmocka_unit_test(test_write_back_moves_notify),
		cmocka_unit_test(test_write_back_tinyjail_profile),
		cmocka_unit_test(test_write_back_argument_class),
		cmocka_unit_test(test_memory_argument_class),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
