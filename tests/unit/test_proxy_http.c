/* SPDX-License-Identifier: Apache-2.0 */
/* The proxy's HTTP parsing and rewriting: what the sandbox may send, what the
 * origin server gets, and the framing that keeps it to one request. */
#include "unit.h"

#include "tj/net/proxy_http.h"

static int parse(const char *text, struct tj_http_request *req)
{
	return tj_http_parse_request(text, strlen(text), req);
}

static void expect_refused(const char *text, int status, const char *fragment)
{
	struct tj_http_request req;
	int r = parse(text, &req);
	if (r != -1)
		fail_msg("accepted (%d): %s", r, text);
	assert_int_equal(req.status, status);
	assert_contains(req.error, fragment);
	assert_null(req.upstream);
}

static void test_connect(void **state)
{
	(void)state;
	struct tj_http_request req;
	const char *text = "CONNECT Example.ORG.:443 HTTP/1.1\r\nHost: example.org:443\r\nProxy-Authorization: x\r\n\r\n"
			   "\x16\x03\x01";
	assert_int_equal(parse(text, &req), 1);
	assert_true(req.connect);
	assert_string_equal(req.method, "CONNECT");
	assert_string_equal(req.host, "example.org");
	assert_int_equal(req.port, 443);
	assert_int_equal(req.head_len, strlen(text) - 3); /* the TLS bytes after it are not the head */
	assert_null(req.upstream);
	tj_http_request_done(&req);

	assert_int_equal(parse("CONNECT [::1]:8443 HTTP/1.1\r\n\r\n", &req), 1);
	assert_string_equal(req.host, "::1");
	assert_int_equal(req.port, 8443);
	assert_int_equal(parse("CONNECT 127.0.0.1:22 HTTP/1.0\r\n\r\n", &req), 1);
	assert_string_equal(req.host, "127.0.0.1");

	expect_refused("CONNECT example.org HTTP/1.1\r\n\r\n", 400, "needs host:port");
	expect_refused("CONNECT example.org:0 HTTP/1.1\r\n\r\n", 400, "not 1-65535");
	expect_refused("CONNECT example.org:65536 HTTP/1.1\r\n\r\n", 400, "not 1-65535");
	expect_refused("CONNECT example.org:https HTTP/1.1\r\n\r\n", 400, "not a number");
	expect_refused("CONNECT ::1:443 HTTP/1.1\r\n\r\n", 400, "need brackets");
	expect_refused("CONNECT [fe80::1%25eth0]:443 HTTP/1.1\r\n\r\n", 400, "not a host name");
	expect_refused("CONNECT exa mple.org:443 HTTP/1.1\r\n\r\n", 400, "not a request line");
	expect_refused("CONNECT a..b:443 HTTP/1.1\r\n\r\n", 400, "not a host name");
	expect_refused("CONNECT a/b:443 HTTP/1.1\r\n\r\n", 400, "not a host name");
}

static void test_numeric_hosts(void **state)
{
	(void)state;
	/* inet_aton's other spellings of 127.0.0.1 never reach a resolver. */
	const char *bad[] = {"0177.0.0.1", "2130706433", "127.1",    "0x7f.0.0.1",
			     "0x7f000001", "127.0.0.01", "1.2.3.4.5"};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(bad); i++) {
		char out[256];
		if (tj_http_valid_host(bad[i], strlen(bad[i]), out, sizeof(out)))
			fail_msg("'%s' was accepted as '%s'", bad[i], out);
	}
	const char *good[][2] = {{"127.0.0.1", "127.0.0.1"},	      {"Files.TEST", "files.test"},
				 {"a-b_c.example.", "a-b_c.example"}, {"[::FFFF:10.0.0.1]", "::ffff:10.0.0.1"},
				 {"1password.com", "1password.com"},  {"x.0xdead.example", "x.0xdead.example"}};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(good); i++) {
		char out[256];
		if (!tj_http_valid_host(good[i][0], strlen(good[i][0]), out, sizeof(out)))
			fail_msg("'%s' was refused", good[i][0]);
		assert_string_equal(out, good[i][1]);
	}
	char long_label[80];
	memset(long_label, 'a', 64);
	strcpy(long_label + 64, ".org");
	char out[256];
	assert_false(tj_http_valid_host(long_label, strlen(long_label), out, sizeof(out)));
	assert_false(tj_http_valid_host("", 0, out, sizeof(out)));
	assert_false(tj_http_valid_host(".", 1, out, sizeof(out)));
}

