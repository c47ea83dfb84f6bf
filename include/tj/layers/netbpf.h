/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host network rules as cgroup BPF programs (netbpf.c, the only user of
 * libbpf), for layer_net.c.  A build without them (`make NET_BPF=0`, no
 * clang or bpftool needed) links netbpf_none.c, whose load fails with the
 * reason: --net host rules are then refused, or degraded on request, as on
 * a host without cgroup BPF.
 */
#ifndef TJ_NETBPF_H
#define TJ_NETBPF_H

#include <stdint.h>

#include "tj/base/err.h"
#include "tj/net/netrules.h"

struct tj_netbpf;

/* Loads the programs with maps holding the rules (r: a port, address and
 * DNS policy, netrules.h). */
int tj_netbpf_load(const struct tj_net_rules *r, struct tj_netbpf **ret, struct tj_err **err);
void tj_netbpf_free(struct tj_netbpf *b);
/* Attaches the connect and sendmsg programs to a cgroup v2 (never weakening
 * what the system attached above it). */
int tj_netbpf_attach(struct tj_netbpf *b, int cgroup_fd, const char *cgroup_path, struct tj_err **err);
/* The ring buffer of refusals: opened once, polled through its fd, drained
 * into cb. */
int tj_netbpf_open_events(struct tj_netbpf *b, struct tj_err **err);
int tj_netbpf_events_fd(const struct tj_netbpf *b);
void tj_netbpf_drain(struct tj_netbpf *b, void (*cb)(void *ctx, const struct tj_nr_event *e), void *ctx);
/* The programs' counters: refusals, and those the ring buffer had no room for. */
void tj_netbpf_counts(const struct tj_netbpf *b, uint64_t *refused, uint64_t *unrecorded);

#endif
