/* SPDX-License-Identifier: Apache-2.0 */
/* The filtering proxy's decisions (proxy_rules.h). */
#include <stdio.h>
#include <string.h>

#include "tj/net/proxy_rules.h"

const char *tj_proxy_rule_name(enum tj_proxy_rule r)
{
	switch (r) {
	case TJ_PROXY_RULE_NONE: return "none";
	case TJ_PROXY_RULE_MALFORMED: return "malformed-request";
	case TJ_PROXY_RULE_PROTOCOL: return "protocol";
	case TJ_PROXY_RULE_ALLOWLIST: return "allowlist";
	case TJ_PROXY_RULE_PORT: return "port";
	case TJ_PROXY_RULE_ADDRESS: return "address";
	case TJ_PROXY_RULE_MAX_CONNS: return "max-connections";
	case TJ_PROXY_RULE_LIFETIME: return "connection-timeout";
	case TJ_PROXY_RULE_IDLE: return "idle-timeout";
	case _TJ_PROXY_RULE_MAX: break;
	}
	return "?";
}

enum tj_proxy_rule tj_proxy_judge_request(const struct tj_net_policy *p, const struct tj_http_request *req, char *why,
					  size_t size)
{
	/* TLS goes through CONNECT; an absolute URL is forwarded only as
	 * plain HTTP (no ftp://, gopher://, https:// origination). */
	if (!req->connect && strcmp(req->scheme, "http") != 0) {
		snprintf(why, size, "'%s://' URLs are not forwarded: only http://, and https:// through CONNECT",
			 req->scheme);
		return TJ_PROXY_RULE_PROTOCOL;
	}
	const char *reason = NULL;
	if (tj_net_match_host(p, req->host, req->port, &reason))
		return TJ_PROXY_RULE_NONE;
	if (tj_net_host_named(p, req->host)) {
		char ports[128];
		tj_net_format_host_ports(p, req->host, ports, sizeof(ports));
		snprintf(why, size, "port %u is not allowed for '%s' (ports %s)", req->port, req->host,
			 ports[0] ? ports : "none");
		return TJ_PROXY_RULE_PORT;
	}
	snprintf(why, size, "'%s' is not in the allowlist (--net allow=%s admits it)", req->host, req->host);
	return TJ_PROXY_RULE_ALLOWLIST;
}

bool tj_proxy_static_address(const struct tj_net_policy *p, const char *host, struct sockaddr_storage *addr,
			     bool *mapped)
{
	const struct tj_net_resolve *r = tj_net_find_resolve(p, host);
	if (r) {
		*addr = r->addr;
		*mapped = true;
		return true;
	}
	*mapped = false;
	return tj_net_parse_addr(host, addr);
}

size_t tj_proxy_filter_addresses(const struct tj_net_policy *p, const char *host, struct sockaddr_storage *addrs,
				 size_t n, bool mapped, char *why, size_t size)
{
	size_t kept = 0;
	bool said = false;
	for (size_t i = 0; i < n; i++) {
		const char *reason = NULL;
		if (tj_net_addr_allowed(p, &addrs[i], mapped, &reason)) {
			addrs[kept++] = addrs[i];
		} else if (!said) {
			char a[64];
			tj_net_format_addr(&addrs[i], a, sizeof(a));
			/* The flag that admits it, unless a deny list refused it
			 * (then nothing does). */
			char hint[400] = "";
			bool denied = strcmp(reason, "the address is in a denied range") == 0;
			const char *bits = addrs[i].ss_family == AF_INET6 ? "128" : "32";
			if (!denied && strcmp(a, host) == 0)
				snprintf(hint, sizeof(hint), " (--net-allow-cidr %s/%s admits it)", a, bits);
			else if (!denied)
				snprintf(hint, sizeof(hint), " (--resolve %s:%s or --net-allow-cidr %s/%s admits it)",
					 host, a, a, bits);
			if (strcmp(a, host) == 0)
				snprintf(why, size, "%s: %s%s", a, reason, hint);
			else
				snprintf(why, size, "'%s' resolves to %s: %s%s", host, a, reason, hint);
			said = true;
		}
	}
	if (kept)
		why[0] = '\0';
	return kept;
}
