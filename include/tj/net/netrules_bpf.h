/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the host-rules BPF programs (src/net/bpf/netrules.bpf.c) and tinyjail share: the
 * map keys and the record of a refused attempt.  Included by the BPF
 * program (clang -target bpf) and by layer_net.c, so only kernel UAPI types.
 */
#ifndef TJ_NETRULES_BPF_H
#define TJ_NETRULES_BPF_H

#include <linux/types.h>

/* LPM trie keys: a prefix length in bits, then the address in network order. */
struct tj_nr_key4 {
	__u32 prefixlen;
	__u8 addr[4];
};
struct tj_nr_key6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Why an attempt was refused (0: allowed).  Same order of checks as
 * tj_net_host_decide() in src/net/netrules.c. */
enum tj_nr_reason {
	TJ_NR_ALLOWED = 0,
	TJ_NR_DENY_CIDR = 1, /* the address is in --net-deny-cidr */
	TJ_NR_DNS = 2,	     /* port 53 to an address that is not a resolver */
	TJ_NR_PORT = 3,	     /* the port is not in --net-ports */
	TJ_NR_SPECIAL = 4,   /* a private or special range, with --net-deny-private */
};

/* Which hook saw it. */
enum tj_nr_hook {
	TJ_NR_CONNECT = 1,
	TJ_NR_SENDMSG = 2,
};

/* One refused attempt, as the ring buffer carries it. */
struct tj_nr_event {
	__u32 pid; /* thread group id, in the initial pid namespace */
	__u32 tid;
	__u8 hook;     /* enum tj_nr_hook */
	__u8 family;   /* AF_INET or AF_INET6, as the program gave it */
	__u8 protocol; /* IPPROTO_TCP, IPPROTO_UDP, ... */
	__u8 reason;   /* enum tj_nr_reason */
	__u16 port;    /* host order */
	__u16 pad;
	__u8 addr[16]; /* IPv4: the first 4 bytes; network order */
	char comm[16];
};

#endif
