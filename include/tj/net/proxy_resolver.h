/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name resolution for the proxy, off its event loop: a few threads run
 * getaddrinfo(3) (files and dns, as the host configures them) and hand the
 * answers back through a pipe the loop polls.  A slow lookup blocks one
 * thread, never the loop.  The proxy starts the threads before it loads its
 * seccomp filter, so that the filter need not allow creating threads.
 */
#ifndef TJ_PROXY_RESOLVER_H
#define TJ_PROXY_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "tj/base/err.h"

#define TJ_RESOLVER_MAX_ADDRS 8

struct tj_resolver;

struct tj_resolver_result {
	uint64_t cookie; /* as submitted */
	int error;	 /* 0, or a getaddrinfo EAI_* code */
	size_t n;
	struct sockaddr_storage addrs[TJ_RESOLVER_MAX_ADDRS]; /* port 0, in the resolver's order */
};

int tj_resolver_start(unsigned threads, struct tj_resolver **ret, struct tj_err **err);
/* Stops and joins the threads (a lookup in progress is waited for). */
void tj_resolver_free(struct tj_resolver *r);
/* Readable when results are waiting. */
int tj_resolver_fd(const struct tj_resolver *r);
/* Queues a lookup of host (a name the proxy has validated); false when the
 * queue is full. */
bool tj_resolver_submit(struct tj_resolver *r, uint64_t cookie, const char *host);
/* Takes one finished lookup; false when there is none. */
bool tj_resolver_take(struct tj_resolver *r, struct tj_resolver_result *out);

#endif
