/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The network policy: which network the command gets and what may leave it.
 * Pure data, parsing and decisions; the network layers apply it (the
 * filtering proxy for "filtered", cgroup BPF or Landlock for "host" with
 * rules).  notes/network.md.
 *
 *   --net none              its own network namespace, loopback only
 *   --net host              the host's network (rules below still apply)
 *   --net allow=LIST        its own namespace; out only through tinyjail's
 *                           HTTP(S) proxy, to the names in LIST
 */
#ifndef TJ_NETPOLICY_H
#define TJ_NETPOLICY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "tj/base/err.h"
#include "tj/model/ports.h"

enum tj_net_mode {
	TJ_NET_UNSET = 0, /* no --net: the host's network, no rules (as before) */
	TJ_NET_HOST,
	TJ_NET_NONE,
	TJ_NET_FILTERED,
};

/* One allowlist entry: an exact name, "*.suffix" (any name below suffix,
 * not suffix itself), or a literal address; ports empty = the policy's. */
struct tj_net_allow {
	char *pattern; /* lower case, without a trailing dot; IPv6 without brackets */
	uint16_t *ports;
	size_t nports;
};

/* --resolve NAME:ADDR: NAME goes to ADDR, which is thereby allowed. */
struct tj_net_resolve {
	char *name;
	struct sockaddr_storage addr; /* port 0 */
};

struct tj_cidr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefix;
};

struct tj_cidr_list {
	struct tj_cidr *v;
	size_t n;
};

/* --net-max-conns and the profile's key: 1 to this many connections. */
#define TJ_NET_MAX_CONNS_MAX 100000u

struct tj_net_policy {
	enum tj_net_mode mode;

	/* destination ports: filtered mode (the proxy; default 80 and 443) and
	 * host mode (TCP connect and UDP send; default any) */
	bool has_ports;
	struct tj_port_list ports;

	/* filtered mode: the proxy */
	struct tj_net_allow *allow;
	size_t nallow;
	struct tj_net_resolve *resolve;
	size_t nresolve;
	unsigned max_conns;	  /* concurrent upstream connections; 0 = no cap */
	uint64_t conn_timeout_ms; /* a connection's maximum lifetime; 0 = none */
	uint64_t idle_timeout_ms; /* cut after this long without a byte; 0 = default */
	/* An upstream (corporate) HTTP proxy the proxy forwards every allowed
	 * request to (names without --resolve; CONNECT for tunnels, absolute
	 * URLs for plain HTTP); NULL: straight to the servers. */
	char *upstream_host;
	uint16_t upstream_port;

	/* addresses: both modes */
	bool deny_private;		 /* host mode: refuse private ranges (filtered mode always does) */
	struct tj_cidr_list allow_cidrs; /* allowed even if private (both modes) */
	struct tj_cidr_list deny_cidrs;	 /* always refused */

	/* host mode: where DNS (UDP and TCP port 53) may go */
	bool has_dns;
	struct tj_cidr_list dns; /* resolvers UDP/TCP 53 may reach (default: resolv.conf) */
};

#define TJ_NET_DEFAULT_IDLE_MS (5u * 60u * 1000u)
/* Connections through the proxy at once without --net-max-conns: the proxy
 * lives outside the sandbox's memory cgroup, so what a command can make it
 * hold (buffers, socket queues) is bounded here. */
#define TJ_NET_DEFAULT_MAX_CONNS 64u

void tj_net_policy_done(struct tj_net_policy *p);
/* Adds what `over` sets to `base` (lists appended, values replaced). */
void tj_net_policy_merge(struct tj_net_policy *base, const struct tj_net_policy *over);
/* Options that contradict each other or the mode. */
int tj_net_policy_check(const struct tj_net_policy *p, struct tj_err **err);
/* True when the policy asks for anything (a mode or a rule). */
bool tj_net_policy_wanted(const struct tj_net_policy *p);

