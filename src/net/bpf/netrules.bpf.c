/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host-rules programs: cgroup sock_addr hooks for connect() and
 * sendmsg() of IPv4 and IPv6 sockets in the sandbox's cgroup.  Each judges
 * the destination the program asked for and returns 1 (go on) or 0 (the
 * call fails with EPERM), and reports a refusal on the ring buffer.
 *
 * The decision is the one tj_net_host_decide() makes in src/net/netrules.c, in
 * the same order; tests/unit/test_netrules_kernel.c checks the two agree.
 * The maps are filled by layer_net.c before the programs are attached.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "tj/net/netrules_bpf.h"

#define AF_INET 2
#define AF_INET6 10

/* Set before loading (the verifier then drops the unused paths). */
const volatile __u8 deny_private = 0;
const volatile __u8 limit_ports = 0;

/* Counters tinyjail reads at the end: every refusal, and those the ring
 * buffer had no room for. */
__u64 refused = 0;
__u64 unrecorded = 0;

#define LPM(name, keytype)                                                                                       \
	struct {                                                                                                 \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);                                                             \
		__uint(map_flags, BPF_F_NO_PREALLOC);                                                            \
		__type(key, keytype);                                                                            \
		__type(value, __u8);                                                                             \
		__uint(max_entries, 1);                                                                          \
	} name SEC(".maps")

LPM(deny4, struct tj_nr_key4);
LPM(deny6, struct tj_nr_key6);
LPM(allow4, struct tj_nr_key4);
LPM(allow6, struct tj_nr_key6);
LPM(dns4, struct tj_nr_key4);
LPM(dns6, struct tj_nr_key6);
LPM(special4, struct tj_nr_key4);
LPM(special6, struct tj_nr_key6);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);
	__type(value, __u8);
	__uint(max_entries, 1);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct dest {
	int v4;        /* judged as IPv4 (also an IPv4-mapped IPv6 address) */
	__u8 a4[4];
	__u8 a6[16];
	__u16 port;
};

static __always_inline int in4(void *map, const __u8 *a)
{
	struct tj_nr_key4 k = {.prefixlen = 32};
	__builtin_memcpy(k.addr, a, 4);
	return bpf_map_lookup_elem(map, &k) != 0;
}

static __always_inline int in6(void *map, const __u8 *a)
{
	struct tj_nr_key6 k = {.prefixlen = 128};
	__builtin_memcpy(k.addr, a, 16);
	return bpf_map_lookup_elem(map, &k) != 0;
}

static __always_inline int in_list(const struct dest *d, void *map4, void *map6)
{
	return d->v4 ? in4(map4, d->a4) : in6(map6, d->a6);
}

/* As tj_net_special_range(): NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
 * addresses are judged by the IPv4 address they carry. */
static __always_inline int special(const struct dest *d)
{
	if (d->v4)
		return in4(&special4, d->a4);
	const __u8 *b = d->a6;
	if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 0 && b[6] == 0 &&
	    b[7] == 0 && b[8] == 0 && b[9] == 0 && b[10] == 0 && b[11] == 0)
		return in4(&special4, b + 12);
	if (b[0] == 0x20 && b[1] == 0x02)
		return in4(&special4, b + 2);
	return in6(&special6, b);
}

static __always_inline int decide(const struct dest *d)
{
	if (in_list(d, &deny4, &deny6))
		return TJ_NR_DENY_CIDR;
	/* Name resolution goes to the resolvers, and only to them, whatever
	 * the other rules say. */
	if (d->port == 53)
		return in_list(d, &dns4, &dns6) ? TJ_NR_ALLOWED : TJ_NR_DNS;
	if (limit_ports) {
		__u16 port = d->port;
		if (!bpf_map_lookup_elem(&ports, &port))
			return TJ_NR_PORT;
	}
	if (in_list(d, &allow4, &allow6))
		return TJ_NR_ALLOWED;
	if (deny_private && special(d))
		return TJ_NR_SPECIAL;
	return TJ_NR_ALLOWED;
}

static __always_inline int judge(struct bpf_sock_addr *ctx, int v6, int hook)
{
	struct dest d = {};
	__u32 w[4] = {};
	d.port = bpf_ntohs((__u16)ctx->user_port);
	if (v6) {
		w[0] = ctx->user_ip6[0];
		w[1] = ctx->user_ip6[1];
		w[2] = ctx->user_ip6[2];
		w[3] = ctx->user_ip6[3];
		__builtin_memcpy(d.a6, w, 16);
		/* ::ffff:a.b.c.d reaches the IPv4 address a.b.c.d. */
		if (w[0] == 0 && w[1] == 0 && w[2] == bpf_htonl(0x0000ffff)) {
			d.v4 = 1;
			__builtin_memcpy(d.a4, &w[3], 4);
		}
	} else {
		w[0] = ctx->user_ip4;
		d.v4 = 1;
		__builtin_memcpy(d.a4, &w[0], 4);
	}
	int reason = decide(&d);
	if (reason == TJ_NR_ALLOWED)
		return 1;

	__sync_fetch_and_add(&refused, 1);
	struct tj_nr_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&unrecorded, 1);
		return 0;
	}
	__u64 id = bpf_get_current_pid_tgid();
	e->pid = (__u32)(id >> 32);
	e->tid = (__u32)id;
	e->hook = (__u8)hook;
	e->family = v6 ? AF_INET6 : AF_INET;
	e->protocol = (__u8)ctx->protocol;
	e->reason = (__u8)reason;
	e->port = d.port;
	e->pad = 0;
	if (v6)
		__builtin_memcpy(e->addr, d.a6, 16);
	else {
		__builtin_memset(e->addr, 0, 16);
		__builtin_memcpy(e->addr, d.a4, 4);
	}
	if (bpf_get_current_comm(e->comm, sizeof(e->comm)) != 0)
		e->comm[0] = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("cgroup/connect4")
int tj_connect4(struct bpf_sock_addr *ctx)
{
	return judge(ctx, 0, TJ_NR_CONNECT);
}

SEC("cgroup/connect6")
int tj_connect6(struct bpf_sock_addr *ctx)
{
	return judge(ctx, 1, TJ_NR_CONNECT);
}

SEC("cgroup/sendmsg4")
int tj_sendmsg4(struct bpf_sock_addr *ctx)
{
	return judge(ctx, 0, TJ_NR_SENDMSG);
}

SEC("cgroup/sendmsg6")
int tj_sendmsg6(struct bpf_sock_addr *ctx)
{
	return judge(ctx, 1, TJ_NR_SENDMSG);
}

char LICENSE[] SEC("license") = "Apache-2.0";
