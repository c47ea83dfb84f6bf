/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP parsing and rewriting for the filtering proxy (proxy_http.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tj/model/ports.h"
#include "tj/net/proxy_http.h"

/* Where the chunked framing is (struct tj_http_body.state). */
enum {
	CH_SIZE,    /* hex digits of a chunk size */
	CH_EXT,	    /* extensions up to CR */
	CH_SIZE_LF, /* LF after the size line */
	CH_DATA,    /* chunk data */
	CH_DATA_CR, /* CR LF after the data */
	CH_DATA_LF,
	CH_TRAILER, /* trailer lines, up to an empty one */
	CH_TRAILER_LF,
};

#define MAX_CHUNK_LINE 4096
#define MAX_TRAILER 16384
#define MAX_CONNECTION_TOKENS 16

__attribute__((format(printf, 3, 4))) static int refuse(struct tj_http_request *req, int status, const char *fmt, ...)
{
	req->status = status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(req->error, sizeof(req->error), fmt, ap);
	va_end(ap);
	free(req->upstream);
	req->upstream = NULL;
	return -1;
}

static bool is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return false;
	return true;
}

/* Case-insensitive comparison of a counted string with a C string. */
static bool ieq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

/* Copies at most size-1 bytes of a counted string, for messages; anything
 * not printable becomes '?' (it may reach a terminal). */
static const char *shown(const char *s, size_t n, char *buf, size_t size)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < size; i++)
		buf[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n >= size && size > 4)
		memcpy(buf + size - 4, "...", 3), k = size - 1;
	buf[k] = '\0';
	return buf;
}

/* --- hosts --- */

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

bool tj_http_valid_host(const char *host, size_t len, char *out, size_t size)
{
	char tmp[256];
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		struct in6_addr a6;
		if (len - 2 >= sizeof(tmp) || len - 2 >= size)
			return false;
		memcpy(tmp, host + 1, len - 2);
		tmp[len - 2] = '\0';
		/* No zone ("%eth0"): it names an interface of the host. */
		if (inet_pton(AF_INET6, tmp, &a6) != 1)
			return false;
		for (char *p = tmp; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		memcpy(out, tmp, len - 1);
		return true;
	}
	if (len && host[len - 1] == '.')
		len--; /* the root's dot */
	if (len == 0 || len > 253 || len >= size)
		return false;
	size_t label = 0, last_start = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)host[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			last_start = i + 1;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	if (label == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)host[i]);
	out[len] = '\0';
	/* A last label of digits (or 0x...) makes resolvers read the whole
	 * name as an IPv4 address in any of inet_aton's forms: only the
	 * dotted quad, which the allowlist and the checks see as it is. */
	const char *lastl = out + last_start;
	size_t lastn = len - last_start;
	if (all_digits(lastl, lastn) || (lastn >= 2 && lastl[0] == '0' && lastl[1] == 'x')) {
		struct in_addr a4;
		return inet_pton(AF_INET, out, &a4) == 1;
	}
	return true;
}

/* "host[:port]" or "[v6][:port]". */
static int parse_authority(struct tj_http_request *req, const char *s, size_t n, bool port_required,
			   uint16_t default_port)
{
	char show[96];
	const char *host = s, *port = NULL;
	size_t hostlen = n, portlen = 0;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return refuse(req, 400, "'%s': an unclosed '['", shown(s, n, show, sizeof(show)));
		hostlen = (size_t)(close - s) + 1;
		if (hostlen < n) {
			if (s[hostlen] != ':')
				return refuse(req, 400, "'%s' is not host:port", shown(s, n, show, sizeof(show)));
			port = s + hostlen + 1;
			portlen = n - hostlen - 1;
		}
	} else {
		const char *colon = memchr(s, ':', n);
		if (colon) {
			if (memchr(colon + 1, ':', n - (size_t)(colon - s) - 1))
				return refuse(req, 400, "'%s': IPv6 addresses need brackets",
					      shown(s, n, show, sizeof(show)));
			hostlen = (size_t)(colon - s);
			port = colon + 1;
			portlen = n - hostlen - 1;
		}
	}
	if (port) {
		unsigned long v = 0;
		if (!all_digits(port, portlen) || portlen > 5)
			return refuse(req, 400, "'%s': the port is not a number", shown(s, n, show, sizeof(show)));
		for (size_t i = 0; i < portlen; i++)
			v = v * 10 + (unsigned long)(port[i] - '0');
		if (v < TJ_PORT_MIN_DEST || v > TJ_PORT_MAX)
			return refuse(req, 400, "'%s': the port is not %u-%u", shown(s, n, show, sizeof(show)),
				      TJ_PORT_MIN_DEST, TJ_PORT_MAX);
		req->port = (uint16_t)v;
	} else if (port_required) {
		return refuse(req, 400, "CONNECT needs host:port, not '%s'", shown(s, n, show, sizeof(show)));
	} else {
		req->port = default_port;
	}
	if (!tj_http_valid_host(host, hostlen, req->host, sizeof(req->host)))
		return refuse(req, 400, "'%s' is not a host name or IP address",
			      shown(host, hostlen, show, sizeof(show)));
	return 0;
}

