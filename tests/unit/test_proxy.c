/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The proxy's event loop, end to end on loopback: tj_proxy_serve runs in a
 * child process on a listener at 127.0.0.1, the test's own servers (HTTP and
 * echo) run in threads, and the records arrive on the report pipe.  Only
 * 127.0.0.1 is ever connected to.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tj/net/proxy.h"

/* --- loopback servers --- */

struct server {
	int fd;
	uint16_t port;
	bool echo; /* echo bytes back; else answer one HTTP request */
	/* keep: answer every request on a connection with `reply` (or a
	 * 5-byte body) until the client closes; every request is appended to
	 * `seen`. */
	bool keep;
	const char *reply;
	/* keep, drop: a connection's request after `answers` of them is
	 * read and the connection closed without an answer (an idle
	 * timeout racing with the request); reset: with a reset */
	bool drop;
	int answers;
	bool reset;
	char seen[8192];
	int requests;
	pthread_t thread;
	pthread_mutex_t lock;
	char last[8192]; /* the last request an HTTP connection sent */
	int accepted;
};

static int listen_loopback(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0)
		fail_msg("cannot listen on 127.0.0.1: %s", strerror(errno));
	socklen_t len = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

static void *serve_one(void *arg);

struct client_arg {
	struct server *s;
	int fd;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			return NULL;
		pthread_mutex_lock(&s->lock);
		s->accepted++;
		pthread_mutex_unlock(&s->lock);
		struct client_arg *ca = malloc(sizeof(*ca));
		*ca = (struct client_arg){s, fd};
		pthread_t t;
		pthread_create(&t, NULL, serve_one, ca);
		pthread_detach(t);
	}
}

/* Requests one after another on one connection (head and Content-Length
 * body each), each answered with s->reply. */
static void serve_keep(struct server *s, int fd)
{
	char buf[8192];
	size_t got = 0;
	for (int answered = 0;; answered++) {
		char *end;
		while (!(end = memmem(buf, got, "\r\n\r\n", 4))) {
			ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
			if (n <= 0) {
				close(fd);
				return;
			}
			got += (size_t)n;
		}
		buf[got] = '\0';
		char *cl = strcasestr(buf, "Content-Length: ");
		size_t len = (size_t)(end + 4 - buf) + (cl && cl < end ? strtoul(cl + 16, NULL, 10) : 0);
		if (len > sizeof(buf) - 1) {
			/* A body larger than buf: read to its end, only the
			 * head is kept in `seen`. */
			size_t head = (size_t)(end + 4 - buf), left = len - got;
			while (left) {
				char sink[8192];
				ssize_t n = recv(fd, sink, left < sizeof(sink) ? left : sizeof(sink), 0);
				if (n <= 0) {
					close(fd);
					return;
				}
				left -= (size_t)n;
			}
			len = got = head;
		}
		while (got < len) {
			ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
			if (n <= 0) {
				close(fd);
				return;
			}
			got += (size_t)n;
		}
		pthread_mutex_lock(&s->lock);
		size_t k = strlen(s->seen);
		snprintf(s->seen + k, sizeof(s->seen) - k, "%.*s", (int)len, buf);
		s->requests++;
		pthread_mutex_unlock(&s->lock);
		memmove(buf, buf + len, got - len);
		got -= len;
		if (s->drop && answered == s->answers) {
			if (s->reset) {
				struct linger l = {.l_onoff = 1, .l_linger = 0};
				setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
			}
			close(fd);
			return;
		}
		const char *resp = s->reply ? s->reply : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
		if (send(fd, resp, strlen(resp), MSG_NOSIGNAL) < 0 || strstr(resp, "Connection: close")) {
			close(fd);
			return;
		}
	}
}

static void *serve_one(void *arg)
{
	struct client_arg *ca = arg;
	struct server *s = ca->s;
	int fd = ca->fd;
	free(ca);
	char buf[8192];
	size_t got = 0;
	if (s->keep) {
		serve_keep(s, fd);
		return NULL;
	}
	if (s->echo) {
		ssize_t n;
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
				break;
		close(fd);
		return NULL;
	}
	/* Read until the head and, with Content-Length, the body are in. */
	for (;;) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		char *cl = strstr(buf, "Content-Length: ");
		size_t want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
		if (got >= want)
			break;
	}
	/* Give pipelined bytes a moment to arrive: they must not. */
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 100) == 1) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, MSG_DONTWAIT);
		if (n > 0)
			got += (size_t)n;
	}
	buf[got] = '\0';
	pthread_mutex_lock(&s->lock);
	snprintf(s->last, sizeof(s->last), "%s", buf);
	pthread_mutex_unlock(&s->lock);
	const char *resp =
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\nKeep-Alive: timeout=9\r\n\r\nhello";
	send(fd, resp, strlen(resp), MSG_NOSIGNAL);
	close(fd);
	return NULL;
}

static void server_start_keep(struct server *s, const char *reply);

static void server_start(struct server *s, bool echo)
{
	memset(s, 0, sizeof(*s));
	s->echo = echo;
	pthread_mutex_init(&s->lock, NULL);
	s->fd = listen_loopback(&s->port);
	pthread_create(&s->thread, NULL, serve, s);
}

