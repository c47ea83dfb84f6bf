/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cgroup discovery and the v1/v2 operations against fake trees in a temp
 * dir: a hybrid host like the CI machine, a pure v2 host, a user with a
 * delegated subtree, an explicit parent, and a bind-mounted subtree.
 */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/layers/cgroup.h"

static char root[256];

static void writef(const char *rel, const char *content)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void mkdirs(const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
}

static char *slurp(const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	static char buf[256];
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/tj-cgtest.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	mkdirs("proc");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes a fake mountinfo: each "@" in the text is replaced by the root. */
static void mountinfo(const char *lines)
{
	char buf[4096];
	size_t n = 0;
	for (const char *p = lines; *p && n + strlen(root) + 1 < sizeof(buf); p++) {
		if (*p == '@') {
			memcpy(buf + n, root, strlen(root));
			n += strlen(root);
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	writef("proc/mountinfo", buf);
}

static void test_hybrid_root(void **state)
{
	(void)state;
	/* As on the CI machine: v1 memory/cpu/pids/freezer, v2 with no controllers. */
	mountinfo("30 20 0:26 / @/memory rw - cgroup cgroup rw,memory\n"
		  "31 20 0:27 / @/cpu rw - cgroup cgroup rw,cpu,cpuacct\n"
		  "32 20 0:28 / @/pids rw - cgroup cgroup rw,pids\n"
		  "33 20 0:29 / @/freezer rw - cgroup cgroup rw,freezer\n"
		  "34 20 0:30 / @/unified rw - cgroup2 cgroup2 rw\n"
		  "35 20 0:31 / @/systemd rw - cgroup cgroup rw,name=systemd\n");
	writef("proc/cgroup", "9:name=systemd:/\n8:pids:/\n6:freezer:/\n4:memory:/box/one\n1:cpu,cpuacct:/\n0::/\n");
	mkdirs("memory/box/one");
	mkdirs("cpu");
	mkdirs("pids");
	mkdirs("freezer");
	mkdirs("unified");
	writef("unified/cgroup.subtree_control", "\n");

	char proc[300];
	snprintf(proc, sizeof(proc), "%s/proc", root);
	struct tj_cg_system sys;
	struct tj_err *err = NULL;
	assert_int_equal(tj_cg_discover(proc, 0, &sys, &err), 0);
	assert_int_equal(sys.n, 5); /* the named systemd hierarchy is skipped */
	assert_true(sys.v2 >= 0);
	char want[300];
	snprintf(want, sizeof(want), "%s/unified", root);
	assert_string_equal(sys.v2_base, want);
	assert_int_equal(sys.v2_controllers, 0);
	/* Every controller comes from v1; memory under our own /box/one. */
	for (int c = 0; c < _TJ_CG_MAX; c++) {
		assert_true(sys.chosen[c] >= 0);
		assert_int_equal(sys.h[sys.chosen[c]].version, 1);
	}
	assert_string_equal(sys.h[sys.chosen[TJ_CG_MEMORY]].own, "/box/one");
	char *own = tj_cg_own_dir(&sys.h[sys.chosen[TJ_CG_MEMORY]]);
	snprintf(want, sizeof(want), "%s/memory/box/one", root);
	assert_string_equal(own, want);
	free(own);
	tj_cg_system_done(&sys);
}

static void test_pure_v2(void **state)
{
	(void)state;
	mountinfo("40 20 0:40 / @/v2 rw - cgroup2 cgroup2 rw,nsdelegate\n");
	writef("proc/cgroup", "0::/user.slice/session-1.scope\n");
	mkdirs("v2/user.slice/session-1.scope");
	writef("v2/cgroup.subtree_control", "cpuset cpu io memory hugetlb pids rdma misc\n");
	char proc[300];
	snprintf(proc, sizeof(proc), "%s/proc", root);
	struct tj_cg_system sys;
	struct tj_err *err = NULL;
	assert_int_equal(tj_cg_discover(proc, 0, &sys, &err), 0);
	assert_int_equal(sys.n, 1);
	char want[300];
	snprintf(want, sizeof(want), "%s/v2", root);
	assert_string_equal(sys.v2_base, want); /* root: the hierarchy root, not our busy session */
	for (int c = 0; c < TJ_CG_FREEZER; c++)
		assert_int_equal(sys.chosen[c], sys.v2);
	assert_int_equal(sys.chosen[TJ_CG_FREEZER], -1); /* v2 needs no freezer: cgroup.kill */
	tj_cg_system_done(&sys);
}

static void test_v2_without_a_controller(void **state)
{
	(void)state;
	mountinfo("40 20 0:40 / @/v2 rw - cgroup2 cgroup2 rw\n");
	writef("proc/cgroup", "0::/\n");
	mkdirs("v2");
	writef("v2/cgroup.subtree_control", "memory\n");
	char proc[300];
	snprintf(proc, sizeof(proc), "%s/proc", root);
	struct tj_cg_system sys;
	struct tj_err *err = NULL;
	assert_int_equal(tj_cg_discover(proc, 0, &sys, &err), 0);
	assert_int_equal(sys.chosen[TJ_CG_MEMORY], sys.v2);
	assert_int_equal(sys.chosen[TJ_CG_PIDS], -1);
	assert_contains(sys.why[TJ_CG_PIDS], "neither cgroup v2 nor cgroup v1 offers the 'pids' controller");
	tj_cg_system_done(&sys);
}

static void test_delegated_user(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip(); /* the fake tree needs a chown to another uid */
	mountinfo("40 20 0:40 / @/v2 rw - cgroup2 cgroup2 rw\n"
		  "41 20 0:41 / @/memory rw - cgroup cgroup rw,memory\n");
	writef("proc/cgroup", "4:memory:/\n0::/user.slice/user-4242.slice/user@4242.service/app.slice/run-1.scope\n");
	mkdirs("v2/user.slice/user-4242.slice/user@4242.service/app.slice/run-1.scope");
	mkdirs("memory");
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/v2/user.slice/user-4242.slice/user@4242.service", root);
	assert_int_equal(chown(dir, 4242, 4242), 0);
	writef("v2/user.slice/user-4242.slice/user@4242.service/cgroup.subtree_control", "memory pids\n");
	char proc[300];
	snprintf(proc, sizeof(proc), "%s/proc", root);
	struct tj_cg_system sys;
	struct tj_err *err = NULL;
	assert_int_equal(tj_cg_discover(proc, 4242, &sys, &err), 0);
	/* The nearest ancestor systemd delegated to the user. */
	assert_string_equal(sys.v2_base, dir);
	assert_int_equal(sys.chosen[TJ_CG_MEMORY], sys.v2);
	assert_int_equal(sys.chosen[TJ_CG_PIDS], sys.v2);
	/* cpu: not delegated, and v1 does not mount it here. */
	assert_int_equal(sys.chosen[TJ_CG_CPU], -1);
	tj_cg_system_done(&sys);

	/* Without any delegation: every limit says so. */
	assert_int_equal(chown(dir, 0, 0), 0);
	assert_int_equal(tj_cg_discover(proc, 4242, &sys, &err), 0);
	assert_null(sys.v2_base);
	assert_contains(sys.v2_base_why, "no cgroup v2 subtree is delegated to uid 4242");
	assert_contains(sys.why[TJ_CG_MEMORY], "is not writable by uid 4242: it is not delegated to you");
	tj_cg_system_done(&sys);
}

static void test_explicit_parent_and_bind_mount(void **state)
{
	(void)state;
	/* A container sees only its own subtree: mount root /ctr/7. */
	mountinfo("40 20 0:40 /ctr/7 @/v2 rw - cgroup2 cgroup2 rw\n");
	writef("proc/cgroup", "0::/ctr/7/inner\n");
	mkdirs("v2/inner");
	mkdirs("v2/mine");
	writef("v2/mine/cgroup.subtree_control", "pids\n");
	char proc[300], parent[300];
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(parent, sizeof(parent), "%s/v2/mine", root);
	setenv("TINYJAIL_CGROUP_PARENT", parent, 1);
	struct tj_cg_system sys;
	struct tj_err *err = NULL;
	assert_int_equal(tj_cg_discover(proc, 0, &sys, &err), 0);
	unsetenv("TINYJAIL_CGROUP_PARENT");
	assert_string_equal(sys.h[sys.v2].own, "/inner");
	assert_string_equal(sys.v2_base, parent);
	assert_int_equal(sys.chosen[TJ_CG_PIDS], sys.v2);
	assert_int_equal(sys.chosen[TJ_CG_MEMORY], -1);
	tj_cg_system_done(&sys);

	setenv("TINYJAIL_CGROUP_PARENT", "/nonexistent/cgroup", 1);
	assert_int_equal(tj_cg_discover(proc, 0, &sys, &err), 0);
	unsetenv("TINYJAIL_CGROUP_PARENT");
	assert_null(sys.v2_base);
	assert_contains(sys.v2_base_why, "TINYJAIL_CGROUP_PARENT '/nonexistent/cgroup'");
	tj_cg_system_done(&sys);
}

static void test_ops(void **state)
{
	(void)state;
	mkdirs("ops");
	static const char *const files[] = {"memory.max",	 "memory.swap.max",	  "cpu.max",
					    "pids.max",		 "memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
					    "cpu.cfs_period_us", "cpu.cfs_quota_us"};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(files); i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "ops/%s", files[i]);
		writef(rel, "");
	}
	char dir[300];
	snprintf(dir, sizeof(dir), "%s/ops", root);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	struct tj_err *err = NULL;
	assert_int_equal(tj_cg_v2.set_memory(fd, 100u << 20, &err), 0);
	assert_string_equal(slurp("ops/memory.max"), "104857600");
	assert_string_equal(slurp("ops/memory.swap.max"), "0");
	assert_int_equal(tj_cg_v2.set_cpu(fd, 50000, 100000, &err), 0);
	assert_string_equal(slurp("ops/cpu.max"), "50000 100000");
	assert_int_equal(tj_cg_v2.set_pids(fd, 64, &err), 0);
	assert_string_equal(slurp("ops/pids.max"), "64");
	assert_int_equal(tj_cg_v1.set_memory(fd, 1u << 20, &err), 0);
	assert_string_equal(slurp("ops/memory.limit_in_bytes"), "1048576");
	assert_string_equal(slurp("ops/memory.memsw.limit_in_bytes"), "1048576");
	assert_int_equal(tj_cg_v1.set_cpu(fd, 25000, 50000, &err), 0);
	assert_string_equal(slurp("ops/cpu.cfs_quota_us"), "25000");
	assert_string_equal(slurp("ops/cpu.cfs_period_us"), "50000");

	/* A missing swap file is fine (no swap accounting); a missing limit
	 * file is an error naming it. */
	char path[400];
	snprintf(path, sizeof(path), "%s/ops/memory.swap.max", root);
	unlink(path);
	assert_int_equal(tj_cg_v2.set_memory(fd, 4096, &err), 0);
	snprintf(path, sizeof(path), "%s/ops/pids.max", root);
	unlink(path);
	assert_int_equal(tj_cg_v2.set_pids(fd, 1, &err), -1);
	assert_contains(err->msg, "cannot open cgroup file 'pids.max'");
	tj_err_freep(&err);

	/* Statistics. */
	writef("ops/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n");
	writef("ops/memory.peak", "123456\n");
	writef("ops/cgroup.procs", "10\n20\n30\n");
	writef("ops/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 5\n");
	uint64_t v = 0;
	assert_int_equal(tj_cg_v2.oom_kills(fd, &v), 0);
	assert_true(v == 2);
	assert_int_equal(tj_cg_v2.memory_peak(fd, &v), 0);
	assert_true(v == 123456);
	assert_int_equal(tj_cg_v1.oom_kills(fd, &v), 0);
	assert_true(v == 5);
	assert_int_equal(tj_cg_v2.pids_refused(fd, &v), -1); /* no pids.events */
	pid_t pids[2];
	assert_int_equal(tj_cg_read_procs(fd, pids, 2), 2);
	assert_int_equal(pids[1], 20);
	close(fd);
}

static void test_stale_names(void **state)
{
	(void)state;
	char name[64];
	tj_cg_sandbox_name(getpid(), name, sizeof(name));
	assert_true(strncmp(name, "tj-", 3) == 0);
	assert_false(tj_cg_name_is_stale(name)); /* we are alive */
	char other[80];
	unsigned long long start;
	int pid;
	assert_int_equal(sscanf(name, "tj-%d-%llu", &pid, &start), 2);
	snprintf(other, sizeof(other), "tj-%d-%llu", pid, start + 1);
	assert_true(tj_cg_name_is_stale(other)); /* pid reused by another process */
	assert_true(tj_cg_name_is_stale("tj-999999999-5"));
	assert_false(tj_cg_name_is_stale("tinyjail"));
	assert_false(tj_cg_name_is_stale("tj-12-34-extra"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hybrid_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pure_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_without_a_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delegated_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explicit_parent_and_bind_mount, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ops, setup, teardown),
		cmocka_unit_test(test_stale_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
