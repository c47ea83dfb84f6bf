/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The filtering proxy's event loop (proxy.h).
 *
 * One epoll set, edge-triggered for connections: each socket is registered
 * once for reading and writing, the loop remembers which side is ready, and
 * pump() moves bytes while both readiness and buffer room allow.  No
 * interest changes per byte, no busy loop on a half-closed socket.  Two
 * fixed buffers per connection (client to server, server to client) bound
 * its memory; a connection that could go on after a round of work is
 * queued and resumed after the others had theirs.
 *
 * Bytes that pass as they are (a tunnel both ways, a response body once its
 * head is rewritten) go socket -> pipe -> socket with splice(2), never
 * through user space; a connection that cannot have its pipes (descriptors
 * short) copies them through the buffers instead.
 *
 * A connection's life:
 *   HEAD     reading the request head (bounded by TJ_HTTP_MAX_HEAD)
 *   RESOLVE  a name went to the resolver threads
 *   CONNECT  connecting to the checked addresses, one after another
 *   RELAY    bytes both ways (a CONNECT tunnel, or one HTTP exchange;
 *            after a framed response a persistent client goes back to
 *            HEAD for its next request, keeping the server connection
 *            for the same host and port)
 *   REPLY    the proxy's own answer (403, 502, ...) is being written
 *   LINGER   answered: reading what the client still sends until it
 *            closes, so that closing does not reset the answer away
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tj/model/limits.h"
#include "tj/net/proxy.h"

#define BUF_SIZE (64 * 1024)
/* `in` holds up to BUF_SIZE bytes read from the client; the room past it
 * is for the head tinyjail rewrites in front of the body bytes that came
 * with it (decide, upstream_head), which can be longer than the client's
 * head.  A kept-alive connection's next request can arrive with almost
 * BUF_SIZE bytes of its body. */
#define IN_CAP (BUF_SIZE + TJ_HTTP_MAX_HEAD)
/* The most upstream_head adds in front of a request (its head[]). */
#define UPSTREAM_HEAD_MAX 700
/* Each direction's pipe: large enough that one wake-up moves what the
 * socket holds (notes/performance.md has the sizes measured). */
#ifndef SPL_SIZE
#define SPL_SIZE (256 * 1024)
#endif
#define LINGER_MS 2000
#define ACCEPT_BATCH 64
#define PUMP_ROUNDS 16
#define MAX_EVENTS 256
#define TAG_LISTENER (1ULL << 63)
#define TAG_RESOLVER (1ULL << 62)
#define SIDE_CLIENT 0
#define SIDE_SERVER 1

enum cstate {
	S_HEAD,
	S_RESOLVE,
	S_CONNECT,
	S_RELAY,
	S_REPLY,
	S_LINGER
};

struct buf {
	char *d;
	size_t off, len;
};

/* A pipe for splice(2), made when first needed (r < 0: none yet); len
 * bytes are in it. */
struct spl {
	int r, w;
	size_t len;
};

struct conn {
	bool used;
	uint32_t gen;
	int cfd, sfd;
	enum cstate state;
	uint64_t t_accept, t_last, t_connect, t_linger;
	bool counted; /* holds one of max_conns */
	bool have_req;
	struct tj_http_request req;
	struct buf in;	 /* client -> server (the head, while it is read) */
	struct buf out;	 /* server -> client, or the proxy's answer */
	struct spl up;	 /* client -> server (a tunnel) */
	struct spl down; /* server -> client (raw bytes) */
	bool nopipe;	 /* no pipe could be made: copy instead */
	char *resp;	 /* HTTP: the response head while it is read */
	size_t resp_len;
	bool raw;			   /* server bytes go to the client as they are */
	bool answered;			   /* something for the client was queued: too late for an error page */
	bool c_rd, c_wr, s_rd, s_wr;	   /* readiness, from edge-triggered events */
	bool c_eof, s_eof, c_shut, s_shut; /* read EOF; our write side shut */
	bool queued;			   /* on the list of connections to pump again */
	bool via_upstream;		   /* to the upstream proxy (--net-upstream-proxy), not the server */
	/* Keep-alive (HTTP): the response's framing, and what is kept for the
	 * next request. */
	struct tj_http_response rsp;
	bool framed; /* the response head is read and its body framed (not raw) */
	bool dirty;  /* the server sent more than its response: never reused */
	char *pend;  /* what the client sent after the request: the next head */
	size_t pend_len;
	unsigned nreq;	 /* requests decided on this connection */
	uint64_t t_head; /* since when the current head is awaited */
	bool srv_kept;	 /* sfd is idle, kept for the next request to srv_host:srv_port */
	bool srv_reused; /* this request went on a kept server connection */
	uint16_t srv_port;
	char srv_host[256];
	struct sockaddr_storage addrs[TJ_RESOLVER_MAX_ADDRS];
	size_t naddrs, next;
	int last_errno;
	char addr[48]; /* the server's address, for events */
};

