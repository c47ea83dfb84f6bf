/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The filtering proxy's decisions, in the order it makes them
 * (notes/network.md): the request (protocol, name, port), then after
 * resolution each address.  Pure, over the network policy (netpolicy.h).
 */
#ifndef TJ_PROXY_RULES_H
#define TJ_PROXY_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "tj/model/netpolicy.h"
#include "tj/net/proxy_http.h"

/* What refused a request or cut a connection; the names are the events'
 * "rule" and the X-Tinyjail-Refused header. */
enum tj_proxy_rule {
	TJ_PROXY_RULE_NONE = 0,
	TJ_PROXY_RULE_MALFORMED, /* not a request the proxy accepts (400, 431, 501, 505) */
	TJ_PROXY_RULE_PROTOCOL,	 /* NET-002: an absolute URL other than http:// */
	TJ_PROXY_RULE_ALLOWLIST, /* NET-001: the name is not allowed */
	TJ_PROXY_RULE_PORT,	 /* NET-006: the name is, the port is not */
	TJ_PROXY_RULE_ADDRESS,	 /* NET-005: every address it resolves to is refused */
	TJ_PROXY_RULE_MAX_CONNS, /* NET-004: --net-max-conns connections are open (503) */
	TJ_PROXY_RULE_LIFETIME,	 /* NET-003: --net-conn-timeout (cut) */
	TJ_PROXY_RULE_IDLE,	 /* --net-idle-timeout (cut) */
	_TJ_PROXY_RULE_MAX,
};
const char *tj_proxy_rule_name(enum tj_proxy_rule r);

/* Step 1, before any name is resolved: may this request go out?  Returns
 * TJ_PROXY_RULE_NONE, or the rule that refuses it with a reason in why. */
enum tj_proxy_rule tj_proxy_judge_request(const struct tj_net_policy *p, const struct tj_http_request *req, char *why,
					  size_t size);

/* Where host goes without DNS: its --resolve mapping (*mapped = true) or
 * the address it spells.  False when it needs resolving. */
bool tj_proxy_static_address(const struct tj_net_policy *p, const char *host, struct sockaddr_storage *addr,
			     bool *mapped);

/* Step 2: keeps, in order, the addresses the policy allows (mapped: they
 * came from --resolve); returns how many.  With none left, why says what
 * refused the first. */
size_t tj_proxy_filter_addresses(const struct tj_net_policy *p, const char *host, struct sockaddr_storage *addrs,
				 size_t n, bool mapped, char *why, size_t size);

#endif
