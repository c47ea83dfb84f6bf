/* SPDX-License-Identifier: Apache-2.0 */
/* The network policy: parsing, address ranges, the proxy's decisions. */
#include "unit.h"

#include <arpa/inet.h>

#include "tj/base/util.h"
#include "tj/model/netpolicy.h"

static void expect_error(int r, struct tj_err **err, const char *fragment)
{
	assert_int_equal(r, -1);
	assert_non_null(*err);
	assert_contains((*err)->msg, fragment);
	tj_err_free(*err);
	*err = NULL;
}

static struct sockaddr_storage addr(const char *text)
{
	struct sockaddr_storage a;
	if (!tj_net_parse_addr(text, &a))
		fail_msg("'%s' does not parse", text);
	return a;
}

static void test_modes_and_allowlist(void **state)
{
	(void)state;
	struct tj_net_policy p = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_parse_mode(&p, "none", &err), 0);
	assert_int_equal(p.mode, TJ_NET_NONE);
	assert_int_equal(tj_net_parse_mode(&p, "host", &err), 0);
	assert_int_equal(p.mode, TJ_NET_HOST);
	assert_int_equal(tj_net_parse_mode(&p, "allow=Example.ORG.,*.debian.org:443,10.0.0.5:8080,[::1]:80,fd00::7",
					   &err),
			 0);
	assert_int_equal(p.mode, TJ_NET_FILTERED);
	assert_int_equal(p.nallow, 5);
	assert_string_equal(p.allow[0].pattern, "example.org");
	assert_int_equal(p.allow[0].nports, 0);
	assert_string_equal(p.allow[1].pattern, "*.debian.org");
	assert_int_equal(p.allow[1].ports[0], 443);
	assert_string_equal(p.allow[2].pattern, "10.0.0.5");
	assert_int_equal(p.allow[2].ports[0], 8080);
	assert_string_equal(p.allow[3].pattern, "::1");
	assert_string_equal(p.allow[4].pattern, "fd00::7");
	expect_error(tj_net_parse_mode(&p, "all", &err), &err, "expected none, host or allow=");
	expect_error(tj_net_add_allow(&p, "bad host", &err), &err, "is not a host name");
	expect_error(tj_net_add_allow(&p, "a..b", &err), &err, "is not a host name");
	expect_error(tj_net_add_allow(&p, "x.*.org", &err), &err, "is not a host name");
	expect_error(tj_net_add_allow(&p, "example.org:0", &err), &err, "is not a port");
	expect_error(tj_net_add_allow(&p, "example.org:https", &err), &err, "is not a port");
	expect_error(tj_net_add_allow(&p, "[::1", &err), &err, "expected [IPv6]");
	expect_error(tj_net_add_allow(&p, "", &err), &err, "an empty list");
	tj_net_policy_done(&p);
}

static void test_match_host(void **state)
{
	(void)state;
	struct tj_net_policy p = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_parse_mode(&p, "allow=example.org,*.debian.org:443,10.0.0.5:8080,::1", &err), 0);
	const char *why = NULL;
	assert_non_null(tj_net_match_host(&p, "example.org", 443, &why));
	assert_non_null(tj_net_match_host(&p, "EXAMPLE.org.", 80, &why));
	assert_null(tj_net_match_host(&p, "example.org", 22, &why)); /* default ports: 80, 443 */
	assert_contains(why, "port is not allowed");
	assert_null(tj_net_match_host(&p, "www.example.org", 443, &why)); /* exact names are exact */
	assert_contains(why, "not in the allowlist");
	assert_null(tj_net_match_host(&p, "example.org.evil.net", 443, &why));
	assert_non_null(tj_net_match_host(&p, "deb.debian.org", 443, &why));
	assert_non_null(tj_net_match_host(&p, "a.b.debian.org", 443, &why));
	assert_null(tj_net_match_host(&p, "debian.org", 443, &why));	/* "*." needs a label */
	assert_null(tj_net_match_host(&p, "deb.debian.org", 80, &why)); /* that entry names 443 */
	assert_null(tj_net_match_host(&p, "evildebian.org", 443, &why));
	assert_non_null(tj_net_match_host(&p, "10.0.0.5", 8080, &why));
	assert_null(tj_net_match_host(&p, "10.0.0.5", 80, &why));
	assert_non_null(tj_net_match_host(&p, "[0:0::1]", 80, &why)); /* addresses compare as addresses */
	/* Ports of one's own replace 80 and 443. */
	assert_int_equal(tj_net_add_ports(&p.ports, "8443", &err), 0);
	p.has_ports = true;
	assert_null(tj_net_match_host(&p, "example.org", 443, &why));
	assert_non_null(tj_net_match_host(&p, "example.org", 8443, &why));
	tj_net_policy_done(&p);
}