/* --net none | host | allow=LIST (LIST as for tj_net_add_allow). */
int tj_net_parse_mode(struct tj_net_policy *p, const char *arg, struct tj_err **err);
/* "example.org,*.debian.org:443,10.0.0.5:8080,[::1]:80" */
int tj_net_add_allow(struct tj_net_policy *p, const char *list, struct tj_err **err);
/* "HOST:PORT" or "[V6]:PORT" (an http:// prefix and a trailing / are
 * accepted, as in HTTPS_PROXY): the upstream proxy. */
int tj_net_set_upstream(struct tj_net_policy *p, const char *arg, struct tj_err **err);
/* "NAME:ADDR", ADDR an IPv4 or IPv6 address (brackets optional). */
int tj_net_add_resolve(struct tj_net_policy *p, const char *arg, struct tj_err **err);
/* "10.0.0.0/8,fd00::/8,192.0.2.7" (no prefix: a single address). */
int tj_net_add_cidrs(struct tj_cidr_list *to, const char *list, struct tj_err **err);
/* "80,443" */
int tj_net_add_ports(struct tj_port_list *to, const char *list, struct tj_err **err);

/* Parses an address ("192.0.2.1", "::1", "[::1]") into *ret (port 0). */
bool tj_net_parse_addr(const char *text, struct sockaddr_storage *ret);
/* Formats an address without port ("192.0.2.1", "::1"). */
void tj_net_format_addr(const struct sockaddr_storage *a, char *buf, size_t size);

/* The special range an address belongs to ("loopback", "private",
 * "link-local", "shared (CGNAT)", "multicast", "unspecified", "unique
 * local", "broadcast", "reserved", "documentation", "IPv4-mapped ..."), or
 * NULL for an ordinary public address.  IPv4-mapped IPv6 addresses are
 * judged as the IPv4 address they carry. */
const char *tj_net_special_range(const struct sockaddr_storage *a);
/* Appends the special ranges (those tj_net_special_range names) to v4 and
 * v6, for the kernel's copy of them (host mode's BPF maps).  The forms that
 * carry an IPv4 address are not among them: they are judged by it. */
void tj_net_special_cidrs(struct tj_cidr_list *v4, struct tj_cidr_list *v6);

bool tj_cidr_contains(const struct tj_cidr *c, const struct sockaddr_storage *a);
bool tj_cidr_list_contains(const struct tj_cidr_list *l, const struct sockaddr_storage *a);

/* Filtered mode, step 1: may the command ask for host:port?  Returns the
 * allowlist entry that allows it, or NULL with a reason for people. */
const struct tj_net_allow *tj_net_match_host(const struct tj_net_policy *p, const char *host, uint16_t port,
					     const char **why);
/* True when an allowlist entry names host, whatever its ports: a refusal
 * by tj_net_match_host is then about the port. */
bool tj_net_host_named(const struct tj_net_policy *p, const char *host);
/* The ports host may be asked for on ("80,443"; "any" when unrestricted). */
void tj_net_format_host_ports(const struct tj_net_policy *p, const char *host, char *buf, size_t size);
/* The --resolve mapping for host, or NULL. */
const struct tj_net_resolve *tj_net_find_resolve(const struct tj_net_policy *p, const char *host);
/* ::ffff:a.b.c.d as a.b.c.d (what a dual-stack socket connects to), for
 * the CIDR lists; anything else as it is. */
struct sockaddr_storage tj_net_unmapped(const struct sockaddr_storage *a);
/* Step 2, after resolution: may a connection go to addr?  `mapped` is true
 * when the address came from --resolve (an explicit allowance).  Returns
 * true, or false with a reason. */
bool tj_net_addr_allowed(const struct tj_net_policy *p, const struct sockaddr_storage *addr, bool mapped,
			 const char **why);

/* The destination ports: the policy's, or by default 80 and 443 in filtered
 * mode and any in host mode. */
bool tj_net_port_allowed(const struct tj_net_policy *p, uint16_t port);

const char *tj_net_mode_name(enum tj_net_mode m);

#endif
