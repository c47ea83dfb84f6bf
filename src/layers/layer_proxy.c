/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The network layer, filtered mode (--net allow=..., notes/network.md):
 * the command's only way out of its network namespace is tinyjail's proxy.
 *
 *   prepare  (tinyjail) compiles the proxy's seccomp filter and forks the
 *            proxy process, which confines itself, starts its resolver
 *            threads and says "ok" (or why not: the run stops with 125);
 *   enter    (the child, in the new namespace, loopback up) listens on
 *            127.0.0.1:3128 and [::1]:3128, hands the sockets to the proxy
 *            over a socketpair (SCM_RIGHTS) and waits for "ready": the
 *            command never starts before its proxy;
 *   monitor  the proxy's records (refusals, cuts) become events; when the
 *            command has ended the proxy is killed and reaped before
 *            tinyjail looks for leftovers.
 *
 * A socket stays in the namespace it was made in, so the proxy accepts the
 * command's connections there while it connects to servers from tinyjail's
 * own namespace.  The proxy dies with tinyjail (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/sys.h"
#include "tj/events/events.h"
#include "tj/layers/layer.h"
#include "tj/model/limits.h"
#include "tj/model/ports.h"
#include "tj/net/proxy.h"
#include "tj/net/proxy_confine.h"

#define LAYER "network"
#define READY_TIMEOUT_MS 10000
#define RESOLVER_THREADS 4
/* The proxy's descriptors once it has tidied up. */
#define PROXY_CTL_FD 3
#define PROXY_REPORT_FD 4

struct state {
	pid_t proxy; /* 0 once reaped */
	int ctl;     /* our end of the control socket; the child inherits it */
	int report;  /* the records' pipe, read end */
	struct tj_filter *filter;
	struct tj_monitor_source src;
	struct tj_events *events;
	struct tj_proxy_record rec;
	size_t got;    /* bytes of rec read so far */
	bool stopping; /* the command has ended: the proxy is killed on purpose */
};

static bool net_wanted(const struct tj_plan *plan)
{
	return plan->net && plan->net->mode == TJ_NET_FILTERED;
}

/* What the network mode needs of the isolation: a network namespace for
 * none and filtered, and the proxy's port in Landlock's TCP connect rules
 * when there are any. */
static void proxy_compose(const struct tj_plan *plan, struct tj_isolation *iso)
{
	const struct tj_net_policy *net = plan->net;
	if (!net)
		return;
	if (net->mode == TJ_NET_NONE || net->mode == TJ_NET_FILTERED)
		iso->unshare |= TJ_NS_NET;
	if (net->mode != TJ_NET_FILTERED || !iso->has_tcp_connect)
		return;
	/* Landlock's TCP rules would stop the command reaching its proxy. */
	for (size_t i = 0; i < iso->tcp_connect.n; i++)
		if (iso->tcp_connect.v[i] == TJ_PROXY_PORT)
			return;
	iso->tcp_connect.v = tj_xrealloc(iso->tcp_connect.v, (iso->tcp_connect.n + 2) * sizeof(*iso->tcp_connect.v));
	iso->tcp_connect.v[iso->tcp_connect.n++] = TJ_PROXY_PORT;
}

/* "30s", "5m", "1.5s": as people write durations. */
static void format_duration(uint64_t ms, char *buf, size_t size)
{
	if (ms >= 60000 && ms % 60000 == 0)
		snprintf(buf, size, "%llum", (unsigned long long)(ms / 60000));
	else
		tj_format_ms(ms, buf, size);
}

static void describe_policy(const struct tj_net_policy *p, struct tj_buf *b)
{
	tj_buf_add(b, "filtered: its own network namespace; out only through tinyjail's proxy at " TJ_PROXY_URL
		      " (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY); allow");
	for (size_t i = 0; i < p->nallow; i++) {
		const struct tj_net_allow *a = &p->allow[i];
		bool v6 = strchr(a->pattern, ':') != NULL;
		tj_buf_addf(b, "%s%s%s%s", i ? ", " : " ", v6 && a->nports ? "[" : "", a->pattern,
			    v6 && a->nports ? "]" : "");
		for (size_t j = 0; j < a->nports; j++)
			tj_buf_addf(b, "%s%u", j ? "+" : ":", a->ports[j]);
	}
	if (!p->nallow)
		tj_buf_add(b, " nothing");
	tj_buf_add(b, "; ports");
	if (!p->has_ports)
		tj_buf_add(b, " 80,443");
	for (size_t i = 0; p->has_ports && i < p->ports.n; i++)
		tj_buf_addf(b, "%s%u", i ? "," : " ", p->ports.v[i]);
	if (p->has_ports && !p->ports.n)
		tj_buf_add(b, " none but the allowlist's own");
	for (size_t i = 0; i < p->nresolve; i++) {
		char a[64];
		tj_net_format_addr(&p->resolve[i].addr, a, sizeof(a));
		tj_buf_addf(b, "; resolve %s to %s", p->resolve[i].name, a);
	}
	if (p->upstream_host)
		tj_buf_addf(b,
			    "; what is allowed goes on through the upstream proxy %s%s%s:%u, which resolves the names "
			    "(addresses given literally are still judged here)",
			    strchr(p->upstream_host, ':') ? "[" : "", p->upstream_host,
			    strchr(p->upstream_host, ':') ? "]" : "", (unsigned)p->upstream_port);
	tj_buf_add(b, "; private, loopback, link-local, CGNAT, multicast and other special addresses refused");
	for (size_t i = 0; i < p->allow_cidrs.n; i++) {
		const struct tj_cidr *c = &p->allow_cidrs.v[i];
		struct sockaddr_storage a = {.ss_family = (sa_family_t)c->family};
		if (c->family == AF_INET)
			memcpy(&((struct sockaddr_in *)&a)->sin_addr, c->addr, 4);
		else
			memcpy(&((struct sockaddr_in6 *)&a)->sin6_addr, c->addr, 16);
		char t[64];
		tj_net_format_addr(&a, t, sizeof(t));
		tj_buf_addf(b, "%s%s/%u", i ? ", " : " except ", t, c->prefix);
	}
	if (p->max_conns)
		tj_buf_addf(b, "; at most %u connection%s at once", p->max_conns, p->max_conns == 1 ? "" : "s");
	else
		tj_buf_addf(b, "; at most %u connections at once (the default)", TJ_NET_DEFAULT_MAX_CONNS);
	char d[32];
	if (p->conn_timeout_ms) {
		format_duration(p->conn_timeout_ms, d, sizeof(d));
		tj_buf_addf(b, "; lifetime %s", d);
	} else {
		tj_buf_add(b, "; no lifetime limit");
	}
	format_duration(p->idle_timeout_ms ? p->idle_timeout_ms : TJ_NET_DEFAULT_IDLE_MS, d, sizeof(d));
	tj_buf_addf(b, "; idle %s; ", d);
	tj_proxy_describe_confinement(b);
}

static int net_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	(void)err;
	struct tj_buf b = {0};
	describe_policy(plan->net, &b);
	tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "%s", b.s);
	tj_buf_done(&b);
	return 0;
}

