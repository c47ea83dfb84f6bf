/* SPDX-License-Identifier: Apache-2.0 */
/*
 * launch.c and monitor.c over fake layers and a fake sys layer, without
 * root: the order in which the parent and the child walk the layer table,
 * the fail-closed paths (a layer that cannot prepare, enter or start stops
 * the run, names itself, and the command never runs), and the cleanup on
 * every path (every prepared layer released, in reverse order, exactly
 * once).  The fake layers record each hook they see in a shared page (the
 * child's hooks run in another process); the fake sys layer is
 * tj_sys_clone3 wrapped at link time (Makefile: -Wl,--wrap), which fails on
 * request.  The command is a real program (/bin/sh) in no namespace.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/err.h"
#include "tj/base/sys.h"
#include "tj/events/events.h"
#include "tj/launch/launch.h"

/* --- the fake sys layer --- */

long __real_tj_sys_clone3(struct tj_clone_args *args);
long __wrap_tj_sys_clone3(struct tj_clone_args *args);

static int clone_fails; /* -errno the next clone3 returns, or 0 */
static int clones;	/* clone3 calls that reached the kernel */

long __wrap_tj_sys_clone3(struct tj_clone_args *args)
{
	if (clone_fails) {
		int e = clone_fails;
		clone_fails = 0;
		return -e;
	}
	clones++;
	return __real_tj_sys_clone3(args);
}

/* --- fake layers --- */

/* What every hook saw, in order: "prepare A", "enter B", ...  Shared with
 * the child, which runs the enter hooks. */
struct journal {
	char text[4096];
	size_t len;
};
static struct journal *journal;

static void note(const char *hook, const char *layer)
{
	size_t n = strlen(hook) + strlen(layer) + 2;
	if (journal->len + n + 1 >= sizeof(journal->text))
		return;
	/* Written with plain stores: the child makes no allocation. */
	memcpy(journal->text + journal->len, hook, strlen(hook));
	journal->len += strlen(hook);
	journal->text[journal->len++] = ' ';
	memcpy(journal->text + journal->len, layer, strlen(layer));
	journal->len += strlen(layer);
	journal->text[journal->len++] = ';';
	journal->text[journal->len] = '\0';
}

struct fake {
	const char *name;
	bool unwanted;
	bool fail_prepare, fail_enter, fail_started;
	int releases; /* parent-side counter */
};
/* One state per fake layer, found from the layer's name. */
static struct fake fakes[5];

static struct fake *fake_of(const char *name)
{
	for (size_t i = 0; i < TJ_ARRAY_SIZE(fakes); i++)
		if (strcmp(fakes[i].name, name) == 0)
			return &fakes[i];
	fail_msg("no fake layer %s", name);
	return NULL;
}