static void server_start_keep(struct server *s, const char *reply)
{
	memset(s, 0, sizeof(*s));
	s->keep = true;
	s->reply = reply;
	pthread_mutex_init(&s->lock, NULL);
	s->fd = listen_loopback(&s->port);
	pthread_create(&s->thread, NULL, serve, s);
}

static int server_count(struct server *s, int *requests)
{
	pthread_mutex_lock(&s->lock);
	int n = s->accepted;
	if (requests)
		*requests = s->requests;
	pthread_mutex_unlock(&s->lock);
	return n;
}

static void server_stop(struct server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	pthread_join(s->thread, NULL);
}

/* --- the proxy, in a child --- */

struct proxy_run {
	pid_t pid;
	uint16_t port;
	int report; /* read end */
};

static void proxy_start(struct proxy_run *pr, struct tj_net_policy *p, unsigned max_conns, uint64_t lifetime_ms,
			uint64_t idle_ms, bool resolver)
{
	int lfd = listen_loopback(&pr->port);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		fail();
	pr->pid = fork();
	if (pr->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test must not leave it behind */
		close(fds[0]);
		struct tj_proxy_config cfg;
		tj_proxy_config_init(&cfg, p);
		cfg.max_conns = max_conns;
		cfg.lifetime_ms = lifetime_ms;
		if (idle_ms)
			cfg.idle_ms = idle_ms;
		struct tj_err *err = NULL;
		if (resolver && tj_resolver_start(2, &cfg.resolver, &err) < 0)
			_exit(3);
		tj_proxy_serve(&cfg, &lfd, 1, fds[1]);
		_exit(2);
	}
	close(fds[1]);
	close(lfd);
	pr->report = fds[0];
}

static void proxy_stop(struct proxy_run *pr)
{
	kill(pr->pid, SIGKILL);
	waitpid(pr->pid, NULL, 0);
	close(pr->report);
}

/* The next record, waiting at most ms. */
static bool next_record(struct proxy_run *pr, struct tj_proxy_record *r, int ms)
{
	struct pollfd p = {.fd = pr->report, .events = POLLIN};
	if (poll(&p, 1, ms) != 1)
		return false;
	return read(pr->report, r, sizeof(*r)) == sizeof(*r);
}