static uint16_t default_port(const char *scheme)
{
	static const struct {
		const char *scheme;
		uint16_t port;
	} ports[] = {{"http", 80}, {"https", 443}, {"ws", 80}, {"wss", 443}, {"ftp", 21}, {"gopher", 70}};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(ports); i++)
		if (strcmp(scheme, ports[i].scheme) == 0)
			return ports[i].port;
	return 0;
}

/* --- the request head --- */

struct line {
	const char *s;
	size_t n;
};

/* Headers forwarded by nobody: they describe this hop, or the proxy. */
static bool hop_by_hop(const char *name, size_t n)
{
	static const char *const names[] = {"connection", "keep-alive", "proxy-connection", "te", "upgrade", "host"};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(names); i++)
		if (ieq(name, n, names[i]))
			return true;
	return n >= 6 && strncasecmp(name, "proxy-", 6) == 0;
}

/* The comma-separated tokens of a Connection header. */
static void connection_tokens(const char *v, size_t n, struct line *tokens, size_t *ntokens)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && (v[i] == ',' || v[i] == ' ' || v[i] == '\t'))
			i++;
		size_t start = i;
		while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
			i++;
		if (i > start && *ntokens < MAX_CONNECTION_TOKENS)
			tokens[(*ntokens)++] = (struct line){v + start, i - start};
	}
}

static bool named_by(const struct line *tokens, size_t ntokens, const char *name, size_t n)
{
	for (size_t i = 0; i < ntokens; i++)
		if (tokens[i].n == n && strncasecmp(tokens[i].s, name, n) == 0)
			return true;
	return false;
}

/* Splits "Name: value" (no whitespace before the colon; value trimmed). */
static bool split_header(struct line l, struct line *name, struct line *value)
{
	const char *colon = memchr(l.s, ':', l.n);
	if (!colon)
		return false;
	name->s = l.s;
	name->n = (size_t)(colon - l.s);
	if (!is_token(name->s, name->n))
		return false;
	const char *v = colon + 1, *end = l.s + l.n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	value->s = v;
	value->n = (size_t)(end - v);
	return true;
}

static int parse_length(struct tj_http_request *req, struct line v)
{
	if (!all_digits(v.s, v.n) || v.n > 18)
		return refuse(req, 400, "Content-Length is not a number");
	uint64_t len = 0;
	for (size_t i = 0; i < v.n; i++)
		len = len * 10 + (uint64_t)(v.s[i] - '0');
	if (req->body.kind == TJ_HTTP_BODY_LENGTH && req->body.left != len)
		return refuse(req, 400, "two different Content-Length headers");
	req->body.kind = TJ_HTTP_BODY_LENGTH;
	req->body.left = len;
	return 0;
}

/* Finds the end of the head, checking every byte on the way: control
 * characters and line ends other than CRLF are refused at once (a TLS
 * handshake sent to the proxy by mistake fails at its first byte). */
