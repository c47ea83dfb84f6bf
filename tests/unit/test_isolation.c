/* SPDX-License-Identifier: Apache-2.0 */
/* Isolation options: parsing, merging, paths, and which namespaces and
 * layers they call for; --user lookups. */
#include "unit.h"

#include <signal.h>
#include <unistd.h>

#include "tj/model/identity.h"
#include "tj/model/isolation.h"

static void expect_error(int r, struct tj_err **err, const char *fragment)
{
	assert_int_equal(r, -1);
	assert_non_null(*err);
	assert_contains((*err)->msg, fragment);
	tj_err_free(*err);
	*err = NULL;
}

static void test_unshare(void **state)
{
	(void)state;
	struct tj_isolation iso = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_isolation_parse_unshare(&iso, "pid,net", &err), 0);
	assert_int_equal(iso.unshare, TJ_NS_PID | TJ_NS_NET);
	assert_int_equal(tj_isolation_parse_unshare(&iso, "all", &err), 0);
	assert_int_equal(iso.unshare, TJ_NS_ALL);
	expect_error(tj_isolation_parse_unshare(&iso, "pid,bogus", &err), &err, "unknown namespace 'bogus'");
	expect_error(tj_isolation_parse_unshare(&iso, "", &err), &err, "an empty list");
	tj_isolation_done(&iso);
}

static void test_namespaces_needed(void **state)
{
	(void)state;
	struct tj_isolation iso = {0};
	assert_int_equal(tj_isolation_namespaces(NULL, true), 0);
	assert_int_equal(tj_isolation_namespaces(&iso, true), 0);
	assert_int_equal(tj_isolation_namespaces(&iso, false), 0);
	/* A pid namespace needs its own /proc, hence a mount namespace. */
	iso.unshare = TJ_NS_PID;
	assert_int_equal(tj_isolation_namespaces(&iso, true), TJ_NS_PID | TJ_NS_MOUNT);
	/* Anyone but root needs a user namespace to create the others. */
	assert_int_equal(tj_isolation_namespaces(&iso, false), TJ_NS_PID | TJ_NS_MOUNT | TJ_NS_USER);
	/* A hostname needs uts; a tmpfs needs a mount namespace. */
	struct tj_isolation h = {.hostname = (char *)"box"};
	assert_int_equal(tj_isolation_namespaces(&h, true), TJ_NS_UTS);
	struct tj_isolation t = {0};
	tj_strv_add(&t.tmpfs, "/tmp");
	assert_true(tj_isolation_wants_mount_ns(&t));
	assert_int_equal(tj_isolation_namespaces(&t, true), TJ_NS_MOUNT);
	tj_isolation_done(&t);
	/* Landlock rights alone need no namespace at all. */
	struct tj_isolation l = {0};
	tj_strv_add(&l.ro, "/usr");
	assert_int_equal(tj_isolation_namespaces(&l, false), 0);
	assert_true(tj_isolation_wants_landlock_view(&l));
	/* ... but Landlock only adds rights: a --ro beneath a --rw needs a
	 * read-only mount; one beside it (or a /usr2 next to /usr) does not. */
	tj_strv_add(&l.rw, "/usr2");
	tj_strv_add(&l.ro, "/usr2x");
	assert_false(tj_isolation_wants_mount_ns(&l));
	tj_strv_add(&l.rw, "/srv/ws");
	tj_strv_add(&l.ro, "/srv/ws/keep");
	assert_true(tj_isolation_wants_mount_ns(&l));
	assert_int_equal(tj_isolation_namespaces(&l, false), TJ_NS_MOUNT | TJ_NS_USER);
	tj_isolation_done(&l);
	struct tj_isolation r = {0};
	tj_strv_add(&r.rw, "/");
	tj_strv_add(&r.ro, "/etc");
	assert_true(tj_isolation_wants_mount_ns(&r));
	tj_isolation_done(&r);
	iso.unshare = 0;
	tj_isolation_done(&iso);
}