struct proxy {
	const struct tj_proxy_config *cfg;
	int ep, report;
	const int *listeners;
	size_t nlisteners;
	bool accept_paused;
	uint64_t accept_resume;
	struct conn *conns;
	size_t cap; /* slots */
	size_t *free_slots;
	size_t nfree;
	unsigned active; /* counted connections */
	size_t *again;	 /* connections to pump again */
	size_t nagain;
	uint64_t now;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void tj_proxy_config_init(struct tj_proxy_config *c, const struct tj_net_policy *p)
{
	memset(c, 0, sizeof(*c));
	c->policy = p;
	c->max_conns = p->max_conns ? p->max_conns : TJ_NET_DEFAULT_MAX_CONNS;
	c->lifetime_ms = p->conn_timeout_ms;
	c->idle_ms = p->idle_timeout_ms ? p->idle_timeout_ms : TJ_NET_DEFAULT_IDLE_MS;
	c->head_timeout_ms = 30000;
	c->connect_timeout_ms = 30000;
	/* Each client connection may need two descriptors; keep some for
	 * the resolver's files and sockets. */
	struct rlimit rl;
	size_t fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (size_t)rl.rlim_cur : 1024;
	c->max_clients = fds > 96 ? (fds - 64) / 2 : 16;
	if (c->max_clients > 4096)
		c->max_clients = 4096;
}

/* --- records for the supervisor --- */

static void copy_str(char *to, size_t size, const char *from)
{
	snprintf(to, size, "%s", from ? from : "");
}

static void record(struct proxy *px, const struct conn *c, enum tj_proxy_record_kind kind, enum tj_proxy_rule rule,
		   int status, const char *reason)
{
	struct tj_proxy_record r;
	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.rule = rule;
	r.status = status;
	r.port = c->have_req && c->req.port ? c->req.port : -1;
	r.duration_ms = px->now - c->t_accept;
	if (c->have_req) {
		copy_str(r.method, sizeof(r.method), c->req.method);
		copy_str(r.host, sizeof(r.host), c->req.host);
	}
	copy_str(r.address, sizeof(r.address), c->addr);
	copy_str(r.reason, sizeof(r.reason), reason);
	/* Blocking and whole (smaller than PIPE_BUF): the supervisor reads
	 * continuously, and a record must never be lost or torn. */
	const char *p = (const char *)&r;
	size_t left = sizeof(r);
	while (left) {
		ssize_t n = write(px->report, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1); /* the supervisor is gone: so is the sandbox */
		p += n;
		left -= (size_t)n;
	}
}

static bool would_block(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK;
}

/* --- connections --- */

static uint64_t key(const struct proxy *px, const struct conn *c, int side)
{
	size_t idx = (size_t)(c - px->conns);
	return (uint64_t)c->gen << 32 | (uint64_t)idx << 1 | (uint64_t)side;
}

static void release_slot(struct proxy *px, struct conn *c)
{
	if (c->counted) {
		px->active--;
		c->counted = false;
	}
}

static void spl_close(struct spl *p)
{
	if (p->r >= 0)
		close(p->r);
	if (p->w >= 0)
		close(p->w);
	p->r = p->w = -1;
	p->len = 0;
}

static void conn_clear_fds(struct conn *c)
{
	c->cfd = c->sfd = -1;
	c->up.r = c->up.w = c->down.r = c->down.w = -1;
}

/* The pipe, made when first needed; false: copy instead. */
static bool spl_ready(struct conn *c, struct spl *p)
{
	if (p->r >= 0)
		return true;
	if (c->nopipe)
		return false;
	int fds[2];
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
		c->nopipe = true;
		return false;
	}
	p->r = fds[0];
	p->w = fds[1];
	/* Refused beyond the user's pipe quota (fs.pipe-user-pages-soft):
	 * the default size then, which works, only with more wake-ups. */
	fcntl(p->w, F_SETPIPE_SZ, SPL_SIZE);
	return true;
}

/* One step of from -> pipe -> to: at most *left bytes are taken from
 * `from` (UINT64_MAX: up to its end, which sets *eof).  Returns 1 when
 * anything moved, 0 when nothing could, -1 on an error (errno). */
static int spl_step(struct spl *p, int from, int to, bool *rd, bool *wr, bool *eof, uint64_t *left)
{
	int moved = 0;
	if (*rd && !*eof && *left) {
		size_t want = *left < SPL_SIZE ? (size_t)*left : SPL_SIZE;
		ssize_t n = splice(from, NULL, p->w, NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			p->len += (size_t)n;
			if (*left != UINT64_MAX)
				*left -= (size_t)n;
			moved = 1;
		} else if (n == 0) {
			*eof = true;
			moved = 1;
		} else if (errno == EAGAIN) {
			/* Also a full pipe: only an empty one says the
			 * socket has nothing. */
			if (!p->len)
				*rd = false;
		} else {
			return -1;
		}
	}
	if (*wr && p->len) {
		ssize_t n = splice(p->r, NULL, to, NULL, p->len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			p->len -= (size_t)n;
			moved = 1;
		} else if (n < 0 && errno == EAGAIN) {
			*wr = false;
		} else {
			return -1;
		}
	}
	return moved;
}

static void close_server(struct proxy *px, struct conn *c)
{
	if (c->sfd >= 0)
		close(c->sfd); /* also leaves the epoll set */
	c->sfd = -1;
	c->s_rd = c->s_wr = false;
	release_slot(px, c);
}

/* Ends a connection.  reset: the client sees a reset rather than an
 * orderly end, so that a cut transfer can never pass for a complete one. */
