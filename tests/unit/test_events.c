/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event vocabulary (src/events/events.c): every event type as a JSON line,
 * the texts for people, and the tallies.  The schema itself is checked
 * against real logs by tests/integration/test_events.sh.
 */
#include "unit.h"

#include <linux/audit.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tj/events/events.h"

struct capture {
	char path[64];
	struct tj_events ev;
	char notices[1024];
};

static void notice(void *ctx, const char *text)
{
	struct capture *c = ctx;
	strncat(c->notices, text, sizeof(c->notices) - strlen(c->notices) - 2);
	strcat(c->notices, "\n");
}

static void open_capture(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "/tmp/tj-events-%d.log", (int)getpid());
	struct tj_err *err = NULL;
	assert_int_equal(tj_events_open(&c->ev, c->path, &err), 0);
	c->ev.notice = notice;
	c->ev.notice_ctx = c;
}

/* Closes the log and returns its content (static buffer). */
static const char *close_capture(struct capture *c)
{
	static char buf[8192];
	struct tj_err *err = NULL;
	assert_int_equal(tj_events_close(&c->ev, &err), 0);
	FILE *f = fopen(c->path, "re");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(c->path);
	return buf;
}

static void test_syscall_events(void **state)
{
	(void)state;
	struct capture c;
	open_capture(&c);
	struct tj_syscall_event e = {.verdict = TJ_VERDICT_KILLED,
				     .pid = 42,
				     .comm = "probe",
				     .data = {.nr = SYS_ptrace,
					      .arch = AUDIT_ARCH_X86_64,
					      .args = {16, 7},
					      .instruction_pointer = 0x401000},
				     .action = 0x80000000u,
				     .rule = "defaultAction"};
	tj_events_syscall(&c.ev, &e);
	e = (struct tj_syscall_event){.verdict = TJ_VERDICT_DENIED,
				      .pid = 43,
				      .data = {.nr = SYS_clone3, .arch = AUDIT_ARCH_X86_64},
				      .action = 0x00050026u,
				      .rule = "syscalls[8]",
				      .errnum = 38,
				      .decided_by = "rules"};
	tj_events_syscall(&c.ev, &e);
	tj_events_syscall(&c.ev, &e);
	e = (struct tj_syscall_event){.verdict = TJ_VERDICT_WOULD_DENY,
				      .source = TJ_SOURCE_KMSG,
				      .pid = 44,
				      .data = {.nr = SYS_socket, .arch = AUDIT_ARCH_X86_64},
				      .no_args = true,
				      .action_unknown = true,
				      .rule = "unknown"};
	tj_events_syscall(&c.ev, &e);
	/* Counted for --report=usage, never logged. */
	e = (struct tj_syscall_event){.verdict = TJ_VERDICT_ALLOWED,
				      .pid = 45,
				      .data = {.nr = SYS_getpid, .arch = AUDIT_ARCH_X86_64},
				      .action = 0x7fff0000u,
				      .rule = "syscalls[0]",
				      .tally_only = true};
	tj_events_syscall(&c.ev, &e);
	assert_int_equal(c.ev.total, 4);
	assert_int_equal(c.ev.n, 4);
	assert_int_equal(c.ev.v[1].count, 2);
	assert_int_equal(c.ev.v[1].errnum, 38);
	assert_int_equal(c.ev.v[3].verdict, TJ_VERDICT_ALLOWED);
	const char *log = close_capture(&c);
	assert_contains(log, "\"event\":\"syscall\",\"verdict\":\"killed\",\"source\":\"notify\",\"pid\":42,"
			     "\"comm\":\"probe\",\"arch\":\"x86_64\",\"syscall\":\"ptrace\",\"nr\":101,"
			     "\"args\":[\"0x10\",\"0x7\",\"0x0\",\"0x0\",\"0x0\",\"0x0\"],"
			     "\"call\":\"ptrace(PTRACE_ATTACH, 7, NULL, NULL)\",\"ip\":\"0x401000\","
			     "\"action\":\"SCMP_ACT_KILL_PROCESS\",\"rule\":\"defaultAction\"}");
	assert_contains(log, "\"verdict\":\"denied\"");
	assert_contains(log, "\"action\":\"SCMP_ACT_ERRNO(ENOSYS)\",\"rule\":\"syscalls[8]\",\"errno\":\"ENOSYS\","
			     "\"decided_by\":\"rules\"}");
	assert_contains(log, "\"source\":\"kmsg\",\"pid\":44,\"comm\":\"\",\"arch\":\"x86_64\",\"syscall\":\"socket\","
			     "\"nr\":41,\"args\":null,\"ip\":\"0x0\",\"action\":\"unknown\"");
	assert_null(strstr(log, "getpid"));
	assert_string_equal(c.notices, ""); /* syscalls have their own messages */
}