static int connect_proxy(const struct proxy_run *pr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(pr->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		fail_msg("cannot connect to the proxy: %s", strerror(errno));
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void send_all(int fd, const char *s)
{
	assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Reads until EOF (or an error: *reset says whether it was a reset). */
static size_t read_all(int fd, char *buf, size_t size, bool *reset)
{
	size_t got = 0;
	*reset = false;
	for (;;) {
		ssize_t n = recv(fd, buf + got, size - 1 - got, 0);
		if (n <= 0) {
			*reset = n < 0 && errno == ECONNRESET;
			break;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

/* Reads until the blank line that ends a head. */
static void read_head(int fd, char *buf, size_t size)
{
	size_t got = 0;
	buf[0] = '\0';
	while (!strstr(buf, "\r\n\r\n") && got + 1 < size) {
		ssize_t n = recv(fd, buf + got, 1, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
	}
}

static struct tj_net_policy policy(const char *allow, const char *resolve)
{
	struct tj_net_policy p = {0};
	struct tj_err *err = NULL;
	char *a = tj_xasprintf("allow=%s", allow);
	if (tj_net_parse_mode(&p, a, &err) < 0 || (resolve && tj_net_add_resolve(&p, resolve, &err) < 0))
		fail_msg("bad policy: %s", err->msg);
	free(a);
	return p;
}

/* --- tests --- */

static void test_http_forward(void **state)
{
	(void)state;
	struct server srv;
	server_start(&srv, false);
	char allow[64];
	snprintf(allow, sizeof(allow), "files.test:%u", srv.port);
	struct tj_net_policy p = policy(allow, "files.test:127.0.0.1");
	struct proxy_run pr;
	proxy_start(&pr, &p, 0, 0, 0, false);

	int fd = connect_proxy(&pr);
	char req[512], buf[8192];
	/* A body of 5 bytes, then a pipelined second request to a name the
	 * rules deny: judged on its own (403), never forwarded. */
	snprintf(req, sizeof(req),
		 "POST http://files.test:%u/up?x=1 HTTP/1.1\r\nHost: evil.test\r\nProxy-Authorization: Basic eDp5\r\n"
		 "Content-Length: 5\r\nConnection: keep-alive\r\n\r\nhelloGET http://evil.test/ HTTP/1.1\r\n\r\n",
		 srv.port);
	send_all(fd, req);
	bool reset;
	read_all(fd, buf, sizeof(buf), &reset);
	close(fd);
	assert_false(reset);
	assert_true(strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0);
	assert_null(strstr(buf, "keep-alive"));
	assert_null(strstr(buf, "Keep-Alive"));
	assert_contains(buf, "\r\n\r\nhelloHTTP/1.1 403 Forbidden\r\n");
	assert_contains(buf, "X-Tinyjail-Refused: allowlist\r\n");
	assert_contains(strstr(buf, " 403 "), "Connection: close\r\n");
	pthread_mutex_lock(&srv.lock);
	char expect[256];
	snprintf(expect, sizeof(expect), "POST /up?x=1 HTTP/1.1\r\nHost: files.test:%u\r\n", srv.port);
	assert_contains(srv.last, expect);
	assert_null(strstr(srv.last, "Proxy-Authorization"));
	assert_null(strstr(srv.last, "evil.test"));
	assert_null(strstr(srv.last, "Connection: close"));
	assert_int_equal(strlen(strstr(srv.last, "\r\n\r\n")), 4 + 5); /* the body and nothing after */
	pthread_mutex_unlock(&srv.lock);
	struct tj_proxy_record r;
	assert_true(next_record(&pr, &r, 2000)); /* the second request's refusal */
	assert_int_equal(r.kind, TJ_PROXY_REC_REFUSED);
	assert_int_equal(r.rule, TJ_PROXY_RULE_ALLOWLIST);
	assert_string_equal(r.host, "evil.test");
	assert_false(next_record(&pr, &r, 50));
	proxy_stop(&pr);
	server_stop(&srv);
	tj_net_policy_done(&p);
}

static void test_connect_tunnel(void **state)
{
	(void)state;
	struct server echo;
	server_start(&echo, true);
	char allow[64], req[256], buf[4096];
	snprintf(allow, sizeof(allow), "echo.test:%u", echo.port);
	struct tj_net_policy p = policy(allow, "echo.test:127.0.0.1");
	struct proxy_run pr;
	proxy_start(&pr, &p, 0, 0, 0, false);
	int fd = connect_proxy(&pr);
	/* Tunnel data sent before the answer (a TLS hello) is kept. */
	snprintf(req, sizeof(req), "CONNECT echo.test:%u HTTP/1.1\r\nHost: echo.test\r\n\r\nearly", echo.port);
	send_all(fd, req);
	read_head(fd, buf, sizeof(buf));
	assert_string_equal(buf, "HTTP/1.1 200 Connection established\r\n\r\n");
	char got[16] = {0};
	assert_int_equal(recv(fd, got, 5, MSG_WAITALL), 5);
	assert_string_equal(got, "early");
	/* A larger transfer both ways, through the fixed buffers. */
	size_t big = 1 << 20, sent = 0, back = 0;
	char *data = malloc(big), *in = malloc(big);
	for (size_t i = 0; i < big; i++)
		data[i] = (char)(i * 7);
	while (back < big) {
		if (sent < big) {
			ssize_t n = send(fd, data + sent, big - sent < 65536 ? big - sent : 65536,
					 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
		}
		ssize_t n = recv(fd, in + back, big - back, sent < big ? MSG_DONTWAIT : 0);
		if (n > 0)
			back += (size_t)n;
		else if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
	}
	assert_int_equal(back, big);
	assert_memory_equal(in, data, big);
	/* A half-close passes through: the echo server then closes. */
	shutdown(fd, SHUT_WR);
	bool reset;
	assert_int_equal(read_all(fd, buf, sizeof(buf), &reset), 0);
	assert_false(reset);
	close(fd);
	free(data);
	free(in);
	proxy_stop(&pr);
	server_stop(&echo);
	tj_net_policy_done(&p);
}

static void expect_refusal(struct proxy_run *pr, const char *request, const char *status_line, const char *rule_header,
			   enum tj_proxy_rule rule, const char *reason)
{
	int fd = connect_proxy(pr);
	send_all(fd, request);
	char buf[4096];
	bool reset;
	read_all(fd, buf, sizeof(buf), &reset);
	close(fd);
	assert_false(reset);
	assert_contains(buf, status_line);
	if (rule_header)
		assert_contains(buf, rule_header);
	struct tj_proxy_record r;
	assert_true(next_record(pr, &r, 2000));
	assert_int_equal(r.kind, TJ_PROXY_REC_REFUSED);
	assert_int_equal(r.rule, rule);
	assert_contains(r.reason, reason);
}

static void test_refusals(void **state)
{
	(void)state;
	struct server srv;
	server_start(&srv, false);
	char allow[96], req[256];
	snprintf(allow, sizeof(allow), "files.test:%u,files.test,127.0.0.1:%u", srv.port, srv.port);
	struct tj_net_policy p = policy(allow, "files.test:127.0.0.1");
	struct proxy_run pr;
	proxy_start(&pr, &p, 0, 0, 0, false);
	expect_refusal(&pr, "CONNECT evil.test:443 HTTP/1.1\r\n\r\n", "HTTP/1.1 403 Forbidden",
		       "X-Tinyjail-Refused: allowlist", TJ_PROXY_RULE_ALLOWLIST, "'evil.test' is not in the allowlist");
	expect_refusal(&pr, "CONNECT files.test:22 HTTP/1.1\r\n\r\n", "HTTP/1.1 403", "X-Tinyjail-Refused: port",
		       TJ_PROXY_RULE_PORT, "port 22 is not allowed");
	expect_refusal(&pr, "GET ftp://files.test/x HTTP/1.1\r\n\r\n", "HTTP/1.1 403", "X-Tinyjail-Refused: protocol",
		       TJ_PROXY_RULE_PROTOCOL, "'ftp://'");
	/* A literal loopback address is not a --resolve allowance. */
	snprintf(req, sizeof(req), "CONNECT 127.0.0.1:%u HTTP/1.1\r\n\r\n", srv.port);
	expect_refusal(&pr, req, "HTTP/1.1 403", "X-Tinyjail-Refused: address", TJ_PROXY_RULE_ADDRESS,
		       "127.0.0.1: loopback");
	expect_refusal(&pr, "GET /local HTTP/1.1\r\nHost: files.test\r\n\r\n", "HTTP/1.1 400 Bad Request",
		       "X-Tinyjail-Refused: malformed-request", TJ_PROXY_RULE_MALFORMED, "a proxy needs the whole URL");
	expect_refusal(&pr, "\x16\x03\x01\x00\xa5\x01", "HTTP/1.1 400", NULL, TJ_PROXY_RULE_MALFORMED,
		       "control characters");
	/* None of it reached the server. */
	pthread_mutex_lock(&srv.lock);
	assert_int_equal(srv.accepted, 0);
	pthread_mutex_unlock(&srv.lock);
	proxy_stop(&pr);
	server_stop(&srv);
	tj_net_policy_done(&p);
}

static int open_tunnel(struct proxy_run *pr, uint16_t port, char *status, size_t size)
{
	int fd = connect_proxy(pr);
	char req[128];
	snprintf(req, sizeof(req), "CONNECT echo.test:%u HTTP/1.1\r\n\r\n", port);
	send_all(fd, req);
	read_head(fd, status, size);
	return fd;
}

static void test_max_conns(void **state)
{
	(void)state;
	struct server echo;
	server_start(&echo, true);
	char allow[64], st[512];
	snprintf(allow, sizeof(allow), "echo.test:%u", echo.port);
	struct tj_net_policy p = policy(allow, "echo.test:127.0.0.1");
	struct proxy_run pr;
	proxy_start(&pr, &p, 3, 0, 0, false);
	int fds[3];
	for (int i = 0; i < 3; i++) {
		fds[i] = open_tunnel(&pr, echo.port, st, sizeof(st));
		assert_contains(st, "200 Connection established");
	}
	/* The fourth at once is refused... */
	int fourth = open_tunnel(&pr, echo.port, st, sizeof(st));
	assert_contains(st, "HTTP/1.1 503 Service Unavailable");
	assert_contains(st, "X-Tinyjail-Refused: max-connections");
	close(fourth);
	struct tj_proxy_record r;
	assert_true(next_record(&pr, &r, 2000));
	assert_int_equal(r.rule, TJ_PROXY_RULE_MAX_CONNS);
	assert_contains(r.reason, "at most 3 connections at once");
	/* ...and works once one of the three has ended. */
	close(fds[0]);
	int again = -1;
	for (int tries = 0; tries < 50; tries++) {
		again = open_tunnel(&pr, echo.port, st, sizeof(st));
		if (strstr(st, "200 Connection established"))
			break;
		close(again);
		again = -1;
		next_record(&pr, &r, 0);
		usleep(20000);
	}
	assert_true(again >= 0);
	close(again);
	close(fds[1]);
	close(fds[2]);
	proxy_stop(&pr);
	server_stop(&echo);
	tj_net_policy_done(&p);
}

static void expect_cut(bool lifetime)
{
	struct server echo;
	server_start(&echo, true);
	char allow[64], st[512];
	snprintf(allow, sizeof(allow), "echo.test:%u", echo.port);
	struct tj_net_policy p = policy(allow, "echo.test:127.0.0.1");
	struct proxy_run pr;
	proxy_start(&pr, &p, 0, lifetime ? 400 : 0, lifetime ? 0 : 300, false);
	int fd = open_tunnel(&pr, echo.port, st, sizeof(st));
	assert_contains(st, "200 Connection established");
	/* Lifetime: the connection is cut though it is busy. */
	char buf[16];
	for (int i = 0; lifetime && i < 3; i++) {
		send_all(fd, "ping");
		assert_int_equal(recv(fd, buf, 4, MSG_WAITALL), 4);
		usleep(50000);
	}
	bool reset;
	char rest[64];
	read_all(fd, rest, sizeof(rest), &reset);
	assert_true(reset); /* a reset: never mistaken for a clean end */
	close(fd);
	struct tj_proxy_record r;
	assert_true(next_record(&pr, &r, 2000));
	assert_int_equal(r.kind, TJ_PROXY_REC_CUT);
	assert_int_equal(r.rule, lifetime ? TJ_PROXY_RULE_LIFETIME : TJ_PROXY_RULE_IDLE);
	assert_contains(r.reason, lifetime ? "maximum lifetime of 400ms" : "no data either way for 300ms");
	assert_true(r.duration_ms >= (lifetime ? 400 : 300));
	assert_true(r.duration_ms < 3000);
	assert_string_equal(r.host, "echo.test");
	assert_string_equal(r.address, "127.0.0.1");
	proxy_stop(&pr);
	server_stop(&echo);
	tj_net_policy_done(&p);
}

static void test_lifetime(void **state)
{
	(void)state;
	expect_cut(true);
}

static void test_idle(void **state)
{
	(void)state;
	expect_cut(false);
}

/* Names without --resolve go through getaddrinfo on the resolver threads;
 * "localhost" comes from /etc/hosts (no DNS) and is loopback: refused,
 * unless --net-allow-cidr says otherwise. */
static void test_resolver(void **state)
{
	(void)state;
	FILE *hosts = fopen("/etc/hosts", "re");
	char line[256];
	bool listed = false;
	while (hosts && fgets(line, sizeof(line), hosts))
		listed |= strncmp(line, "127.0.0.1", 9) == 0 && strstr(line, "localhost");
	if (hosts)
		fclose(hosts);
	if (!listed)
		skip(); /* a lookup could leave the machine */
	struct server srv;
	server_start(&srv, false);
	char allow[64], req[256], buf[4096];
	snprintf(allow, sizeof(allow), "localhost:%u", srv.port);
	struct tj_net_policy p = policy(allow, NULL);
	struct proxy_run pr;
	proxy_start(&pr, &p, 0, 0, 0, true);
	snprintf(req, sizeof(req), "GET http://localhost:%u/ HTTP/1.1\r\n\r\n", srv.port);
	expect_refusal(&pr, req, "HTTP/1.1 403", "X-Tinyjail-Refused: address", TJ_PROXY_RULE_ADDRESS,
		       "'localhost' resolves to 127.0.0.1: loopback");
	proxy_stop(&pr);
	struct tj_err *err = NULL;
	assert_int_equal(tj_net_add_cidrs(&p.allow_cidrs, "127.0.0.0/8,::1", &err), 0);
	proxy_start(&pr, &p, 0, 0, 0, true);
	int fd = connect_proxy(&pr);
	send_all(fd, req);
	bool reset;
	read_all(fd, buf, sizeof(buf), &reset);
	close(fd);
	assert_contains(buf, "HTTP/1.1 200 OK");
	assert_contains(buf, "hello");
	proxy_stop(&pr);
	server_stop(&srv);
	tj_net_policy_done(&p);
}

static void test_bad_gateway(void **state)
{
	(void)state;
	/* A port nothing listens on (bound, then closed). */
	uint16_t port;
	close(listen_loopback(&port));
	char allow[64], req[128], buf[4096];
	snprintf(allow, sizeof(allow), "gone.test:%u", port);
	struct tj_net_policy p = policy(allow, "gone.test:127.0.0.1");
	struct proxy_run pr;
	proxy_start(&pr, &p, 0, 0, 0, false);
	int fd = connect_proxy(&pr);
	snprintf(req, sizeof(req), "CONNECT gone.test:%u HTTP/1.1\r\n\r\n", port);
	send_all(fd, req);
	bool reset;
	read_all(fd, buf, sizeof(buf), &reset);
	close(fd);
	assert_contains(buf, "HTTP/1.1 502 Bad Gateway");
	assert_contains(buf, "Connection refused");
	assert_null(strstr(buf, "X-Tinyjail-Refused"));
	proxy_stop(&pr);
	tj_net_policy_done(&p);
}

/* Reads exactly one response with a Content-Length body (or none). */
static void read_response(int fd, char *buf, size_t size)
{
	read_head(fd, buf, size);
	char *cl = strcasestr(buf, "Content-Length: ");
	size_t want = cl ? strtoul(cl + 16, NULL, 10) : 0, got = strlen(buf);
	while (want && got + 1 < size) {
		ssize_t n = recv(fd, buf + got, want < size - 1 - got ? want : size - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		want -= (size_t)n;
	}
	buf[got] = '\0';
}

struct ka {
	struct server srv, other;
	struct tj_net_policy p;
	struct proxy_run pr;
};

static void ka_start(struct ka *k, const char *reply)
{
	server_start_keep(&k->srv, reply);
	server_start_keep(&k->other, NULL);
	char allow[96];
	snprintf(allow, sizeof(allow), "files.test:%u,files.test:%u", k->srv.port, k->other.port);
	k->p = policy(allow, "files.test:127.0.0.1");
	proxy_start(&k->pr, &k->p, 0, 0, 0, false);
}

static void ka_stop(struct ka *k)
{
	proxy_stop(&k->pr);
	server_stop(&k->srv);
	server_stop(&k->other);
	tj_net_policy_done(&k->p);
}

static void get(int fd, uint16_t port, const char *path, const char *extra)
{
	char req[256];
	snprintf(req, sizeof(req), "GET http://files.test:%u%s HTTP/1.1\r\nHost: files.test\r\n%s\r\n", port, path,
		 extra);
	send_all(fd, req);
}

/* Keep-alive: a second request on the client's connection reuses the
 * server's; another port gets a connection of its own; "Connection: close"
 * ends it all. */
static void test_keep_alive(void **state)
{
	(void)state;
	struct ka k;
	ka_start(&k, NULL);
	int fd = connect_proxy(&k.pr);
	char buf[4096];
	for (int i = 0; i < 3; i++) {
		get(fd, k.srv.port, "/a", "");
		read_response(fd, buf, sizeof(buf));
		assert_true(strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0);
		assert_null(strstr(buf, "Connection: close"));
		assert_contains(buf, "\r\n\r\nhello");
	}
	int requests;
	assert_int_equal(server_count(&k.srv, &requests), 1); /* one server connection */
	assert_int_equal(requests, 3);
	get(fd, k.other.port, "/b", "");
	read_response(fd, buf, sizeof(buf));
	assert_contains(buf, "hello");
	assert_int_equal(server_count(&k.other, &requests), 1);
	assert_int_equal(requests, 1);
	/* Back to the first port: that connection was given up. */
	get(fd, k.srv.port, "/c", "Connection: close\r\n");
	bool reset;
	read_all(fd, buf, sizeof(buf), &reset);
	assert_false(reset);
	assert_contains(buf, "Connection: close\r\n");
	assert_contains(buf, "\r\n\r\nhello");
	assert_int_equal(server_count(&k.srv, &requests), 2);
	pthread_mutex_lock(&k.srv.lock);
	assert_contains(k.srv.seen, "GET /c HTTP/1.1\r\nHost: files.test:");
	assert_contains(k.srv.seen, "Connection: close\r\n\r\n");
	pthread_mutex_unlock(&k.srv.lock);
	close(fd);
	/* HTTP/1.0: one exchange. */
	fd = connect_proxy(&k.pr);
	char req[128];
	snprintf(req, sizeof(req), "GET http://files.test:%u/d HTTP/1.0\r\n\r\n", k.srv.port);
	send_all(fd, req);
	read_all(fd, buf, sizeof(buf), &reset);
	assert_contains(buf, "Connection: close\r\n");
	close(fd);
	struct tj_proxy_record r;
	assert_false(next_record(&k.pr, &r, 50)); /* all allowed */
	ka_stop(&k);
}

/* The server closes a kept connection as the next request arrives (its
 * idle timeout): the client's connection is closed without an answer, as
 * the server's was, so that the client retries on a new one; not a 502,
 * which it would take as final.  A new server connection that closes
 * without an answer is still a 502. */
static void test_keep_alive_server_gave_up(void **state)
{
	(void)state;
	for (int reset = 0; reset < 2; reset++) {
		struct ka k;
		ka_start(&k, NULL);
		k.srv.drop = true;
		k.srv.answers = 1;
		k.srv.reset = reset;
		int fd = connect_proxy(&k.pr);
		char buf[4096];
		get(fd, k.srv.port, "/a", "");
		read_response(fd, buf, sizeof(buf));
		assert_contains(buf, "\r\n\r\nhello");
		get(fd, k.srv.port, "/b", "");
		bool was_reset;
		read_all(fd, buf, sizeof(buf), &was_reset);
		close(fd);
		assert_string_equal(buf, "");
		assert_int_equal(was_reset, reset);
		int requests;
		assert_int_equal(server_count(&k.srv, &requests), 1);
		assert_int_equal(requests, 2);
		/* The client's retry, on a new connection: answered. */
		fd = connect_proxy(&k.pr);
		get(fd, k.srv.port, "/b", "");
		read_response(fd, buf, sizeof(buf));
		assert_contains(buf, "\r\n\r\nhello");
		close(fd);
		assert_int_equal(server_count(&k.srv, &requests), 2);
		ka_stop(&k);
	}
	/* The first request on a new server connection: 502 (a plain-HTTP
	 * error has its head only, the reason in the status line). */
	struct ka k;
	ka_start(&k, NULL);
	k.srv.drop = true;
	int fd = connect_proxy(&k.pr);
	char buf[4096];
	get(fd, k.srv.port, "/a", "");
	bool was_reset;
	read_all(fd, buf, sizeof(buf), &was_reset);
	close(fd);
	assert_contains(buf, "HTTP/1.1 502 Bad Gateway");
	ka_stop(&k);
}

/* A request hidden where a naive parser would see a second one: every
 * request on a kept-alive connection is judged on its own, and what a
 * body carries is only ever forwarded as that body. */
static void test_keep_alive_smuggling(void **state)
{
	(void)state;
	struct ka k;
	ka_start(&k, NULL);
	char buf[8192], req[512];
	/* Content-Length 0, then a request to a denied host: refused. */
	int fd = connect_proxy(&k.pr);
	snprintf(req, sizeof(req),
		 "POST http://files.test:%u/x HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
		 "GET http://evil.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n",
		 k.srv.port);
	send_all(fd, req);
	bool reset;
	read_all(fd, buf, sizeof(buf), &reset);
	close(fd);
	assert_contains(buf, "\r\n\r\nhelloHTTP/1.1 403 Forbidden\r\n");
	struct tj_proxy_record r;
	assert_true(next_record(&k.pr, &r, 2000));
	assert_string_equal(r.host, "evil.test");
	/* A chunked body whose chunk holds a request: forwarded as body bytes,
	 * to the allowed server only; the request after the body is judged. */
	fd = connect_proxy(&k.pr);
	snprintf(req, sizeof(req),
		 "POST http://files.test:%u/y HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "22\r\nGET http://evil.test/ HTTP/1.1\r\n\r\n\r\n0\r\n\r\n"
		 "GET http://evil2.test/ HTTP/1.1\r\n\r\n",
		 k.srv.port);
	send_all(fd, req);
	read_all(fd, buf, sizeof(buf), &reset);
	close(fd);
	assert_contains(buf, "\r\n\r\nhelloHTTP/1.1 403 Forbidden\r\n");
	assert_true(next_record(&k.pr, &r, 2000));
	assert_string_equal(r.host, "evil2.test");
	/* Smuggling patterns: refused before anything is forwarded, and the
	 * connection ends (nothing after them is read as a request). */
	const char *bad[] = {
		"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"Content-Length: 4\r\nContent-Length: 40\r\n\r\nbody",
		"Content-Length: 4\r\n Transfer-Encoding: chunked\r\n\r\nbody",
		"Transfer-Encoding: chunked\r\n\r\nzz\r\nbody\r\n0\r\n\r\n",
		"Transfer-Encoding: chunked\r\n\r\n-4\r\nbody\r\n0\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = connect_proxy(&k.pr);
		snprintf(req, sizeof(req),
			 "POST http://files.test:%u/z HTTP/1.1\r\n%sGET http://evil.test/ HTTP/1.1\r\n\r\n", k.srv.port,
			 bad[i]);
		send_all(fd, req);
		read_all(fd, buf, sizeof(buf), &reset);
		close(fd);
		if (!strstr(buf, "HTTP/1.1 400 ") && !strstr(buf, "HTTP/1.1 501 "))
			fail_msg("not refused: %s -> %s", bad[i], buf);
		assert_null(strstr(buf, "hello"));
		assert_true(next_record(&k.pr, &r, 2000));
		assert_int_equal(r.kind, TJ_PROXY_REC_REFUSED);
		assert_int_equal(r.rule, TJ_PROXY_RULE_MALFORMED);
	}
	pthread_mutex_lock(&k.srv.lock);
	assert_null(strstr(k.srv.seen, "/z "));
	assert_contains(k.srv.seen, "22\r\nGET http://evil.test/ HTTP/1.1\r\n\r\n\r\n0\r\n\r\n");
	pthread_mutex_unlock(&k.srv.lock);
	assert_false(next_record(&k.pr, &r, 50));
	ka_stop(&k);
}

/* One GET to a server that answers `reply`, read to the end; returns
 * whether the proxy reset the connection. */
static bool one_exchange(const char *reply, char *buf, size_t size)
{
	struct ka k;
	ka_start(&k, reply);
	int fd = connect_proxy(&k.pr);
	get(fd, k.srv.port, "/", "");
	bool reset;
	read_all(fd, buf, size, &reset);
	close(fd);
	ka_stop(&k);
	return reset;
}

/* A response that says more or less than its length. */
static void test_response_lies(void **state)
{
	(void)state;
	/* Longer than its Content-Length: the rest never reaches the client,
	 * and that server connection is not used again. */
	struct ka k;
	ka_start(&k,
		 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled");
	int fd = connect_proxy(&k.pr);
	char buf[4096];
	for (int i = 0; i < 2; i++) {
		get(fd, k.srv.port, "/lie", "");
		read_response(fd, buf, sizeof(buf));
		assert_true(strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0);
		assert_contains(buf, "\r\n\r\nok");
	}
	get(fd, k.srv.port, "/lie", "Connection: close\r\n");
	bool reset;
	read_all(fd, buf, sizeof(buf), &reset);
	close(fd);
	assert_null(strstr(buf, "smuggled"));
	assert_int_equal(server_count(&k.srv, NULL), 3);
	ka_stop(&k);

	/* Shorter (the server closes inside the body): the client sees a
	 * reset, never a whole response, and the connection ends. */
	assert_true(one_exchange("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nshort", buf,
				 sizeof(buf)));
	/* A broken chunk size: cut the same way. */
	assert_true(one_exchange("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n", buf,
				 sizeof(buf)));
	/* Two different lengths: 502, nothing of the body. */
	one_exchange("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\nokmore-data", buf, sizeof(buf));
	assert_contains(buf, "HTTP/1.1 502 Bad Gateway");
	assert_null(strstr(buf, "ok"));

	/* Chunked with a trailer, 204 and HEAD: framed, so kept alive. */
	ka_start(&k, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n");
	fd = connect_proxy(&k.pr);
	for (int i = 0; i < 2; i++) {
		get(fd, k.srv.port, "/chunked", "");
		read_head(fd, buf, sizeof(buf));
		assert_contains(buf, "Transfer-Encoding: chunked\r\n");
		assert_null(strstr(buf, "Connection: close"));
		const char *body = "5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n";
		size_t got = 0;
		while (got < strlen(body)) {
			ssize_t n = recv(fd, buf + got, strlen(body) - got, 0);
			assert_true(n > 0);
			got += (size_t)n;
		}
		buf[got] = '\0';
		assert_string_equal(buf, body);
	}
	assert_int_equal(server_count(&k.srv, NULL), 1);
	close(fd);
	ka_stop(&k);
}

/* A kept-alive connection's next request arrives with almost a whole
 * buffer of its body: the head tinyjail rewrites (longer than the client's:
 * Host, "/", Connection: close) goes in front of it without writing past
 * the buffer (heap overflow found in review; ASan aborted the proxy). */
static void test_keep_alive_big_pipelined(void **state)
{
	(void)state;
	struct ka k;
	ka_start(&k, NULL);
	int fd = connect_proxy(&k.pr);
	char head[256], buf[8192];
	snprintf(head, sizeof(head), "POST http://files.test:%u/a HTTP/1.1\r\nContent-Length: 1\r\n\r\n", k.srv.port);
	send_all(fd, head);
	for (int i = 0; i < 500 && server_count(&k.srv, NULL) == 0; i++)
		usleep(10000);
	usleep(50000); /* the proxy now waits for the one body byte */
	/* The body byte, then a 65535-byte request (HTTP/1.0, empty path), in
	 * one read of the stopped proxy. */
	size_t total = 65536;
	char *big = tj_xmalloc(total);
	big[0] = 'X';
	int hl = snprintf(head, sizeof(head), "POST http://files.test:%u HTTP/1.0\r\nContent-Length: 65000\r\n\r\n",
			  k.srv.port);
	size_t body = total - 1 - (size_t)hl;
	hl = snprintf(head, sizeof(head), "POST http://files.test:%u HTTP/1.0\r\nContent-Length: %zu\r\n\r\n",
		      k.srv.port, body);
	assert_int_equal(1 + (size_t)hl + body, total);
	memcpy(big + 1, head, (size_t)hl);
	memset(big + 1 + hl, 'B', body);
	kill(k.pr.pid, SIGSTOP);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one));
	for (size_t off = 0; off < total;) {
		ssize_t n = send(fd, big + off, total - off, MSG_NOSIGNAL);
		assert_true(n > 0);
		off += (size_t)n;
	}
	one = 0;
	setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one));
	usleep(50000);
	kill(k.pr.pid, SIGCONT);
	free(big);
	bool reset;
	read_all(fd, buf, sizeof(buf), &reset);
	close(fd);
	/* Both answered, the second as HTTP/1.0 (the connection closes). */
	if (!strstr(buf, "\r\n\r\nhelloHTTP/1.1 200 OK\r\n"))
		fail_msg("got: %s", buf);
	assert_false(reset);
	int requests;
	server_count(&k.srv, &requests);
	assert_int_equal(requests, 2);
	int st;
	assert_int_equal(waitpid(k.pr.pid, &st, WNOHANG), 0); /* the proxy is alive */
	ka_stop(&k);
}

/* Through an upstream proxy, then a --resolve name on the same client
 * connection: the second request goes to its own address and port, not
 * to the mapped address at the upstream proxy's port (found in review). */
static void test_upstream_then_resolved(void **state)
{
	(void)state;
	struct server up, direct;
	server_start_keep(&up, NULL);
	server_start_keep(&direct, NULL);
	char allow[96];
	snprintf(allow, sizeof(allow), "a.test:80,b.test:%u", direct.port);
	struct tj_net_policy p = policy(allow, "b.test:127.0.0.1");
	p.upstream_host = tj_xstrdup("127.0.0.1");
	p.upstream_port = up.port;
	struct proxy_run pr;
	proxy_start(&pr, &p, 0, 0, 0, false);
	int fd = connect_proxy(&pr);
	char req[256], buf[4096];
	send_all(fd, "GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n");
	read_response(fd, buf, sizeof(buf));
	assert_contains(buf, "hello");
	snprintf(req, sizeof(req), "GET http://b.test:%u/b HTTP/1.1\r\nHost: b.test\r\n\r\n", direct.port);
	send_all(fd, req);
	read_response(fd, buf, sizeof(buf));
	assert_contains(buf, "hello");
	close(fd);
	int requests;
	server_count(&up, &requests);
	assert_int_equal(requests, 1);
	server_count(&direct, &requests);
	assert_int_equal(requests, 1);
	pthread_mutex_lock(&direct.lock);
	assert_contains(direct.seen, "GET /b HTTP/1.1\r\n");
	pthread_mutex_unlock(&direct.lock);
	proxy_stop(&pr);
	server_stop(&up);
	server_stop(&direct);
	tj_net_policy_done(&p);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_forward),
		cmocka_unit_test(test_connect_tunnel),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_max_conns),
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_resolver),
		cmocka_unit_test(test_bad_gateway),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_keep_alive_server_gave_up),
		cmocka_unit_test(test_keep_alive_smuggling),
		cmocka_unit_test(test_response_lies),
		cmocka_unit_test(test_keep_alive_big_pipelined),
		cmocka_unit_test(test_upstream_then_resolved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