static void close_conn(struct proxy *px, struct conn *c, bool reset)
{
	if (reset && c->cfd >= 0) {
		struct linger l = {.l_onoff = 1, .l_linger = 0};
		setsockopt(c->cfd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	if (c->cfd >= 0)
		close(c->cfd);
	close_server(px, c);
	spl_close(&c->up);
	spl_close(&c->down);
	free(c->in.d);
	free(c->out.d);
	free(c->resp);
	free(c->pend);
	tj_http_request_done(&c->req);
	/* 30 bits: key() puts it in bits 32-61, below the tags. */
	uint32_t gen = (c->gen + 1) & 0x3fffffffu;
	bool queued = c->queued; /* its entry on the list stays until the list is run */
	memset(c, 0, sizeof(*c));
	c->gen = gen;
	c->queued = queued;
	conn_clear_fds(c);
	px->free_slots[px->nfree++] = (size_t)(c - px->conns);
}

/* Queues the proxy's own answer and ends the exchange after it. */
static void reply(struct proxy *px, struct conn *c, int status, enum tj_proxy_rule rule, const char *text)
{
	close_server(px, c);
	size_t len = 0;
	char *resp = tj_http_error_response(status, rule ? tj_proxy_rule_name(rule) : NULL, text, &len);
	/* To a plain-HTTP request the body the headers announce never comes:
	 * clients then fail (curl without -f: exit 18, nothing saved) instead
	 * of saving the proxy's text as the download.  The reason is in the
	 * status line, X-Tinyjail-Refused and tinyjail's own message.  After
	 * CONNECT a 403 is already an error (curl: exit 56). */
	if (!c->req.connect) {
		const char *end = strstr(resp, "\r\n\r\n");
		if (end)
			len = (size_t)(end + 4 - resp);
	}
	if (!c->out.d)
		c->out.d = tj_xmalloc(BUF_SIZE);
	if (len > BUF_SIZE)
		len = BUF_SIZE;
	memcpy(c->out.d, resp, len);
	free(resp);
	c->out.off = 0;
	c->out.len = len;
	c->answered = true;
	c->state = S_REPLY;
}

static void refuse(struct proxy *px, struct conn *c, int status, enum tj_proxy_rule rule, const char *why)
{
	record(px, c, TJ_PROXY_REC_REFUSED, rule, status, why);
	reply(px, c, status, rule, why);
}

/* An allowed request could not reach its server (or the upstream proxy):
 * not a refusal, but the command's user sees why (stderr, --log). */
static void fail_upstream(struct proxy *px, struct conn *c, int status, const char *why)
{
	record(px, c, TJ_PROXY_REC_FAILED, TJ_PROXY_RULE_NONE, status, why);
	reply(px, c, status, TJ_PROXY_RULE_NONE, why);
}

/* A limit ended a connection that was allowed. */
static void cut(struct proxy *px, struct conn *c, enum tj_proxy_rule rule, const char *why)
{
	bool can_answer = !c->answered && c->state != S_REPLY && c->state != S_LINGER;
	record(px, c, TJ_PROXY_REC_CUT, rule, can_answer ? 504 : 0, why);
	if (can_answer)
		reply(px, c, 504, rule, why);
	else
		close_conn(px, c, true);
}

/* --- connecting --- */

static void start_connect(struct proxy *px, struct conn *c);

/* Through an upstream proxy: a tunnel asks it for one (its answer, 200
 * or an error, goes to the client as it is); a plain request names its
 * whole URL.  Put in front of what `in` holds. */
static bool upstream_head(struct conn *c)
{
	bool v6 = strchr(c->req.host, ':') != NULL;
	char target[300];
	snprintf(target, sizeof(target), "%s%s%s:%u", v6 ? "[" : "", c->req.host, v6 ? "]" : "", c->req.port);
	char head[UPSTREAM_HEAD_MAX];
	size_t skip = 0; /* bytes of in the head replaces */
	if (c->req.connect) {
		snprintf(head, sizeof(head), "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target);
	} else {
		/* "GET /path HTTP/1.1": the method, then the URL for a proxy. */
		const char *sp = memchr(c->in.d + c->in.off, ' ', c->in.len);
		if (!sp)
			return false;
		skip = (size_t)(sp + 1 - (c->in.d + c->in.off));
		snprintf(head, sizeof(head), "%s http://%s", c->req.method, target);
	}
	size_t n = strlen(head);
	if (c->in.len - skip + n > IN_CAP)
		return false; /* decide() leaves room for it: never sent unrewritten */
	memmove(c->in.d + n, c->in.d + c->in.off + skip, c->in.len - skip);
	memcpy(c->in.d, head, n);
	c->in.off = 0;
	c->in.len = c->in.len - skip + n;
	return true;
}

/* The server's connection is there (new, or kept from the previous
 * exchange): relay. */
static void connected(struct proxy *px, struct conn *c, bool fresh)
{
	int one = 1;
	if (fresh) {
		setsockopt(c->sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(c->cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	c->state = S_RELAY;
	c->t_last = px->now;
	if (!c->out.d)
		c->out.d = tj_xmalloc(BUF_SIZE);
	if (c->via_upstream && !upstream_head(c)) {
		refuse(px, c, 400, TJ_PROXY_RULE_MALFORMED, "the request cannot be rewritten for the upstream proxy");
		return;
	}
	if (c->req.connect && c->via_upstream) {
		c->raw = c->answered = true;
	} else if (c->req.connect) {
		static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
		memcpy(c->out.d, ok, sizeof(ok) - 1);
		c->out.len = sizeof(ok) - 1;
		c->raw = c->answered = true;
	} else {
		c->resp = tj_xmalloc(TJ_HTTP_MAX_HEAD);
	}
}

static void start_connect(struct proxy *px, struct conn *c)
{
	uint16_t port = c->via_upstream ? px->cfg->policy->upstream_port : c->req.port;
	while (c->next < c->naddrs) {
		struct sockaddr_storage sa = c->addrs[c->next++];
		socklen_t len;
		if (sa.ss_family == AF_INET) {
			((struct sockaddr_in *)&sa)->sin_port = htons(port);
			len = sizeof(struct sockaddr_in);
		} else {
			((struct sockaddr_in6 *)&sa)->sin6_port = htons(port);
			len = sizeof(struct sockaddr_in6);
		}
		tj_net_format_addr(&sa, c->addr, sizeof(c->addr));
		/* Exactly the address that was checked: no second lookup. */
		int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			c->last_errno = errno;
			continue;
		}
		if (connect(fd, (struct sockaddr *)&sa, len) < 0 && errno != EINPROGRESS) {
			c->last_errno = errno;
			close(fd);
			continue;
		}
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
					 .data.u64 = key(px, c, SIDE_SERVER)};
		if (epoll_ctl(px->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			c->last_errno = errno;
			close(fd);
			continue;
		}
		c->sfd = fd;
		c->s_rd = c->s_wr = false;
		c->state = S_CONNECT;
		return;
	}
	char why[512];
	snprintf(why, sizeof(why), "cannot connect to %s'%s' port %u (%s): %s",
		 c->via_upstream ? "the upstream proxy " : "",
		 c->via_upstream ? px->cfg->policy->upstream_host : c->req.host, port,
		 c->addr[0] ? c->addr : "no address", strerror(c->last_errno ? c->last_errno : ECONNREFUSED));
	fail_upstream(px, c, 502, why);
}

static void finish_connect(struct proxy *px, struct conn *c)
{
	int e = 0;
	socklen_t len = sizeof(e);
	if (getsockopt(c->sfd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	if (e == 0) {
		connected(px, c, true);
		return;
	}
	c->last_errno = e;
	close(c->sfd);
	c->sfd = -1;
	start_connect(px, c);
}

/* The addresses are known (from --resolve, the literal or the resolver):
 * keep those the policy allows, then connect. */
static void addresses_ready(struct proxy *px, struct conn *c, bool mapped)
{
	char why[512] = "";
	tj_net_format_addr(&c->addrs[0], c->addr, sizeof(c->addr));
	c->naddrs = tj_proxy_filter_addresses(px->cfg->policy, c->req.host, c->addrs, c->naddrs, mapped, why,
					      sizeof(why));
	if (!c->naddrs) {
		refuse(px, c, 403, TJ_PROXY_RULE_ADDRESS, why);
		return;
	}
	c->next = 0;
	c->t_connect = px->now;
	start_connect(px, c);
}

static void resolve(struct proxy *px, struct conn *c)
{
	const struct tj_net_policy *pol = px->cfg->policy;
	struct sockaddr_storage a;
	bool mapped = false;
	bool known = tj_proxy_static_address(pol, c->req.host, &a, &mapped);
	const char *lookup = c->req.host;
	char why[512];
	/* Decided again for every request: a kept-alive connection's next one
	 * may go to a --resolve name, directly, at its own port. */
	c->via_upstream = false;
	if (pol->upstream_host && !mapped) {
		/* The upstream proxy resolves names; a literal address is
		 * still judged here. */
		if (known && !tj_proxy_filter_addresses(pol, c->req.host, &a, 1, false, why, sizeof(why))) {
			tj_net_format_addr(&a, c->addr, sizeof(c->addr));
			refuse(px, c, 403, TJ_PROXY_RULE_ADDRESS, why);
			return;
		}
		c->via_upstream = true;
		known = tj_net_parse_addr(pol->upstream_host, &a);
		lookup = pol->upstream_host;
		if (known) {
			c->addrs[0] = a;
			c->naddrs = 1;
			c->next = 0;
			c->t_connect = px->now;
			start_connect(px, c);
			return;
		}
	} else if (known) {
		c->addrs[0] = a;
		c->naddrs = 1;
		addresses_ready(px, c, mapped);
		return;
	}
	if (!px->cfg->resolver) {
		snprintf(why, sizeof(why), "cannot resolve '%s': no resolver", lookup);
		fail_upstream(px, c, 502, why);
		return;
	}
	if (!tj_resolver_submit(px->cfg->resolver, key(px, c, 0), lookup)) {
		snprintf(why, sizeof(why), "cannot resolve '%s' now: too many lookups in progress", lookup);
		reply(px, c, 503, TJ_PROXY_RULE_NONE, why);
		return;
	}
	c->state = S_RESOLVE;
}

static void on_resolved(struct proxy *px, const struct tj_resolver_result *res)
{
	size_t idx = (size_t)(res->cookie & 0xffffffffu) >> 1;
	if (idx >= px->cap)
		return;
	struct conn *c = &px->conns[idx];
	if (!c->used || c->gen != (uint32_t)(res->cookie >> 32) || c->state != S_RESOLVE)
		return; /* closed meanwhile */
	if (res->error) {
		char why[512];
		snprintf(why, sizeof(why), "cannot resolve %s'%s': %s", c->via_upstream ? "the upstream proxy " : "",
			 c->via_upstream ? px->cfg->policy->upstream_host : c->req.host, gai_strerror(res->error));
		fail_upstream(px, c, 502, why);
		return;
	}
	memcpy(c->addrs, res->addrs, res->n * sizeof(res->addrs[0]));
	c->naddrs = res->n;
	if (c->via_upstream) {
		/* Named by the user: not judged by the address rule. */
		c->next = 0;
		c->t_connect = px->now;
		start_connect(px, c);
		return;
	}
	addresses_ready(px, c, false);
}

static void pump(struct proxy *px, struct conn *c);

static void take_resolved(struct proxy *px)
{
	struct tj_resolver_result res;
	while (tj_resolver_take(px->cfg->resolver, &res)) {
		on_resolved(px, &res);
		size_t idx = (size_t)(res.cookie & 0xffffffffu) >> 1;
		if (idx < px->cap && px->conns[idx].used)
			pump(px, &px->conns[idx]);
	}
}

/* --- the request --- */

/* A server connection kept from the previous exchange carries this request
 * only to the same host and port, and only if it said nothing since: a byte
 * or its end then would answer no request (a response that lied about its
 * length), so it is closed instead. */
static bool server_reusable(const struct conn *c)
{
	if (c->sfd < 0 || !c->srv_kept || c->req.connect || c->req.port != c->srv_port ||
	    strcmp(c->req.host, c->srv_host) != 0)
		return false;
	char b;
	return recv(c->sfd, &b, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && would_block();
}

/* A kept server connection that the server closed as this request was on
 * its way (its idle timeout), before a byte of the answer: the client sees
 * what it would without the proxy, its own kept connection closed without
 * an answer, which HTTP clients retry on a new connection (RFC 9112 9.3.1);
 * a 502 would be final. */
static bool server_gave_up(const struct conn *c)
{
	return c->srv_reused && !c->answered && c->resp_len == 0;
}

/* The head is complete: judge it, count it, and set the bytes that go
 * to the server in `in`.  Every request is judged here, the first on a
 * connection or the tenth. */
static void decide(struct proxy *px, struct conn *c)
{
	const struct tj_proxy_config *cfg = px->cfg;
	char why[512];
	enum tj_proxy_rule rule = tj_proxy_judge_request(cfg->policy, &c->req, why, sizeof(why));
	if (rule) {
		refuse(px, c, 403, rule, why);
		return;
	}
	bool reuse = server_reusable(c);
	if (!reuse)
		close_server(px, c); /* also gives back its place among max_conns */
	c->srv_kept = false;
	c->srv_reused = reuse;
	if (!c->counted) {
		if (cfg->max_conns && px->active >= cfg->max_conns) {
			snprintf(why, sizeof(why), "at most %u connection%s at once (--net-max-conns)", cfg->max_conns,
				 cfg->max_conns == 1 ? "" : "s");
			refuse(px, c, 503, TJ_PROXY_RULE_MAX_CONNS, why);
			return;
		}
		c->counted = true;
		px->active++;
	}
	c->nreq++;
	/* What follows the head: tunnel data (a TLS hello sent early), or the
	 * body, framed: what follows it is never forwarded with it. */
	c->in.off += c->req.head_len;
	c->in.len -= c->req.head_len;
	if (!c->req.connect) {
		ssize_t k = tj_http_body_feed(&c->req.body, c->in.d + c->in.off, c->in.len);
		if (k < 0) {
			refuse(px, c, 400, TJ_PROXY_RULE_MALFORMED, "the chunked request body is malformed");
			return;
		}
		/* The rewritten head, the body bytes read with the head (up to
		 * BUF_SIZE on a kept-alive connection) and what upstream_head
		 * may add fit in IN_CAP; refused rather than written past it. */
		if (c->req.upstream_len + (size_t)k + UPSTREAM_HEAD_MAX > IN_CAP) {
			refuse(px, c, 400, TJ_PROXY_RULE_MALFORMED, "the request head is too large");
			return;
		}
		/* The next request, sent early: kept (it is judged when this
		 * exchange is over), or dropped with a connection that closes. */
		if (c->req.keep_alive && (size_t)k < c->in.len) {
			c->pend_len = c->in.len - (size_t)k;
			c->pend = tj_xmalloc(c->pend_len);
			memcpy(c->pend, c->in.d + c->in.off + k, c->pend_len);
		}
		memmove(c->in.d + c->req.upstream_len, c->in.d + c->in.off, (size_t)k);
		memcpy(c->in.d, c->req.upstream, c->req.upstream_len);
		c->in.off = 0;
		c->in.len = c->req.upstream_len + (size_t)k;
	}
	if (reuse)
		connected(px, c, false);
	else
		resolve(px, c);
}

/* Parses what `in` holds of the next request head. */
static void parse_head(struct proxy *px, struct conn *c)
{
	int r = tj_http_parse_request(c->in.d, c->in.len, &c->req);
	if (r == 0) {
		if (c->c_eof)
			close_conn(px, c, false); /* gone before asking anything */
		return;
	}
	c->have_req = true;
	if (r < 0) {
		refuse(px, c, c->req.status, TJ_PROXY_RULE_MALFORMED, c->req.error);
		return;
	}
	decide(px, c);
}

static void read_head(struct proxy *px, struct conn *c)
{
	/* At most one head's worth: the rest waits in the socket. */
	size_t room = c->in.len < TJ_HTTP_MAX_HEAD ? TJ_HTTP_MAX_HEAD - c->in.len : 0;
	ssize_t n = room ? recv(c->cfd, c->in.d + c->in.len, room, 0) : 0;
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			c->c_rd = false;
		else
			close_conn(px, c, false);
		return;
	}
	if (n == 0 && room) {
		c->c_eof = true;
		c->c_rd = false;
	}
	c->in.len += (size_t)n;
	parse_head(px, c);
}

/* --- relaying --- */

static void compact(struct buf *b)
{
	if (b->off) {
		memmove(b->d, b->d + b->off, b->len);
		b->off = 0;
	}
}

/* The response head (HTTP): rewritten into `out` once it is complete.
 * Parsed only when `out` is empty, so that it always fits. */
static bool parse_response(struct proxy *px, struct conn *c)
{
	while (!c->raw && !c->framed && c->resp_len && c->out.len == 0) {
		struct tj_buf head = {0};
		int r = tj_http_rewrite_response(c->resp, c->resp_len, &c->req, &head, &c->rsp);
		if (r == 0) {
			tj_buf_done(&head);
			return true;
		}
		if (r < 0) {
			tj_buf_done(&head);
			if (c->answered) {
				close_conn(px, c, true);
			} else {
				char why[512];
				snprintf(why, sizeof(why),
					 "'%s' port %u did not answer with HTTP/1 (or with an unusable Content-Length)",
					 c->req.host, c->req.port);
				reply(px, c, 502, TJ_PROXY_RULE_NONE, why);
			}
			return false;
		}
		c->out.off = 0;
		memcpy(c->out.d, head.s, head.len);
		c->out.len = head.len;
		c->answered = true;
		tj_buf_done(&head);
		size_t head_len = c->rsp.head_len;
		memmove(c->resp, c->resp + head_len, c->resp_len - head_len);
		c->resp_len -= head_len;
		if (c->rsp.status < 200 && c->rsp.status != 101)
			continue; /* informational: the answer follows */
		if (c->rsp.status == 101 || c->rsp.body.kind == TJ_HTTP_BODY_CLOSE) {
			/* The body passes as it is; the server ends it by closing
			 * (and the client's connection ends with it). */
			c->raw = true;
		} else {
			/* Framed: exactly the body, nothing after it. */
			c->framed = true;
			ssize_t k = tj_http_body_feed(&c->rsp.body, c->resp, c->resp_len);
			if (k < 0) {
				close_conn(px, c, true);
				return false;
			}
			if ((size_t)k < c->resp_len)
				c->dirty = true;
			c->resp_len = (size_t)k;
		}
		memcpy(c->out.d + c->out.len, c->resp, c->resp_len);
		c->out.len += c->resp_len;
		c->resp_len = 0;
		free(c->resp);
		c->resp = NULL;
	}
	return true;
}

/* The exchange is over and so is the connection: the server's is closed,
 * the client's after what it still sends (LINGER). */
static bool end_exchange(struct proxy *px, struct conn *c)
{
	close_server(px, c);
	shutdown(c->cfd, SHUT_WR);
	c->c_shut = true;
	c->state = S_LINGER;
	c->t_linger = px->now;
	return true;
}

/* A framed response has reached the client.  Its connection carries the
 * next request if both ends allow it; the server's is kept for a next
 * request to the same host and port if it is clean.  Otherwise the
 * exchange ends as without keep-alive. */
static bool next_exchange(struct proxy *px, struct conn *c)
{
	if (!c->rsp.keep_client || !c->req.body.done || c->c_eof)
		return end_exchange(px, c);
	if (!c->rsp.server_close && !c->dirty && !c->in.len && !c->s_eof && !c->s_shut && c->sfd >= 0) {
		c->srv_kept = true;
		c->srv_port = c->req.port;
		snprintf(c->srv_host, sizeof(c->srv_host), "%s", c->req.host);
	} else {
		close_server(px, c);
	}
	tj_http_request_done(&c->req);
	c->have_req = false;
	c->raw = c->framed = c->answered = c->dirty = false;
	c->state = S_HEAD;
	c->t_head = px->now;
	c->in.off = c->in.len = 0;
	if (c->pend) {
		memcpy(c->in.d, c->pend, c->pend_len);
		c->in.len = c->pend_len;
		free(c->pend);
		c->pend = NULL;
		c->pend_len = 0;
		parse_head(px, c);
	}
	return true;
}

/* One step of each possible transfer; returns true when anything moved. */
static bool relay_step(struct proxy *px, struct conn *c)
{
	bool moved = false;
	/* A tunnel, once what came with its head is sent: client -> pipe ->
	 * server. */
	if (c->req.connect && !c->in.len && spl_ready(c, &c->up)) {
		uint64_t all = UINT64_MAX;
		int r = spl_step(&c->up, c->cfd, c->sfd, &c->c_rd, &c->s_wr, &c->c_eof, &all);
		if (r < 0) {
			close_conn(px, c, true);
			return false;
		}
		if (r > 0) {
			moved = true;
			c->t_last = px->now;
		}
		goto up_done;
	}
	/* client -> in: a request's body up to its end.  After it, a
	 * persistent client's next request waits in the socket; a closing
	 * one's bytes are read and dropped (the EOF is passed on). */
	bool body_done = !c->req.connect && c->req.body.done;
	bool want = body_done ? !c->req.keep_alive : c->in.len < BUF_SIZE;
	if (c->c_rd && !c->c_eof && want) {
		char scratch[4096];
		compact(&c->in);
		char *to = body_done ? scratch : c->in.d + c->in.len;
		size_t room = body_done ? sizeof(scratch) : BUF_SIZE - c->in.len;
		ssize_t n = recv(c->cfd, to, room, 0);
		if (n > 0) {
			moved = true;
			c->t_last = px->now;
			if (!c->req.connect && !body_done) {
				ssize_t k = tj_http_body_feed(&c->req.body, to, (size_t)n);
				if (k < 0) {
					close_conn(px, c, true);
					return false;
				}
				if (c->req.keep_alive && k < n) {
					/* The next request: judged after this exchange. */
					c->pend_len = (size_t)(n - k);
					c->pend = tj_xmalloc(c->pend_len);
					memcpy(c->pend, to + k, c->pend_len);
				}
				n = k; /* never forwarded with this one */
			}
			if (!body_done)
				c->in.len += (size_t)n;
		} else if (n == 0) {
			moved = true;
			c->c_eof = true;
		} else if (would_block()) {
			c->c_rd = false;
		} else {
			close_conn(px, c, true);
			return false;
		}
	}
	/* in -> server */
	if (c->s_wr && c->in.len) {
		ssize_t n = send(c->sfd, c->in.d + c->in.off, c->in.len, MSG_NOSIGNAL);
		if (n > 0) {
			moved = true;
			c->in.off += (size_t)n;
			c->in.len -= (size_t)n;
			if (!c->in.len)
				c->in.off = 0;
			c->t_last = px->now;
		} else if (n < 0 && would_block()) {
			c->s_wr = false;
		} else {
			close_conn(px, c, true);
			return false;
		}
	}
up_done:
	if (c->c_eof && !c->in.len && !c->up.len && !c->s_shut && c->sfd >= 0) {
		shutdown(c->sfd, SHUT_WR); /* the client's half-close, passed on */
		c->s_shut = true;
	}
	/* Body bytes that pass as they are, once `out` is empty: server ->
	 * pipe -> client, up to the server's end (raw) or exactly the
	 * Content-Length.  Once the pipe is used `out` stays empty, so the
	 * order holds. */
	bool by_length = c->framed && c->rsp.body.kind == TJ_HTTP_BODY_LENGTH;
	if ((c->raw || by_length) && !c->out.len && spl_ready(c, &c->down)) {
		uint64_t all = UINT64_MAX;
		uint64_t *left = c->raw ? &all : &c->rsp.body.left;
		int r = spl_step(&c->down, c->sfd, c->cfd, &c->s_rd, &c->c_wr, &c->s_eof, left);
		if (r < 0) {
			close_conn(px, c, true); /* answered: body bytes flowed */
			return false;
		}
		if (r > 0) {
			moved = true;
			c->t_last = px->now;
		}
		if (by_length && !c->rsp.body.left)
			c->rsp.body.done = true;
		goto down_done;
	}
	/* server -> out: the response head, or a body copied (chunked, or
	 * without a pipe) */
	bool room;
	if (c->raw)
		room = c->out.len < BUF_SIZE;
	else if (c->framed)
		room = c->out.len < BUF_SIZE && !c->rsp.body.done;
	else
		room = c->resp_len < TJ_HTTP_MAX_HEAD;
	if (c->s_rd && !c->s_eof && room) {
		char *to;
		size_t space;
		if (c->raw || c->framed) {
			compact(&c->out);
			to = c->out.d + c->out.len;
			space = BUF_SIZE - c->out.len;
			if (by_length && c->rsp.body.left < space)
				space = (size_t)c->rsp.body.left;
		} else {
			to = c->resp + c->resp_len;
			space = TJ_HTTP_MAX_HEAD - c->resp_len;
		}
		ssize_t n = recv(c->sfd, to, space, 0);
		if (n > 0) {
			moved = true;
			c->t_last = px->now;
			if (c->framed) {
				ssize_t k = tj_http_body_feed(&c->rsp.body, to, (size_t)n);
				if (k < 0) {
					close_conn(px, c, true); /* a broken chunk: the transfer is cut */
					return false;
				}
				if (k < n)
					c->dirty = true; /* more than the response: dropped */
				c->out.len += (size_t)k;
			} else if (c->raw) {
				c->out.len += (size_t)n;
			} else {
				c->resp_len += (size_t)n;
			}
		} else if (n == 0) {
			moved = true;
			c->s_eof = true;
		} else if (would_block()) {
			c->s_rd = false;
		} else if (server_gave_up(c)) {
			close_conn(px, c, true); /* as the server did: reset */
			return false;
		} else if (!c->answered) {
			char why[512];
			snprintf(why, sizeof(why), "'%s' port %u: %s", c->req.host, c->req.port, strerror(errno));
			reply(px, c, 502, TJ_PROXY_RULE_NONE, why);
			return true;
		} else {
			close_conn(px, c, true);
			return false;
		}
	}
	if (!c->raw && !c->framed && !parse_response(px, c))
		return c->used;
	/* out -> client */
	if (c->c_wr && c->out.len) {
		ssize_t n = send(c->cfd, c->out.d + c->out.off, c->out.len, MSG_NOSIGNAL);
		if (n > 0) {
			moved = true;
			c->out.off += (size_t)n;
			c->out.len -= (size_t)n;
			if (!c->out.len)
				c->out.off = 0;
			c->t_last = px->now;
		} else if (n < 0 && would_block()) {
			c->c_wr = false;
		} else {
			close_conn(px, c, true);
			return false;
		}
	}
down_done:
	if (c->framed) {
		if (c->rsp.body.done && !c->out.len && !c->down.len)
			return next_exchange(px, c);
		if (c->s_eof && !c->rsp.body.done) {
			/* Closed inside a framed body: the client must not take
			 * the cut transfer for a whole one. */
			close_conn(px, c, true);
			return false;
		}
		return moved;
	}
	/* The server is done and everything reached the client. */
	if (c->s_eof && !c->out.len && !c->down.len) {
		if (!c->raw) {
			/* It closed before a whole response head. */
			if (c->answered) {
				close_conn(px, c, true);
				return false;
			}
			if (server_gave_up(c)) {
				close_conn(px, c, false); /* as the server did: EOF */
				return false;
			}
			char why[512];
			snprintf(why, sizeof(why), "'%s' port %u closed the connection without an answer", c->req.host,
				 c->req.port);
			reply(px, c, 502, TJ_PROXY_RULE_NONE, why);
			return true;
		}
		if (!c->req.connect || c->c_eof) {
			/* HTTP, ending at the server's close: the exchange and
			 * the connection are over.  A tunnel: both sides have
			 * closed. */
			return end_exchange(px, c);
		}
		if (!c->c_shut) {
			shutdown(c->cfd, SHUT_WR); /* the server's half-close, passed on */
			c->c_shut = true;
			moved = true;
		}
	}
	return moved;
}

/* Writes the proxy's answer, then lingers. */
static bool reply_step(struct proxy *px, struct conn *c)
{
	if (c->state == S_REPLY) {
		if (!c->c_wr)
			return false;
		ssize_t n = send(c->cfd, c->out.d + c->out.off, c->out.len, MSG_NOSIGNAL);
		if (n < 0 && would_block()) {
			c->c_wr = false;
			return false;
		}
		if (n <= 0) {
			close_conn(px, c, false);
			return false;
		}
		c->out.off += (size_t)n;
		c->out.len -= (size_t)n;
		if (c->out.len)
			return true;
		shutdown(c->cfd, SHUT_WR);
		c->state = S_LINGER;
		c->t_linger = px->now;
		return true;
	}
	/* S_LINGER: what the client still sends is read and dropped. */
	if (!c->c_rd)
		return false;
	char scratch[4096];
	ssize_t n = recv(c->cfd, scratch, sizeof(scratch), 0);
	if (n < 0 && would_block()) {
		c->c_rd = false;
		return false;
	}
	if (n <= 0) {
		close_conn(px, c, false);
		return false;
	}
	return true;
}

/* Does what the connection's readiness allows, for a bounded number of
 * rounds; queues it when more could be done. */
static void pump(struct proxy *px, struct conn *c)
{
	for (int round = 0; round < PUMP_ROUNDS && c->used; round++) {
		bool moved = false;
		switch (c->state) {
		case S_HEAD:
			if (!c->c_rd)
				return;
			read_head(px, c);
			moved = true;
			break;
		case S_RESOLVE: return;
		case S_CONNECT:
			if (!c->s_wr)
				return;
			finish_connect(px, c);
			moved = true;
			break;
		case S_RELAY: moved = relay_step(px, c); break;
		case S_REPLY:
		case S_LINGER: moved = reply_step(px, c); break;
		}
		if (!moved)
			return;
	}
	if (c->used && !c->queued) {
		c->queued = true;
		px->again[px->nagain++] = (size_t)(c - px->conns);
	}
}

/* --- accepting --- */

static void accept_some(struct proxy *px, int lfd)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				/* Out of descriptors: stop accepting for a moment
				 * rather than spin on a listener that stays ready. */
				px->accept_paused = true;
				px->accept_resume = px->now + 100;
				for (size_t k = 0; k < px->nlisteners; k++) {
					struct epoll_event ev = {.events = 0, .data.u64 = TAG_LISTENER | k};
					epoll_ctl(px->ep, EPOLL_CTL_MOD, px->listeners[k], &ev);
				}
			}
			return;
		}
		if (px->nfree == 0) {
			/* More open connections than the proxy takes: refused
			 * without an answer (there is no room for one). */
			struct conn tmp = {.t_accept = px->now};
			char why[160];
			snprintf(why, sizeof(why), "more than %zu connections to the proxy are open", px->cap);
			record(px, &tmp, TJ_PROXY_REC_REFUSED, TJ_PROXY_RULE_MAX_CONNS, 0, why);
			close(fd);
			continue;
		}
		struct conn *c = &px->conns[px->free_slots[--px->nfree]];
		c->used = true;
		c->cfd = fd;
		c->sfd = -1;
		c->state = S_HEAD;
		c->t_accept = c->t_last = c->t_head = px->now;
		c->in.d = tj_xmalloc(IN_CAP);
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
					 .data.u64 = key(px, c, SIDE_CLIENT)};
		if (epoll_ctl(px->ep, EPOLL_CTL_ADD, fd, &ev) < 0)
			close_conn(px, c, true);
	}
}

/* --- time --- */

/* Acts on every deadline that has passed; returns the milliseconds to the
 * next one (-1: none). */
static int check_deadlines(struct proxy *px)
{
	const struct tj_proxy_config *cfg = px->cfg;
	uint64_t next = UINT64_MAX;
	char why[512], d[32];
	if (px->accept_paused) {
		if (px->now >= px->accept_resume) {
			px->accept_paused = false;
			for (size_t k = 0; k < px->nlisteners; k++) {
				struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_LISTENER | k};
				epoll_ctl(px->ep, EPOLL_CTL_MOD, px->listeners[k], &ev);
			}
		} else {
			next = px->accept_resume;
		}
	}
	for (size_t i = 0; i < px->cap; i++) {
		struct conn *c = &px->conns[i];
		if (!c->used)
			continue;
		uint64_t due = UINT64_MAX;
		if (c->state == S_LINGER) {
			due = c->t_linger + LINGER_MS;
			if (px->now >= due) {
				close_conn(px, c, false);
				continue;
			}
		} else if (c->state == S_HEAD) {
			due = c->t_head + cfg->head_timeout_ms;
			if (px->now >= due && c->nreq && !c->in.len) {
				close_conn(px, c, false); /* kept alive, and no next request came */
				continue;
			}
			if (px->now >= due) {
				tj_format_ms(cfg->head_timeout_ms, d, sizeof(d));
				snprintf(why, sizeof(why), "no complete request within %s", d);
				reply(px, c, 408, TJ_PROXY_RULE_NONE, why);
				pump(px, c);
				continue;
			}
		} else if (c->state != S_REPLY) {
			if (cfg->lifetime_ms) {
				uint64_t end = c->t_accept + cfg->lifetime_ms;
				if (px->now >= end) {
					tj_format_ms(cfg->lifetime_ms, d, sizeof(d));
					snprintf(why, sizeof(why),
						 "the connection reached its maximum lifetime of %s "
						 "(--net-conn-timeout)",
						 d);
					cut(px, c, TJ_PROXY_RULE_LIFETIME, why);
					if (c->used)
						pump(px, c);
					continue;
				}
				due = end;
			}
			uint64_t idle = c->t_last + cfg->idle_ms;
			if (px->now >= idle) {
				tj_format_ms(cfg->idle_ms, d, sizeof(d));
				snprintf(why, sizeof(why), "no data either way for %s (--net-idle-timeout)", d);
				cut(px, c, TJ_PROXY_RULE_IDLE, why);
				if (c->used)
					pump(px, c);
				continue;
			}
			if (idle < due)
				due = idle;
			if (c->state == S_CONNECT) {
				uint64_t give_up = c->t_connect + cfg->connect_timeout_ms;
				if (px->now >= give_up) {
					tj_format_ms(cfg->connect_timeout_ms, d, sizeof(d));
					snprintf(why, sizeof(why), "'%s' port %u did not accept a connection within %s",
						 c->req.host, c->req.port, d);
					reply(px, c, 504, TJ_PROXY_RULE_NONE, why);
					pump(px, c);
					continue;
				}
				if (give_up < due)
					due = give_up;
			}
		}
		if (due < next)
			next = due;
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= px->now ? 0 : (int)(next - px->now > 60000 ? 60000 : next - px->now);
}

/* --- the loop --- */

int tj_proxy_serve(const struct tj_proxy_config *cfg, const int *listeners, size_t nlisteners, int report_fd)
{
	struct proxy px = {.cfg = cfg, .report = report_fd, .listeners = listeners, .nlisteners = nlisteners};
	px.ep = epoll_create1(EPOLL_CLOEXEC);
	if (px.ep < 0)
		return -1;
	px.cap = cfg->max_clients ? cfg->max_clients : 1;
	px.conns = tj_xcalloc(px.cap, sizeof(*px.conns));
	px.free_slots = tj_xcalloc(px.cap, sizeof(*px.free_slots));
	px.again = tj_xcalloc(px.cap, sizeof(*px.again));
	for (size_t i = px.cap; i-- > 0;) {
		conn_clear_fds(&px.conns[i]);
		px.free_slots[px.nfree++] = i;
	}
	for (size_t k = 0; k < nlisteners; k++) {
		/* accept must never block the loop */
		int fl = fcntl(listeners[k], F_GETFL);
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_LISTENER | k};
		if (fl < 0 || fcntl(listeners[k], F_SETFL, fl | O_NONBLOCK) < 0 ||
		    epoll_ctl(px.ep, EPOLL_CTL_ADD, listeners[k], &ev) < 0)
			return -1;
	}
	if (cfg->resolver) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_RESOLVER};
		if (epoll_ctl(px.ep, EPOLL_CTL_ADD, tj_resolver_fd(cfg->resolver), &ev) < 0)
			return -1;
	}
	struct epoll_event evs[MAX_EVENTS];
	for (;;) {
		px.now = now_ms();
		int timeout = check_deadlines(&px);
		if (px.nagain)
			timeout = 0;
		int n = epoll_wait(px.ep, evs, MAX_EVENTS, timeout);
		if (n < 0 && errno != EINTR)
			return -1;
		px.now = now_ms();
		/* Connections queued by the previous round go first, so that a
		 * busy one cannot starve them. */
		size_t nagain = px.nagain;
		px.nagain = 0;
		for (size_t i = 0; i < nagain; i++) {
			struct conn *c = &px.conns[px.again[i]];
			c->queued = false;
			if (c->used)
				pump(&px, c);
		}
		for (int i = 0; i < n; i++) {
			uint64_t k = evs[i].data.u64;
			uint32_t e = evs[i].events;
			if (k & TAG_LISTENER) {
				if (e & EPOLLERR)
					return -1;
				accept_some(&px, listeners[k & ~TAG_LISTENER]);
				continue;
			}
			if (k & TAG_RESOLVER) {
				take_resolved(&px);
				continue;
			}
			size_t idx = (size_t)(k & 0xffffffffu) >> 1;
			struct conn *c = &px.conns[idx];
			if (idx >= px.cap || !c->used || c->gen != (uint32_t)(k >> 32))
				continue; /* closed since */
			bool rd = e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
			bool wr = e & (EPOLLOUT | EPOLLHUP | EPOLLERR);
			if ((k & 1) == SIDE_CLIENT) {
				c->c_rd |= rd;
				c->c_wr |= wr;
			} else {
				c->s_rd |= rd;
				c->s_wr |= wr;
			}
			pump(&px, c);
		}
	}
}
