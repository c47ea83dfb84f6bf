/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP for the filtering proxy (notes/network.md): what the sandbox sends is
 * untrusted, so it is parsed strictly and within fixed bounds, and what goes
 * on to the origin server is rebuilt rather than passed through.  Pure:
 * buffers in, structs and buffers out, no I/O.
 *
 *   CONNECT host:port HTTP/1.1            a tunnel (TLS): nothing is rewritten
 *   GET http://host[:port]/p?q HTTP/1.1   sent on as "GET /p?q HTTP/1.1" with
 *                                         Host from the URL, without Proxy-*
 *                                         and hop-by-hop headers; the body is
 *                                         framed, and what follows it is the
 *                                         next request (keep-alive), parsed and
 *                                         judged on its own, never forwarded
 *                                         with this one
 *
 * Keep-alive only where both framings are certain: an HTTP/1.1 request
 * without "Connection: close", and an HTTP/1.1 response whose body ends by
 * Content-Length or chunked framing (or has none: HEAD, 1xx, 204, 304).
 * Everything else says "Connection: close" and ends with its connection.
 */
#ifndef TJ_PROXY_HTTP_H
#define TJ_PROXY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/base/util.h"

#define TJ_HTTP_MAX_HEAD 16384 /* request or response head, blank line included */
#define TJ_HTTP_MAX_HEADERS 100

enum tj_http_body_kind {
	TJ_HTTP_BODY_NONE,
	TJ_HTTP_BODY_LENGTH,  /* Content-Length */
	TJ_HTTP_BODY_CHUNKED, /* Transfer-Encoding: chunked */
	TJ_HTTP_BODY_CLOSE,   /* a response that ends when the server closes */
};

/* Follows a request body to its end (tj_http_body_feed). */
struct tj_http_body {
	enum tj_http_body_kind kind;
	uint64_t left; /* bytes still to come: of the body (LENGTH) or of the current chunk */
	int state;     /* CHUNKED: where in the framing */
	unsigned line; /* CHUNKED: bytes of the current size or trailer line */
	unsigned digits;
	unsigned trailer; /* CHUNKED: bytes of trailer so far */
	bool in_value;	  /* CHUNKED: past the current trailer line's ':' */
	char name[24];	  /* CHUNKED: the current trailer field's name (its start) */
	bool done;
};

struct tj_http_request {
	bool connect; /* CONNECT host:port */
	char method[16];
	char scheme[16]; /* lower case; "" for CONNECT */
	char host[256];	 /* lower case, no trailing dot, IPv6 without brackets */
	uint16_t port;	 /* from the target, or the scheme's default; 0 if unknown */
	size_t head_len; /* bytes of the head, blank line included */
	bool keep_alive; /* HTTP/1.1 without "Connection: close": another request may follow */
	bool head;	 /* HEAD: the response has no body */
	struct tj_http_body body;
	char *upstream; /* absolute-URI requests: the head for the origin server */
	size_t upstream_len;
	/* when refused: */
	int status; /* 400, 431, 501, 505 */
	char error[160];
};

/* Parses the request head at the start of buf.  Returns 1 when it is
 * complete and acceptable (req filled; free with tj_http_request_done), 0
 * when more bytes are needed, -1 when it is refused (req->status and
 * req->error say why, for the answer and the event).  Never reads beyond
 * TJ_HTTP_MAX_HEAD bytes. */
int tj_http_parse_request(const char *buf, size_t len, struct tj_http_request *req);
void tj_http_request_done(struct tj_http_request *req);

/* Feeds bytes that follow the head.  Returns how many of them belong to the
 * body (the rest is the next message: never forwarded with this one), or -1
 * when the chunked framing is broken.  b->done is set at the body's end
 * (never for CLOSE, which takes everything). */
ssize_t tj_http_body_feed(struct tj_http_body *b, const char *data, size_t len);

/* What a response head says about its body and its connection. */
struct tj_http_response {
	int status;
	size_t head_len;	  /* bytes of the head, blank line included */
	struct tj_http_body body; /* NONE, LENGTH, CHUNKED or CLOSE (feed it what follows the head) */
	bool keep_client;	  /* the head given to the client lets it send another request */
	bool server_close;	  /* the server's connection cannot carry another request */
};

/* Parses the origin server's response head at the start of buf (the answer
 * to req) and appends to out what the client gets: an informational (1xx)
 * head as it is, any other without Connection, Keep-Alive, Proxy-Connection
 * and the headers Connection names, with "Connection: close" unless the
 * client's connection can stay (resp->keep_client).  Returns 1 (complete;
 * resp set), 0 (more bytes needed) or -1 (not an HTTP/1 response head,
 * larger than TJ_HTTP_MAX_HEAD, or an unusable Content-Length: not a number,
 * or two that differ). */
int tj_http_rewrite_response(const char *buf, size_t len, const struct tj_http_request *req, struct tj_buf *out,
			     struct tj_http_response *resp);

/* The proxy's own answer: status line, "Connection: close", a text body,
 * and "X-Tinyjail-Refused: RULE" when rule is not NULL.  Caller frees. */
char *tj_http_error_response(int status, const char *rule, const char *text, size_t *len);
const char *tj_http_reason_phrase(int status);

/* A host as the proxy accepts it: a DNS name (letters, digits, '-', '_',
 * dots; labels of 1-63 characters; at most 253) or an IPv4 or bracketed
 * IPv6 literal.  Numeric forms other than dotted quads ("0177.0.0.1",
 * "2130706433", "127.1") are refused: resolvers read them as addresses the
 * allowlist never saw.  Writes the normalised host (lower case, no trailing
 * dot, no brackets) to out. */
bool tj_http_valid_host(const char *host, size_t len, char *out, size_t size);

#endif
