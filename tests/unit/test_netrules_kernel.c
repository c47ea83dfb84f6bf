/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host-rules BPF programs on the real kernel agree with the C reference
 * (tj_net_rules_decide): for fixed and random policies, a child in a fresh
 * cgroup v2 with the programs attached tries TCP connect, UDP connect and
 * UDP sendto to many destinations; EPERM must be exactly the C decision's
 * refusals, and each refusal's ring-buffer record must carry the C reason.
 *
 * BPF_PROG_TEST_RUN does not support sock_addr programs (ENOTSUPP on Linux
 * 6.18), hence real calls.  They are made in a new network namespace with
 * no interface up, so nothing can leave: an allowed attempt ends in
 * ENETUNREACH (or another error), never in a packet.  Needs root and a
 * writable cgroup v2; skipped otherwise (a failure with TJ_STRICT_SKIPS=1).
 */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tj/base/util.h"
#include "tj/layers/cgroup.h"
#include "tj/layers/layer.h"
#include "tj/net/netrules.h"

#define MAX_CASES 1024

enum how {
	TCP_CONNECT,
	UDP_CONNECT,
	UDP_SENDTO,
	NHOW
};

struct kcase {
	struct sockaddr_storage a;
	uint16_t port;
	int how;
	int expect; /* enum tj_nr_reason from C */
};

static char base[4096];
static const char *skip_why;
static unsigned seed = 20261123;

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		skip_why = "not root";
	} else {
		struct tj_cg_system sys;
		struct tj_err *err = NULL;
		if (tj_cg_discover("/proc/self", 0, &sys, &err) < 0 || !sys.v2_base) {
			skip_why = "no writable cgroup v2";
			tj_err_free(err);
		} else {
			snprintf(base, sizeof(base), "%s/tj-unit-netrules-%d", sys.v2_base, (int)getpid());
			if (mkdir(base, 0755) < 0)
				skip_why = "cannot create a cgroup v2";
		}
		tj_cg_system_done(&sys);
	}
	if (skip_why) {
		const char *strict = getenv("TJ_STRICT_SKIPS");
		if (strict && strcmp(strict, "1") == 0) {
			fprintf(stderr, "test_netrules_kernel: %s (TJ_STRICT_SKIPS=1)\n", skip_why);
			return -1;
		}
		print_message("test_netrules_kernel: skipped: %s\n", skip_why);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (base[0])
		rmdir(base);
	return 0;
}

static unsigned rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

/* The child: joins the cgroup, leaves the host's network, tries each case. */
static void child(const char *cg, const struct kcase *cases, size_t n, int *results)
{
	char procs[4300];
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	int fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1)
		_exit(2);
	close(fd);
	/* Safety first: no attempt is made outside the empty namespace. */
	if (unshare(CLONE_NEWNET) < 0)
		_exit(3);
	for (size_t i = 0; i < n; i++) {
		const struct kcase *c = &cases[i];
		struct sockaddr_storage a = c->a;
		socklen_t len = a.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		if (a.ss_family == AF_INET)
			((struct sockaddr_in *)&a)->sin_port = htons(c->port);
		else
			((struct sockaddr_in6 *)&a)->sin6_port = htons(c->port);
		int s = socket(a.ss_family, (c->how == TCP_CONNECT ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK, 0);
		if (s < 0)
			_exit(4);
		int r = c->how == UDP_SENDTO ? (int)sendto(s, "x", 1, 0, (struct sockaddr *)&a, len)
					     : connect(s, (struct sockaddr *)&a, len);
		results[i] = r < 0 ? errno : 0;
		close(s);
	}
	_exit(0);
}

struct seen {
	struct tj_nr_event v[MAX_CASES * 2];
	size_t n;
};

static void on_record(void *ctx, const struct tj_nr_event *e)
{
	struct seen *s = ctx;
	if (s->n < TJ_ARRAY_SIZE(s->v))
		s->v[s->n++] = *e;
}