static void test_special_ranges(void **state)
{
	(void)state;
	static const struct {
		const char *addr, *range; /* NULL: an ordinary address */
	} cases[] = {
		{"10.1.2.3", "private (10.0.0.0/8)"},
		{"172.16.0.1", "private (172.16.0.0/12)"},
		{"172.31.255.255", "private (172.16.0.0/12)"},
		{"172.32.0.1", NULL},
		{"192.168.1.1", "private (192.168.0.0/16)"},
		{"127.0.0.1", "loopback"},
		{"127.255.0.9", "loopback"},
		{"169.254.169.254", "link-local"},
		{"100.64.0.1", "CGNAT"},
		{"100.128.0.1", NULL},
		{"0.0.0.0", "unspecified"},
		{"224.0.0.1", "multicast"},
		{"255.255.255.255", "reserved"},
		{"192.0.2.10", "documentation"},
		{"93.184.216.34", NULL},
		{"8.8.8.8", NULL},
		{"::", "unspecified"},
		{"::1", "loopback"},
		{"fe80::1", "link-local"},
		{"fd12:3456::1", "unique local"},
		{"fc00::1", "unique local"},
		{"ff02::1", "multicast"},
		{"2001:db8::1", "documentation"},
		{"::ffff:10.0.0.1", "private (10.0.0.0/8)"}, /* mapped: judged as IPv4 */
		{"::ffff:127.0.0.1", "loopback"},
		{"64:ff9b::c0a8:0101", "private (192.168.0.0/16)"}, /* NAT64 */
		{"2002:0a00:0001::1", "private (10.0.0.0/8)"},	    /* 6to4 */
		{"2606:4700::1111", NULL},
		{"::ffff:8.8.8.8", NULL},
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(cases); i++) {
		struct sockaddr_storage a = addr(cases[i].addr);
		const char *r = tj_net_special_range(&a);
		if (!cases[i].range && r)
			fail_msg("%s: '%s', expected an ordinary address", cases[i].addr, r);
		if (cases[i].range && (!r || !strstr(r, cases[i].range)))
			fail_msg("%s: '%s', expected '%s'", cases[i].addr, r ? r : "(none)", cases[i].range);
	}
}

static void test_cidrs(void **state)
{
	(void)state;
	struct tj_cidr_list l = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_add_cidrs(&l, "10.0.0.0/8,192.0.2.7,fd00::/8,::1", &err), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[1].prefix, 32);
	assert_int_equal(l.v[3].prefix, 128);
	struct sockaddr_storage a = addr("10.200.3.4");
	assert_true(tj_cidr_list_contains(&l, &a));
	a = addr("11.0.0.1");
	assert_false(tj_cidr_list_contains(&l, &a));
	a = addr("192.0.2.7");
	assert_true(tj_cidr_list_contains(&l, &a));
	a = addr("192.0.2.8");
	assert_false(tj_cidr_list_contains(&l, &a));
	a = addr("fd99::1");
	assert_true(tj_cidr_list_contains(&l, &a));
	a = addr("fe80::1");
	assert_false(tj_cidr_list_contains(&l, &a));
	expect_error(tj_net_add_cidrs(&l, "10.0.0.1/8", &err), &err, "bits set beyond the prefix");
	expect_error(tj_net_add_cidrs(&l, "10.0.0.0/33", &err), &err, "prefix length is 0 to 32");
	expect_error(tj_net_add_cidrs(&l, "example.org", &err), &err, "is not an IPv4 or IPv6 address");
	struct tj_cidr_list all = {0};
	assert_int_equal(tj_net_add_cidrs(&all, "0.0.0.0/0", &err), 0);
	a = addr("203.0.113.9");
	assert_true(tj_cidr_list_contains(&all, &a));
	a = addr("::1");
	assert_false(tj_cidr_list_contains(&all, &a)); /* families never mix */
	free(l.v);
	free(all.v);
}

static void test_addr_allowed(void **state)
{
	(void)state;
	struct tj_net_policy p = {.mode = TJ_NET_FILTERED};
	struct tj_err *err = NULL;
	const char *why = NULL;
	struct sockaddr_storage pub = addr("93.184.216.34"), priv = addr("10.0.0.5"), lo = addr("127.0.0.1");
	assert_true(tj_net_addr_allowed(&p, &pub, false, &why));
	assert_false(tj_net_addr_allowed(&p, &priv, false, &why));
	assert_contains(why, "private");
	assert_false(tj_net_addr_allowed(&p, &lo, false, &why));
	assert_true(tj_net_addr_allowed(&p, &lo, true, &why)); /* --resolve is an explicit allowance */
	assert_int_equal(tj_net_add_cidrs(&p.allow_cidrs, "10.0.0.0/24", &err), 0);
	assert_true(tj_net_addr_allowed(&p, &priv, false, &why));
	assert_int_equal(tj_net_add_cidrs(&p.deny_cidrs, "93.184.216.0/24,127.0.0.1", &err), 0);
	assert_false(tj_net_addr_allowed(&p, &pub, false, &why));
	assert_false(tj_net_addr_allowed(&p, &lo, true, &why)); /* a deny wins even over --resolve */
	/* An IPv4-mapped address is judged as the IPv4 address it reaches,
	 * by the deny and the allow lists alike. */
	struct sockaddr_storage pub_mapped = addr("::ffff:93.184.216.34"), priv_mapped = addr("::ffff:10.0.0.5");
	assert_false(tj_net_addr_allowed(&p, &pub_mapped, false, &why));
	assert_contains(why, "denied range");
	assert_true(tj_net_addr_allowed(&p, &priv_mapped, false, &why));
	/* Host mode refuses special ranges only when asked to. */
	struct tj_net_policy h = {.mode = TJ_NET_HOST};
	assert_true(tj_net_addr_allowed(&h, &priv, false, &why));
	h.deny_private = true;
	assert_false(tj_net_addr_allowed(&h, &priv, false, &why));
	assert_true(tj_net_port_allowed(&h, 22)); /* host mode: any port by default */
	tj_net_policy_done(&p);
}