static void test_other_events(void **state)
{
	(void)state;
	struct capture c;
	open_capture(&c);
	char *argv[] = {"./app", "a \"b\"", NULL};
	c.ev.source = TJ_SOURCE_AGENT;
	tj_events_start(&c.ev, "enforce", NULL, argv, 99);
	struct tj_limit_event l = {.resource = "memory",
				   .source = "cgroup",
				   .unit = "bytes",
				   .has_limit = true,
				   .limit = 1048576,
				   .has_value = true,
				   .value = 1050000,
				   .action = "killed",
				   .pid = 99,
				   .detail = "memory.max"};
	tj_events_limit(&c.ev, &l);
	struct tj_limit_event t = {.resource = "wall-time",
				   .unit = "ms",
				   .has_limit = true,
				   .limit = 2000,
				   .action = "killed"};
	tj_events_limit(&c.ev, &t);
	struct tj_net_event n = {.pid = 99,
				 .comm = "curl",
				 .syscall = "connect",
				 .family = "inet",
				 .protocol = "tcp",
				 .address = "10.0.0.1",
				 .port = 80,
				 .reason = "network is off (--net none)"};
	tj_events_net_refused(&c.ev, &n);
	struct tj_net_event n2 = {.family = "unix", .port = -1, .reason = "abstract sockets are off"};
	tj_events_net_refused(&c.ev, &n2);
	tj_events_layer(&c.ev, "seccomp", TJ_LAYER_APPLIED, "42 BPF instructions");
	tj_events_layer(&c.ev, "cgroup", TJ_LAYER_DEGRADED, "memory controller unavailable");
	tj_events_listener(&c.ev, true, 99, "tinyjail-99", NULL);
	struct tj_exit_event x = {.exit_code = 124, .signal = 9, .reason = "timeout", .wall_ms = 2001};
	tj_events_exit_ex(&c.ev, &x);
	assert_int_equal(c.ev.limits, 2);
	assert_int_equal(c.ev.net_refusals, 2);
	assert_int_equal(c.ev.layers_degraded, 1);
	assert_string_equal(c.ev.last_limit, "limit reached: wall-time: limit 2000 ms: killed");
	const char *log = close_capture(&c);
	assert_contains(log, "\"event\":\"start\",\"mode\":\"enforce\",\"profile\":null,"
			     "\"argv\":[\"./app\",\"a \\\"b\\\"\"],\"pid\":99,\"source\":\"agent\"}");
	assert_contains(log,
			"\"event\":\"limit\",\"resource\":\"memory\",\"source\":\"cgroup\",\"unit\":\"bytes\","
			"\"limit\":1048576,\"value\":1050000,\"action\":\"killed\",\"pid\":99,\"detail\":\"memory.max\"}");
	assert_contains(log, "\"event\":\"limit\",\"resource\":\"wall-time\",\"unit\":\"ms\",\"limit\":2000,"
			     "\"action\":\"killed\"}");
	assert_contains(log,
			"\"event\":\"network\",\"action\":\"refused\",\"pid\":99,\"comm\":\"curl\","
			"\"syscall\":\"connect\",\"family\":\"inet\",\"protocol\":\"tcp\",\"address\":\"10.0.0.1\","
			"\"port\":80,\"reason\":\"network is off (--net none)\"}");
	assert_contains(log, "\"event\":\"network\",\"action\":\"refused\",\"family\":\"unix\","
			     "\"reason\":\"abstract sockets are off\"}");
	assert_contains(log, "\"event\":\"layer\",\"layer\":\"seccomp\",\"status\":\"applied\","
			     "\"detail\":\"42 BPF instructions\"}");
	assert_contains(log, "\"event\":\"listener\",\"state\":\"attached\",\"pid\":99,\"id\":\"tinyjail-99\"}");
	assert_contains(log, "\"event\":\"exit\",\"exit_code\":124,\"status\":\"signaled\",\"signal\":9,"
			     "\"reason\":\"timeout\",\"seccomp_kill\":false,\"wall_ms\":2001,\"records\":0,\"lost\":0,"
			     "\"complete\":true}");
	/* People see limits, refusals and degraded layers as they happen. */
	assert_string_equal(c.notices,
			    "limit reached: memory: limit 1048576 bytes, observed 1050000 bytes (cgroup), pid 99: "
			    "killed: memory.max\n"
			    "limit reached: wall-time: limit 2000 ms: killed\n"
			    "network refused: connect inet/tcp 10.0.0.1 port 80 by pid 99 (curl): network is off "
			    "(--net none)\n"
			    "network refused: unix: abstract sockets are off\n"
			    "cgroup layer degraded: memory controller unavailable\n");
}

static void test_without_log(void **state)
{
	(void)state;
	/* No --log: tallies and notices still work; nothing is written. */
	struct tj_events ev;
	struct tj_err *err = NULL;
	assert_int_equal(tj_events_open(&ev, NULL, &err), 0);
	struct tj_syscall_event e = {.verdict = TJ_VERDICT_WOULD_DENY, .data = {.nr = 1, .arch = AUDIT_ARCH_X86_64}};
	tj_events_syscall(&ev, &e);
	struct tj_limit_event l = {.resource = "pids", .action = "denied"};
	tj_events_limit(&ev, &l);
	tj_events_exit(&ev, 0, 0, 0, false, 1, 3);
	assert_int_equal(ev.total, 1);
	assert_int_equal(ev.limits, 1);
	assert_int_equal(tj_events_close(&ev, &err), 0);
	assert_int_equal(tj_events_open(&ev, "/nonexistent/dir/x.log", &err), -1);
	assert_contains(err->msg, "cannot open the log file");
	tj_err_free(err);
	assert_string_equal(tj_verdict_name(TJ_VERDICT_ALLOWED), "allowed");
	assert_string_equal(tj_source_name(TJ_SOURCE_KMSG), "kmsg");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_events),
		cmocka_unit_test(test_other_events),
		cmocka_unit_test(test_without_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