static void check_policy(const struct tj_net_policy *p, struct kcase *cases, size_t n, const char *label)
{
	struct tj_net_rules rules;
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_rules_init(&rules, p, TJ_RESOLV_CONF, &err), 0);
	size_t refusals = 0;
	for (size_t i = 0; i < n; i++) {
		cases[i].expect = tj_net_rules_decide(&rules, &cases[i].a, cases[i].port);
		refusals += cases[i].expect != TJ_NR_ALLOWED;
	}

	struct tj_plan plan = {.net = p};
	void *st = NULL;
	if (tj_layer_net.prepare(&plan, &st, &err) < 0)
		fail_msg("%s: prepare: %s", label, err->msg);
	char cg[4200];
	snprintf(cg, sizeof(cg), "%s/%s", base, label);
	assert_int_equal(mkdir(cg, 0755), 0);
	int cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(cgfd >= 0);
	if (tj_layer_net_attach(st, cgfd, cg, &err) < 0)
		fail_msg("%s: attach: %s", label, err->msg);

	int *results = mmap(NULL, MAX_CASES * sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(results != MAP_FAILED);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(cg, cases, n, results);
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	struct seen *seen = calloc(1, sizeof(*seen));
	tj_layer_net_drain(st, on_record, seen);
	size_t next = 0;
	for (size_t i = 0; i < n; i++) {
		const struct kcase *c = &cases[i];
		char text[INET6_ADDRSTRLEN];
		tj_net_format_addr(&c->a, text, sizeof(text));
		bool refused = results[i] == EPERM;
		if (refused != (c->expect != TJ_NR_ALLOWED))
			fail_msg("%s: %s %s port %u: the kernel %s (errno %d), C says reason %d", label,
				 c->how == TCP_CONNECT	 ? "tcp connect"
				 : c->how == UDP_CONNECT ? "udp connect"
							 : "udp sendto",
				 text, c->port, refused ? "refused" : "allowed", results[i], c->expect);
		if (!refused)
			continue;
		/* The records come in order, with the C reason. */
		assert_true(next < seen->n);
		const struct tj_nr_event *e = &seen->v[next++];
		assert_int_equal(e->port, c->port);
		assert_int_equal(e->pid, (uint32_t)pid);
		if (e->reason != c->expect)
			fail_msg("%s: %s port %u: the kernel's reason %d, C's %d", label, text, c->port, e->reason,
				 c->expect);
		assert_int_equal(e->hook, c->how == UDP_SENDTO ? TJ_NR_SENDMSG : TJ_NR_CONNECT);
	}
	assert_int_equal(next, seen->n);
	uint64_t counted, unrecorded;
	tj_layer_net_counts(st, &counted, &unrecorded);
	assert_int_equal(counted, refusals);
	assert_int_equal(unrecorded, 0);
	print_message("%s: %zu attempts, %zu refused, all as the C rules decide\n", label, n, refusals);

	free(seen);
	munmap(results, MAX_CASES * sizeof(int));
	close(cgfd);
	tj_layer_net.release(st);
	assert_int_equal(rmdir(cg), 0);
	tj_net_rules_done(&rules);
}

/* Addresses around every special range and some ordinary ones, in their
 * IPv4, IPv4-mapped, NAT64 and 6to4 forms. */
static const char *const fixed_addrs[] = {
	"0.0.0.1",
	"9.255.255.255",
	"10.0.0.1",
	"10.1.2.3",
	"10.255.255.53",
	"11.0.0.1",
	"100.63.255.255",
	"100.64.0.1",
	"100.127.255.255",
	"127.0.0.1",
	"127.0.0.53",
	"169.254.169.254",
	"172.15.255.255",
	"172.16.0.1",
	"172.31.255.255",
	"172.32.0.1",
	"192.0.0.1",
	"192.0.2.7",
	"192.168.1.1",
	"198.18.0.1",
	"198.51.100.9",
	"203.0.113.5",
	"224.0.0.251",
	"239.255.255.250",
	"240.0.0.1",
	"255.255.255.255",
	"1.1.1.1",
	"8.8.8.8",
	"93.184.216.34",
	"::",
	"::1",
	"::2",
	"::ffff:10.1.2.3",
	"::ffff:8.8.8.8",
	"::ffff:127.0.0.1",
	"::ffff:198.51.100.9",
	"64:ff9b::a01:203",
	"64:ff9b::808:808",
	"2002:a01:203::1",
	"2002:808:808::1",
	"100::1",
	"2001:db8::1",
	"2001::1",
	"fc00::1",
	"fd00::53",
	"fe80::1",
	"fec0::1",
	"ff02::1",
	"2606:4700::1111",
	"2a00:1450::1",
};

static size_t add_cases(struct kcase *cases, size_t n, const char *text, const uint16_t *ports, size_t nports)
{
	for (size_t j = 0; j < nports; j++)
		for (int how = 0; how < NHOW && n < MAX_CASES; how++) {
			if (!tj_net_parse_addr(text, &cases[n].a))
				fail_msg("'%s' does not parse", text);
			cases[n].port = ports[j];
			cases[n].how = how;
			n++;
		}
	return n;
}