static void test_landlock_and_hardening_wants(void **state)
{
	(void)state;
	struct tj_isolation iso = {0};
	assert_false(tj_isolation_wants_landlock_fs(&iso));
	assert_false(tj_isolation_wants_hardening(&iso));
	iso.no_exec = true; /* execute rights only, not a view */
	assert_true(tj_isolation_wants_landlock_fs(&iso));
	assert_false(tj_isolation_wants_landlock_view(&iso));
	struct tj_err *err = NULL;
	assert_int_equal(tj_isolation_parse_rw_limit(&iso, "/tmp/dl=1M", &err), 0);
	assert_false(tj_isolation_wants_landlock_view(&iso)); /* a mount, not a view */
	iso.deny_write_execute = true;
	assert_true(tj_isolation_wants_hardening(&iso));
	tj_isolation_done(&iso);
}

static void test_caps(void **state)
{
	(void)state;
	struct tj_isolation iso = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_isolation_parse_caps(&iso, "CAP_NET_BIND_SERVICE,sys_ptrace", &err), 0);
	assert_true(iso.has_keep_caps);
	assert_int_equal(iso.keep_caps, (1ull << 10) | (1ull << 19));
	expect_error(tj_isolation_parse_caps(&iso, "CAP_NOPE", &err), &err, "unknown capability 'CAP_NOPE'");
	tj_isolation_done(&iso);
}

static void test_signals(void **state)
{
	(void)state;
	struct tj_isolation iso = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_isolation_parse_signals(&iso, "TERM,sigint,9", &err), 0);
	assert_true(iso.has_signals);
	assert_int_equal(iso.signals, (1ull << (SIGTERM - 1)) | (1ull << (SIGINT - 1)) | (1ull << (SIGKILL - 1)));
	/* A second list replaces the first. */
	assert_int_equal(tj_isolation_parse_signals(&iso, "HUP", &err), 0);
	assert_int_equal(iso.signals, 1ull << (SIGHUP - 1));
	expect_error(tj_isolation_parse_signals(&iso, "TERM,FOO", &err), &err, "unknown signal 'FOO'");
	expect_error(tj_isolation_parse_signals(&iso, "65", &err), &err, "unknown signal '65'");
	expect_error(tj_isolation_parse_signals(&iso, "0", &err), &err, "unknown signal '0'");
	tj_isolation_done(&iso);
}

static void test_ports(void **state)
{
	(void)state;
	uint16_t *v = NULL;
	size_t n = 0;
	struct tj_err *err = NULL;
	assert_int_equal(tj_isolation_parse_ports("80,443,65535", &v, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0], 80);
	assert_int_equal(v[2], 65535);
	free(v);
	assert_int_equal(tj_isolation_parse_ports("none", &v, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_non_null(v);
	free(v);
	v = NULL;
	expect_error(tj_isolation_parse_ports("80,65536", &v, &n, &err), &err, "'65536' is not a TCP port");
	expect_error(tj_isolation_parse_ports("http", &v, &n, &err), &err, "'http' is not a TCP port");
	assert_null(v);
}

static void test_rw_limit(void **state)
{
	(void)state;
	struct tj_isolation iso = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_isolation_parse_rw_limit(&iso, "/srv//dl/./x/..=100M", &err), 0);
	assert_int_equal(iso.nrw_limits, 1);
	assert_string_equal(iso.rw_limits[0].path, "/srv/dl");
	assert_int_equal(iso.rw_limits[0].bytes, 100ull << 20);
	/* '=' in the directory name: the size follows the last one. */
	assert_int_equal(tj_isolation_parse_rw_limit(&iso, "/a=b=4K", &err), 0);
	assert_string_equal(iso.rw_limits[1].path, "/a=b");
	expect_error(tj_isolation_parse_rw_limit(&iso, "/dl", &err), &err, "expected PATH=SIZE");
	expect_error(tj_isolation_parse_rw_limit(&iso, "/dl=1", &err), &err, "at least 4K");
	expect_error(tj_isolation_parse_rw_limit(&iso, "/dl=lots", &err), &err, "expected PATH=SIZE");
	expect_error(tj_isolation_parse_rw_limit(&iso, "/..=1M", &err), &err, "must not be /");
	tj_isolation_done(&iso);
}

static void test_paths(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"/", "/"},
		{"/usr", "/usr"},
		{"/usr/", "/usr"},
		{"//usr///lib", "/usr/lib"},
		{"/usr/./lib", "/usr/lib"},
		{"/usr/../etc", "/etc"},
		{"/../..", "/"},
		{"/a/b/../../c", "/c"},
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(cases); i++) {
		char *p = tj_isolation_clean_path(cases[i].in);
		assert_non_null(p);
		if (strcmp(p, cases[i].out) != 0)
			fail_msg("'%s' became '%s', expected '%s'", cases[i].in, p, cases[i].out);
		free(p);
	}
	assert_null(tj_isolation_clean_path("usr"));
	assert_null(tj_isolation_clean_path(NULL));
	/* A command-line path may be relative to the current directory. */
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	char *p = tj_isolation_absolute_path("sub/../dir");
	char *want = tj_xasprintf("%s/dir", strcmp(cwd, "/") ? cwd : "");
	assert_string_equal(p, want);
	free(p);
	free(want);
	assert_null(tj_isolation_absolute_path(""));
}

