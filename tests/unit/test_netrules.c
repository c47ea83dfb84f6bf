/* SPDX-License-Identifier: Apache-2.0 */
/* Host mode's rules: the reference decision, the resolvers, the words, and
 * the refusal events made from the kernel's records. */
#include "unit.h"

#include <arpa/inet.h>
#include <unistd.h>

#include "tj/base/util.h"
#include "tj/events/events.h"
#include "tj/launch/net_source.h"
#include "tj/net/netrules.h"

static struct sockaddr_storage addr(const char *text)
{
	struct sockaddr_storage a;
	if (!tj_net_parse_addr(text, &a))
		fail_msg("'%s' does not parse", text);
	return a;
}

static int decide(const struct tj_net_rules *r, const char *a, uint16_t port)
{
	struct sockaddr_storage s = addr(a);
	return tj_net_rules_decide(r, &s, port);
}

static void cidrs(struct tj_cidr_list *l, const char *list)
{
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_add_cidrs(l, list, &err), 0);
}

static void test_host_rules_wanted(void **state)
{
	(void)state;
	struct tj_net_policy p = {.mode = TJ_NET_HOST};
	assert_false(tj_net_host_rules(&p)); /* --net host alone: no programs */
	p.deny_private = true;
	assert_true(tj_net_host_rules(&p));
	assert_false(tj_net_rules_ports_only(&p));
	p.mode = TJ_NET_NONE;
	assert_false(tj_net_host_rules(&p));
	struct tj_net_policy q = {.mode = TJ_NET_HOST, .has_ports = true};
	assert_true(tj_net_host_rules(&q));
	assert_true(tj_net_rules_ports_only(&q));
	q.has_dns = true;
	assert_false(tj_net_rules_ports_only(&q));
	assert_false(tj_net_host_rules(NULL));
}

static void test_decision_order(void **state)
{
	(void)state;
	struct tj_net_policy p = {.mode = TJ_NET_HOST, .deny_private = true, .has_dns = true, .has_ports = true};
	cidrs(&p.dns, "10.255.255.53,fd00::53");
	cidrs(&p.deny_cidrs, "10.255.255.53/32,203.0.113.0/24");
	cidrs(&p.allow_cidrs, "10.1.0.0/16");
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_add_ports(&p.ports, "80,443", &err), 0);
	struct tj_net_rules r;
	assert_int_equal(tj_net_rules_init(&r, &p, "/nonexistent", &err), 0);
	assert_string_equal(r.resolvers_from, "--net-dns");

	/* 1. a denied range wins over everything, even a resolver */
	assert_int_equal(decide(&r, "10.255.255.53", 53), TJ_NR_DENY_CIDR);
	assert_int_equal(decide(&r, "203.0.113.9", 443), TJ_NR_DENY_CIDR);
	/* ...also reached through an IPv4-mapped IPv6 address */
	assert_int_equal(decide(&r, "::ffff:203.0.113.9", 443), TJ_NR_DENY_CIDR);
	/* 2. port 53 to a resolver: allowed although private and not in the
	 * ports; to anything else refused although public */
	assert_int_equal(decide(&r, "fd00::53", 53), TJ_NR_ALLOWED);
	assert_int_equal(decide(&r, "9.9.9.9", 53), TJ_NR_DNS);
	assert_int_equal(decide(&r, "fd00::53", 80), TJ_NR_SPECIAL);
	/* 3. ports */
	assert_int_equal(decide(&r, "93.184.216.34", 443), TJ_NR_ALLOWED);
	assert_int_equal(decide(&r, "93.184.216.34", 22), TJ_NR_PORT);
	assert_int_equal(decide(&r, "10.1.2.3", 22), TJ_NR_PORT); /* allow-cidr does not open ports */
	/* 4. allowed ranges re-allow private ones; 5. the rest is refused */
	assert_int_equal(decide(&r, "10.1.2.3", 80), TJ_NR_ALLOWED);
	assert_int_equal(decide(&r, "::ffff:10.1.2.3", 80), TJ_NR_ALLOWED);
	assert_int_equal(decide(&r, "10.2.0.1", 80), TJ_NR_SPECIAL);
	assert_int_equal(decide(&r, "127.0.0.1", 443), TJ_NR_SPECIAL);
	assert_int_equal(decide(&r, "::1", 443), TJ_NR_SPECIAL);
	assert_int_equal(decide(&r, "::ffff:192.168.1.1", 443), TJ_NR_SPECIAL);
	assert_int_equal(decide(&r, "64:ff9b::10.0.0.1", 443), TJ_NR_SPECIAL); /* NAT64 */
	assert_int_equal(decide(&r, "2002:0a00:0001::1", 443), TJ_NR_SPECIAL); /* 6to4 of 10.0.0.1 */
	assert_int_equal(decide(&r, "2002:5db8:d822::1", 443), TJ_NR_ALLOWED); /* 6to4 of a public one */
	assert_int_equal(decide(&r, "2606:4700::1", 443), TJ_NR_ALLOWED);
	tj_net_rules_done(&r);
	tj_net_policy_done(&p);
}