static void test_resolve_merge_check(void **state)
{
	(void)state;
	struct tj_net_policy p = {0}, over = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_add_resolve(&p, "Example.org:127.0.0.1", &err), 0);
	assert_int_equal(tj_net_add_resolve(&p, "v6.test:[::1]", &err), 0);
	const struct tj_net_resolve *r = tj_net_find_resolve(&p, "EXAMPLE.ORG.");
	assert_non_null(r);
	char buf[64];
	tj_net_format_addr(&r->addr, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1");
	assert_null(tj_net_find_resolve(&p, "other.org"));
	expect_error(tj_net_add_resolve(&p, "example.org", &err), &err, "expected NAME:ADDRESS");
	expect_error(tj_net_add_resolve(&p, "example.org:localhost", &err), &err, "is not an IPv4 or IPv6");
	expect_error(tj_net_add_resolve(&p, "*.org:1.2.3.4", &err), &err, "is not a host name");
	/* --resolve without the proxy is a mistake worth naming. */
	expect_error(tj_net_policy_check(&p, &err), &err, "apply to the proxy");
	p.mode = TJ_NET_FILTERED;
	assert_int_equal(tj_net_policy_check(&p, &err), 0);

	assert_int_equal(tj_net_parse_mode(&over, "allow=a.org", &err), 0);
	over.max_conns = 3;
	over.conn_timeout_ms = 30000;
	tj_net_policy_merge(&p, &over);
	tj_net_policy_done(&over);
	assert_int_equal(p.nallow, 1);
	assert_string_equal(p.allow[0].pattern, "a.org");
	assert_int_equal(p.nresolve, 2);
	assert_int_equal(p.max_conns, 3);

	struct tj_net_policy n = {.mode = TJ_NET_NONE, .deny_private = true};
	expect_error(tj_net_policy_check(&n, &err), &err, "no way out");
	struct tj_net_policy u = {.deny_private = true};
	expect_error(tj_net_policy_check(&u, &err), &err, "need a network mode");
	assert_true(tj_net_policy_wanted(&u));
	struct tj_net_policy empty = {0};
	assert_false(tj_net_policy_wanted(&empty));
	tj_net_policy_done(&p);
}

/* --net-upstream-proxy: HOST:PORT, as HTTPS_PROXY spells it too; only with
 * the proxy. */
static void test_upstream(void **state)
{
	(void)state;
	struct tj_net_policy p = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_set_upstream(&p, "Proxy.Corp:3128", &err), 0);
	assert_string_equal(p.upstream_host, "proxy.corp");
	assert_int_equal(p.upstream_port, 3128);
	assert_int_equal(tj_net_set_upstream(&p, "http://10.1.2.3:8080/", &err), 0);
	assert_string_equal(p.upstream_host, "10.1.2.3");
	assert_int_equal(p.upstream_port, 8080);
	assert_int_equal(tj_net_set_upstream(&p, "[fd00::1]:3128", &err), 0);
	assert_string_equal(p.upstream_host, "fd00::1");
	static const char *const bad[] = {"proxy.corp",	      "proxy.corp:",	":3128",     "proxy.corp:0",
					  "proxy.corp:70000", "proxy.corp:31x", "[fd00::1]", "a b:80"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tj_net_set_upstream(&p, bad[i], &err), -1);
		tj_err_freep(&err);
	}
	assert_int_equal(tj_net_policy_check(&p, &err), -1); /* no --net allow= */
	tj_err_freep(&err);
	assert_int_equal(tj_net_parse_mode(&p, "allow=files.test", &err), 0);
	assert_int_equal(tj_net_policy_check(&p, &err), 0);
	struct tj_net_policy merged = {0};
	tj_net_policy_merge(&merged, &p);
	assert_string_equal(merged.upstream_host, "fd00::1");
	tj_net_policy_done(&merged);
	tj_net_policy_done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes_and_allowlist),
		cmocka_unit_test(test_match_host),
		cmocka_unit_test(test_special_ranges),
		cmocka_unit_test(test_cidrs),
		cmocka_unit_test(test_addr_allowed),
		cmocka_unit_test(test_resolve_merge_check),
		cmocka_unit_test(test_upstream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