static int find_head_end(const char *buf, size_t len, struct tj_http_request *req, size_t *end)
{
	size_t limit = len < TJ_HTTP_MAX_HEAD ? len : TJ_HTTP_MAX_HEAD;
	for (size_t i = 0; i < limit; i++) {
		unsigned char c = (unsigned char)buf[i];
		if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f)
			return refuse(req, 400, "the request contains control characters (not HTTP?)");
		if (c == '\r' && i + 1 < limit && buf[i + 1] != '\n')
			return refuse(req, 400, "a CR without LF in the request head");
		if (c == '\n') {
			if (i == 0 || buf[i - 1] != '\r')
				return refuse(req, 400, "request lines must end with CRLF");
			if (i >= 3 && buf[i - 2] == '\n') {
				*end = i + 1;
				return 1;
			}
		}
	}
	if (len >= TJ_HTTP_MAX_HEAD)
		return refuse(req, 431, "the request head is larger than %d bytes", TJ_HTTP_MAX_HEAD);
	return 0;
}

static int parse_request_line(struct tj_http_request *req, struct line l, struct line *target, bool *http10)
{
	char show[96];
	const char *sp1 = memchr(l.s, ' ', l.n);
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', l.n - (size_t)(sp1 + 1 - l.s)) : NULL;
	if (!sp1 || !sp2 || memchr(sp2 + 1, ' ', l.n - (size_t)(sp2 + 1 - l.s)))
		return refuse(req, 400, "'%s' is not a request line", shown(l.s, l.n, show, sizeof(show)));
	size_t mlen = (size_t)(sp1 - l.s);
	if (!is_token(l.s, mlen) || mlen >= sizeof(req->method))
		return refuse(req, 400, "'%s' is not a method", shown(l.s, mlen, show, sizeof(show)));
	memcpy(req->method, l.s, mlen);
	req->method[mlen] = '\0';
	target->s = sp1 + 1;
	target->n = (size_t)(sp2 - target->s);
	for (size_t i = 0; i < target->n; i++)
		if ((unsigned char)target->s[i] <= 0x20 || (unsigned char)target->s[i] >= 0x7f)
			return refuse(req, 400, "the request target has characters URLs do not");
	struct line version = {sp2 + 1, l.n - (size_t)(sp2 + 1 - l.s)};
	if (ieq(version.s, version.n, "HTTP/1.1"))
		*http10 = false;
	else if (ieq(version.s, version.n, "HTTP/1.0"))
		*http10 = true;
	else
		return refuse(req, 505, "'%s': only HTTP/1.0 and HTTP/1.1",
			      shown(version.s, version.n, show, sizeof(show)));
	return 0;
}

/* "scheme://authority/path?query" into req, and the origin form. */
static int parse_absolute(struct tj_http_request *req, struct line t, struct line *authority, struct line *path)
{
	char show[96];
	if (t.n && t.s[0] == '/')
		return refuse(req, 400, "'%s' is a path: a proxy needs the whole URL (http://host/path) or CONNECT",
			      shown(t.s, t.n, show, sizeof(show)));
	size_t i = 0;
	while (i < t.n && (isalnum((unsigned char)t.s[i]) || t.s[i] == '+' || t.s[i] == '-' || t.s[i] == '.'))
		i++;
	if (i == 0 || !isalpha((unsigned char)t.s[0]) || i + 3 > t.n || memcmp(t.s + i, "://", 3) != 0)
		return refuse(req, 400, "'%s' is not an absolute URL", shown(t.s, t.n, show, sizeof(show)));
	if (i >= sizeof(req->scheme))
		return refuse(req, 400, "the URL scheme is too long");
	for (size_t k = 0; k < i; k++)
		req->scheme[k] = (char)tolower((unsigned char)t.s[k]);
	req->scheme[i] = '\0';
	if (memchr(t.s, '#', t.n))
		return refuse(req, 400, "a URL with a fragment ('#')");
	const char *a = t.s + i + 3, *end = t.s + t.n, *p = a;
	while (p < end && *p != '/' && *p != '?')
		p++;
	authority->s = a;
	authority->n = (size_t)(p - a);
	/* "http://allowed.org@evil.org/" names evil.org. */
	if (memchr(a, '@', authority->n))
		return refuse(req, 400, "user names and passwords in URLs are not forwarded");
	if (authority->n == 0)
		return refuse(req, 400, "the URL has no host");
	path->s = p;
	path->n = (size_t)(end - p);
	return parse_authority(req, a, authority->n, false, default_port(req->scheme));
}

