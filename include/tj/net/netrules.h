/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host mode with rules (--net host with --net-deny-private, --net-allow-cidr,
 * --net-deny-cidr, --net-ports, --net-dns): which destinations a TCP
 * connect or a UDP send may reach.  The kernel enforces the rules (cgroup
 * BPF, layer_net.c and src/net/bpf/netrules.bpf.c); this module is their
 * reference in C, which the BPF programs are tested against, and what turns
 * a refusal or the rule set into words.  notes/network-host.md.
 */
#ifndef TJ_NETRULES_H
#define TJ_NETRULES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/model/netpolicy.h"
#include "tj/net/netrules_bpf.h"

#define TJ_RESOLV_CONF "/etc/resolv.conf"

/* The policy, with its resolvers resolved. */
struct tj_net_rules {
	const struct tj_net_policy *p;
	struct tj_cidr_list resolvers; /* where port 53 may go */
	const char *resolvers_from;    /* "--net-dns" or the resolv.conf path (not owned) */
};

/* True for --net host with at least one rule: the kernel rules are wanted. */
bool tj_net_host_rules(const struct tj_net_policy *p);
/* True when the only rule is --net-ports: Landlock can take the TCP half. */
bool tj_net_rules_ports_only(const struct tj_net_policy *p);

/* The resolvers: --net-dns, else the nameservers of resolv_conf (glibc's
 * default, 127.0.0.1, when it names none or does not exist). */
int tj_net_rules_init(struct tj_net_rules *r, const struct tj_net_policy *p, const char *resolv_conf,
		      struct tj_err **err);
void tj_net_rules_done(struct tj_net_rules *r);
/* "nameserver ADDR" lines of a resolv.conf text; returns how many. */
size_t tj_net_parse_resolv_conf(const char *text, struct tj_cidr_list *out);

/* The decision for one destination (any protocol: TCP connect, UDP
 * connect or send), in this order:
 *   1. --net-deny-cidr                          refused
 *   2. port 53: a resolver                      allowed, else refused
 *   3. --net-ports given and the port not in it refused
 *   4. --net-allow-cidr                          allowed
 *   5. --net-deny-private and a special range    refused
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as a.b.c.d.
 * Returns an enum tj_nr_reason, TJ_NR_ALLOWED (0) when allowed. */
int tj_net_rules_decide(const struct tj_net_rules *r, const struct sockaddr_storage *a, uint16_t port);
/* Why it was refused, for people.  Caller frees. */
char *tj_net_rules_reason(const struct tj_net_rules *r, int reason, const struct sockaddr_storage *a, uint16_t port);
/* The rules for the enforcement manifest. */
void tj_net_rules_describe(const struct tj_net_rules *r, struct tj_buf *b);

/* "10.0.0.0/8", or "192.0.2.7" for a single address. */
void tj_cidr_format(const struct tj_cidr *c, char *buf, size_t size);

#endif