static void test_without_deny_private(void **state)
{
	(void)state;
	struct tj_net_policy p = {.mode = TJ_NET_HOST};
	cidrs(&p.deny_cidrs, "192.0.2.0/24");
	cidrs(&p.dns, "127.0.0.53");
	p.has_dns = true;
	struct tj_net_rules r;
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_rules_init(&r, &p, "/nonexistent", &err), 0);
	assert_int_equal(decide(&r, "10.0.0.1", 22), TJ_NR_ALLOWED);
	assert_int_equal(decide(&r, "127.0.0.1", 0), TJ_NR_ALLOWED);
	assert_int_equal(decide(&r, "192.0.2.1", 80), TJ_NR_DENY_CIDR);
	assert_int_equal(decide(&r, "127.0.0.53", 53), TJ_NR_ALLOWED);
	assert_int_equal(decide(&r, "127.0.0.1", 53), TJ_NR_DNS);
	tj_net_rules_done(&r);
	tj_net_policy_done(&p);
}

static void test_resolv_conf(void **state)
{
	(void)state;
	struct tj_cidr_list l = {0};
	const char *text = "# generated\n"
			   "search example.org\n"
			   "nameserver 10.255.255.53\n"
			   "nameserver\tfe80::1%eth0\n"
			   "nameserver not-an-address\n"
			   "options edns0\n"
			   "nameserver 2001:db8::53";
	assert_int_equal(tj_net_parse_resolv_conf(text, &l), 3);
	char buf[64];
	tj_cidr_format(&l.v[0], buf, sizeof(buf));
	assert_string_equal(buf, "10.255.255.53");
	tj_cidr_format(&l.v[1], buf, sizeof(buf));
	assert_string_equal(buf, "fe80::1");
	assert_int_equal(l.v[2].prefix, 128);
	free(l.v);

	/* From a file; none named (or no file): 127.0.0.1, as glibc. */
	char path[] = "/tmp/tj-resolv-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "nameserver 192.0.2.53\n", 22), 22);
	close(fd);
	struct tj_net_policy p = {.mode = TJ_NET_HOST, .deny_private = true};
	struct tj_net_rules r;
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_rules_init(&r, &p, path, &err), 0);
	assert_int_equal(r.resolvers.n, 1);
	assert_string_equal(r.resolvers_from, path);
	assert_int_equal(decide(&r, "192.0.2.53", 53), TJ_NR_ALLOWED);
	tj_net_rules_done(&r);
	unlink(path);
	assert_int_equal(tj_net_rules_init(&r, &p, path, &err), 0);
	assert_int_equal(r.resolvers.n, 1);
	assert_int_equal(decide(&r, "127.0.0.1", 53), TJ_NR_ALLOWED);
	tj_net_rules_done(&r);
}

static void test_reasons_and_description(void **state)
{
	(void)state;
	struct tj_net_policy p = {.mode = TJ_NET_HOST, .deny_private = true, .has_ports = true, .has_dns = true};
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_add_ports(&p.ports, "80,443", &err), 0);
	cidrs(&p.deny_cidrs, "198.51.100.0/24");
	cidrs(&p.allow_cidrs, "10.9.0.0/16");
	cidrs(&p.dns, "10.0.0.53");
	struct tj_net_rules r;
	assert_int_equal(tj_net_rules_init(&r, &p, "/nonexistent", &err), 0);
	struct sockaddr_storage a = addr("198.51.100.7");
	char *s = tj_net_rules_reason(&r, TJ_NR_DENY_CIDR, &a, 80);
	assert_string_equal(s, "the address is in a denied range (--net-deny-cidr 198.51.100.0/24)");
	free(s);
	a = addr("8.8.8.8");
	s = tj_net_rules_reason(&r, TJ_NR_DNS, &a, 53);
	assert_string_equal(s, "DNS (port 53) goes only to the resolvers: 10.0.0.53 (--net-dns)");
	free(s);
	s = tj_net_rules_reason(&r, TJ_NR_PORT, &a, 22);
	assert_string_equal(s, "port 22 is not in --net-ports (80, 443)");
	free(s);
	a = addr("::ffff:10.1.2.3");
	s = tj_net_rules_reason(&r, TJ_NR_SPECIAL, &a, 80);
	assert_string_equal(s, "private (10.0.0.0/8), refused by --net-deny-private");
	free(s);
	struct tj_buf b = {0};
	tj_net_rules_describe(&r, &b);
	assert_string_equal(b.s, "refused: 198.51.100.0/24; ports 80, 443; no private or special ranges except "
				 "10.9.0.0/16; DNS (port 53) only to 10.0.0.53 (--net-dns)");
	tj_buf_done(&b);
	tj_net_rules_done(&r);
	tj_net_policy_done(&p);
}