/* Builds the head the origin server gets (absolute-URI requests). */
static void build_upstream(struct tj_http_request *req, const struct line *lines, size_t nlines, struct line authority,
			   struct line path, bool http10, const struct line *tokens, size_t ntokens)
{
	struct tj_buf b = {0};
	tj_buf_addf(&b, "%s ", req->method);
	if (path.n == 0 || path.s[0] == '?')
		tj_buf_add(&b, "/");
	tj_buf_addn(&b, path.s, path.n);
	tj_buf_addf(&b, " HTTP/1.%d\r\nHost: ", http10 ? 0 : 1);
	tj_buf_addn(&b, authority.s, authority.n);
	tj_buf_add(&b, "\r\n");
	for (size_t i = 0; i < nlines; i++) {
		struct line name, value;
		split_header(lines[i], &name, &value);
		if (hop_by_hop(name.s, name.n))
			continue;
		/* What Connection names is this hop's too, except the body's
		 * framing, which must reach the server as the proxy read it. */
		if (named_by(tokens, ntokens, name.s, name.n) && !ieq(name.s, name.n, "content-length") &&
		    !ieq(name.s, name.n, "transfer-encoding"))
			continue;
		tj_buf_addn(&b, lines[i].s, lines[i].n);
		tj_buf_add(&b, "\r\n");
	}
	/* The server's connection may carry the client's next request to the
	 * same server (proxy.c reuses it only then). */
	tj_buf_add(&b, req->keep_alive ? "\r\n" : "Connection: close\r\n\r\n");
	req->upstream_len = b.len;
	req->upstream = tj_buf_steal(&b);
}

int tj_http_parse_request(const char *buf, size_t len, struct tj_http_request *req)
{
	memset(req, 0, sizeof(*req));
	size_t end = 0;
	int r = find_head_end(buf, len, req, &end);
	if (r <= 0)
		return r;
	req->head_len = end;

	/* Lines, without CRLF; the last is the empty one. */
	struct line lines[TJ_HTTP_MAX_HEADERS + 1];
	size_t nlines = 0;
	struct line reqline = {0};
	const char *p = buf, *stop = buf + end - 2;
	bool first = true;
	while (p < stop) {
		const char *nl = memchr(p, '\r', (size_t)(stop - p));
		struct line l = {p, (size_t)(nl - p)};
		p = nl + 2;
		if (first) {
			reqline = l;
			first = false;
			continue;
		}
		if (l.n && (l.s[0] == ' ' || l.s[0] == '\t'))
			return refuse(req, 400, "folded header lines are not accepted");
		if (nlines == TJ_HTTP_MAX_HEADERS)
			return refuse(req, 431, "more than %d header lines", TJ_HTTP_MAX_HEADERS);
		lines[nlines++] = l;
	}
	struct line target = {0};
	bool http10 = false;
	if (parse_request_line(req, reqline, &target, &http10) < 0)
		return -1;

	/* Headers: syntax, the body's framing, what Connection names. */
	struct line tokens[MAX_CONNECTION_TOKENS], ptokens[MAX_CONNECTION_TOKENS];
	size_t ntokens = 0, nptokens = 0;
	bool chunked = false;
	char show[64];
	for (size_t i = 0; i < nlines; i++) {
		struct line name, value;
		if (!split_header(lines[i], &name, &value))
			return refuse(req, 400, "'%s' is not a header line",
				      shown(lines[i].s, lines[i].n, show, sizeof(show)));
		if (ieq(name.s, name.n, "content-length") && parse_length(req, value) < 0)
			return -1;
		if (ieq(name.s, name.n, "transfer-encoding")) {
			if (!ieq(value.s, value.n, "chunked") || chunked)
				return refuse(req, 501, "Transfer-Encoding '%s' is not supported (only chunked)",
					      shown(value.s, value.n, show, sizeof(show)));
			chunked = true;
		}
		if (ieq(name.s, name.n, "connection"))
			connection_tokens(value.s, value.n, tokens, &ntokens);
		if (ieq(name.s, name.n, "proxy-connection"))
			connection_tokens(value.s, value.n, ptokens, &nptokens);
	}
	/* Persistent unless HTTP/1.0 (its keep-alive extension is not
	 * spoken) or "close" for either hop. */
	req->keep_alive = !http10 && !named_by(tokens, ntokens, "close", 5) && !named_by(ptokens, nptokens, "close", 5);
	req->head = strcmp(req->method, "HEAD") == 0;
	if (chunked && req->body.kind == TJ_HTTP_BODY_LENGTH)
		return refuse(req, 400, "both Content-Length and Transfer-Encoding");
	if (chunked)
		req->body.kind = TJ_HTTP_BODY_CHUNKED;

	if (strcmp(req->method, "CONNECT") == 0) {
		req->connect = true;
		req->keep_alive = false; /* a tunnel ends with its connection */
		req->body = (struct tj_http_body){.kind = TJ_HTTP_BODY_NONE};
		return parse_authority(req, target.s, target.n, true, 0) < 0 ? -1 : 1;
	}
	struct line authority = {0}, path = {0};
	if (parse_absolute(req, target, &authority, &path) < 0)
		return -1;
	if (req->body.kind == TJ_HTTP_BODY_NONE || (req->body.kind == TJ_HTTP_BODY_LENGTH && req->body.left == 0))
		req->body.done = true;
	build_upstream(req, lines, nlines, authority, path, http10, tokens, ntokens);
	return 1;
}