static void test_fixed_policies(void **state)
{
	(void)state;
	if (skip_why)
		skip();
	static const uint16_t ports[] = {53, 80, 443};
	static struct kcase cases[MAX_CASES];
	size_t n = 0;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(fixed_addrs); i++)
		n = add_cases(cases, n, fixed_addrs[i], ports, TJ_ARRAY_SIZE(ports));
	struct tj_err *err = NULL;

	/* NET-005 with the resolvers from /etc/resolv.conf */
	struct tj_net_policy a = {.mode = TJ_NET_HOST, .deny_private = true};
	check_policy(&a, cases, n, "deny-private");

	/* NET-006: ports 80 and 443, DNS to a chosen resolver */
	struct tj_net_policy b = {.mode = TJ_NET_HOST, .has_ports = true, .has_dns = true};
	assert_int_equal(tj_net_add_ports(&b.ports, "80,443", &err), 0);
	assert_int_equal(tj_net_add_cidrs(&b.dns, "10.255.255.53,fd00::53", &err), 0);
	check_policy(&b, cases, n, "ports");

	/* everything at once */
	struct tj_net_policy c = {.mode = TJ_NET_HOST, .deny_private = true, .has_ports = true, .has_dns = true};
	assert_int_equal(tj_net_add_ports(&c.ports, "443,53", &err), 0);
	assert_int_equal(tj_net_add_cidrs(&c.dns, "127.0.0.53,::1", &err), 0);
	assert_int_equal(tj_net_add_cidrs(&c.allow_cidrs, "10.1.0.0/16,fd00::/8,192.168.0.0/16", &err), 0);
	assert_int_equal(tj_net_add_cidrs(&c.deny_cidrs, "8.8.8.0/24,198.51.100.9,2606:4700::/32", &err), 0);
	check_policy(&c, cases, n, "all-rules");

	/* an empty port list refuses every port but DNS */
	struct tj_net_policy d = {.mode = TJ_NET_HOST, .has_ports = true};
	check_policy(&d, cases, n, "no-ports");
	tj_net_policy_done(&b);
	tj_net_policy_done(&c);
}

static void random_addr(char *buf, size_t size)
{
	switch (rnd() % 4) {
	case 0: /* anywhere */
		snprintf(buf, size, "%u.%u.%u.%u", rnd() % 256, rnd() % 256, rnd() % 256, rnd() % 256);
		break;
	case 1: /* near the pools below */
		snprintf(buf, size, "10.%u.%u.%u", rnd() % 4, rnd() % 256, rnd() % 256);
		break;
	case 2:
		snprintf(buf, size, "::ffff:%u.%u.%u.%u", rnd() % 2 ? 10 : 192, rnd() % 256, rnd() % 256, rnd() % 256);
		break;
	default: snprintf(buf, size, "%x:%x::%x", rnd() % 2 ? 0xfd00 : 0x2001, rnd() % 0x10000, rnd() % 0x10000);
	}
}

static void test_random_policies(void **state)
{
	(void)state;
	if (skip_why)
		skip();
	static const char *const pool[] = {"10.0.0.0/8", "10.1.0.0/16", "10.2.3.0/24", "10.3.3.3",
					   "0.0.0.0/0",	 "8.0.0.0/7",	"192.0.0.0/2", "fd00::/8",
					   "2001::/16",	 "::/0",	"fd00:1::/32", "10.0.0.0/9"};
	static struct kcase cases[MAX_CASES];
	print_message("test_random_policies: seed %u\n", seed);
	for (int round = 0; round < 16; round++) {
		struct tj_net_policy p = {.mode = TJ_NET_HOST, .deny_private = rnd() % 2, .has_dns = true};
		struct tj_err *err = NULL;
		for (int k = (int)(rnd() % 3); k > 0; k--)
			assert_int_equal(tj_net_add_cidrs(&p.deny_cidrs, pool[rnd() % TJ_ARRAY_SIZE(pool)], &err), 0);
		for (int k = (int)(rnd() % 3); k > 0; k--)
			assert_int_equal(tj_net_add_cidrs(&p.allow_cidrs, pool[rnd() % TJ_ARRAY_SIZE(pool)], &err), 0);
		assert_int_equal(tj_net_add_cidrs(&p.dns, pool[rnd() % TJ_ARRAY_SIZE(pool)], &err), 0);
		if (rnd() % 2) {
			p.has_ports = true;
			assert_int_equal(tj_net_add_ports(&p.ports, rnd() % 2 ? "80,8080" : "443", &err), 0);
		}
		uint16_t ports[] = {53, 80, (uint16_t)(1 + rnd() % 65535)};
		size_t n = 0;
		for (int i = 0; i < 60 && n < MAX_CASES; i++) {
			char text[64];
			random_addr(text, sizeof(text));
			n = add_cases(cases, n, text, ports, TJ_ARRAY_SIZE(ports));
		}
		char label[32];
		snprintf(label, sizeof(label), "random-%d", round);
		check_policy(&p, cases, n, label);
		tj_net_policy_done(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_policies),
		cmocka_unit_test(test_random_policies),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
