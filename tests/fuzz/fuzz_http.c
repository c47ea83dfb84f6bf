/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the filtering proxy's HTTP/1 parsers, which read what the
 * sandboxed command sends (request heads, chunked bodies with trailers) and
 * what a server answers (response heads and their framed bodies).  The first byte picks how the rest
 * is cut, so one input exercises a head followed by a body fed in pieces.
 * One entry point for libFuzzer and AFL++; seeds in tests/fuzz/corpus/http/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tj/net/proxy_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned piece = data[0] % 64 + 1; /* body feed granularity */
	const char *buf = (const char *)data + 1;
	size_t len = size - 1;

	struct tj_http_request req;
	memset(&req, 0, sizeof(req));
	int r = tj_http_parse_request(buf, len, &req);
	/* The request the response below answers: this one when it parsed,
	 * else a keep-alive GET (HEAD when the piece size is odd). */
	struct tj_http_request asked = {.keep_alive = true, .head = piece & 1};
	if (r > 0) {
		asked.keep_alive = req.keep_alive;
		asked.head = req.head;
	}
	if (r > 0 && req.head_len <= len) {
		/* The body after the head, in pieces as reads deliver it. */
		const char *p = buf + req.head_len;
		size_t left = len - req.head_len;
		while (left && !req.body.done) {
			size_t n = left < piece ? left : piece;
			ssize_t used = tj_http_body_feed(&req.body, p, n);
			if (used < 0)
				break;
			if ((size_t)used > n)
				__builtin_trap(); /* claimed bytes it was not given */
			if ((size_t)used < n)
				break; /* the rest would be a second request */
			p += n;
			left -= n;
		}
	}
	tj_http_request_done(&req);

	struct tj_buf out = {0};
	struct tj_http_response resp;
	if (tj_http_rewrite_response(buf, len, &asked, &out, &resp) > 0 && resp.head_len <= len) {
		/* The response body after its head, framed the same way. */
		const char *p = buf + resp.head_len;
		size_t left = len - resp.head_len;
		if (resp.keep_client && resp.body.kind == TJ_HTTP_BODY_CLOSE)
			__builtin_trap(); /* kept alive without a certain end */
		while (left && !resp.body.done) {
			size_t n = left < piece ? left : piece;
			ssize_t used = tj_http_body_feed(&resp.body, p, n);
			if (used < 0)
				break;
			if ((size_t)used > n)
				__builtin_trap();
			if ((size_t)used < n)
				break;
			p += n;
			left -= n;
		}
	}
	tj_buf_done(&out);

	char host[256];
	tj_http_valid_host(buf, len < 300 ? len : 300, host, sizeof(host));
	return 0;
}