/* --- the proxy process --- */

static void say(int ctl, const char *text)
{
	ssize_t r = send(ctl, text, strlen(text), MSG_NOSIGNAL);
	(void)r;
}

/* Receives the listeners the child sends, up to its "E"; -1 on EOF. */
static int receive_listeners(int ctl, int *fds, size_t max, size_t *n)
{
	*n = 0;
	for (;;) {
		char byte = 0;
		struct iovec iov = {.iov_base = &byte, .iov_len = 1};
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		memset(&u, 0, sizeof(u));
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = u.buf,
				     .msg_controllen = sizeof(u.buf)};
		ssize_t r = recvmsg(ctl, &msg, MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
			if (*n < max)
				fds[(*n)++] = fd;
			else
				close(fd);
		}
		if (byte == 'E')
			return *n ? 0 : -1;
	}
}

__attribute__((noreturn)) static void proxy_main(const struct tj_net_policy *policy, const struct tj_filter *filter,
						 pid_t parent, int ctl, int report)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(1); /* tinyjail is already gone */
	/* Its own session: the terminal's Ctrl-C is for the command. */
	setsid();
	prctl(PR_SET_NAME, "tinyjail-proxy", 0, 0, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Only what it needs: stderr (sanitizer reports), the control socket,
	 * the records' pipe. */
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
	}
	int tmp_ctl = fcntl(ctl, F_DUPFD_CLOEXEC, 16), tmp_report = fcntl(report, F_DUPFD_CLOEXEC, 16);
	if (tmp_ctl < 0 || tmp_report < 0 || dup3(tmp_ctl, PROXY_CTL_FD, O_CLOEXEC) < 0 ||
	    dup3(tmp_report, PROXY_REPORT_FD, O_CLOEXEC) < 0) {
		char why[128];
		snprintf(why, sizeof(why), "Ecannot arrange its descriptors: %s", strerror(errno));
		say(ctl, why);
		_exit(1);
	}
	close_range(PROXY_REPORT_FD + 1, ~0U, 0);
	ctl = PROXY_CTL_FD;
	report = PROXY_REPORT_FD;

	char msg[256] = "ok";
	struct tj_proxy_config cfg;
	tj_proxy_config_init(&cfg, policy);
	struct tj_err *err = NULL;
	if (tj_proxy_confine(policy, msg + 1, sizeof(msg) - 1) < 0)
		goto fail;
	tj_proxy_config_init(&cfg, policy); /* the descriptor limit may have grown */
	if (tj_resolver_start(RESOLVER_THREADS, &cfg.resolver, &err) < 0) {
		snprintf(msg + 1, sizeof(msg) - 1, "%s%s%s", err->msg, err->errnum ? ": " : "",
			 err->errnum ? strerror(err->errnum) : "");
		goto fail;
	}
	if (tj_proxy_load_filter(filter, msg + 1, sizeof(msg) - 1) < 0)
		goto fail;
	say(ctl, "ok");

	int listeners[2];
	size_t n = 0;
	if (receive_listeners(ctl, listeners, 2, &n) < 0) {
		/* The child waits for a word: say why not (it may be gone:
		 * then the command never started). */
		snprintf(msg, sizeof(msg), "Xcannot receive the listening sockets: %s",
			 errno ? strerror(errno) : "no socket came");
		say(ctl, msg);
		_exit(0);
	}
	say(ctl, "R");
	close(ctl);
	tj_proxy_serve(&cfg, listeners, n, report);
	_exit(1);