#define FAKE_LAYER(id)                                                                                     \
	static bool wanted_##id(const struct tj_plan *plan)                                                \
	{                                                                                                  \
		(void)plan;                                                                                \
		return !fake_of(#id)->unwanted;                                                            \
	}                                                                                                  \
	static int prepare_##id(const struct tj_plan *plan, void **state, struct tj_err **err)             \
	{                                                                                                  \
		(void)plan;                                                                                \
		note("prepare", #id);                                                                      \
		if (fake_of(#id)->fail_prepare)                                                            \
			return tj_err_set(err, TJ_ERR_LAYER, EPERM, "the fake cannot prepare");            \
		*state = fake_of(#id);                                                                     \
		return 0;                                                                                  \
	}                                                                                                  \
	static int enter_##id(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)        \
	{                                                                                                  \
		(void)plan;                                                                                \
		note("enter", #id);                                                                        \
		if (((struct fake *)state)->fail_enter)                                                    \
			return tj_child_fail(cerr, TJ_ERR_LAYER, EPERM, NULL, "the fake cannot enter");    \
		return 0;                                                                                  \
	}                                                                                                  \
	static int started_##id(const struct tj_plan *plan, void *state, pid_t child, struct tj_err **err) \
	{                                                                                                  \
		(void)plan;                                                                                \
		assert_true(child > 0);                                                                    \
		note("started", #id);                                                                      \
		if (((struct fake *)state)->fail_started)                                                  \
			return tj_err_set(err, TJ_ERR_LAYER, EPERM, "the fake cannot start");              \
		return 0;                                                                                  \
	}                                                                                                  \
	static void collect_##id(void *state, struct tj_layer_results *out)                                \
	{                                                                                                  \
		(void)state;                                                                               \
		(void)out;                                                                                 \
		note("collect", #id);                                                                      \
	}                                                                                                  \
	static void release_##id(void *state)                                                              \
	{                                                                                                  \
		note("release", #id);                                                                      \
		((struct fake *)state)->releases++;                                                        \
	}                                                                                                  \
	static const struct tj_layer layer_##id = {                                                        \
		.name = #id,                                                                               \
		.sync_after_started = true,                                                                \
		.wanted = wanted_##id,                                                                     \
		.prepare = prepare_##id,                                                                   \
		.enter = enter_##id,                                                                       \
		.started = started_##id,                                                                   \
		.collect = collect_##id,                                                                   \
		.release = release_##id,                                                                   \
	}

FAKE_LAYER(A);
FAKE_LAYER(B);
FAKE_LAYER(C);
FAKE_LAYER(D);
FAKE_LAYER(E);

/* A: the parent only; B: the first child; C, D, E: the command. */
static const struct tj_launch_step table[] = {
	{&layer_A, "parent", "a fake parent-side layer"},
	{&layer_B, "first child", "a fake namespace-wide layer"},
	{&layer_C, "command", "a fake per-process layer"},
	{&layer_D, "command", "another one, after C"},
	{&layer_E, "command", "a layer the plan may not want"},
};

/* --- running --- */

static char marker[64];

static int setup(void **state)
{
	(void)state;
	journal = mmap(NULL, sizeof(*journal), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(journal != MAP_FAILED);
	memset(journal, 0, sizeof(*journal));
	static const char *const names[] = {"A", "B", "C", "D", "E"};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(fakes); i++)
		fakes[i] = (struct fake){.name = names[i]};
	clone_fails = clones = 0;
	snprintf(marker, sizeof(marker), "/tmp/tj-launch-fake.%d", (int)getpid());
	unlink(marker);
	assert_int_equal(tj_launch_set_table(table, TJ_ARRAY_SIZE(table)), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tj_launch_set_table(NULL, 0);
	munmap(journal, sizeof(*journal));
	unlink(marker);
	return 0;
}

/* Runs sh -c script under the fake table; the command leaves marker
 * behind when it ran at all. */
static int run(const char *script, struct tj_launch_result *res, struct tj_err **err)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), ": > %s; %s", marker, script);
	char *argv[] = {"sh", "-c", cmd, NULL};
	char *envp[] = {"PATH=/usr/bin:/bin", NULL};
	struct tj_plan plan = {.argv = argv, .exec_path = "/bin/sh", .envp = envp, .mode = TJ_MODE_ENFORCE};
	struct tj_events ev = {0};
	assert_int_equal(tj_events_open(&ev, NULL, NULL), 0);
	int r = tj_launch(&plan, &ev, NULL, res, err);
	tj_events_close(&ev, NULL);
	return r;
}

static bool command_ran(void)
{
	return access(marker, F_OK) == 0;
}

static void assert_released_once(const char *names)
{
	for (size_t i = 0; i < TJ_ARRAY_SIZE(fakes); i++) {
		bool want = strchr(names, fakes[i].name[0]) != NULL;
		if (fakes[i].releases != (want ? 1 : 0))
			fail_msg("layer %s released %d times, expected %d", fakes[i].name, fakes[i].releases,
				 want ? 1 : 0);
	}
}

/* The parent prepares in table order, the child enters its phases in
 * table order (parent-phase layers never enter), an unwanted layer is never
 * touched, and everything prepared is collected, then released in reverse. */
static void test_order(void **state)
{
	(void)state;
	fake_of("E")->unwanted = true;
	struct tj_launch_result res;
	struct tj_err *err = NULL;
	assert_int_equal(run("exit 3", &res, &err), 0);
	assert_null(err);
	assert_true(res.exited);
	assert_int_equal(res.status, 3);
	assert_true(command_ran());
	/* The child waits for the started hooks (sync_after_started). */
	assert_string_equal(journal->text, "prepare A;prepare B;prepare C;prepare D;"
					   "started A;started B;started C;started D;"
					   "enter B;enter C;enter D;"
					   "collect A;collect B;collect C;collect D;"
					   "release D;release C;release B;release A;");
	assert_int_equal(clones, 1);
	assert_released_once("ABCD");
	free(res.copy_back);
	free(res.copy_back_error);
}

/* A layer that cannot prepare stops the run before clone3: the later layers
 * are never prepared, the earlier ones released, the error names it. */
static void test_prepare_fails_closed(void **state)
{
	(void)state;
	fake_of("C")->fail_prepare = true;
	struct tj_launch_result res;
	struct tj_err *err = NULL;
	assert_int_equal(run("exit 0", &res, &err), -1);
	assert_non_null(err);
	assert_string_equal(err->layer, "C");
	assert_int_equal(err->kind, TJ_ERR_LAYER);
	assert_int_equal(clones, 0);
	assert_false(command_ran());
	assert_string_equal(journal->text, "prepare A;prepare B;prepare C;release B;release A;");
	assert_released_once("AB");
	tj_err_free(err);
}

/* A layer that cannot enter in the child: the command never runs, the
 * layers after it never enter, the failure comes back naming the layer,
 * and every prepared layer is collected and released. */
static void test_enter_fails_closed(void **state)
{
	(void)state;
	fake_of("C")->fail_enter = true;
	struct tj_launch_result res;
	struct tj_err *err = NULL;
	assert_int_equal(run("exit 0", &res, &err), -1);
	assert_false(command_ran());
	assert_non_null(err);
	assert_string_equal(err->layer, "C");
	assert_int_equal(err->kind, TJ_ERR_LAYER);
	assert_contains(err->msg, "the fake cannot enter");
	tj_err_free(err);
	/* The monitor ran (it read the child's record): so collect, then
	 * release, on this path too. */
	assert_string_equal(journal->text, "prepare A;prepare B;prepare C;prepare D;prepare E;"
					   "started A;started B;started C;started D;started E;"
					   "enter B;enter C;"
					   "collect A;collect B;collect C;collect D;collect E;"
					   "release E;release D;release C;release B;release A;");
	assert_released_once("ABCDE");
	free(res.copy_back);
	free(res.copy_back_error);
}

/* A layer whose started hook fails: the child, cloned and waiting for the
 * set-up to end, is killed rather than left running (it never enters a
 * layer nor runs the command); the error names the layer; every prepared
 * layer is released. */
static void test_started_fails_closed(void **state)
{
	(void)state;
	fake_of("B")->fail_started = true;
	struct tj_launch_result res;
	struct tj_err *err = NULL;
	assert_int_equal(run("sleep 30", &res, &err), -1);
	assert_non_null(err);
	assert_string_equal(err->layer, "B");
	assert_int_equal(clones, 1);
	assert_null(strstr(journal->text, "started C"));
	assert_null(strstr(journal->text, "enter"));
	assert_false(command_ran());
	assert_contains(journal->text, "release E;release D;release C;release B;release A;");
	assert_released_once("ABCDE");
	tj_err_free(err);
}

/* The fake sys layer's clone3 fails: no command, an error naming clone3,
 * and every prepared layer released, none collected. */
static void test_clone_fails_closed(void **state)
{
	(void)state;
	clone_fails = EAGAIN;
	struct tj_launch_result res;
	struct tj_err *err = NULL;
	assert_int_equal(run("exit 0", &res, &err), -1);
	assert_non_null(err);
	assert_contains(err->msg, "clone3");
	assert_int_equal(err->errnum, EAGAIN);
	assert_false(command_ran());
	assert_null(strstr(journal->text, "enter"));
	assert_null(strstr(journal->text, "collect"));
	assert_string_equal(journal->text, "prepare A;prepare B;prepare C;prepare D;prepare E;"
					   "release E;release D;release C;release B;release A;");
	assert_released_once("ABCDE");
	tj_err_free(err);
}

/* --- a layer with a monitor source --- */

/* S's records reach the parent through a pipe the monitor polls among its
 * sources: the started hook writes, ready() reads, finish() and stop() end. */
static int spipe[2] = {-1, -1};
static struct tj_monitor_source ssource;
static char sgot[16];

static void s_ready(void *ctx, pid_t child)
{
	(void)ctx;
	assert_true(child > 0);
	char buf[16];
	ssize_t n = read(ssource.fd, buf, sizeof(buf));
	if (n > 0) {
		size_t have = strlen(sgot);
		if (have + (size_t)n < sizeof(sgot)) {
			memcpy(sgot + have, buf, (size_t)n);
			sgot[have + (size_t)n] = '\0';
		}
		note("ready", "S");
	} else if (n == 0) {
		ssource.fd = -1; /* done: the monitor stops polling it */
	}
}

static void s_finish(void *ctx, pid_t child)
{
	(void)ctx;
	(void)child;
	note("finish", "S");
}

static void s_stop(void *ctx)
{
	(void)ctx;
	note("stop", "S");
}

static bool s_wanted(const struct tj_plan *plan)
{
	(void)plan;
	return true;
}

static int s_prepare(const struct tj_plan *plan, void **state, struct tj_err **err)
{
	(void)plan;
	(void)err;
	assert_int_equal(pipe2(spipe, O_CLOEXEC | O_NONBLOCK), 0);
	ssource = (struct tj_monitor_source){.fd = spipe[0], .ready = s_ready, .finish = s_finish, .stop = s_stop};
	*state = &ssource;
	return 0;
}

static int s_started(const struct tj_plan *plan, void *state, pid_t child, struct tj_err **err)
{
	(void)plan;
	(void)state;
	(void)child;
	(void)err;
	assert_int_equal(write(spipe[1], "rec", 3), 3);
	close(spipe[1]);
	spipe[1] = -1;
	return 0;
}

static const struct tj_monitor_source *s_source(void *state, struct tj_events *events)
{
	(void)events;
	note("source", "S");
	return state;
}

static void s_release(void *state)
{
	(void)state;
	close(spipe[0]);
	note("release", "S");
}

static const struct tj_layer layer_S = {
	.name = "S",
	.wanted = s_wanted,
	.prepare = s_prepare,
	.started = s_started,
	.source = s_source,
	.release = s_release,
};

/* The monitor polls a layer's source with its own watches while the
 * command runs: what the layer's helper sends is read (ready) before the
 * run ends, then finish and stop are called, all before release. */
static void test_monitor_polls_a_layer_source(void **state)
{
	(void)state;
	const struct tj_launch_step t[] = {
		{&layer_A, "parent", "a fake parent-side layer"},
		{&layer_S, "command", "a fake layer with a monitor source"},
	};
	assert_int_equal(tj_launch_set_table(t, TJ_ARRAY_SIZE(t)), 0);
	sgot[0] = '\0';
	struct tj_launch_result res;
	struct tj_err *err = NULL;
	/* The command outlives the record's trip through the pipe. */
	assert_int_equal(run("sleep 1; exit 7", &res, &err), 0);
	assert_null(err);
	assert_int_equal(res.status, 7);
	assert_string_equal(sgot, "rec");
	const char *ready = strstr(journal->text, "ready S;");
	const char *finish = strstr(journal->text, "finish S;");
	const char *stop = strstr(journal->text, "stop S;");
	const char *release = strstr(journal->text, "release S;");
	assert_non_null(strstr(journal->text, "source S;"));
	assert_non_null(ready);
	assert_non_null(finish);
	assert_non_null(stop);
	assert_non_null(release);
	assert_true(ready < finish && finish < stop && stop < release);
	free(res.copy_back);
	free(res.copy_back_error);
}

/* The table rejects what it cannot place, and NULL restores the built-in
 * one, which the real runs use. */
static void test_table_checks(void **state)
{
	(void)state;
	struct tj_launch_step bad = {&layer_A, "nowhere", "no such phase"};
	assert_int_equal(tj_launch_set_table(&bad, 1), -1);
	assert_int_equal(tj_launch_set_table(table, TJ_LAUNCH_MAX_LAYERS + 1), -1);
	assert_int_equal(tj_launch_set_table(NULL, 0), 0);
	size_t n;
	const struct tj_launch_step *s = tj_launch_order(&n);
	assert_true(n >= 10);
	assert_string_equal(s[0].layer->name, "cgroup");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enter_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_started_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_polls_a_layer_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_checks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
