/* SPDX-License-Identifier: Apache-2.0 */
/* The network policy: parsing, merging and the proxy's decisions. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tj/base/util.h"
#include "tj/model/netpolicy.h"

const char *tj_net_mode_name(enum tj_net_mode m)
{
	switch (m) {
	case TJ_NET_UNSET: return "unset";
	case TJ_NET_HOST: return "host";
	case TJ_NET_NONE: return "none";
	case TJ_NET_FILTERED: return "filtered";
	}
	return "?";
}

void tj_net_policy_done(struct tj_net_policy *p)
{
	for (size_t i = 0; i < p->nallow; i++) {
		free(p->allow[i].pattern);
		free(p->allow[i].ports);
	}
	free(p->allow);
	for (size_t i = 0; i < p->nresolve; i++)
		free(p->resolve[i].name);
	free(p->resolve);
	free(p->upstream_host);
	free(p->ports.v);
	free(p->allow_cidrs.v);
	free(p->deny_cidrs.v);
	free(p->dns.v);
	memset(p, 0, sizeof(*p));
}

static void append_ports(struct tj_port_list *to, const struct tj_port_list *from)
{
	if (!from->n)
		return; /* from->v may be NULL, which memcpy must not see */
	to->v = tj_xrealloc(to->v, (to->n + from->n + 1) * sizeof(*to->v));
	memcpy(to->v + to->n, from->v, from->n * sizeof(*to->v));
	to->n += from->n;
}

static void append_cidrs(struct tj_cidr_list *to, const struct tj_cidr_list *from)
{
	if (!from->n)
		return; /* from->v may be NULL, which memcpy must not see */
	to->v = tj_xrealloc(to->v, (to->n + from->n + 1) * sizeof(*to->v));
	memcpy(to->v + to->n, from->v, from->n * sizeof(*to->v));
	to->n += from->n;
}

void tj_net_policy_merge(struct tj_net_policy *base, const struct tj_net_policy *over)
{
	if (over->mode != TJ_NET_UNSET)
		base->mode = over->mode;
	for (size_t i = 0; i < over->nallow; i++) {
		const struct tj_net_allow *a = &over->allow[i];
		base->allow = tj_xrealloc(base->allow, (base->nallow + 1) * sizeof(*base->allow));
		struct tj_net_allow *b = &base->allow[base->nallow++];
		b->pattern = tj_xstrdup(a->pattern);
		b->nports = a->nports;
		b->ports = tj_xcalloc(a->nports + 1, sizeof(*b->ports));
		if (a->nports)
			memcpy(b->ports, a->ports, a->nports * sizeof(*b->ports));
	}
	for (size_t i = 0; i < over->nresolve; i++) {
		base->resolve = tj_xrealloc(base->resolve, (base->nresolve + 1) * sizeof(*base->resolve));
		base->resolve[base->nresolve] = over->resolve[i];
		base->resolve[base->nresolve++].name = tj_xstrdup(over->resolve[i].name);
	}
	if (over->has_ports) {
		base->has_ports = true;
		append_ports(&base->ports, &over->ports);
	}
	if (over->max_conns)
		base->max_conns = over->max_conns;
	if (over->conn_timeout_ms)
		base->conn_timeout_ms = over->conn_timeout_ms;
	if (over->idle_timeout_ms)
		base->idle_timeout_ms = over->idle_timeout_ms;
	if (over->upstream_host) {
		free(base->upstream_host);
		base->upstream_host = tj_xstrdup(over->upstream_host);
		base->upstream_port = over->upstream_port;
	}
	base->deny_private |= over->deny_private;
	append_cidrs(&base->allow_cidrs, &over->allow_cidrs);
	append_cidrs(&base->deny_cidrs, &over->deny_cidrs);
	if (over->has_dns) {
		base->has_dns = true;
		append_cidrs(&base->dns, &over->dns);
	}
}

bool tj_net_policy_wanted(const struct tj_net_policy *p)
{
	return p->mode != TJ_NET_UNSET || p->nallow || p->deny_private || p->allow_cidrs.n || p->deny_cidrs.n ||
	       p->has_ports || p->has_dns || p->upstream_host;
}

