/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The filtering proxy's event loop (notes/network.md): accepts the
 * command's connections on listeners that live in the sandbox's network
 * namespace, judges each request (proxy_rules.h), resolves, connects from
 * tinyjail's namespace to exactly the address it checked, and relays both
 * ways with epoll and fixed buffers.  It enforces the lifetime, idle and
 * concurrency limits, and reports every refusal and cut as one fixed-size
 * record on a pipe to the supervisor (layer_proxy.c turns them into events).
 *
 * It runs in its own confined process (layer_proxy.c, proxy_confine.c); the
 * loop itself only needs the descriptors it is given, so the unit tests run
 * it in a plain child process.
 */
#ifndef TJ_PROXY_H
#define TJ_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "tj/model/netpolicy.h"
#include "tj/net/proxy_resolver.h"
#include "tj/net/proxy_rules.h"

/* The proxy's address inside the sandbox: its own network namespace, so
 * the port never collides with the host's. */
#define TJ_PROXY_PORT 3128
#define TJ_PROXY_URL "http://127.0.0.1:3128"

struct tj_proxy_config {
	const struct tj_net_policy *policy;
	unsigned max_conns;	      /* allowed connections open at once; 0 = no cap */
	uint64_t lifetime_ms;	      /* a connection's maximum life; 0 = none */
	uint64_t idle_ms;	      /* cut after this long without a byte */
	uint64_t head_timeout_ms;     /* the request head must arrive within this */
	uint64_t connect_timeout_ms;  /* connecting to the server, all its addresses */
	size_t max_clients;	      /* client connections open at once, whatever their state */
	struct tj_resolver *resolver; /* NULL: names without --resolve get 502 */
};

/* Fills the limits from the policy (defaults for what it leaves unset) and
 * the descriptors this process may open. */
void tj_proxy_config_init(struct tj_proxy_config *c, const struct tj_net_policy *p);

/* One record per refusal or cut, written whole (smaller than PIPE_BUF) to
 * the report pipe.  Strings are NUL-terminated; the reader must not trust
 * them further than that (the proxy parses what the sandbox sends). */
enum tj_proxy_record_kind {
	TJ_PROXY_REC_REFUSED = 1,
	TJ_PROXY_REC_CUT = 2,
	TJ_PROXY_REC_FAILED = 3, /* allowed, but the server (or upstream proxy) could not be reached */
};
struct tj_proxy_record {
	uint32_t kind;
	uint32_t rule;	      /* enum tj_proxy_rule */
	int32_t port;	      /* -1 if unknown */
	int32_t status;	      /* the HTTP status answered; 0 if none (a cut) */
	uint64_t duration_ms; /* a cut: the connection's age */
	char method[16];
	char host[256];
	char address[48]; /* the server's address, once known */
	char reason[320];
};

/* Serves connections accepted on the listeners until one of them fails
 * (never, in practice: the process is killed when the sandbox ends).
 * Returns -1 with errno. */
int tj_proxy_serve(const struct tj_proxy_config *cfg, const int *listeners, size_t nlisteners, int report_fd);

#endif