static void test_merge(void **state)
{
	(void)state;
	struct tj_isolation base = {0}, over = {0};
	struct tj_err *err = NULL;
	base.user = tj_xstrdup("nobody");
	tj_strv_add(&base.ro, "/usr");
	base.unshare = TJ_NS_PID;
	assert_int_equal(tj_isolation_parse_signals(&base, "TERM", &err), 0);
	over.user = tj_xstrdup("1000");
	tj_strv_add(&over.ro, "/etc");
	over.unshare = TJ_NS_NET;
	over.no_exec = true;
	assert_int_equal(tj_isolation_parse_signals(&over, "INT", &err), 0);
	assert_int_equal(tj_isolation_parse_rw_limit(&over, "/dl=1M", &err), 0);
	tj_isolation_merge(&base, &over);
	assert_string_equal(base.user, "1000");		       /* replaced */
	assert_int_equal(base.ro.n, 2);			       /* appended */
	assert_int_equal(base.unshare, TJ_NS_PID | TJ_NS_NET); /* added */
	assert_true(base.no_exec);
	assert_int_equal(base.signals, 1ull << (SIGINT - 1)); /* replaced */
	assert_int_equal(base.nrw_limits, 1);
	assert_string_equal(base.rw_limits[0].path, "/dl");
	tj_isolation_done(&over);
	assert_string_equal(base.rw_limits[0].path, "/dl"); /* a deep copy */
	tj_isolation_done(&base);
}

static void test_degrade(void **state)
{
	(void)state;
	struct tj_isolation iso = {0};
	assert_int_equal(tj_isolation_parse_degrade(&iso, "landlock-net"), 0);
	assert_int_equal(iso.degrade, TJ_DEGRADE_LANDLOCK_NET);
	assert_int_equal(tj_isolation_parse_degrade(&iso, "landlock"), 0);
	assert_int_equal(iso.degrade, TJ_DEGRADE_LANDLOCK | TJ_DEGRADE_LANDLOCK_NET);
	assert_int_equal(tj_isolation_parse_degrade(&iso, "net-rules"), 0);
	assert_int_equal(iso.degrade, TJ_DEGRADE_LANDLOCK | TJ_DEGRADE_LANDLOCK_NET | TJ_DEGRADE_NET_RULES);
	assert_int_equal(tj_isolation_parse_degrade(&iso, "seccomp"), -1);
}