/* --- addresses --- */

bool tj_net_parse_addr(const char *text, struct sockaddr_storage *ret)
{
	memset(ret, 0, sizeof(*ret));
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(text);
	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		if (n - 2 >= sizeof(buf))
			return false;
		memcpy(buf, text + 1, n - 2);
		buf[n - 2] = '\0';
		text = buf;
	}
	struct sockaddr_in *v4 = (struct sockaddr_in *)ret;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ret;
	if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

void tj_net_format_addr(const struct sockaddr_storage *a, char *buf, size_t size)
{
	const void *raw = a->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)a)->sin_addr
						  : (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr;
	if (!inet_ntop(a->ss_family, raw, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

static uint32_t ipv4_of(const struct sockaddr_storage *a)
{
	return ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr);
}

static const uint8_t *ipv6_of(const struct sockaddr_storage *a)
{
	return ((const struct sockaddr_in6 *)a)->sin6_addr.s6_addr;
}

/* The special ranges, for tj_net_special_range() and for the kernel's copy
 * of them (tj_net_special_cidrs). */
static const struct {
	uint32_t net;
	unsigned prefix;
	const char *name;
} special_v4[] = {
	{0x00000000, 8, "unspecified (0.0.0.0/8)"},
	{0x0a000000, 8, "private (10.0.0.0/8)"},
	{0x64400000, 10, "shared address space, CGNAT (100.64.0.0/10)"},
	{0x7f000000, 8, "loopback (127.0.0.0/8)"},
	{0xa9fe0000, 16, "link-local (169.254.0.0/16)"},
	{0xac100000, 12, "private (172.16.0.0/12)"},
	{0xc0000000, 24, "reserved for protocols (192.0.0.0/24)"},
	{0xc0000200, 24, "documentation (192.0.2.0/24)"},
	{0xc0a80000, 16, "private (192.168.0.0/16)"},
	{0xc6120000, 15, "benchmarking (198.18.0.0/15)"},
	{0xc6336400, 24, "documentation (198.51.100.0/24)"},
	{0xcb007100, 24, "documentation (203.0.113.0/24)"},
	{0xe0000000, 4, "multicast (224.0.0.0/4)"},
	{0xf0000000, 4, "reserved (240.0.0.0/4, 255.255.255.255)"},
};

static const struct {
	uint8_t net[16];
	unsigned prefix;
	const char *name;
} special_v6[] = {
	{{0}, 128, "unspecified (::)"},
	{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback (::1)"},
	{{0}, 96, "IPv4-compatible (::/96, deprecated)"},
	{{0x01, 0x00}, 64, "discard (100::/64)"},
	{{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation (2001:db8::/32)"},
	{{0x20, 0x01, 0x00, 0x00}, 32, "Teredo (2001::/32)"},
	{{0xfc}, 7, "unique local (fc00::/7)"},
	{{0xfe, 0x80}, 10, "link-local (fe80::/10)"},
	{{0xfe, 0xc0}, 10, "site-local (fec0::/10, deprecated)"},
	{{0xff}, 8, "multicast (ff00::/8)"},
};

static const char *special_ipv4(uint32_t ip)
{
	for (size_t i = 0; i < TJ_ARRAY_SIZE(special_v4); i++) {
		uint32_t mask = special_v4[i].prefix ? ~0u << (32 - special_v4[i].prefix) : 0;
		if ((ip & mask) == special_v4[i].net)
			return special_v4[i].name;
	}
	return NULL;
}

void tj_net_special_cidrs(struct tj_cidr_list *v4, struct tj_cidr_list *v6)
{
	v4->v = tj_xrealloc(v4->v, (v4->n + TJ_ARRAY_SIZE(special_v4)) * sizeof(*v4->v));
	for (size_t i = 0; i < TJ_ARRAY_SIZE(special_v4); i++) {
		struct tj_cidr *c = &v4->v[v4->n++];
		memset(c, 0, sizeof(*c));
		c->family = AF_INET;
		c->prefix = special_v4[i].prefix;
		uint32_t net = htonl(special_v4[i].net);
		memcpy(c->addr, &net, 4);
	}
	v6->v = tj_xrealloc(v6->v, (v6->n + TJ_ARRAY_SIZE(special_v6)) * sizeof(*v6->v));
	for (size_t i = 0; i < TJ_ARRAY_SIZE(special_v6); i++) {
		struct tj_cidr *c = &v6->v[v6->n++];
		memset(c, 0, sizeof(*c));
		c->family = AF_INET6;
		c->prefix = special_v6[i].prefix;
		memcpy(c->addr, special_v6[i].net, 16);
	}
}

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;
	if (memcmp(a, net, full) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (net[full] & mask);
}

const char *tj_net_special_range(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return special_ipv4(ipv4_of(a));
	if (a->ss_family != AF_INET6)
		return "not an IP address";
	const uint8_t *b = ipv6_of(a);
	/* Forms that carry an IPv4 address are judged by it: ::ffff:a.b.c.d
	 * (mapped), 64:ff9b::a.b.c.d (NAT64), 2002:AABB:CCDD:: (6to4). */
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0) {
		const char *r = special_ipv4((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 |
					     b[15]);
		return r ? r : NULL;
	}
	if (b[0] == 0x20 && b[1] == 0x02) {
		const char *r = special_ipv4((uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 | b[5]);
		return r ? r : NULL;
	}
	for (size_t i = 0; i < TJ_ARRAY_SIZE(special_v6); i++)
		if (prefix_match(b, special_v6[i].net, special_v6[i].prefix))
			return special_v6[i].name;
	return NULL;
}

/* ::ffff:a.b.c.d as a.b.c.d; anything else as it is. */
struct sockaddr_storage tj_net_unmapped(const struct sockaddr_storage *a)
{
	struct sockaddr_storage out = *a;
	if (a->ss_family != AF_INET6)
		return out;
	const uint8_t *b = ((const struct sockaddr_in6 *)a)->sin6_addr.s6_addr;
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(b, prefix, 12) != 0)
		return out;
	memset(&out, 0, sizeof(out));
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out;
	v4->sin_family = AF_INET;
	memcpy(&v4->sin_addr, b + 12, 4);
	return out;
}

bool tj_cidr_contains(const struct tj_cidr *c, const struct sockaddr_storage *a)
{
	if (c->family == AF_INET && a->ss_family == AF_INET) {
		uint32_t ip = htonl(ipv4_of(a));
		return prefix_match((const uint8_t *)&ip, c->addr, c->prefix);
	}
	if (c->family == AF_INET6 && a->ss_family == AF_INET6)
		return prefix_match(ipv6_of(a), c->addr, c->prefix);
	return false;
}

bool tj_cidr_list_contains(const struct tj_cidr_list *l, const struct sockaddr_storage *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (tj_cidr_contains(&l->v[i], a))
			return true;
	return false;
}

/* --- parsing --- */

static bool parse_port(const char *s, uint16_t *ret)
{
	uint64_t v;
	if (!tj_parse_u64(s, &v) || v < TJ_PORT_MIN_DEST || v > TJ_PORT_MAX)
		return false;
	*ret = (uint16_t)v;
	return true;
}

int tj_net_add_ports(struct tj_port_list *to, const char *list, struct tj_err **err)
{
	return tj_ports_add(to, list, TJ_PORT_MIN_DEST, "port", err);
}

static int add_cidr(void *ctx, char *item, struct tj_err **err)
{
	struct tj_cidr_list *l = ctx;
	char *slash = strchr(item, '/');
	if (slash)
		*slash = '\0';
	struct sockaddr_storage a;
	if (!tj_net_parse_addr(item, &a))
		return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s' is not an IPv4 or IPv6 address", item);
	unsigned max = a.ss_family == AF_INET ? 32 : 128, prefix = max;
	if (slash) {
		uint64_t v;
		if (!tj_parse_u64(slash + 1, &v) || v > max)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s/%s': the prefix length is 0 to %u", item,
					  slash + 1, max);
		prefix = (unsigned)v;
	}
	struct tj_cidr c = {.family = a.ss_family, .prefix = prefix};
	if (a.ss_family == AF_INET)
		memcpy(c.addr, &((struct sockaddr_in *)&a)->sin_addr, 4);
	else
		memcpy(c.addr, ipv6_of(&a), 16);
	/* Host bits set ("10.1.2.3/8") are a mistake worth naming. */
	for (unsigned bit = prefix; bit < max; bit++)
		if (c.addr[bit / 8] & (0x80 >> (bit % 8)))
			return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s/%u' has bits set beyond the prefix", item, prefix);
	l->v = tj_xrealloc(l->v, (l->n + 2) * sizeof(*l->v));
	l->v[l->n++] = c;
	return 0;
}

int tj_net_add_cidrs(struct tj_cidr_list *to, const char *list, struct tj_err **err)
{
	return tj_for_each_item(list, add_cidr, to, err);
}

/* A host name as the allowlist takes it: labels of letters, digits and
 * '-', separated by dots; "*." only in front. */
static bool valid_host_pattern(const char *s)
{
	if (strncmp(s, "*.", 2) == 0)
		s += 2;
	size_t label = 0;
	if (!*s)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum((unsigned char)*p) || *p == '-' || *p == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && strlen(s) <= 253;
}

/* Lower case, no trailing dot, no brackets. */
static char *normalise_host(const char *host, size_t len)
{
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	while (len && host[len - 1] == '.')
		len--;
	char *s = tj_xstrndup(host, len);
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

static int add_allow(void *ctx, char *item, struct tj_err **err)
{
	struct tj_net_policy *p = ctx;
	const char *host = item;
	size_t hostlen = strlen(item);
	const char *port = NULL;
	if (item[0] == '[') {
		char *close = strchr(item, ']');
		if (!close || (close[1] && close[1] != ':'))
			return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': expected [IPv6] or [IPv6]:PORT", item);
		hostlen = (size_t)(close - item) + 1;
		port = close[1] ? close + 2 : NULL;
	} else {
		char *colon = strchr(item, ':');
		if (colon && !strchr(colon + 1, ':')) { /* one colon: NAME:PORT */
			hostlen = (size_t)(colon - item);
			port = colon + 1;
		}
	}
	uint16_t pnum = 0;
	if (port && !parse_port(port, &pnum))
		return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': '%s' is not a port (%u-%u)", item, port,
				  TJ_PORT_MIN_DEST, TJ_PORT_MAX);
	char *pattern = normalise_host(host, hostlen);
	struct sockaddr_storage a;
	if (!tj_net_parse_addr(pattern, &a) && !valid_host_pattern(pattern)) {
		tj_err_set(err, TJ_ERR_USAGE, 0, "'%s' is not a host name, '*.' pattern or IP address", pattern);
		free(pattern);
		return tj_err_hint(err, "names look like example.org or *.debian.org, optionally with :PORT");
	}
	p->allow = tj_xrealloc(p->allow, (p->nallow + 1) * sizeof(*p->allow));
	struct tj_net_allow *e = &p->allow[p->nallow++];
	e->pattern = pattern;
	e->ports = tj_xcalloc(2, sizeof(*e->ports));
	e->nports = 0;
	if (port)
		e->ports[e->nports++] = pnum;
	return 0;
}

int tj_net_add_allow(struct tj_net_policy *p, const char *list, struct tj_err **err)
{
	return tj_for_each_item(list, add_allow, p, err);
}

int tj_net_parse_mode(struct tj_net_policy *p, const char *arg, struct tj_err **err)
{
	if (strcmp(arg, "none") == 0) {
		p->mode = TJ_NET_NONE;
		return 0;
	}
	if (strcmp(arg, "host") == 0) {
		p->mode = TJ_NET_HOST;
		return 0;
	}
	if (strncmp(arg, "allow=", 6) == 0) {
		p->mode = TJ_NET_FILTERED;
		return tj_net_add_allow(p, arg + 6, err);
	}
	return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': expected none, host or allow=NAME[:PORT],...", arg);
}

int tj_net_set_upstream(struct tj_net_policy *p, const char *arg, struct tj_err **err)
{
	const char *s = arg;
	if (strncmp(s, "http://", 7) == 0)
		s += 7;
	size_t len = strlen(s);
	if (len && s[len - 1] == '/')
		len--;
	/* The port follows the last colon, after a bracketed IPv6 address. */
	const char *colon = NULL;
	for (size_t i = 0; i < len; i++)
		if (s[i] == ':')
			colon = s + i;
	const char *close = memchr(s, ']', len);
	if (!colon || colon == s || (close && colon < close))
		return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': expected HOST:PORT (e.g. proxy.example:3128)", arg);
	char *host = normalise_host(s, (size_t)(colon - s));
	char portbuf[8] = "";
	size_t plen = len - (size_t)(colon + 1 - s);
	char *end = NULL;
	if (plen && plen < sizeof(portbuf))
		memcpy(portbuf, colon + 1, plen);
	unsigned long port = strtoul(portbuf, &end, 10);
	struct sockaddr_storage a;
	if (!*portbuf || *end || port < TJ_PORT_MIN_DEST || port > TJ_PORT_MAX ||
	    (!tj_net_parse_addr(host, &a) && (!valid_host_pattern(host) || strncmp(host, "*.", 2) == 0))) {
		free(host);
		return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': expected HOST:PORT (e.g. proxy.example:3128)", arg);
	}
	free(p->upstream_host);
	p->upstream_host = host;
	p->upstream_port = (uint16_t)port;
	return 0;
}

int tj_net_add_resolve(struct tj_net_policy *p, const char *arg, struct tj_err **err)
{
	const char *colon = strchr(arg, ':');
	if (!colon || colon == arg)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': expected NAME:ADDRESS", arg);
	char *name = normalise_host(arg, (size_t)(colon - arg));
	struct sockaddr_storage a;
	if (!valid_host_pattern(name) || strncmp(name, "*.", 2) == 0) {
		tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': '%s' is not a host name", arg, name);
		free(name);
		return -1;
	}
	if (!tj_net_parse_addr(colon + 1, &a)) {
		free(name);
		return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': '%s' is not an IPv4 or IPv6 address", arg, colon + 1);
	}
	p->resolve = tj_xrealloc(p->resolve, (p->nresolve + 1) * sizeof(*p->resolve));
	p->resolve[p->nresolve++] = (struct tj_net_resolve){.name = name, .addr = a};
	return 0;
}

/* --- decisions --- */

bool tj_net_port_allowed(const struct tj_net_policy *p, uint16_t port)
{
	if (!p->has_ports)
		return p->mode == TJ_NET_FILTERED ? port == 80 || port == 443 : true;
	for (size_t i = 0; i < p->ports.n; i++)
		if (p->ports.v[i] == port)
			return true;
	return false;
}

static bool pattern_matches(const char *pattern, const char *host)
{
	if (strncmp(pattern, "*.", 2) == 0) {
		size_t pl = strlen(pattern + 1), hl = strlen(host); /* ".suffix" */
		return hl > pl && strcmp(host + hl - pl, pattern + 1) == 0;
	}
	struct sockaddr_storage a, b;
	if (tj_net_parse_addr(pattern, &a) && tj_net_parse_addr(host, &b))
		return a.ss_family == b.ss_family &&
		       (a.ss_family == AF_INET ? ipv4_of(&a) == ipv4_of(&b)
					       : memcmp(ipv6_of(&a), ipv6_of(&b), 16) == 0);
	return strcmp(pattern, host) == 0;
}

const struct tj_net_allow *tj_net_match_host(const struct tj_net_policy *p, const char *host, uint16_t port,
					     const char **why)
{
	char *h = normalise_host(host, strlen(host));
	const struct tj_net_allow *named = NULL;
	for (size_t i = 0; i < p->nallow; i++) {
		const struct tj_net_allow *e = &p->allow[i];
		if (!pattern_matches(e->pattern, h))
			continue;
		named = e;
		bool ok = false;
		for (size_t j = 0; j < e->nports; j++)
			ok |= e->ports[j] == port;
		if (!e->nports)
			ok = tj_net_port_allowed(p, port);
		if (ok) {
			free(h);
			return e;
		}
	}
	free(h);
	*why = named ? "the port is not allowed for this name" : "the name is not in the allowlist";
	return NULL;
}

bool tj_net_host_named(const struct tj_net_policy *p, const char *host)
{
	char *h = normalise_host(host, strlen(host));
	bool named = false;
	for (size_t i = 0; i < p->nallow && !named; i++)
		named = pattern_matches(p->allow[i].pattern, h);
	free(h);
	return named;
}

static void add_port_text(char *buf, size_t size, size_t *len, uint16_t port)
{
	/* Each port once, in the order met. */
	char item[8];
	snprintf(item, sizeof(item), "%u", port);
	for (const char *p = buf; (p = strstr(p, item)); p += strlen(item))
		if ((p == buf || p[-1] == ',') && (p[strlen(item)] == ',' || p[strlen(item)] == '\0'))
			return;
	int n = snprintf(buf + *len, size - *len, "%s%s", *len ? "," : "", item);
	if (n > 0 && (size_t)n < size - *len)
		*len += (size_t)n;
}

void tj_net_format_host_ports(const struct tj_net_policy *p, const char *host, char *buf, size_t size)
{
	char *h = normalise_host(host, strlen(host));
	size_t len = 0;
	buf[0] = '\0';
	bool policy_ports = false;
	for (size_t i = 0; i < p->nallow; i++) {
		if (!pattern_matches(p->allow[i].pattern, h))
			continue;
		for (size_t j = 0; j < p->allow[i].nports; j++)
			add_port_text(buf, size, &len, p->allow[i].ports[j]);
		policy_ports |= p->allow[i].nports == 0;
	}
	if (policy_ports && p->has_ports)
		for (size_t j = 0; j < p->ports.n; j++)
			add_port_text(buf, size, &len, p->ports.v[j]);
	else if (policy_ports && p->mode == TJ_NET_FILTERED) {
		add_port_text(buf, size, &len, 80);
		add_port_text(buf, size, &len, 443);
	} else if (policy_ports)
		snprintf(buf, size, "any");
	free(h);
}

const struct tj_net_resolve *tj_net_find_resolve(const struct tj_net_policy *p, const char *host)
{
	char *h = normalise_host(host, strlen(host));
	const struct tj_net_resolve *found = NULL;
	for (size_t i = 0; i < p->nresolve && !found; i++)
		if (strcmp(p->resolve[i].name, h) == 0)
			found = &p->resolve[i];
	free(h);
	return found;
}

bool tj_net_addr_allowed(const struct tj_net_policy *p, const struct sockaddr_storage *addr, bool mapped,
			 const char **why)
{
	/* An IPv4-mapped address reaches the IPv4 one: the lists judge that. */
	struct sockaddr_storage a = tj_net_unmapped(addr);
	if (tj_cidr_list_contains(&p->deny_cidrs, &a)) {
		*why = "the address is in a denied range";
		return false;
	}
	if (mapped || tj_cidr_list_contains(&p->allow_cidrs, &a))
		return true;
	const char *range = tj_net_special_range(addr);
	if (range && (p->mode == TJ_NET_FILTERED || p->deny_private)) {
		*why = range;
		return false;
	}
	return true;
}

int tj_net_policy_check(const struct tj_net_policy *p, struct tj_err **err)
{
	bool proxy_only = p->nresolve || p->max_conns || p->conn_timeout_ms || p->idle_timeout_ms;
	if (proxy_only && p->mode != TJ_NET_FILTERED)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--resolve, --net-max-conns, --net-conn-timeout and --net-idle-timeout apply to the "
				  "proxy: use them with --net allow=...");
	if (p->upstream_host && p->mode != TJ_NET_FILTERED)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--net-upstream-proxy is where tinyjail's proxy sends what it allows: use it with "
				  "--net allow=...");
	if (p->has_dns && p->mode != TJ_NET_HOST)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--net-dns applies to --net host");
	bool addr_rules = p->deny_private || p->allow_cidrs.n || p->deny_cidrs.n || p->has_ports;
	if (addr_rules && p->mode == TJ_NET_NONE)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--net none has no way out: address and port rules do not apply");
	if ((addr_rules || p->has_dns) && p->mode == TJ_NET_UNSET)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "address, port and DNS rules need a network mode: --net host (kernel rules) or "
				  "--net allow=... (the proxy)");
	return 0;
}
