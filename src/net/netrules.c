/* SPDX-License-Identifier: Apache-2.0 */
/* Host mode's rules: the reference decision, the resolvers, the words. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/cleanup.h"
#include "tj/net/netrules.h"

bool tj_net_host_rules(const struct tj_net_policy *p)
{
	return p && p->mode == TJ_NET_HOST &&
	       (p->deny_private || p->allow_cidrs.n || p->deny_cidrs.n || p->has_ports || p->has_dns);
}

bool tj_net_rules_ports_only(const struct tj_net_policy *p)
{
	return p->has_ports && !p->deny_private && !p->allow_cidrs.n && !p->deny_cidrs.n && !p->has_dns;
}

static void add_cidr(struct tj_cidr_list *l, const struct sockaddr_storage *a)
{
	struct tj_cidr c = {.family = a->ss_family};
	if (a->ss_family == AF_INET) {
		memcpy(c.addr, &((const struct sockaddr_in *)a)->sin_addr, 4);
		c.prefix = 32;
	} else {
		memcpy(c.addr, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
		c.prefix = 128;
	}
	l->v = tj_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = c;
}

size_t tj_net_parse_resolv_conf(const char *text, struct tj_cidr_list *out)
{
	size_t found = 0;
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[256];
		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			char *save = NULL;
			char *key = strtok_r(buf, " \t\r", &save);
			char *val = key ? strtok_r(NULL, " \t\r", &save) : NULL;
			if (key && val && strcmp(key, "nameserver") == 0) {
				/* fe80::1%eth0: the scope does not matter to the rule. */
				char *pct = strchr(val, '%');
				if (pct)
					*pct = '\0';
				struct sockaddr_storage a;
				if (tj_net_parse_addr(val, &a)) {
					add_cidr(out, &a);
					found++;
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	return found;
}

int tj_net_rules_init(struct tj_net_rules *r, const struct tj_net_policy *p, const char *resolv_conf,
		      struct tj_err **err)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	if (p->has_dns) {
		r->resolvers.v = tj_xcalloc(p->dns.n + 1, sizeof(*r->resolvers.v));
		memcpy(r->resolvers.v, p->dns.v, p->dns.n * sizeof(*p->dns.v));
		r->resolvers.n = p->dns.n;
		r->resolvers_from = "--net-dns";
		return 0;
	}
	r->resolvers_from = resolv_conf;
	FILE *f = fopen(resolv_conf, "re");
	if (!f && errno != ENOENT)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot read '%s' for the DNS resolvers", resolv_conf);
	struct tj_buf text = {0};
	char chunk[1024];
	size_t n;
	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		tj_buf_addn(&text, chunk, n);
	if (f)
		fclose(f);
	size_t found = text.s ? tj_net_parse_resolv_conf(text.s, &r->resolvers) : 0;
	tj_buf_done(&text);
	if (!found) {
		/* As glibc: no nameserver line means the local machine. */
		struct sockaddr_storage a;
		tj_net_parse_addr("127.0.0.1", &a);
		add_cidr(&r->resolvers, &a);
	}
	return 0;
}

void tj_net_rules_done(struct tj_net_rules *r)
{
	free(r->resolvers.v);
	memset(r, 0, sizeof(*r));
}

int tj_net_rules_decide(const struct tj_net_rules *r, const struct sockaddr_storage *addr, uint16_t port)
{
	const struct tj_net_policy *p = r->p;
	struct sockaddr_storage a = tj_net_unmapped(addr);
	if (tj_cidr_list_contains(&p->deny_cidrs, &a))
		return TJ_NR_DENY_CIDR;
	if (port == 53)
		return tj_cidr_list_contains(&r->resolvers, &a) ? TJ_NR_ALLOWED : TJ_NR_DNS;
	if (p->has_ports) {
		bool listed = false;
		for (size_t i = 0; i < p->ports.n && !listed; i++)
			listed = p->ports.v[i] == port;
		if (!listed)
			return TJ_NR_PORT;
	}
	if (tj_cidr_list_contains(&p->allow_cidrs, &a))
		return TJ_NR_ALLOWED;
	if (p->deny_private && tj_net_special_range(&a))
		return TJ_NR_SPECIAL;
	return TJ_NR_ALLOWED;
}

void tj_cidr_format(const struct tj_cidr *c, char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];
	if (!inet_ntop(c->family, c->addr, text, sizeof(text)))
		snprintf(text, sizeof(text), "?");
	unsigned full = c->family == AF_INET ? 32 : 128;
	if (c->prefix == full)
		snprintf(buf, size, "%s", text);
	else
		snprintf(buf, size, "%s/%u", text, c->prefix);
}

static void add_cidr_list(struct tj_buf *b, const struct tj_cidr_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		char c[INET6_ADDRSTRLEN + 8];
		tj_cidr_format(&l->v[i], c, sizeof(c));
		tj_buf_addf(b, "%s%s", i ? ", " : "", c);
	}
}

static const struct tj_cidr *first_match(const struct tj_cidr_list *l, const struct sockaddr_storage *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (tj_cidr_contains(&l->v[i], a))
			return &l->v[i];
	return NULL;
}

char *tj_net_rules_reason(const struct tj_net_rules *r, int reason, const struct sockaddr_storage *addr, uint16_t port)
{
	const struct tj_net_policy *p = r->p;
	struct sockaddr_storage a = tj_net_unmapped(addr);
	struct tj_buf b = {0};
	char c[INET6_ADDRSTRLEN + 8];
	switch (reason) {
	case TJ_NR_DENY_CIDR: {
		const struct tj_cidr *m = first_match(&p->deny_cidrs, &a);
		if (m)
			tj_cidr_format(m, c, sizeof(c));
		tj_buf_addf(&b, "the address is in a denied range (--net-deny-cidr %s)", m ? c : "?");
		break;
	}
	case TJ_NR_DNS:
		tj_buf_add(&b, "DNS (port 53) goes only to the resolvers: ");
		add_cidr_list(&b, &r->resolvers);
		tj_buf_addf(&b, " (%s)", r->resolvers_from);
		break;
	case TJ_NR_PORT:
		tj_buf_addf(&b, "port %u is not in --net-ports (", (unsigned)port);
		tj_ports_format(&b, &p->ports);
		tj_buf_add(&b, ")");
		break;
	case TJ_NR_SPECIAL: {
		const char *range = tj_net_special_range(&a);
		tj_buf_addf(&b, "%s, refused by --net-deny-private", range ? range : "a special range");
		break;
	}
	default: tj_buf_add(&b, "refused by the host network rules");
	}
	return tj_buf_steal(&b);
}

void tj_net_rules_describe(const struct tj_net_rules *r, struct tj_buf *b)
{
	const struct tj_net_policy *p = r->p;
	const char *sep = "";
	if (p->deny_cidrs.n) {
		tj_buf_add(b, "refused: ");
		add_cidr_list(b, &p->deny_cidrs);
		sep = "; ";
	}
	if (p->has_ports) {
		tj_buf_addf(b, "%sports ", sep);
		tj_ports_format(b, &p->ports);
		sep = "; ";
	}
	if (p->deny_private) {
		tj_buf_addf(b, "%sno private or special ranges", sep);
		if (p->allow_cidrs.n) {
			tj_buf_add(b, " except ");
			add_cidr_list(b, &p->allow_cidrs);
		}
		sep = "; ";
	}
	tj_buf_addf(b, "%sDNS (port 53) only to ", sep);
	add_cidr_list(b, &r->resolvers);
	tj_buf_addf(b, " (%s)", r->resolvers_from);
}
