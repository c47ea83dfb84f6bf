/* SPDX-License-Identifier: Apache-2.0 */
/*
 * launch.c's ordered layer table: which layer runs where (parent, first
 * child, command) and why, and the constraints between positions that
 * notes/layers.md explains; and the layers' compose hooks, which run at
 * plan time in the table's order (what one layer adds, the next one sees).
 */
#include "unit.h"

#include "tj/launch/launch.h"
#include "tj/model/isolation.h"
#include "tj/model/limits.h"
#include "tj/model/netpolicy.h"

static size_t index_of(const struct tj_launch_step *s, size_t n, const struct tj_layer *l)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].layer == l)
			return i;
	fail_msg("layer %s is not in the table", l->name);
	return n;
}

static const char *phase_of(const struct tj_launch_step *s, size_t n, const struct tj_layer *l)
{
	return s[index_of(s, n, l)].phase;
}

static void test_every_row_has_a_phase_and_a_reason(void **state)
{
	(void)state;
	size_t n;
	const struct tj_launch_step *s = tj_launch_order(&n);
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(s[i].layer);
		assert_non_null(s[i].layer->name);
		assert_non_null(s[i].layer->wanted);
		assert_non_null(s[i].phase);
		assert_non_null(s[i].why);
		assert_true(strlen(s[i].why) > 20);
		for (size_t j = 0; j < i; j++)
			if (s[j].layer == s[i].layer)
				fail_msg("layer %s appears twice", s[i].layer->name);
	}
}

/* The phases never go back: everything namespace-wide is done before a pid
 * namespace's init forks the command. */
static void test_phases_in_order(void **state)
{
	(void)state;
	size_t n;
	const struct tj_launch_step *s = tj_launch_order(&n);
	bool command_seen = false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s[i].phase, "command") == 0)
			command_seen = true;
		else if (command_seen && strcmp(s[i].phase, "first child") == 0)
			fail_msg("%s runs in the first child after a command-phase layer", s[i].layer->name);
		/* A parent-phase layer's enter would never run. */
		if (strcmp(s[i].phase, "parent") == 0 && s[i].layer->enter)
			fail_msg("%s acts from the parent but has an enter hook", s[i].layer->name);
	}
}

/* Per-process state belongs to the command, never to the pid namespace's
 * init (issue 18: rlimits reached init, so --rlimit nproc=1 could not even
 * start the command). */
static void test_per_process_layers_run_in_the_command(void **state)
{
	(void)state;
	size_t n;
	const struct tj_launch_step *s = tj_launch_order(&n);
	const struct tj_layer *per_process[] = {&tj_layer_listener, &tj_layer_rlimit, &tj_layer_landlock,
						&tj_layer_net,	    &tj_layer_privs,  &tj_layer_seccomp};
	for (size_t i = 0; i < sizeof(per_process) / sizeof(per_process[0]); i++)
		assert_string_equal(phase_of(s, n, per_process[i]), "command");
	assert_string_equal(phase_of(s, n, &tj_layer_ns), "first child");
	assert_string_equal(phase_of(s, n, &tj_layer_mount), "first child");
	assert_string_equal(phase_of(s, n, &tj_layer_proxy), "first child");
	assert_string_equal(phase_of(s, n, &tj_layer_cgroup), "parent");
}

static void test_positions(void **state)
{
	(void)state;
	size_t n;
	const struct tj_launch_step *s = tj_launch_order(&n);
#define BEFORE(a, b) assert_true(index_of(s, n, &(a)) < index_of(s, n, &(b)))
	/* Counted and limited from the first instruction. */
	assert_int_equal(index_of(s, n, &tj_layer_cgroup), 0);
	/* Landlock names inodes of the command's view. */
	BEFORE(tj_layer_mount, tj_layer_landlock);
	BEFORE(tj_layer_ns, tj_layer_mount);
	/* The proxy's listeners go into the new namespace. */
	BEFORE(tj_layer_ns, tj_layer_proxy);
	/* Raising a hard limit needs CAP_SYS_RESOURCE; Landlock opens paths. */
	BEFORE(tj_layer_rlimit, tj_layer_privs);
	BEFORE(tj_layer_landlock, tj_layer_privs);
	/* The helper is tinyjail's: none of the command's limits, domain or
	 * identity. */
	BEFORE(tj_layer_listener, tj_layer_rlimit);
	BEFORE(tj_layer_listener, tj_layer_landlock);
	BEFORE(tj_layer_listener, tj_layer_privs);
	/* The filter judges every later call. */
	assert_int_equal(index_of(s, n, &tj_layer_seccomp), n - 1);
#undef BEFORE
}

