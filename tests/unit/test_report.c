/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The report side of issue 14: event logs read back (src/json/eventlog.c),
 * the report model (src/report/model.c: seen, missed, unused, timeline,
 * chains, several logs merged), the tightened profile, call-chain text and
 * the terminal views.  Logs are written here line by line.
 */
#include "unit.h"

#include <unistd.h>

#include "tj/base/util.h"
#include "tj/json/eventlog.h"
#include "tj/report/chain.h"
#include "tj/report/model.h"
#include "tj/report/view.h"

#define T0 "2026-11-23T10:00:00."
#define ARROW " \xe2\x86\x90 "

static char *write_log(const char *text)
{
	char *path = tj_xstrdup("/tmp/tj-test-report.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

struct read_result {
	size_t events, bad, skipped, first_bad;
};

/* Reads a log into m the way the report verb does. */
static struct read_result feed(struct tj_report_model *m, const char *text)
{
	char *path = write_log(text);
	struct tj_eventlog *l = NULL;
	struct tj_err *err = NULL;
	assert_int_equal(tj_eventlog_open(path, &l, &err), 0);
	tj_report_begin_log(m, path);
	struct read_result rr = {0};
	for (;;) {
		struct tj_record r;
		int st = tj_eventlog_next(l, &r, &err);
		assert_true(st >= 0);
		if (st == TJ_EVENTLOG_END)
			break;
		if (st == TJ_EVENTLOG_RECORD) {
			rr.events++;
			tj_report_add(m, &r, tj_eventlog_line(l));
			continue;
		}
		if (st == TJ_EVENTLOG_BAD && !rr.bad)
			rr.first_bad = tj_eventlog_line(l);
		rr.bad += st == TJ_EVENTLOG_BAD;
		rr.skipped += st == TJ_EVENTLOG_SKIPPED;
		tj_report_bad_line(m, tj_eventlog_line(l), err->msg, st == TJ_EVENTLOG_SKIPPED);
		tj_err_free(err);
		err = NULL;
	}
	tj_report_end_log(m, tj_eventlog_line(l), tj_eventlog_bytes(l));
	tj_eventlog_close(l);
	unlink(path);
	free(path);
	return rr;
}

static const struct tj_report_sys *row(const struct tj_report_model *m, const char *program, const char *syscall)
{
	for (size_t i = 0; i < m->nsys; i++)
		if (strcmp(m->sys[i].program, program) == 0 && strcmp(m->sys[i].syscall, syscall) == 0)
			return &m->sys[i];
	return NULL;
}

/* A run of ./app (pid 100) that forks ls (pid 101): allowed calls with
 * usage counts, a denial, a kill, a limit and a network refusal. */
static const char run_a[] =
	"{\"v\":1,\"time\":\"" T0 "000000Z\",\"event\":\"start\",\"mode\":\"enforce\",\"profile\":\"p.json\","
	"\"argv\":[\"./app\",\"-x\"],\"pid\":100,\"source\":\"notify\",\"recording\":[\"usage\",\"processes\"]}\n"
	"{\"v\":1,\"time\":\"" T0 "000100Z\",\"event\":\"process\",\"pid\":100,\"cause\":\"start\",\"comm\":\"app\","
	"\"exe\":\"/srv/app\",\"argv\":[\"./app\",\"-x\"],\"loader\":{\"path\":\"/lib/ld.so\",\"start\":\"0x7000\","
	"\"end\":\"0x8000\"}}\n"
	"{\"v\":1,\"time\":\"" T0 "000200Z\",\"event\":\"syscall\",\"verdict\":\"allowed\",\"source\":\"notify\","
	"\"pid\":100,\"comm\":\"app\",\"arch\":\"x86_64\",\"syscall\":\"openat\",\"nr\":257,\"args\":[\"0x0\",\"0x0\","
	"\"0x0\",\"0x0\",\"0x0\",\"0x0\"],\"call\":\"openat(AT_FDCWD, 0x1, O_RDONLY)\",\"ip\":\"0x7100\","
	"\"action\":\"SCMP_ACT_ALLOW\",\"rule\":\"syscalls[0]\"}\n"
	"{\"v\":1,\"time\":\"" T0 "000300Z\",\"event\":\"syscall\",\"verdict\":\"allowed\",\"source\":\"notify\","
	"\"pid\":100,\"comm\":\"app\",\"arch\":\"x86_64\",\"syscall\":\"read\",\"nr\":0,\"args\":[\"0x3\",\"0x0\","
	"\"0x0\",\"0x0\",\"0x0\",\"0x0\"],\"call\":\"read(3)\",\"ip\":\"0x401000\",\"action\":\"SCMP_ACT_ALLOW\","
	"\"rule\":\"syscalls[0]\"}\n"
	"{\"v\":1,\"time\":\"" T0 "000400Z\",\"event\":\"syscall\",\"verdict\":\"denied\",\"source\":\"notify\","
	"\"pid\":100,\"comm\":\"app\",\"arch\":\"x86_64\",\"syscall\":\"kcmp\",\"nr\":312,\"args\":[\"0x1\",\"0x2\","
	"\"0x0\",\"0x0\",\"0x0\",\"0x0\"],\"call\":\"kcmp(1, 2, 0, 0, 0)\",\"ip\":\"0x401010\","
	"\"action\":\"SCMP_ACT_ERRNO(EPERM)\",\"rule\":\"syscalls[2]\",\"errno\":\"EPERM\"}\n"
	"{\"v\":1,\"time\":\"" T0 "000500Z\",\"event\":\"process\",\"pid\":101,\"cause\":\"fork\",\"ppid\":100,"
	"\"comm\":\"app\",\"exe\":\"/srv/app\"}\n"
	"{\"v\":1,\"time\":\"" T0 "000600Z\",\"event\":\"process\",\"pid\":101,\"cause\":\"exec\",\"comm\":\"ls\","
	"\"exe\":\"/bin/ls\",\"argv\":[\"ls\",\"/\"]}\n"
	"{\"v\":1,\"time\":\"" T0 "000700Z\",\"event\":\"syscall\",\"verdict\":\"allowed\",\"source\":\"notify\","
	"\"pid\":101,\"comm\":\"ls\",\"arch\":\"x86_64\",\"syscall\":\"read\",\"nr\":0,\"args\":null,\"ip\":\"0x1\","
	"\"action\":\"SCMP_ACT_ALLOW\",\"rule\":\"syscalls[0]\"}\n"
	"{\"v\":1,\"time\":\"" T0 "000800Z\",\"event\":\"syscall\",\"verdict\":\"killed\",\"source\":\"notify\","
	"\"pid\":101,\"comm\":\"ls\",\"arch\":\"x86_64\",\"syscall\":\"socket\",\"nr\":41,\"args\":[\"0x2\",\"0x1\","
	"\"0x6\",\"0x0\",\"0x0\",\"0x0\"],\"call\":\"socket(AF_INET, SOCK_STREAM, 6)\",\"ip\":\"0x2\","
	"\"action\":\"SCMP_ACT_KILL_PROCESS\",\"rule\":\"defaultAction\"}\n"
	"{\"v\":1,\"time\":\"" T0 "000800Z\",\"event\":\"usage\",\"pid\":101,\"arch\":\"x86_64\",\"syscall\":\"read\","
	"\"nr\":0,\"action\":\"SCMP_ACT_ALLOW\",\"rule\":\"syscalls[0]\",\"count\":7}\n"
	"{\"v\":1,\"time\":\"" T0 "000810Z\",\"event\":\"process\",\"pid\":101,\"cause\":\"exit\",\"killed\":true}\n"
	"{\"v\":1,\"time\":\"" T0 "000900Z\",\"event\":\"limit\",\"resource\":\"memory\",\"source\":\"cgroup\","
	"\"action\":\"killed\",\"detail\":\"memory.max\"}\n"
	"{\"v\":1,\"time\":\"" T0 "000950Z\",\"event\":\"network\",\"action\":\"refused\",\"pid\":100,\"syscall\":"
	"\"connect\",\"family\":\"inet\",\"address\":\"192.0.2.1\",\"port\":22,\"reason\":\"port 22 is not allowed\"}\n"
	"{\"v\":1,\"time\":\"" T0 "001000Z\",\"event\":\"usage\",\"pid\":100,\"arch\":\"x86_64\",\"syscall\":\"read\","
	"\"nr\":0,\"action\":\"SCMP_ACT_ALLOW\",\"rule\":\"syscalls[0]\",\"count\":5}\n"
	"{\"v\":1,\"time\":\"" T0
	"001000Z\",\"event\":\"usage\",\"pid\":100,\"arch\":\"x86_64\",\"syscall\":\"openat\","
	"\"nr\":257,\"action\":\"SCMP_ACT_ALLOW\",\"rule\":\"syscalls[0]\",\"count\":2}\n"
	"{\"v\":1,\"time\":\"" T0 "001100Z\",\"event\":\"process\",\"pid\":100,\"cause\":\"exit\",\"code\":0}\n"
	"{\"v\":1,\"time\":\"" T0 "001200Z\",\"event\":\"exit\",\"exit_code\":0,\"status\":\"exited\",\"code\":0,"
	"\"reason\":\"exited\",\"seccomp_kill\":false,\"wall_ms\":1,\"records\":5,\"lost\":0,\"complete\":true}\n";

static void test_seen_missed(void **state)
{
	(void)state;
	struct tj_report_model *m = tj_report_new(true);
	struct read_result rr = feed(m, run_a);
	assert_int_equal(rr.bad, 0);
	tj_report_finish(m);
	assert_int_equal(m->nruns, 1);
	assert_true(m->all_usage);
	/* Seen: usage counts win over the allowed events; per program. */
	const struct tj_report_sys *s = row(m, "/srv/app", "read");
	assert_non_null(s);
	assert_int_equal(s->seen, 5);
	assert_string_equal(s->seen_rule, "syscalls[0]");
	s = row(m, "/srv/app", "openat");
	assert_int_equal(s->seen, 2);
	/* ls's calls are ls's, not app's, although it was forked from app. */
	s = row(m, "/bin/ls", "read");
	assert_non_null(s);
	assert_int_equal(s->seen, 7);
	/* Missed: count, the first call with its arguments, the rule. */
	s = row(m, "/srv/app", "kcmp");
	assert_int_equal(s->missed, 1);
	assert_string_equal(s->verdict, "denied");
	assert_string_equal(s->first_call, "kcmp(1, 2, 0, 0, 0)");
	assert_string_equal(s->missed_errno, "EPERM");
	s = row(m, "/bin/ls", "socket");
	assert_string_equal(s->verdict, "killed");
	assert_string_equal(s->missed_rule, "defaultAction");
	assert_string_equal(s->first_call, "socket(AF_INET, SOCK_STREAM, 6)");
	tj_report_free(m);
}

/* pid 200 runs /bin/sh, which execs /bin/ls: the counts written before
 * the exec event are sh's, the rest ls's.  An older log (counts only at
 * exit) keeps them with the process. */
#define EXEC_HEAD                                                                                                    \
	"{\"v\":1,\"time\":\"" T0 "000000Z\",\"event\":\"start\",\"mode\":\"enforce\",\"profile\":null,"             \
	"\"argv\":[\"sh\"],\"pid\":200,\"source\":\"notify\",\"recording\":[\"usage\",\"processes\"]}\n"             \
	"{\"v\":1,\"time\":\"" T0 "000100Z\",\"event\":\"process\",\"pid\":200,\"cause\":\"start\",\"comm\":\"sh\"," \
	"\"exe\":\"/bin/sh\",\"argv\":[\"sh\",\"-c\",\"exec ls\"]}\n"                                                \
	"{\"v\":1,\"time\":\"" T0 "000200Z\",\"event\":\"syscall\",\"verdict\":\"allowed\",\"source\":\"notify\","   \
	"\"pid\":200,\"comm\":\"sh\",\"arch\":\"x86_64\",\"syscall\":\"read\",\"nr\":0,\"args\":null,"               \
	"\"action\":\"SCMP_ACT_ALLOW\",\"rule\":\"syscalls[0]\"}\n"
#define EXEC_USAGE(t, n)                                                                                            \
	"{\"v\":1,\"time\":\"" T0 t "Z\",\"event\":\"usage\",\"pid\":200,\"arch\":\"x86_64\",\"syscall\":\"read\"," \
	"\"nr\":0,\"action\":\"SCMP_ACT_ALLOW\",\"rule\":\"syscalls[0]\",\"count\":" n "}\n"
#define EXEC_LS                                                                                                     \
	"{\"v\":1,\"time\":\"" T0 "000300Z\",\"event\":\"process\",\"pid\":200,\"cause\":\"exec\",\"comm\":\"ls\"," \
	"\"exe\":\"/bin/ls\",\"argv\":[\"ls\"]}\n"                                                                  \
	"{\"v\":1,\"time\":\"" T0 "000400Z\",\"event\":\"syscall\",\"verdict\":\"allowed\",\"source\":\"notify\","  \
	"\"pid\":200,\"comm\":\"ls\",\"arch\":\"x86_64\",\"syscall\":\"read\",\"nr\":0,\"args\":null,"              \
	"\"action\":\"SCMP_ACT_ALLOW\",\"rule\":\"syscalls[0]\"}\n"
#define EXEC_EXIT \
	"{\"v\":1,\"time\":\"" T0 "000600Z\",\"event\":\"process\",\"pid\":200,\"cause\":\"exit\",\"code\":0}\n"

#define LEARN_CALL(t, exe, sc)                                                                                       \
	"{\"v\":1,\"time\":\"" T0 "000" t "Z\",\"event\":\"syscall\",\"verdict\":\"allowed\",\"source\":\"notify\"," \
	"\"pid\":300,\"comm\":\"x\",\"arch\":\"x86_64\",\"syscall\":\"" sc "\",\"nr\":0,\"args\":null,"              \
	"\"action\":\"SCMP_ACT_ALLOW\",\"rule\":\"defaultAction\",\"decided_by\":\"learn\",\"exe\":\"" exe "\"}\n"

static void test_exec_counts(void **state)
{
	(void)state;
	struct tj_report_model *m = tj_report_new(true);
	feed(m, EXEC_HEAD EXEC_USAGE("000250", "3") EXEC_LS EXEC_USAGE("000500", "4") EXEC_EXIT);
	tj_report_finish(m);
	assert_int_equal(row(m, "/bin/sh", "read")->seen, 3);
	assert_int_equal(row(m, "/bin/ls", "read")->seen, 4);
	/* The exec's execve is sh's call, counted in sh's usage; not ls's. */
	assert_null(row(m, "/bin/ls", "execve"));
	/* The timeline's heading is what the process ran first. */
	assert_string_equal(m->runs[0].procs[0].head_program, "/bin/sh");
	assert_string_equal(m->runs[0].procs[0].head_argv, "sh -c exec ls");
	assert_string_equal(m->runs[0].procs[0].program, "/bin/ls");
	tj_report_free(m);

	m = tj_report_new(true);
	feed(m, EXEC_HEAD EXEC_LS EXEC_USAGE("000500", "7") EXEC_EXIT);
	tj_report_finish(m);
	const struct tj_report_sys *sh = row(m, "/bin/sh", "read"), *ls = row(m, "/bin/ls", "read");
	assert_int_equal(sh->seen + (ls ? ls->seen : 0), 7);
	tj_report_free(m);

	/* A learn log: no process events, the program named on each call. */
	m = tj_report_new(true);
	feed(m, "{\"v\":1,\"time\":\"" T0 "000000Z\",\"event\":\"start\",\"mode\":\"learn\",\"profile\":null,"
		"\"argv\":[\"sh\"],\"pid\":300,\"source\":\"notify\"}\n" LEARN_CALL("100", "/bin/sh", "read")
			LEARN_CALL("200", "/bin/sh", "openat") LEARN_CALL("300", "/bin/ls", "read"));
	tj_report_finish(m);
	assert_int_equal(row(m, "/bin/sh", "read")->seen, 1);
	assert_int_equal(row(m, "/bin/ls", "read")->seen, 1);
	const struct tj_report_proc *p = &m->runs[0].procs[0];
	assert_string_equal(p->head_program, "/bin/sh");
	bool exec_item = false;
	for (size_t i = 0; i < p->nitems; i++)
		exec_item |= p->items[i].kind == TJ_ITEM_EXEC && strcmp(p->items[i].text, "/bin/ls") == 0;
	assert_true(exec_item);
	tj_report_free(m);
}

static void test_timeline(void **state)
{
	(void)state;
	struct tj_report_model *m = tj_report_new(true);
	feed(m, run_a);
	tj_report_finish(m);
	const struct tj_report_run *run = &m->runs[0];
	assert_int_equal(run->nprocs, 2);
	assert_int_equal(run->procs[0].pid, 100);
	assert_int_equal(run->procs[1].pid, 101);
	assert_int_equal(run->procs[1].parent, 0);
	assert_true(run->procs[1].killed);
	assert_true(run->procs[0].has_code);
	/* openat came from inside the loader's mapping, read did not. */
	const struct tj_report_proc *app = &run->procs[0];
	bool saw_openat = false, saw_read = false, saw_net = false, saw_fork = false;
	for (size_t i = 0; i < app->nitems; i++) {
		const struct tj_report_item *it = &app->items[i];
		if (it->kind == TJ_ITEM_FIRST_USE && strcmp(it->name, "openat") == 0)
			saw_openat = it->in_loader;
		if (it->kind == TJ_ITEM_FIRST_USE && strcmp(it->name, "read") == 0)
			saw_read = !it->in_loader;
		saw_net |= it->kind == TJ_ITEM_NETWORK;
		saw_fork |= it->kind == TJ_ITEM_FORK;
	}
	assert_true(saw_openat && saw_read && saw_net && saw_fork);
	/* The limit had no process: it belongs to the run. */
	assert_int_equal(run->nitems, 1);
	assert_int_equal(run->items[0].kind, TJ_ITEM_LIMIT);

	struct tj_report_view_opts o = {.width = 80};
	char *text = tj_report_text_timeline(m, &o);
	assert_contains(text, "100 /srv/app: ./app -x");
	assert_contains(text, "101 /bin/ls: ls /");
	assert_contains(text, "KILLED socket(AF_INET, SOCK_STREAM, 6)");
	assert_contains(text, "start-up: execve openat");
	assert_contains(text, "network refused connect 192.0.2.1 port 22");
	assert_contains(text, "limit memory killed");
	/* 80 columns, and no colour unless asked. */
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		size_t cols = 0;
		for (char *c = line; c < (nl ? nl : line + strlen(line)); c++)
			cols += ((unsigned char)*c & 0xc0) != 0x80;
		if (cols > 80)
			fail_msg("line wider than 80 columns: %.*s", (int)(nl ? nl - line : (long)strlen(line)), line);
		line = nl ? nl + 1 : line + strlen(line);
	}
	assert_null(strchr(text, '\033'));
	free(text);
	o.color = true;
	text = tj_report_text_timeline(m, &o);
	assert_non_null(strstr(text, "\033[31m"));
	free(text);
	tj_report_free(m);
}

/* Two runs merge: counts add up, the first time is the earliest. */
static void test_merge(void **state)
{
	(void)state;
	struct tj_report_model *m = tj_report_new(false);
	feed(m, run_a);
	feed(m, run_a);
	tj_report_finish(m);
	assert_int_equal(m->nruns, 2);
	assert_int_equal(m->nlogs, 2);
	assert_int_equal(row(m, "/srv/app", "read")->seen, 10);
	assert_int_equal(row(m, "/bin/ls", "socket")->missed, 2);
	assert_int_equal(row(m, "/srv/app", "read")->first_seen_run, 0);
	tj_report_free(m);
}

/* Bad input: the first bad line is named, reading goes on, a cut last
 * line is told apart, other versions are skipped and counted. */
static void test_bad_lines(void **state)
{
	(void)state;
	struct tj_report_model *m = tj_report_new(false);
	struct tj_buf b = {0};
	tj_buf_add(&b, run_a);
	tj_buf_add(&b, "this is not json\n");
	tj_buf_add(&b, "\n");
	tj_buf_add(&b, "{\"v\":2,\"time\":\"" T0 "000000Z\",\"event\":\"syscall\",\"new\":true}\n");
	tj_buf_add(&b, "[1,2]\n");
	tj_buf_add(&b, "{\"time\":\"" T0 "000000Z\",\"event\":\"exit\"}\n");
	tj_buf_add(&b, "{\"v\":1,\"time\":\"yesterday\",\"event\":\"exit\"}\n");
	tj_buf_add(&b, "{\"v\":1,\"time\":\"" T0 "000000Z\",\"event\":\"future-event\",\"x\":1}\n");
	tj_buf_add(&b, "{\"v\":1,\"time\":\"" T0
		       "001300Z\",\"event\":\"syscall\",\"verdict\":\"denied\",\"pid\":100,\"sysc");
	struct read_result rr = feed(m, b.s);
	tj_buf_done(&b);
	size_t good = 0;
	for (const char *c = run_a; *c; c++)
		good += *c == '\n';
	assert_int_equal(rr.first_bad, good + 1);
	assert_int_equal(rr.bad, 5); /* not JSON, an array, no v, bad time, the cut line */
	assert_int_equal(rr.skipped, 1);
	assert_int_equal(rr.events, good + 1); /* the unknown event is read (and ignored) */
	assert_int_equal(m->logs[0].first_bad_line, good + 1);
	assert_contains(m->logs[0].first_bad, "not JSON");
	assert_contains(m->logs[0].first_skipped, "version 2");
	tj_report_finish(m);
	/* What was readable is all there. */
	assert_int_equal(row(m, "/srv/app", "read")->seen, 5);
	struct tj_report_view_opts o = {.width = 80};
	char *text = tj_report_text(m, &o);
	char want[64];
	snprintf(want, sizeof(want), "the first is line %zu", good + 1);
	assert_contains(text, want);
	free(text);
	tj_report_free(m);
}

/* A version 1 log from before revision 1.1: no process, usage or explain
 * events.  It still loads; processes come from the calls' pids. */
static void test_old_log(void **state)
{
	(void)state;
	static const char old[] =
		"{\"v\":1,\"time\":\"" T0 "000000Z\",\"event\":\"start\",\"mode\":\"complain\",\"profile\":null,"
		"\"argv\":[\"make\"],\"pid\":7,\"source\":\"notify\"}\n"
		"{\"v\":1,\"time\":\"" T0
		"000010Z\",\"event\":\"syscall\",\"verdict\":\"would-deny\",\"source\":\"notify\","
		"\"pid\":7,\"comm\":\"make\",\"arch\":\"x86_64\",\"syscall\":\"ptrace\",\"nr\":101,\"args\":[\"0x10\",\"0x1\","
		"\"0x0\",\"0x0\",\"0x0\",\"0x0\"],\"call\":\"ptrace(PTRACE_ATTACH, 1, NULL, NULL)\",\"ip\":\"0x1\","
		"\"action\":\"SCMP_ACT_KILL_PROCESS\",\"rule\":\"defaultAction\"}\n"
		"{\"v\":1,\"time\":\"" T0
		"000020Z\",\"event\":\"exit\",\"exit_code\":0,\"status\":\"exited\",\"code\":0,"
		"\"reason\":\"exited\",\"seccomp_kill\":false,\"wall_ms\":0,\"records\":1,\"lost\":0,\"complete\":true}\n";
	struct tj_report_model *m = tj_report_new(true);
	struct read_result rr = feed(m, old);
	assert_int_equal(rr.bad, 0);
	tj_report_finish(m);
	assert_false(m->any_usage);
	assert_int_equal(m->runs[0].nprocs, 1);
	const struct tj_report_sys *s = row(m, "[make]", "ptrace");
	assert_non_null(s);
	assert_string_equal(s->verdict, "would-deny");
	struct tj_report_view_opts o = {.width = 80};
	char *text = tj_report_text(m, &o);
	assert_contains(text, "not recorded: the runs did not log allowed calls");
	free(text);
	tj_report_free(m);
}

static void add_rule(struct tj_seccomp *s, const char *path, enum tj_action a, const char *const *names)
{
	struct tj_rule *r = &s->rules[s->nrules++];
	memset(r, 0, sizeof(*r));
	r->json_path = tj_xstrdup(path);
	r->action = a;
	for (size_t i = 0; names[i]; i++)
		tj_strv_add(&r->names, names[i]);
}

static struct tj_seccomp *profile(void)
{
	struct tj_seccomp *s = tj_xcalloc(1, sizeof(*s));
	s->json_path = tj_xstrdup("");
	s->default_action = TJ_ACT_KILL_PROCESS;
	s->rules = tj_xcalloc(4, sizeof(*s->rules));
	add_rule(s, "syscalls[0]", TJ_ACT_ALLOW, (const char *const[]){"read", "openat", "write", "mmap", NULL});
	add_rule(s, "syscalls[1]", TJ_ACT_ALLOW, (const char *const[]){"getppid", "uname", NULL});
	add_rule(s, "syscalls[2]", TJ_ACT_ERRNO, (const char *const[]){"kcmp", NULL});
	return s;
}

static void test_unused_and_tighten(void **state)
{
	(void)state;
	struct tj_report_model *m = tj_report_new(false);
	feed(m, run_a);
	tj_report_finish(m);
	struct tj_seccomp *p = profile();
	struct tj_report_unused u;
	tj_report_unused(m, p, &u);
	assert_int_equal(u.mismatches, 0);
	assert_int_equal(u.n, 2);
	assert_string_equal(u.v[0].rule, "syscalls[0]");
	assert_int_equal(u.v[0].names.n, 2);
	assert_true(tj_strv_contains(&u.v[0].names, "write"));
	assert_true(tj_strv_contains(&u.v[0].names, "mmap"));
	assert_string_equal(u.v[1].rule, "syscalls[1]");
	assert_int_equal(u.names, 4);
	/* Tightened: unused names go, rules left empty go, denials stay. */
	struct tj_seccomp *t = tj_report_tighten(p, &u);
	assert_int_equal(t->nrules, 2);
	assert_string_equal(t->rules[0].json_path, "syscalls[0]");
	assert_int_equal(t->rules[0].names.n, 2);
	assert_true(tj_strv_contains(&t->rules[0].names, "read"));
	assert_true(tj_strv_contains(&t->rules[0].names, "openat"));
	assert_int_equal(t->rules[1].action, TJ_ACT_ERRNO);
	assert_int_equal(t->default_action, TJ_ACT_KILL_PROCESS);
	tj_seccomp_free(t);
	tj_report_unused_done(&u);

	/* A profile the logs do not match: the logs' rule for kcmp is not there. */
	struct tj_seccomp *other = tj_xcalloc(1, sizeof(*other));
	other->json_path = tj_xstrdup("");
	other->default_action = TJ_ACT_ALLOW;
	other->rules = tj_xcalloc(2, sizeof(*other->rules));
	add_rule(other, "syscalls[0]", TJ_ACT_ALLOW, (const char *const[]){"read", "openat", NULL});
	tj_report_unused(m, other, &u);
	assert_true(u.mismatches > 0);
	assert_contains(u.first_mismatch, "kcmp was decided by syscalls[2], which this profile does not have");
	assert_true(u.default_allows);
	tj_report_unused_done(&u);
	tj_seccomp_free(other);
	tj_seccomp_free(p);
	tj_report_free(m);
}

static void test_chain_text(void **state)
{
	(void)state;
	struct tj_frame f[] = {
		{.pc = 1, .module = "libc.so.6", .function = "__libc_open64", .offset = 0x4b},
		{.pc = 2, .module = "libc.so.6", .function = "fopen@@GLIBC_2.2.5"},
		{.pc = 3, .module = "app", .function = "load_config", .file = "/src/app.c", .line = 42},
		{.pc = 4, .module = "app", .function = "main", .file = "/src/app.c", .line = 90},
		{.pc = 5, .module = "libc.so.6", .function = "__libc_start_call_main"},
	};
	char *t = tj_chain_text("openat", f, 5, false);
	assert_string_equal(t, "openat" ARROW "__libc_open64 (libc.so.6)" ARROW "fopen" ARROW
			       "load_config (app.c:42)" ARROW "main (app.c:90)");
	free(t);
	/* Stripped: module+offset; a truncated stack ends in "?". */
	struct tj_frame g[] = {
		{.pc = 1, .module = "libc.so.6", .function = "read"},
		{.pc = 2, .module = "app", .offset = 0x1405},
	};
	t = tj_chain_text("read", g, 2, true);
	assert_string_equal(t, "read" ARROW "read (libc.so.6)" ARROW "app+0x1405" ARROW "?");
	free(t);
}

/* Call chains from explain events merge by text across runs. */
static void test_chains(void **state)
{
	(void)state;
	static const char log[] =
		"{\"v\":1,\"time\":\"" T0 "000000Z\",\"event\":\"start\",\"mode\":\"enforce\",\"profile\":null,"
		"\"argv\":[\"app\"],\"pid\":7,\"source\":\"notify\",\"recording\":[\"explain\"],\"explain\":[\"openat\"]}\n"
		"{\"v\":1,\"time\":\"" T0
		"000100Z\",\"event\":\"explain\",\"syscall\":\"openat\",\"calls\":5,\"stacks\":5,"
		"\"skipped\":0,\"truncated\":0,\"sites\":[{\"site\":1,\"count\":3,\"stack\":[{\"pc\":\"0x1\",\"module\":"
		"\"libc.so.6\",\"function\":\"__open\",\"offset\":20},{\"pc\":\"0x2\",\"module\":\"app\",\"function\":"
		"\"load_config\",\"offset\":9,\"file\":\"app.c\",\"line\":42},{\"pc\":\"0x3\",\"module\":\"app\","
		"\"function\":\"main\",\"offset\":1,\"file\":\"app.c\",\"line\":90}],\"stack_truncated\":false},"
		"{\"site\":2,\"count\":2,\"stack\":[{\"pc\":\"0x9\",\"module\":\"ld.so\",\"function\":\"_dl_map_object\","
		"\"offset\":3}],\"stack_truncated\":true}]}\n";
	struct tj_report_model *m = tj_report_new(false);
	feed(m, log);
	feed(m, log);
	tj_report_finish(m);
	assert_int_equal(m->nchains, 2);
	assert_int_equal(m->chains[0].count, 6);
	assert_string_equal(m->chains[0].text,
			    "openat" ARROW "__open (libc.so.6)" ARROW "load_config (app.c:42)" ARROW "main (app.c:90)");
	assert_int_equal(m->chains[1].count, 4);
	assert_true(m->chains[1].truncated);
	struct tj_report_view_opts o = {.width = 80};
	char *html = tj_report_html(m, &o);
	assert_contains(html, "<div class=\"chain\" data-syscall=\"openat\"><span class=\"count\">6</span>");
	assert_contains(html, "Content-Security-Policy");
	assert_null(strstr(html, "src=\"http"));
	free(html);
	tj_report_free(m);
}

/* Strings from the log never become markup in the page. */
static void test_html_escapes(void **state)
{
	(void)state;
	static const char log[] =
		"{\"v\":1,\"time\":\"" T0 "000000Z\",\"event\":\"start\",\"mode\":\"enforce\",\"profile\":null,"
		"\"argv\":[\"<script>alert(1)</script>\",\"</script><b>\"],\"pid\":7,\"source\":\"notify\"}\n"
		"{\"v\":1,\"time\":\"" T0
		"000010Z\",\"event\":\"syscall\",\"verdict\":\"denied\",\"source\":\"notify\","
		"\"pid\":7,\"comm\":\"<img src=x>\",\"arch\":\"x86_64\",\"syscall\":\"kcmp\",\"nr\":312,\"args\":null,"
		"\"ip\":\"0x1\",\"action\":\"SCMP_ACT_ERRNO(EPERM)\",\"rule\":\"x\\\"><script>\",\"errno\":\"EPERM\"}\n";
	struct tj_report_model *m = tj_report_new(true);
	feed(m, log);
	tj_report_finish(m);
	struct tj_report_view_opts o = {.width = 80};
	char *html = tj_report_html(m, &o);
	assert_null(strstr(html, "<script>alert"));
	assert_null(strstr(html, "</script><b>"));
	assert_null(strstr(html, "<img src=x>"));
	assert_contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
	/* Exactly two script elements: the data and the page's own. */
	size_t scripts = 0;
	for (const char *p = html; (p = strstr(p, "<script")); p++)
		scripts++;
	assert_int_equal(scripts, 2);
	free(html);
	tj_report_free(m);
}

/* Thousands of processes and programs: every map grows (a map that did not
 * once hung the report). */
static void test_many_processes(void **state)
{
	(void)state;
	struct tj_buf b = {0};
	tj_buf_add(&b, "{\"v\":1,\"time\":\"" T0 "000000Z\",\"event\":\"start\",\"mode\":\"complain\",\"profile\":null,"
		       "\"argv\":[\"x\"],\"pid\":1,\"source\":\"notify\"}\n");
	for (int i = 0; i < 3000; i++)
		tj_buf_addf(&b,
			    "{\"v\":1,\"time\":\"" T0 "%06dZ\",\"event\":\"syscall\",\"verdict\":\"would-deny\","
			    "\"source\":\"notify\",\"pid\":%d,\"comm\":\"p%d\",\"arch\":\"x86_64\",\"syscall\":\"s%d\","
			    "\"nr\":1,\"args\":null,\"ip\":\"0x1\",\"action\":\"SCMP_ACT_KILL_PROCESS\",\"rule\":"
			    "\"defaultAction\"}\n",
			    i, 1000 + i, i % 700, i % 300);
	struct tj_report_model *m = tj_report_new(true);
	struct read_result rr = feed(m, b.s);
	tj_buf_done(&b);
	assert_int_equal(rr.events, 3001);
	tj_report_finish(m);
	assert_int_equal(m->runs[0].nprocs, 3000);
	assert_int_equal(m->nsys, 2100); /* 700 programs x 300 syscalls, as far as they meet */
	tj_report_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seen_missed),  cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_merge),	     cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_old_log),	     cmocka_unit_test(test_unused_and_tighten),
		cmocka_unit_test(test_chain_text),   cmocka_unit_test(test_chains),
		cmocka_unit_test(test_html_escapes), cmocka_unit_test(test_many_processes),
		cmocka_unit_test(test_exec_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