static void test_absolute_uri(void **state)
{
	(void)state;
	struct tj_http_request req;
	const char *text = "GET http://Files.Test:8080/a/b?c=d HTTP/1.1\r\n"
			   "Host: evil.example\r\n"
			   "User-Agent: curl/7.88.1\r\n"
			   "Proxy-Connection: Keep-Alive\r\n"
			   "Proxy-Authorization: Basic eDp5\r\n"
			   "Connection: keep-alive, X-Secret\r\n"
			   "X-Secret: 1\r\n"
			   "Keep-Alive: timeout=5\r\n"
			   "TE: trailers\r\n"
			   "Upgrade: websocket\r\n"
			   "Accept: */*\r\n\r\n";
	assert_int_equal(parse(text, &req), 1);
	assert_false(req.connect);
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.scheme, "http");
	assert_string_equal(req.host, "files.test");
	assert_int_equal(req.port, 8080);
	assert_true(req.body.done);
	assert_non_null(req.upstream);
	assert_int_equal(strlen(req.upstream), req.upstream_len);
	/* Origin form, Host from the URL, this hop's headers gone, one request. */
	assert_string_equal(req.upstream, "GET /a/b?c=d HTTP/1.1\r\n"
					  "Host: Files.Test:8080\r\n"
					  "User-Agent: curl/7.88.1\r\n"
					  "Accept: */*\r\n\r\n");
	assert_true(req.keep_alive); /* HTTP/1.1: the server's connection may carry the next one */
	tj_http_request_done(&req);

	assert_int_equal(parse("HEAD http://example.org HTTP/1.0\r\n\r\n", &req), 1);
	assert_int_equal(req.port, 80);
	assert_string_equal(req.upstream, "HEAD / HTTP/1.0\r\nHost: example.org\r\nConnection: close\r\n\r\n");
	assert_false(req.keep_alive); /* HTTP/1.0: one exchange */
	assert_true(req.head);
	tj_http_request_done(&req);
	/* "close" for either hop: one exchange, and the server is told. */
	assert_int_equal(parse("GET http://example.org/ HTTP/1.1\r\nConnection: Close\r\n\r\n", &req), 1);
	assert_false(req.keep_alive);
	assert_contains(req.upstream, "Connection: close\r\n\r\n");
	tj_http_request_done(&req);
	assert_int_equal(parse("GET http://example.org/ HTTP/1.1\r\nProxy-Connection: close\r\n\r\n", &req), 1);
	assert_false(req.keep_alive);
	tj_http_request_done(&req);
	assert_int_equal(parse("CONNECT example.org:443 HTTP/1.1\r\n\r\n", &req), 1);
	assert_false(req.keep_alive);
	tj_http_request_done(&req);
	assert_int_equal(parse("GET http://example.org?q HTTP/1.1\r\n\r\n", &req), 1);
	assert_contains(req.upstream, "GET /?q HTTP/1.1\r\n");
	tj_http_request_done(&req);
	assert_int_equal(parse("GET http://[::1]:81/ HTTP/1.1\r\n\r\n", &req), 1);
	assert_string_equal(req.host, "::1");
	assert_contains(req.upstream, "Host: [::1]:81\r\n");
	tj_http_request_done(&req);

	/* Other schemes parse, so that the policy can name them (NET-002). */
	assert_int_equal(parse("GET ftp://example.org/pub/x HTTP/1.1\r\n\r\n", &req), 1);
	assert_string_equal(req.scheme, "ftp");
	assert_int_equal(req.port, 21);
	tj_http_request_done(&req);

	expect_refused("GET /index.html HTTP/1.1\r\nHost: example.org\r\n\r\n", 400, "a proxy needs the whole URL");
	expect_refused("GET http://allowed.org@evil.org/ HTTP/1.1\r\n\r\n", 400, "user names and passwords");
	expect_refused("GET http://example.org/#x HTTP/1.1\r\n\r\n", 400, "fragment");
	expect_refused("GET http:///x HTTP/1.1\r\n\r\n", 400, "no host");
	expect_refused("GET example.org/x HTTP/1.1\r\n\r\n", 400, "not an absolute URL");
	expect_refused("GET http://0177.0.0.1/ HTTP/1.1\r\n\r\n", 400, "not a host name");
	expect_refused("GET http://example.org/ HTTP/2.0\r\n\r\n", 505, "only HTTP/1.0 and HTTP/1.1");
	expect_refused("G@T http://example.org/ HTTP/1.1\r\n\r\n", 400, "not a method");
}