/* --- the compose hooks (no kernel: options in, options out) --- */

static void compose(struct tj_limits *limits, struct tj_net_policy *net, struct tj_isolation *iso)
{
	struct tj_plan plan = {.limits = limits, .iso = iso, .net = net};
	tj_launch_compose(&plan, iso);
}

static void test_compose_nothing_asked(void **state)
{
	(void)state;
	struct tj_limits limits = {0};
	struct tj_net_policy net = {0};
	struct tj_isolation iso = {0};
	compose(&limits, &net, &iso);
	assert_int_equal(iso.unshare, 0);
	assert_false(iso.hide_sockets || iso.deny_listen || iso.protect_cgroups || iso.has_tcp_connect);
}

/* The proxy's hook adds the network namespace; the mount layer's, later in
 * the table, sees it and hides the host's UNIX sockets (a socket file is
 * reachable from any network namespace).  In the other order the sockets
 * would stay reachable. */
static void test_compose_isolated_network_hides_sockets(void **state)
{
	(void)state;
	struct tj_limits limits = {0};
	struct tj_isolation iso = {0};
	for (int mode = TJ_NET_NONE; mode <= TJ_NET_FILTERED; mode++) {
		struct tj_net_policy net = {.mode = (enum tj_net_mode)mode};
		memset(&iso, 0, sizeof(iso));
		compose(&limits, &net, &iso);
		assert_true(iso.unshare & TJ_NS_NET);
		assert_true(iso.hide_sockets);
		assert_false(iso.deny_listen);
		assert_false(iso.protect_cgroups);
	}
}

/* Host rules: no listening sockets (the net-rules layer), and the cgroup
 * they hang on read-only (the cgroup layer); no network namespace. */
static void test_compose_host_rules(void **state)
{
	(void)state;
	struct tj_limits limits = {0};
	struct tj_net_policy net = {.mode = TJ_NET_HOST, .deny_private = true};
	struct tj_isolation iso = {0};
	compose(&limits, &net, &iso);
	assert_true(iso.deny_listen);
	assert_true(iso.protect_cgroups);
	assert_false(iso.unshare & TJ_NS_NET);
	assert_false(iso.hide_sockets);
	/* --net host alone is not a rule. */
	struct tj_net_policy plain = {.mode = TJ_NET_HOST};
	memset(&iso, 0, sizeof(iso));
	compose(&limits, &plain, &iso);
	assert_false(iso.deny_listen || iso.protect_cgroups);
}

/* A cgroup limit: the command must not leave its cgroup. */
static void test_compose_cgroup_limit(void **state)
{
	(void)state;
	struct tj_limits limits = {.has_memory = true, .memory = 64 << 20};
	struct tj_net_policy net = {0};
	struct tj_isolation iso = {0};
	compose(&limits, &net, &iso);
	assert_true(iso.protect_cgroups);
	assert_false(iso.deny_listen || iso.hide_sockets);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row_has_a_phase_and_a_reason),
		cmocka_unit_test(test_phases_in_order),
		cmocka_unit_test(test_per_process_layers_run_in_the_command),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_compose_nothing_asked),
		cmocka_unit_test(test_compose_isolated_network_hides_sockets),
		cmocka_unit_test(test_compose_host_rules),
		cmocka_unit_test(test_compose_cgroup_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