fail:
	msg[0] = 'E';
	say(ctl, msg);
	_exit(1);
}

/* Waits for the proxy's first word: "ok", or "E" and why not. */
static int wait_for_proxy(struct state *s, struct tj_err **err)
{
	struct pollfd p = {.fd = s->ctl, .events = POLLIN};
	int r;
	while ((r = poll(&p, 1, READY_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	char msg[256] = "";
	ssize_t n = r == 1 ? recv(s->ctl, msg, sizeof(msg) - 1, 0) : -1;
	if (n == 2 && memcmp(msg, "ok", 2) == 0)
		return 0;
	if (n > 1 && msg[0] == 'E') {
		msg[n] = '\0';
		return tj_err_set(err, TJ_ERR_LAYER, 0, "the proxy could not confine itself: %s", msg + 1);
	}
	if (r < 0 || (r == 1 && n < 0))
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot read the proxy's first word");
	if (r == 0)
		return tj_err_set(err, TJ_ERR_LAYER, ETIMEDOUT, "the proxy did not start (no answer in 10s)");
	/* It ended without a word: how? */
	int st;
	pid_t w = waitpid(s->proxy, &st, 0);
	if (w == s->proxy) {
		s->proxy = 0;
		if (WIFSIGNALED(st))
			return tj_err_set(err, TJ_ERR_LAYER, 0, "the proxy did not start (killed by signal %s)",
					  sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
		return tj_err_set(err, TJ_ERR_LAYER, 0, "the proxy did not start (it exited with status %d)",
				  WEXITSTATUS(st));
	}
	return tj_err_set(err, TJ_ERR_LAYER, 0, "the proxy did not start (it exited)");
}

static int net_prepare(const struct tj_plan *plan, void **ret_state, struct tj_err **err)
{
	struct state *s = tj_xcalloc(1, sizeof(*s));
	s->ctl = s->report = -1;
	s->src.fd = -1;
	*ret_state = s;
	struct tj_err *inner = NULL;
	if (tj_proxy_filter_compile(&s->filter, &inner) < 0) {
		/* The proxy's filter is this layer's, whatever libseccomp said. */
		tj_err_set(err, TJ_ERR_LAYER, inner->errnum, "cannot compile the proxy's seccomp filter: %s",
			   inner->msg);
		if (inner->hint)
			tj_err_hint(err, "%s", inner->hint);
		tj_err_free(inner);
		return -1;
	}
	int ctl[2], rep[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot create the proxy's control socket");
	if (pipe2(rep, O_CLOEXEC) < 0) {
		close(ctl[0]);
		close(ctl[1]);
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot create the proxy's pipe");
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(ctl[0]);
		close(ctl[1]);
		close(rep[0]);
		close(rep[1]);
		return tj_err_set(err, TJ_ERR_LAYER, e, "cannot start the proxy");
	}
	if (pid == 0) {
		close(ctl[0]);
		close(rep[0]);
		proxy_main(plan->net, s->filter, parent, ctl[1], rep[1]);
	}
	s->proxy = pid;
	close(ctl[1]);
	close(rep[1]);
	s->ctl = ctl[0];
	s->report = rep[0];
	/* The monitor must never block on it (the proxy's end stays
	 * blocking: a record is never dropped). */
	if (fcntl(s->report, F_SETFL, O_NONBLOCK) < 0)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot set up the proxy's pipe");
	return wait_for_proxy(s, err);
}

/* In the child: sockets in the new namespace, handed to the proxy.  No
 * allocation, no stdio. */
static int listen_on(int family)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	int r;
	if (family == AF_INET) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_port = htons(TJ_PROXY_PORT),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	} else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		struct sockaddr_in6 a = {.sin6_family = AF_INET6,
					 .sin6_port = htons(TJ_PROXY_PORT),
					 .sin6_addr = IN6ADDR_LOOPBACK_INIT};
		r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	}
	if (r < 0 || listen(fd, 1024) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int net_enter(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)
{
	(void)plan;
	struct state *s = state;
	int l4 = listen_on(AF_INET);
	if (l4 < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER,
				     "cannot listen on 127.0.0.1:3128 in the command's network namespace");
	/* IPv6 loopback is a convenience: the variables name 127.0.0.1. */
	int l6 = listen_on(AF_INET6);
	bool sent = tj_sys_send_fd(s->ctl, l4) == 0 && (l6 < 0 || tj_sys_send_fd(s->ctl, l6) == 0) &&
		    send(s->ctl, "E", 1, MSG_NOSIGNAL) == 1;
	int e = errno;
	close(l4);
	if (l6 >= 0)
		close(l6);
	if (!sent)
		return tj_child_fail(cerr, TJ_ERR_LAYER, e, LAYER, "cannot hand the listening socket to the proxy");
	struct pollfd p = {.fd = s->ctl, .events = POLLIN};
	char word[160] = "";
	int r;
	ssize_t n = -1;
	while ((r = poll(&p, 1, READY_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	if (r == 1)
		while ((n = recv(s->ctl, word, sizeof(word) - 1, 0)) < 0 && errno == EINTR)
			;
	if (n > 1 && word[0] == 'X') {
		word[n] = '\0';
		return tj_child_fail(cerr, TJ_ERR_LAYER, 0, LAYER, word + 1); /* the proxy's own words */
	}
	if (n != 1 || word[0] != 'R')
		return tj_child_fail(cerr, TJ_ERR_LAYER,
				     r == 0  ? ETIMEDOUT
				     : n < 0 ? errno
					     : 0,
				     LAYER, "the proxy did not take the listening socket");
	close(s->ctl);
	return 0;
}

static int net_started(const struct tj_plan *plan, void *state, pid_t child, struct tj_err **err)
{
	(void)plan;
	(void)child;
	(void)err;
	struct state *s = state;
	/* The child holds its own copy: once it has handed the sockets over,
	 * or died, the proxy sees the end of the conversation. */
	tj_closep(&s->ctl);
	s->ctl = -1;
	return 0;
}

/* --- the monitor's source --- */

/* What a record says may have been written by a compromised proxy: it is
 * bounded and made printable before it reaches the log or a terminal. */
static void sanitise(char *s, size_t size)
{
	s[size - 1] = '\0';
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static const char *family_of(const char *address)
{
	if (!address[0])
		return "unknown";
	return strchr(address, ':') ? "inet6" : "inet";
}

static void emit(struct state *s)
{
	struct tj_proxy_record *r = &s->rec;
	if ((r->kind != TJ_PROXY_REC_REFUSED && r->kind != TJ_PROXY_REC_CUT && r->kind != TJ_PROXY_REC_FAILED) ||
	    r->rule >= _TJ_PROXY_RULE_MAX)
		return;
	sanitise(r->method, sizeof(r->method));
	sanitise(r->host, sizeof(r->host));
	sanitise(r->address, sizeof(r->address));
	sanitise(r->reason, sizeof(r->reason));
	struct tj_net_event e = {
		.family = family_of(r->address),
		.protocol = "tcp",
		.address = r->address[0] ? r->address : NULL,
		.port = r->port >= 0 && r->port <= (int)TJ_PORT_MAX ? r->port : -1,
		.reason = r->reason,
		.cut = r->kind == TJ_PROXY_REC_CUT,
		.failed = r->kind == TJ_PROXY_REC_FAILED,
		.host = r->host[0] ? r->host : NULL,
		.method = r->method[0] ? r->method : NULL,
		.rule = r->rule ? tj_proxy_rule_name((enum tj_proxy_rule)r->rule) : NULL,
		.status = r->status >= 100 && r->status <= 599 ? r->status : 0,
		.duration_ms = r->duration_ms,
	};
	if (!e.method && !e.host)
		e.method = "(no request)";
	tj_events_net_refused(s->events, &e);
}

/* Reads what the proxy wrote; false at the end of the pipe. */
static bool drain(struct state *s)
{
	while (s->report >= 0) {
		ssize_t n = read(s->report, (char *)&s->rec + s->got, sizeof(s->rec) - s->got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return true; /* EAGAIN */
		if (n == 0) {
			tj_closep(&s->report);
			s->report = -1;
			s->src.fd = -1;
			return false;
		}
		s->got += (size_t)n;
		if (s->got == sizeof(s->rec)) {
			emit(s);
			s->got = 0;
		}
	}
	return false;
}

static void src_ready(void *ctx, pid_t child)
{
	(void)child;
	drain(ctx);
}

static void report_end(struct state *s, int code, int status)
{
	if (s->stopping)
		return;
	char why[160];
	if (code == CLD_EXITED)
		snprintf(why, sizeof(why), "the proxy exited with status %d", status);
	else
		snprintf(why, sizeof(why), "the proxy was killed by signal %s",
			 sigabbrev_np(status) ? sigabbrev_np(status) : "?");
	char *text = tj_xasprintf("%s: from now on the command has no way out (fail closed)", why);
	tj_events_layer(s->events, LAYER, TJ_LAYER_UNAVAILABLE, text);
	free(text);
}

/* The monitor reaped the proxy while the command ran. */
static void src_exited(void *ctx, const siginfo_t *info)
{
	struct state *s = ctx;
	s->proxy = 0;
	s->src.pid = 0;
	report_end(s, info->si_code, info->si_status);
}

/* The command has ended: what the proxy still had to say, then its end. */
static void src_stop(void *ctx)
{
	struct state *s = ctx;
	drain(s);
	if (s->proxy > 0) {
		int st = 0;
		if (waitpid(s->proxy, &st, WNOHANG) == s->proxy) {
			report_end(s, WIFEXITED(st) ? CLD_EXITED : CLD_KILLED,
				   WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		} else {
			s->stopping = true;
			kill(s->proxy, SIGKILL);
			while (waitpid(s->proxy, NULL, 0) < 0 && errno == EINTR)
				;
		}
		s->proxy = 0;
		s->src.pid = 0;
	}
	s->stopping = true;
	drain(s); /* the writer is gone: everything, then EOF */
}

/* The monitor's view of the proxy: its records become events. */
static const struct tj_monitor_source *proxy_source(void *state, struct tj_events *events)
{
	struct state *s = state;
	s->events = events;
	s->src = (struct tj_monitor_source){.fd = s->report,
					    .ready = src_ready,
					    .pid = s->proxy,
					    .exited = src_exited,
					    .stop = src_stop,
					    .ctx = s};
	return &s->src;
}

static void net_release(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	if (s->proxy > 0) {
		kill(s->proxy, SIGKILL);
		while (waitpid(s->proxy, NULL, 0) < 0 && errno == EINTR)
			;
	}
	tj_closep(&s->ctl);
	tj_closep(&s->report);
	tj_filter_free(s->filter);
	free(s);
}

const struct tj_layer tj_layer_proxy = {
	.name = LAYER,
	.wanted = net_wanted,
	.compose = proxy_compose,
	.probe = net_probe,
	.prepare = net_prepare,
	.enter = net_enter,
	.started = net_started,
	.source = proxy_source,
	.release = net_release,
};
