/* SPDX-License-Identifier: Apache-2.0 */
/* The proxy's decisions: protocol, name, port, then each resolved address. */
#include "unit.h"

#include "tj/net/proxy_rules.h"

struct fixture {
	struct tj_net_policy p;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct tj_err *err = NULL;
	if (tj_net_parse_mode(&f->p, "allow=files.test,*.cdn.test:443,10.9.8.7:8080,localhost:8000", &err) < 0 ||
	    tj_net_add_resolve(&f->p, "files.test:127.0.0.1", &err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tj_net_policy_done(&f->p);
	free(f);
	return 0;
}

static enum tj_proxy_rule judge(const struct tj_net_policy *p, const char *head, char *why, size_t size)
{
	struct tj_http_request req;
	if (tj_http_parse_request(head, strlen(head), &req) != 1)
		fail_msg("does not parse: %s", head);
	enum tj_proxy_rule r = tj_proxy_judge_request(p, &req, why, size);
	tj_http_request_done(&req);
	return r;
}

static void test_judge(void **state)
{
	struct fixture *f = *state;
	char why[256];
	assert_int_equal(judge(&f->p, "CONNECT files.test:443 HTTP/1.1\r\n\r\n", why, sizeof(why)), TJ_PROXY_RULE_NONE);
	assert_int_equal(judge(&f->p, "GET http://FILES.test/x HTTP/1.1\r\n\r\n", why, sizeof(why)),
			 TJ_PROXY_RULE_NONE);
	assert_int_equal(judge(&f->p, "CONNECT a.cdn.test:443 HTTP/1.1\r\n\r\n", why, sizeof(why)), TJ_PROXY_RULE_NONE);
	assert_int_equal(judge(&f->p, "CONNECT evil.test:443 HTTP/1.1\r\n\r\n", why, sizeof(why)),
			 TJ_PROXY_RULE_ALLOWLIST);
	/* ...and says what admits it. */
	assert_string_equal(why, "'evil.test' is not in the allowlist (--net allow=evil.test admits it)");
	/* NET-006 and NET-002: the name is allowed, the port is not. */
	for (int port = 21; port <= 25; port++) {
		char head[128];
		snprintf(head, sizeof(head), "CONNECT files.test:%d HTTP/1.1\r\n\r\n", port);
		assert_int_equal(judge(&f->p, head, why, sizeof(why)), TJ_PROXY_RULE_PORT);
	}
	assert_contains(why, "port 25 is not allowed for 'files.test' (ports 80,443)");
	assert_int_equal(judge(&f->p, "CONNECT a.cdn.test:80 HTTP/1.1\r\n\r\n", why, sizeof(why)), TJ_PROXY_RULE_PORT);
	assert_contains(why, "(ports 443)");
	assert_int_equal(judge(&f->p, "GET ftp://files.test/pub HTTP/1.1\r\n\r\n", why, sizeof(why)),
			 TJ_PROXY_RULE_PROTOCOL);
	assert_contains(why, "'ftp://' URLs are not forwarded");
	assert_int_equal(judge(&f->p, "GET https://files.test/ HTTP/1.1\r\n\r\n", why, sizeof(why)),
			 TJ_PROXY_RULE_PROTOCOL);
	assert_int_equal(judge(&f->p, "CONNECT 10.9.8.7:8080 HTTP/1.1\r\n\r\n", why, sizeof(why)), TJ_PROXY_RULE_NONE);
	assert_int_equal(judge(&f->p, "CONNECT 10.9.8.7:443 HTTP/1.1\r\n\r\n", why, sizeof(why)), TJ_PROXY_RULE_PORT);
	assert_string_equal(tj_proxy_rule_name(TJ_PROXY_RULE_MAX_CONNS), "max-connections");
	assert_string_equal(tj_proxy_rule_name(TJ_PROXY_RULE_LIFETIME), "connection-timeout");
}

static void test_addresses(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_storage a[4];
	bool mapped = false;
	char why[256] = "";
	/* --resolve: the mapping, an explicit allowance for that address. */
	assert_true(tj_proxy_static_address(&f->p, "Files.Test.", &a[0], &mapped));
	assert_true(mapped);
	assert_int_equal(tj_proxy_filter_addresses(&f->p, "files.test", a, 1, mapped, why, sizeof(why)), 1);
	/* A literal is its own address, not an allowance: 10/8 is refused. */
	assert_true(tj_proxy_static_address(&f->p, "10.9.8.7", &a[0], &mapped));
	assert_false(mapped);
	assert_int_equal(tj_proxy_filter_addresses(&f->p, "10.9.8.7", a, 1, mapped, why, sizeof(why)), 0);
	assert_string_equal(why, "10.9.8.7: private (10.0.0.0/8) (--net-allow-cidr 10.9.8.7/32 admits it)");
	/* A name needs resolving. */
	assert_false(tj_proxy_static_address(&f->p, "localhost", &a[0], &mapped));
	/* What it resolved to: the refused ones are dropped, order kept. */
	assert_true(tj_net_parse_addr("127.0.0.1", &a[0]));
	assert_true(tj_net_parse_addr("93.184.216.34", &a[1]));
	assert_true(tj_net_parse_addr("::1", &a[2]));
	assert_true(tj_net_parse_addr("2606:2800:220:1::1", &a[3]));
	assert_int_equal(tj_proxy_filter_addresses(&f->p, "mixed.test", a, 4, false, why, sizeof(why)), 2);
	char text[64];
	tj_net_format_addr(&a[0], text, sizeof(text));
	assert_string_equal(text, "93.184.216.34");
	tj_net_format_addr(&a[1], text, sizeof(text));
	assert_string_equal(text, "2606:2800:220:1::1");
	assert_string_equal(why, "");
	/* The classic: a name that resolves to loopback or link-local. */
	assert_true(tj_net_parse_addr("169.254.169.254", &a[0]));
	assert_int_equal(tj_proxy_filter_addresses(&f->p, "metadata.test", a, 1, false, why, sizeof(why)), 0);
	assert_string_equal(why,
			    "'metadata.test' resolves to 169.254.169.254: link-local (169.254.0.0/16) "
			    "(--resolve metadata.test:169.254.169.254 or --net-allow-cidr 169.254.169.254/32 admits it)");
	/* --net-allow-cidr makes one range acceptable again. */
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_add_cidrs(&f->p.allow_cidrs, "169.254.169.254", &err), 0);
	assert_int_equal(tj_proxy_filter_addresses(&f->p, "metadata.test", a, 1, false, why, sizeof(why)), 1);
	/* A denied range names no flag: nothing admits it. */
	assert_int_equal(tj_net_add_cidrs(&f->p.deny_cidrs, "169.254.0.0/16", &err), 0);
	assert_int_equal(tj_proxy_filter_addresses(&f->p, "metadata.test", a, 1, false, why, sizeof(why)), 0);
	assert_string_equal(why, "'metadata.test' resolves to 169.254.169.254: the address is in a denied range");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_judge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addresses, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