static void test_malformed_heads(void **state)
{
	(void)state;
	struct tj_http_request req;
	/* Incomplete: more bytes are needed, nothing is decided yet. */
	assert_int_equal(parse("CONNECT example.org:443 HTTP/1.1\r\nHost: x\r\n", &req), 0);
	assert_int_equal(parse("", &req), 0);
	/* A TLS ClientHello sent to the proxy is refused at its first byte. */
	expect_refused("\x16\x03\x01\x02\x00", 400, "control characters");
	expect_refused("GET http://example.org/ HTTP/1.1\nHost: x\n\n", 400, "CRLF");
	expect_refused("GET http://example.org/ HTTP/1.1\r\nA: b\rc\r\n\r\n", 400, "CR without LF");
	expect_refused("GET http://example.org/ HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 400, "folded");
	expect_refused("GET http://example.org/ HTTP/1.1\r\nA : b\r\n\r\n", 400, "not a header line");
	expect_refused("GET http://example.org/ HTTP/1.1\r\nnocolon\r\n\r\n", 400, "not a header line");
	expect_refused("\r\n\r\n", 400, "not a request line");
	expect_refused("GET http://example.org/ HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400,
		       "two different Content-Length");
	expect_refused("GET http://example.org/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "not a number");
	expect_refused("POST http://example.org/ HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
		       "only chunked");
	expect_refused("POST http://example.org/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
		       400, "both Content-Length and Transfer-Encoding");

	/* Bounded: a head that never ends is refused at 16 KiB... */
	size_t n = TJ_HTTP_MAX_HEAD + 100;
	char *big = malloc(n + 1);
	strcpy(big, "GET http://example.org/ HTTP/1.1\r\n");
	for (size_t i = strlen(big); i < n; i++)
		big[i] = (i % 50 == 48) ? '\r' : (i % 50 == 49) ? '\n' : 'a';
	/* (lines of "aaa...:" are not headers, but the size is found first) */
	big[n] = '\0';
	assert_int_equal(tj_http_parse_request(big, n, &req), -1);
	assert_true(req.status == 431 || req.status == 400);
	memcpy(big, "GET http://example.org/ HTTP/1.1\r\n", 34);
	for (size_t i = 34; i < n; i++)
		big[i] = 'a';
	assert_int_equal(tj_http_parse_request(big, n, &req), -1);
	assert_int_equal(req.status, 431);
	free(big);
	/* ...and so are more than 100 header lines. */
	struct tj_buf b = {0};
	tj_buf_add(&b, "GET http://example.org/ HTTP/1.1\r\n");
	for (int i = 0; i < 101; i++)
		tj_buf_addf(&b, "X-%d: y\r\n", i);
	tj_buf_add(&b, "\r\n");
	assert_int_equal(parse(b.s, &req), -1);
	assert_int_equal(req.status, 431);
	tj_buf_done(&b);
}

static void test_body_length(void **state)
{
	(void)state;
	struct tj_http_request req;
	const char *text =
		"POST http://example.org/up HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET http://evil/ HTTP/1.1";
	assert_int_equal(parse(text, &req), 1);
	assert_int_equal(req.body.kind, TJ_HTTP_BODY_LENGTH);
	assert_false(req.body.done);
	assert_contains(req.upstream, "Content-Length: 5\r\n");
	const char *rest = text + req.head_len;
	/* Five bytes belong to the body; the pipelined request does not. */
	assert_int_equal(tj_http_body_feed(&req.body, rest, 3), 3);
	assert_false(req.body.done);
	assert_int_equal(tj_http_body_feed(&req.body, rest + 3, strlen(rest + 3)), 2);
	assert_true(req.body.done);
	assert_int_equal(tj_http_body_feed(&req.body, "more", 4), 0);
	tj_http_request_done(&req);
	/* No body: nothing after the head is forwarded. */
	assert_int_equal(parse("GET http://example.org/ HTTP/1.1\r\n\r\n", &req), 1);
	assert_true(req.body.done);
	assert_int_equal(tj_http_body_feed(&req.body, "GET http://evil/", 16), 0);
	tj_http_request_done(&req);
}

static void test_body_chunked(void **state)
{
	(void)state;
	struct tj_http_body b = {.kind = TJ_HTTP_BODY_CHUNKED};
	const char *body = "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT";
	size_t len = strlen(body);
	/* Byte by byte: the framing survives any split. */
	size_t used = 0;
	for (size_t i = 0; i < len && !b.done; i++) {
		ssize_t r = tj_http_body_feed(&b, body + i, 1);
		assert_true(r >= 0);
		used += (size_t)r;
	}
	assert_true(b.done);
	assert_int_equal(used, len - 4);
	/* All at once. */
	b = (struct tj_http_body){.kind = TJ_HTTP_BODY_CHUNKED};
	assert_int_equal(tj_http_body_feed(&b, body, len), (ssize_t)(len - 4));
	assert_true(b.done);
	b = (struct tj_http_body){.kind = TJ_HTTP_BODY_CHUNKED};
	assert_int_equal(tj_http_body_feed(&b, "0\r\n\r\n", 5), 5);
	assert_true(b.done);

	const char *bad[] =
		{"g\r\n", "\r\n", "5\nhello", "5\r\nhelloX\r\n", "1234567890abcdef0\r\n", "0\r\nA\nB\r\n\r\n"};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(bad); i++) {
		b = (struct tj_http_body){.kind = TJ_HTTP_BODY_CHUNKED};
		if (tj_http_body_feed(&b, bad[i], strlen(bad[i])) != -1)
			fail_msg("accepted broken framing: %s", bad[i]);
	}

	/* Trailer lines are header fields (issue 16 item 18), checked byte by
	 * byte and all at once. */
	const char *good_trailers[] = {"0\r\nX-Sum: abc def\r\nETag:\t\"x\"\r\n\r\n", "0\r\nX-Empty:\r\n\r\n",
				       "0\r\nAn-Unusually-Long-Trailer-Field-Name: 1\r\n\r\n",
				       "0\r\nX: caf\xc3\xa9\r\n\r\n"};
	const char *bad_trailers[] = {
		"0\r\nno colon\r\n\r\n",	  /* not a field */
		"0\r\nNoColon\r\n\r\n",		  /* not a field */
		"0\r\n: value\r\n\r\n",		  /* no name */
		"0\r\nX-A: 1\r\n folded\r\n\r\n", /* obs-fold */
		"0\r\nX A: 1\r\n\r\n",		  /* space in the name */
		"0\r\nX-A : 1\r\n\r\n",		  /* space before the colon */
		"0\r\nX-A: 1\rX\r\n\r\n",	  /* bare CR */
		"0\r\nX-A: a\x01b\r\n\r\n",	  /* a control character */
		"0\r\nX-A: a\x7f\r\n\r\n",	  /* DEL */
		"0\r\nContent-Length: 5\r\n\r\n", /* framing in a trailer */
		"0\r\ntransfer-encoding: chunked\r\n\r\n",
		"0\r\nHost: evil.example\r\n\r\n",
		"0\r\n\x00: x\r\n\r\n",
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(good_trailers); i++) {
		size_t n = strlen(good_trailers[i]);
		b = (struct tj_http_body){.kind = TJ_HTTP_BODY_CHUNKED};
		if (tj_http_body_feed(&b, good_trailers[i], n) != (ssize_t)n || !b.done)
			fail_msg("refused a good trailer: %s", good_trailers[i]);
		b = (struct tj_http_body){.kind = TJ_HTTP_BODY_CHUNKED};
		for (size_t k = 0; k < n; k++)
			assert_int_equal(tj_http_body_feed(&b, good_trailers[i] + k, 1), 1);
		assert_true(b.done);
	}
	for (size_t i = 0; i < TJ_ARRAY_SIZE(bad_trailers); i++) {
		size_t n = i == TJ_ARRAY_SIZE(bad_trailers) - 1 ? 12 : strlen(bad_trailers[i]);
		b = (struct tj_http_body){.kind = TJ_HTTP_BODY_CHUNKED};
		if (tj_http_body_feed(&b, bad_trailers[i], n) != -1)
			fail_msg("accepted a bad trailer: %s", bad_trailers[i]);
		b = (struct tj_http_body){.kind = TJ_HTTP_BODY_CHUNKED};
		ssize_t r = 0;
		for (size_t k = 0; k < n && r >= 0; k++)
			r = tj_http_body_feed(&b, bad_trailers[i] + k, 1);
		if (r != -1)
			fail_msg("accepted a bad trailer byte by byte: %s", bad_trailers[i]);
	}
}

/* The response to a keep-alive GET (or HEAD) of example.org. */
static struct tj_http_request ka_request(const char *method)
{
	struct tj_http_request req;
	char text[128];
	snprintf(text, sizeof(text), "%s http://example.org/ HTTP/1.1\r\n\r\n", method);
	assert_int_equal(parse(text, &req), 1);
	assert_true(req.keep_alive);
	tj_http_request_done(&req);
	return req;
}

static int rewrite(const char *resp, const struct tj_http_request *req, struct tj_buf *out, struct tj_http_response *r)
{
	tj_buf_done(out);
	return tj_http_rewrite_response(resp, strlen(resp), req, out, r);
}

static void test_response(void **state)
{
	(void)state;
	struct tj_buf out = {0};
	struct tj_http_response r;
	struct tj_http_request get = ka_request("GET");
	struct tj_http_request once = get;
	once.keep_alive = false;
	const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n"
			   "Keep-Alive: timeout=5\r\nServer: t\r\n\r\nabc";
	assert_int_equal(rewrite(resp, &once, &out, &r), 1);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.head_len, strlen(resp) - 3);
	assert_string_equal(out.s, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nServer: t\r\nConnection: close\r\n\r\n");
	assert_false(r.keep_client);
	assert_true(r.server_close);
	/* The same to a keep-alive request: no "Connection: close". */
	assert_int_equal(rewrite(resp, &get, &out, &r), 1);
	assert_string_equal(out.s, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nServer: t\r\n\r\n");
	assert_true(r.keep_client);
	assert_false(r.server_close);
	assert_int_equal(r.body.kind, TJ_HTTP_BODY_LENGTH);
	assert_int_equal(r.body.left, 3);
	/* Framing headers stay even when Connection names them. */
	resp = "HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 3\r\n\r\n";
	assert_int_equal(rewrite(resp, &get, &out, &r), 1);
	assert_contains(out.s, "Content-Length: 3\r\n");
	/* 1xx heads pass as they are; LF-only heads are accepted from servers. */
	resp = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
	assert_int_equal(rewrite(resp, &get, &out, &r), 1);
	assert_int_equal(r.status, 100);
	assert_true(r.body.done);
	assert_string_equal(out.s, "HTTP/1.1 100 Continue\r\n\r\n");
	resp = "HTTP/1.0 404 Not Found\nServer: x\n\n";
	assert_int_equal(rewrite(resp, &once, &out, &r), 1);
	assert_int_equal(r.status, 404);
	assert_string_equal(out.s, "HTTP/1.0 404 Not Found\r\nServer: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(rewrite("HTTP/1.1 200 OK\r\n", &get, &out, &r), 0);
	assert_int_equal(rewrite("HTT", &get, &out, &r), 0);
	assert_int_equal(rewrite("SSH-2.0-OpenSSH\r\n", &get, &out, &r), -1);
	assert_int_equal(rewrite("HTTP/1.1 2x0 OK\r\n\r\n", &get, &out, &r), -1);
	tj_buf_done(&out);
}

/* Where a response's body ends, and whether the client's connection may
 * carry another request after it: only where that is certain. */
static void test_response_framing(void **state)
{
	(void)state;
	struct tj_http_request get = ka_request("GET"), head = ka_request("HEAD");
	static const struct {
		const char *resp;
		bool head;
		enum tj_http_body_kind kind;
		bool keep_client, server_close;
	} cases[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, TJ_HTTP_BODY_LENGTH, true, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", false, TJ_HTTP_BODY_LENGTH, true, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n", false, TJ_HTTP_BODY_LENGTH, true,
		 false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, TJ_HTTP_BODY_CHUNKED, true, false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n", false, TJ_HTTP_BODY_CHUNKED, true, false},
		/* no length: it ends when the server closes */
		{"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", false, TJ_HTTP_BODY_CLOSE, false, true},
		/* Content-Length and Transfer-Encoding: never trusted */
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", false,
		 TJ_HTTP_BODY_CLOSE, false, true},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", false, TJ_HTTP_BODY_CLOSE, false, true},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", false,
		 TJ_HTTP_BODY_CLOSE, false, true},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n", false, TJ_HTTP_BODY_CLOSE, false, true},
		/* no body whatever the headers say */
		{"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n", false, TJ_HTTP_BODY_NONE, true, false},
		{"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", false, TJ_HTTP_BODY_NONE, true,
		 false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", true, TJ_HTTP_BODY_NONE, true, false},
		/* the server closes: the client may go on (to a new server connection) */
		{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n", false, TJ_HTTP_BODY_LENGTH, true,
		 true},
		/* HTTP/1.0: the client's head would mean close */
		{"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", false, TJ_HTTP_BODY_LENGTH, false, true},
	};
	struct tj_buf out = {0};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tj_http_response r;
		if (rewrite(cases[i].resp, cases[i].head ? &head : &get, &out, &r) != 1)
			fail_msg("not parsed: %s", cases[i].resp);
		if (r.body.kind != cases[i].kind || r.keep_client != cases[i].keep_client ||
		    r.server_close != cases[i].server_close)
			fail_msg("%s: kind %d keep_client %d server_close %d", cases[i].resp, r.body.kind,
				 r.keep_client, r.server_close);
		/* The client is told exactly what the proxy will do. */
		if (r.keep_client == (strstr(out.s, "Connection: close\r\n") != NULL))
			fail_msg("%s: the head says otherwise: %s", cases[i].resp, out.s);
	}
	/* Lengths that cannot be trusted: refused (502), never guessed. */
	const char *bad[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tj_http_response r;
		if (rewrite(bad[i], &get, &out, &r) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
	/* A response body that says more than its length: the rest is not
	 * part of it (and proxy.c never reuses that server connection). */
	struct tj_http_response r;
	const char *lie = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\nsmuggled";
	assert_int_equal(rewrite(lie, &get, &out, &r), 1);
	assert_int_equal(tj_http_body_feed(&r.body, lie + r.head_len, strlen(lie + r.head_len)), 2);
	assert_true(r.body.done);
	/* A chunked response with a bad chunk size is broken, not guessed. */
	const char *chunks = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	assert_int_equal(rewrite(chunks, &get, &out, &r), 1);
	assert_int_equal(tj_http_body_feed(&r.body, "-5\r\n", 4), -1);
	assert_int_equal(rewrite(chunks, &get, &out, &r), 1);
	assert_int_equal(tj_http_body_feed(&r.body, "ffffffffffffffffff\r\n", 20), -1);
	assert_int_equal(rewrite(chunks, &get, &out, &r), 1);
	const char *body = "3\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\nGARBAGE";
	assert_int_equal(tj_http_body_feed(&r.body, body, strlen(body)), strlen(body) - 7);
	assert_true(r.body.done);
	tj_buf_done(&out);
}

/* Smuggling patterns in requests: refused before anything is forwarded. */
static void test_request_smuggling(void **state)
{
	(void)state;
	expect_refused("POST http://example.org/ HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		       400, "both Content-Length and Transfer-Encoding");
	expect_refused("POST http://example.org/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
		       400, "both Content-Length and Transfer-Encoding");
	expect_refused("POST http://example.org/ HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400,
		       "two different Content-Length");
	expect_refused("POST http://example.org/ HTTP/1.1\r\nContent-Length: 5\r\n Content-Length: 6\r\n\r\n", 400,
		       "folded");
	expect_refused("POST http://example.org/ HTTP/1.1\r\nX-A: 1\r\n\tTransfer-Encoding: chunked\r\n\r\n", 400,
		       "folded");
	expect_refused("POST http://example.org/ HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 501,
		       "not supported");
	expect_refused("POST http://example.org/ HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n", 400,
		       "not a header line");
	expect_refused("POST http://example.org/ HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 400, "not a number");
}

static void test_error_response(void **state)
{
	(void)state;
	size_t len = 0;
	char *r = tj_http_error_response(403, "allowlist", "'evil.test' is not in the allowlist", &len);
	assert_int_equal(strlen(r), len);
	assert_contains(r, "HTTP/1.1 403 Forbidden\r\n");
	assert_contains(r, "X-Tinyjail-Refused: allowlist\r\n");
	assert_contains(r, "Connection: close\r\n");
	const char *body = strstr(r, "\r\n\r\n") + 4;
	assert_string_equal(body, "tinyjail: refused: 'evil.test' is not in the allowlist\n");
	char cl[64];
	snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", strlen(body));
	assert_contains(r, cl);
	free(r);
	r = tj_http_error_response(502, NULL, "cannot connect", &len);
	assert_contains(r, "HTTP/1.1 502 Bad Gateway\r\n");
	assert_null(strstr(r, "X-Tinyjail-Refused"));
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect),		 cmocka_unit_test(test_numeric_hosts),
		cmocka_unit_test(test_absolute_uri),	 cmocka_unit_test(test_malformed_heads),
		cmocka_unit_test(test_body_length),	 cmocka_unit_test(test_body_chunked),
		cmocka_unit_test(test_response),	 cmocka_unit_test(test_error_response),
		cmocka_unit_test(test_response_framing), cmocka_unit_test(test_request_smuggling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