void tj_http_request_done(struct tj_http_request *req)
{
	free(req->upstream);
	req->upstream = NULL;
}

/* --- the request body --- */

static int hexval(unsigned char c)
{
	if (isdigit(c))
		return c - '0';
	c = (unsigned char)tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Framing and routing fields, which a trailer must not carry: a server that
 * merges trailers into the head would take them as if the proxy had
 * checked them (RFC 9110 6.5.1). */
static bool forbidden_trailer(const char *name)
{
	static const char *const names[] = {"transfer-encoding",   "content-length",  "host", "connection",
					    "keep-alive",	   "upgrade",	      "te",   "trailer",
					    "proxy-authorization", "proxy-connection"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

/* One byte of a trailer line, checked as the syntax of a header field
 * (issue 16 item 18: they were forwarded unchecked): a token, ':', then
 * visible characters, spaces and tabs; no line folding (a line starting
 * with a space), no control characters, no bare CR or LF. */
static bool trailer_char(struct tj_http_body *b, unsigned char c)
{
	if (c == '\r')
		return b->line == 0 || b->in_value; /* the empty line, or the end of a field */
	if (b->in_value)
		return c == '\t' || (c >= 0x20 && c != 0x7f);
	if (c == ':') {
		if (b->line == 0)
			return false;
		if (b->line < sizeof(b->name)) { /* a longer name is no forbidden one */
			b->name[b->line] = '\0';
			if (forbidden_trailer(b->name))
				return false;
		}
		b->in_value = true;
		return true;
	}
	if (!is_tchar(c))
		return false;
	if (b->line < sizeof(b->name))
		b->name[b->line] = (char)c;
	return true;
}

ssize_t tj_http_body_feed(struct tj_http_body *b, const char *data, size_t len)
{
	if (b->done || b->kind == TJ_HTTP_BODY_NONE) {
		b->done = true;
		return 0;
	}
	if (b->kind == TJ_HTTP_BODY_CLOSE)
		return (ssize_t)len;
	if (b->kind == TJ_HTTP_BODY_LENGTH) {
		size_t take = b->left < len ? (size_t)b->left : len;
		b->left -= take;
		b->done = b->left == 0;
		return (ssize_t)take;
	}
	size_t i = 0;
	while (i < len && !b->done) {
		unsigned char c = (unsigned char)data[i];
		switch (b->state) {
		case CH_SIZE:
			if (hexval(c) >= 0) {
				if (++b->digits > 15)
					return -1;
				b->left = b->left * 16 + (uint64_t)hexval(c);
			} else if (b->digits && (c == ';' || c == ' ' || c == '\t')) {
				b->state = CH_EXT;
			} else if (b->digits && c == '\r') {
				b->state = CH_SIZE_LF;
			} else {
				return -1;
			}
			if (++b->line > MAX_CHUNK_LINE)
				return -1;
			i++;
			break;
		case CH_EXT:
			if (c == '\r')
				b->state = CH_SIZE_LF;
			else if (c == '\n' || ++b->line > MAX_CHUNK_LINE)
				return -1;
			i++;
			break;
		case CH_SIZE_LF:
			if (c != '\n')
				return -1;
			i++;
			b->line = b->digits = 0;
			b->state = b->left ? CH_DATA : CH_TRAILER;
			break;
		case CH_DATA: {
			size_t take = b->left < len - i ? (size_t)b->left : len - i;
			b->left -= take;
			i += take;
			if (!b->left)
				b->state = CH_DATA_CR;
			break;
		}
		case CH_DATA_CR:
		case CH_TRAILER_LF:
		case CH_DATA_LF:
			if (c != (b->state == CH_DATA_CR ? '\r' : '\n'))
				return -1;
			i++;
			if (b->state == CH_DATA_CR) {
				b->state = CH_DATA_LF;
			} else if (b->state == CH_DATA_LF) {
				b->state = CH_SIZE;
			} else if (b->line == 0) {
				b->done = true; /* the empty line after the last chunk */
			} else if (!b->in_value) {
				return -1; /* a trailer line without ':' */
			} else {
				b->line = 0;
				b->in_value = false;
				b->state = CH_TRAILER;
			}
			break;
		case CH_TRAILER:
			if (++b->trailer > MAX_TRAILER)
				return -1;
			if (!trailer_char(b, c))
				return -1;
			if (c == '\r')
				b->state = CH_TRAILER_LF;
			else
				b->line++;
			i++;
			break;
		default: return -1;
		}
	}
	return (ssize_t)i;
}

/* --- the response head --- */

/* A response's Content-Length: digits, or the same digits repeated in a
 * list ("5, 5"); -1 otherwise (RFC 9112 6.3: an error, never a guess). */
static int64_t response_length(struct line v)
{
	int64_t len = -1;
	size_t i = 0;
	while (i <= v.n) {
		size_t start = i;
		while (i < v.n && v.s[i] != ',')
			i++;
		struct line item = {v.s + start, i - start};
		while (item.n && (item.s[0] == ' ' || item.s[0] == '\t'))
			item.s++, item.n--;
		while (item.n && (item.s[item.n - 1] == ' ' || item.s[item.n - 1] == '\t'))
			item.n--;
		if (!all_digits(item.s, item.n) || item.n > 18)
			return -1;
		int64_t x = 0;
		for (size_t k = 0; k < item.n; k++)
			x = x * 10 + (item.s[k] - '0');
		if (len >= 0 && x != len)
			return -1;
		len = x;
		i++;
	}
	return len;
}

int tj_http_rewrite_response(const char *buf, size_t len, const struct tj_http_request *req, struct tj_buf *out,
			     struct tj_http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->server_close = true;
	resp->body.kind = TJ_HTTP_BODY_CLOSE;
	/* Servers are less strict than clients must be: LF alone ends a line. */
	size_t limit = len < TJ_HTTP_MAX_HEAD ? len : TJ_HTTP_MAX_HEAD, end = 0;
	for (size_t i = 1; i < limit && !end; i++)
		if (buf[i] == '\n' && (buf[i - 1] == '\n' || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n')))
			end = i + 1;
	if (!end) {
		if (len >= TJ_HTTP_MAX_HEAD)
			return -1;
		/* Not a response at all: no need to wait for more. */
		size_t n = len < 5 ? len : 5;
		return memcmp(buf, "HTTP/", n) == 0 ? 0 : -1;
	}
	if (end < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)buf[7]) || buf[8] != ' ' ||
	    !all_digits(buf + 9, 3) || (end > 12 && buf[12] != ' ' && buf[12] != '\r' && buf[12] != '\n'))
		return -1;
	resp->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	resp->head_len = end;
	if (resp->status < 200) {
		/* Informational: no body, the real answer follows (101: the
		 * connection is no longer HTTP, proxy.c passes it raw). */
		resp->body.kind = TJ_HTTP_BODY_NONE;
		resp->body.done = true;
		tj_buf_addn(out, buf, end);
		return 1;
	}
	bool http11 = buf[7] == '1';
	struct line lines[TJ_HTTP_MAX_HEADERS + 1];
	size_t nlines = 0;
	struct line tokens[MAX_CONNECTION_TOKENS];
	size_t ntokens = 0;
	int64_t length = -2;	   /* -2: none */
	unsigned encodings = 0;	   /* Transfer-Encoding fields */
	bool chunked_only = false; /* exactly one, and it is "chunked" */
	bool bad_length = false;
	const char *p = buf;
	while (p < buf + end) {
		const char *nl = memchr(p, '\n', (size_t)(buf + end - p));
		struct line l = {p, (size_t)(nl - p)};
		if (l.n && l.s[l.n - 1] == '\r')
			l.n--;
		p = nl + 1;
		if (l.n == 0)
			break;
		if (nlines == TJ_HTTP_MAX_HEADERS + 1)
			return -1;
		lines[nlines++] = l;
		struct line name, value;
		if (nlines == 1 || !split_header(l, &name, &value))
			continue;
		if (ieq(name.s, name.n, "connection"))
			connection_tokens(value.s, value.n, tokens, &ntokens);
		if (ieq(name.s, name.n, "content-length")) {
			int64_t v = response_length(value);
			if (v < 0 || (length >= 0 && v != length))
				bad_length = true;
			length = v;
		}
		if (ieq(name.s, name.n, "transfer-encoding")) {
			encodings++;
			chunked_only = encodings == 1 && ieq(value.s, value.n, "chunked");
		}
	}
	if (nlines == 0)
		return -1;
	/* The body's end (RFC 9112 6.3), in its order. */
	struct tj_http_body *b = &resp->body;
	if (req->head || resp->status == 204 || resp->status == 304) {
		b->kind = TJ_HTTP_BODY_NONE;
	} else if (encodings) {
		/* Chunked alone is framed; anything else (another coding, or
		 * Content-Length too, a smuggling pattern) runs to the close. */
		b->kind = chunked_only && length == -2 ? TJ_HTTP_BODY_CHUNKED : TJ_HTTP_BODY_CLOSE;
	} else if (bad_length) {
		return -1;
	} else if (length >= 0) {
		b->kind = TJ_HTTP_BODY_LENGTH;
		b->left = (uint64_t)length;
	}
	b->done = b->kind == TJ_HTTP_BODY_NONE || (b->kind == TJ_HTTP_BODY_LENGTH && b->left == 0);
	resp->keep_client = req->keep_alive && http11 && b->kind != TJ_HTTP_BODY_CLOSE;
	resp->server_close = !resp->keep_client || named_by(tokens, ntokens, "close", 5);

	tj_buf_addn(out, lines[0].s, lines[0].n);
	tj_buf_add(out, "\r\n");
	for (size_t i = 1; i < nlines; i++) {
		struct line name, value;
		if (!split_header(lines[i], &name, &value))
			continue; /* not a header: not passed on */
		if (ieq(name.s, name.n, "connection") || ieq(name.s, name.n, "keep-alive") ||
		    ieq(name.s, name.n, "proxy-connection"))
			continue;
		if (named_by(tokens, ntokens, name.s, name.n) && !ieq(name.s, name.n, "content-length") &&
		    !ieq(name.s, name.n, "transfer-encoding"))
			continue;
		tj_buf_addn(out, lines[i].s, lines[i].n);
		tj_buf_add(out, "\r\n");
	}
	tj_buf_add(out, resp->keep_client ? "\r\n" : "Connection: close\r\n\r\n");
	return 1;
}

/* --- the proxy's own answers --- */

const char *tj_http_reason_phrase(int status)
{
	switch (status) {
	case 200: return "Connection established";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	}
	return "Error";
}

char *tj_http_error_response(int status, const char *rule, const char *text, size_t *len)
{
	struct tj_buf body = {0};
	tj_buf_addf(&body, "tinyjail: %s%s\n", rule ? "refused: " : "", text);
	struct tj_buf b = {0};
	tj_buf_addf(&b,
		    "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n",
		    status, tj_http_reason_phrase(status), body.len);
	if (rule)
		tj_buf_addf(&b, "X-Tinyjail-Refused: %s\r\n", rule);
	tj_buf_add(&b, "\r\n");
	tj_buf_add(&b, body.s);
	tj_buf_done(&body);
	*len = b.len;
	return tj_buf_steal(&b);
}
