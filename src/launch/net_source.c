/* SPDX-License-Identifier: Apache-2.0 */
/* Refusals of the host network rules, from the ring buffer to events. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/launch/net_source.h"

static const char *protocol_name(unsigned p, char *buf, size_t size)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_MPTCP: return "mptcp";
	}
	snprintf(buf, size, "ip-protocol-%u", p);
	return buf;
}

void tj_net_source_event(const struct tj_net_rules *rules, const struct tj_nr_event *r, struct tj_events *events)
{
	struct sockaddr_storage a;
	memset(&a, 0, sizeof(a));
	if (r->family == AF_INET6) {
		struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a;
		v6->sin6_family = AF_INET6;
		memcpy(&v6->sin6_addr, r->addr, 16);
	} else {
		struct sockaddr_in *v4 = (struct sockaddr_in *)&a;
		v4->sin_family = AF_INET;
		memcpy(&v4->sin_addr, r->addr, 4);
	}
	char addr[INET6_ADDRSTRLEN], comm[sizeof(r->comm) + 1], proto[32];
	tj_net_format_addr(&a, addr, sizeof(addr));
	memcpy(comm, r->comm, sizeof(r->comm));
	comm[sizeof(r->comm)] = '\0';
	char *why = tj_net_rules_reason(rules, r->reason, &a, r->port);
	struct tj_net_event e = {
		.pid = (pid_t)r->pid,
		.comm = comm,
		.syscall = r->hook == TJ_NR_CONNECT ? "connect" : "sendmsg",
		.family = r->family == AF_INET6 ? "inet6" : "inet",
		.protocol = protocol_name(r->protocol, proto, sizeof(proto)),
		.address = addr,
		.port = r->port,
		.reason = why,
	};
	tj_events_net_refused(events, &e);
	free(why);
}

static void on_record(void *ctx, const struct tj_nr_event *r)
{
	struct tj_net_source *s = ctx;
	tj_net_source_event(tj_layer_net_rules(s->layer), r, s->events);
}

static void drain(void *ctx, pid_t child)
{
	(void)child;
	struct tj_net_source *s = ctx;
	tj_layer_net_drain(s->layer, on_record, s);
}

void tj_net_source_init(struct tj_net_source *s, void *layer_state, struct tj_events *events)
{
	memset(s, 0, sizeof(*s));
	s->layer = layer_state;
	s->events = events;
	s->src.fd = tj_layer_net_events_fd(layer_state);
	s->src.ready = drain;
	s->src.finish = drain;
	s->src.ctx = s;
}