/* The kernel's copy of the special ranges covers exactly what
 * tj_net_special_range names. */
static void test_special_cidrs(void **state)
{
	(void)state;
	struct tj_cidr_list v4 = {0}, v6 = {0};
	tj_net_special_cidrs(&v4, &v6);
	assert_int_equal(v4.n, 14);
	assert_int_equal(v6.n, 10);
	for (size_t i = 0; i < v4.n + v6.n; i++) {
		const struct tj_cidr *c = i < v4.n ? &v4.v[i] : &v6.v[i - v4.n];
		assert_int_equal(c->family, i < v4.n ? AF_INET : AF_INET6);
		/* the first and the last address of each range */
		struct sockaddr_storage a = {.ss_family = (sa_family_t)c->family};
		uint8_t *raw = c->family == AF_INET ? (uint8_t *)&((struct sockaddr_in *)&a)->sin_addr
						    : ((struct sockaddr_in6 *)&a)->sin6_addr.s6_addr;
		unsigned bytes = c->family == AF_INET ? 4 : 16;
		memcpy(raw, c->addr, bytes);
		assert_non_null(tj_net_special_range(&a));
		assert_true(tj_cidr_contains(c, &a));
		for (unsigned bit = c->prefix; bit < bytes * 8; bit++)
			raw[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
		assert_non_null(tj_net_special_range(&a));
		assert_true(tj_cidr_contains(c, &a));
	}
	free(v4.v);
	free(v6.v);
}

static char notice_text[512];

static void on_notice(void *ctx, const char *text)
{
	(void)ctx;
	snprintf(notice_text, sizeof(notice_text), "%s", text);
}

static void test_event_from_record(void **state)
{
	(void)state;
	struct tj_net_policy p = {.mode = TJ_NET_HOST, .has_ports = true};
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_add_ports(&p.ports, "443", &err), 0);
	struct tj_net_rules r;
	assert_int_equal(tj_net_rules_init(&r, &p, "/nonexistent", &err), 0);
	char path[] = "/tmp/tj-netlog-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct tj_events ev = {0};
	assert_int_equal(tj_events_open(&ev, path, &err), 0);
	ev.notice = on_notice;
	struct tj_nr_event rec = {.pid = 4242,
				  .hook = TJ_NR_CONNECT,
				  .family = AF_INET6,
				  .protocol = 6,
				  .reason = TJ_NR_PORT,
				  .port = 22,
				  .comm = "ssh"};
	inet_pton(AF_INET6, "2001:db8::22", rec.addr);
	tj_net_source_event(&r, &rec, &ev);
	struct tj_nr_event rec2 = {.pid = 7,
				   .hook = TJ_NR_SENDMSG,
				   .family = AF_INET,
				   .protocol = 17,
				   .reason = TJ_NR_DNS,
				   .port = 53,
				   .comm = "dig"};
	inet_pton(AF_INET, "9.9.9.9", rec2.addr);
	tj_net_source_event(&r, &rec2, &ev);
	assert_int_equal(ev.net_refusals, 2);
	assert_contains(notice_text, "network refused: sendmsg inet/udp 9.9.9.9 port 53 by pid 7 (dig): DNS (port 53)");
	assert_int_equal(tj_events_close(&ev, &err), 0);
	FILE *f = fopen(path, "r");
	char line[1024], all[4096] = "";
	while (fgets(line, sizeof(line), f))
		strncat(all, line, sizeof(all) - strlen(all) - 1);
	fclose(f);
	unlink(path);
	assert_contains(all, "\"event\":\"network\",\"action\":\"refused\",\"pid\":4242,\"comm\":\"ssh\",\"syscall\":"
			     "\"connect\",\"family\":\"inet6\",\"protocol\":\"tcp\",\"address\":\"2001:db8::22\","
			     "\"port\":22,\"reason\":\"port 22 is not in --net-ports (443)\"");
	tj_net_rules_done(&r);
	tj_net_policy_done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_rules_wanted),	cmocka_unit_test(test_decision_order),
		cmocka_unit_test(test_without_deny_private),	cmocka_unit_test(test_resolv_conf),
		cmocka_unit_test(test_reasons_and_description), cmocka_unit_test(test_special_cidrs),
		cmocka_unit_test(test_event_from_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