static void test_identity(void **state)
{
	(void)state;
	struct tj_identity id;
	struct tj_err *err = NULL;
	assert_int_equal(tj_identity_resolve("root", &id, &err), 0);
	assert_int_equal(id.uid, 0);
	assert_int_equal(id.gid, 0);
	assert_string_equal(id.name, "root");
	tj_identity_done(&id);
	/* A number with a database entry takes the entry's group and name. */
	assert_int_equal(tj_identity_resolve("0", &id, &err), 0);
	assert_string_equal(id.name, "root");
	tj_identity_done(&id);
	/* A number without one gets the same group number, never 0. */
	assert_int_equal(tj_identity_resolve("4000123", &id, &err), 0);
	assert_int_equal(id.uid, 4000123);
	assert_int_equal(id.gid, 4000123);
	assert_string_equal(id.home, "/");
	tj_identity_done(&id);
	assert_int_equal(tj_identity_resolve("4000123:55", &id, &err), 0);
	assert_int_equal(id.gid, 55);
	tj_identity_done(&id);
	assert_int_equal(tj_identity_resolve("root:0", &id, &err), 0);
	tj_identity_done(&id);
	expect_error(tj_identity_resolve("no-such-user-here", &id, &err), &err, "no user named 'no-such-user-here'");
	expect_error(tj_identity_resolve("root:no-such-group", &id, &err), &err, "no group named 'no-such-group'");
	expect_error(tj_identity_resolve("root:", &id, &err), &err, "expected USER or USER:GROUP");
	expect_error(tj_identity_resolve(":0", &id, &err), &err, "expected USER or USER:GROUP");
	expect_error(tj_identity_resolve("4294967295", &id, &err), &err, "no user named");
}

/* --workdir and the profile's filesystem.workdir: ${UID} is the caller's,
 * and a size-limited, non-executable download directory follows the path. */
static void test_workdir(void **state)
{
	(void)state;
	struct tj_isolation profile = {0}, flags = {0}, iso = {0};
	struct tj_err *err = NULL;
	profile.workdir = tj_xstrdup("/tmp/dl-${UID}");
	profile.workdir_limit = 50u << 20;
	profile.workdir_noexec = true;
	tj_isolation_merge(&iso, &profile);
	assert_int_equal(tj_isolation_apply_workdir(&iso, 1000, &err), 0);
	assert_string_equal(iso.workdir, "/tmp/dl-1000");
	assert_int_equal(iso.nrw_limits, 1);
	assert_string_equal(iso.rw_limits[0].path, "/tmp/dl-1000");
	assert_int_equal(iso.rw_limits[0].bytes, 50u << 20);
	assert_true(tj_strv_contains(&iso.noexec, "/tmp/dl-1000"));
	tj_isolation_done(&iso);
	/* The flag moves it, with its limit and noexec. */
	flags.workdir = tj_xstrdup("/srv/mine");
	tj_isolation_merge(&iso, &profile);
	tj_isolation_merge(&iso, &flags);
	assert_int_equal(tj_isolation_apply_workdir(&iso, 0, &err), 0);
	assert_string_equal(iso.rw_limits[0].path, "/srv/mine");
	assert_int_equal(iso.nrw_limits, 1);
	assert_true(tj_strv_contains(&iso.noexec, "/srv/mine"));
	assert_false(tj_strv_contains(&iso.noexec, "/tmp/dl-0"));
	tj_isolation_done(&iso);
	/* Alone, it is only where the command starts. */
	assert_int_equal(tj_isolation_apply_workdir(&flags, 0, &err), 0);
	assert_int_equal(flags.nrw_limits, 0);
	assert_int_equal(flags.noexec.n, 0);
	/* Other variables are not guessed at. */
	free(flags.workdir);
	flags.workdir = tj_xstrdup("/tmp/${USER}");
	assert_int_equal(tj_isolation_apply_workdir(&flags, 0, &err), -1);
	assert_non_null(strstr(err->msg, "only ${UID}"));
	tj_err_freep(&err);
	tj_isolation_done(&flags);
	tj_isolation_done(&profile);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unshare),
		cmocka_unit_test(test_namespaces_needed),
		cmocka_unit_test(test_landlock_and_hardening_wants),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_rw_limit),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_degrade),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_workdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
