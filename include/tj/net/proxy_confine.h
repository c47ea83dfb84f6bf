/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The proxy confines itself: it parses what the sandbox sends, so a flaw
 * in it must not become a way out of the sandbox or into the host.  In its
 * own process (layer_proxy.c), before it reads a byte from the sandbox:
 *
 *   no capabilities (bounding, ambient, the three sets), not dumpable,
 *   no_new_privs, RLIMIT_CORE 0;
 *   Landlock: no filesystem right but reading the name-resolution files
 *     (/etc/hosts, resolv.conf, nsswitch.conf, host.conf, gai.conf), TCP
 *     connect only to the ports the policy allows and 53 (DNS over TCP),
 *     bind nowhere, signals and abstract sockets scoped (as the kernel has
 *     it: ABI 1, 4, 6);
 *   seccomp: an allowlist of the calls its loop and getaddrinfo make
 *     (sockets of the inet families only, no executable memory, no new
 *     processes or threads), anything else kills it; loaded after the
 *     resolver threads exist, on all of them (TSYNC).
 */
#ifndef TJ_PROXY_CONFINE_H
#define TJ_PROXY_CONFINE_H

#include <stddef.h>

#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/filter/filter.h"
#include "tj/model/netpolicy.h"

/* Compiles the seccomp allowlist (in tinyjail, before the fork). */
int tj_proxy_filter_compile(struct tj_filter **ret, struct tj_err **err);
/* In the proxy process, before its threads start: everything but seccomp.
 * Returns 0, or -1 with a message in msg. */
int tj_proxy_confine(const struct tj_net_policy *p, char *msg, size_t size);
/* After the threads started: the seccomp filter, on every thread. */
int tj_proxy_load_filter(const struct tj_filter *f, char *msg, size_t size);
/* For the manifest: how the proxy will be confined on this kernel. */
void tj_proxy_describe_confinement(struct tj_buf *b);

#endif
