/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A structural re-scan of JSON text that json-c has already accepted: finds
 * positions for JSON paths, duplicate keys and 64-bit integer overflow, and
 * what json-c's strict mode lets through although RFC 8259 does not
 * ('single-quoted' keys, NaN and Infinity, "1.", raw control characters in
 * strings).  The scanner only needs to be correct on JSON json-c accepted;
 * it still never reads past the end on any input.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/jsonpos.h"
#include "tj/base/util.h"

/* json-c's own nesting limit in tinyjail is lower; this only bounds recursion. */
#define MAX_DEPTH 128
#define MAX_KEY 256

void tj_jpath_init(struct tj_jpath *p)
{
	p->s[0] = '\0';
	p->len = 0;
}

static bool is_plain_key(const char *key)
{
	if (!*key || isdigit((unsigned char)*key))
		return false;
	for (const char *c = key; *c; c++)
		if (!(isalnum((unsigned char)*c) || *c == '_' || *c == '-'))
			return false;
	return true;
}

static void jpath_append(struct tj_jpath *p, const char *s)
{
	size_t n = strlen(s);
	if (p->len + n + 1 > sizeof(p->s)) {
		/* Paths this deep exceed every limit the loader enforces; mark and stop. */
		n = sizeof(p->s) - p->len - 1;
	}
	memcpy(p->s + p->len, s, n);
	p->len += n;
	p->s[p->len] = '\0';
}

size_t tj_jpath_push_key(struct tj_jpath *p, const char *key)
{
	size_t old = p->len;
	if (is_plain_key(key)) {
		if (p->len)
			jpath_append(p, ".");
		jpath_append(p, key);
	} else {
		struct tj_buf b = {0};
		tj_buf_add(&b, "[");
		tj_buf_add_json_string(&b, key);
		tj_buf_add(&b, "]");
		jpath_append(p, b.s);
		tj_buf_done(&b);
	}
	return old;
}

size_t tj_jpath_push_index(struct tj_jpath *p, size_t index)
{
	size_t old = p->len;
	/* By hand: every element of every array of a profile comes here, and
	 * snprintf was a sixth of reading one (notes/performance.md). */
	char tmp[32], *q = tmp + sizeof(tmp);
	*--q = '\0';
	*--q = ']';
	do
		*--q = (char)('0' + index % 10);
	while (index /= 10);
	*--q = '[';
	jpath_append(p, q);
	return old;
}

void tj_jpath_pop(struct tj_jpath *p, size_t old_len)
{
	p->len = old_len;
	p->s[old_len] = '\0';
}

void tj_jsonpos_line_col(const char *text, size_t len, size_t offset, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			c++; /* count UTF-8 characters, not continuation bytes */
		}
	}
	*line = l;
	*col = c;
}

/* --- scanner --- */

struct scan {
	const char *text;
	size_t len, pos;
	struct tj_jpath path;
	struct tj_err **err; /* NULL when only locating */
	bool failed;
};

static void skip_ws(struct scan *s)
{
	while (s->pos < s->len && (s->text[s->pos] == ' ' || s->text[s->pos] == '\t' || s->text[s->pos] == '\n' ||
				   s->text[s->pos] == '\r'))
		s->pos++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

__attribute__((format(printf, 3, 4))) static void report(struct scan *s, size_t at, const char *fmt, ...)
{
	if (!s->err || s->failed)
		return;
	s->failed = true;
	va_list ap;
	va_start(ap, fmt);
	tj_err_setv(s->err, TJ_ERR_PROFILE, 0, fmt, ap);
	va_end(ap);
	int line, col;
	tj_jsonpos_line_col(s->text, s->len, at, &line, &col);
	tj_err_at(s->err, NULL, s->path.s);
	tj_err_position(s->err, line, col);
}

/* Scans a string starting at the opening quote; decodes it into out (up to
 * cap bytes, truncated, and truncation is reported).  Returns false at EOF. */
static bool scan_string(struct scan *s, char *out, size_t cap, bool *truncated)
{
	size_t n = 0;
	*truncated = false;
	s->pos++; /* opening quote */
	while (s->pos < s->len) {
		char c = s->text[s->pos++];
		/* json-c accepts raw control characters in strings; JSON does not. */
		if ((unsigned char)c < 0x20) {
			if (c == '\n')
				report(s, s->pos - 1,
				       "invalid JSON: line break inside a string (is a closing quote missing?)");
			else
				report(s, s->pos - 1,
				       "invalid JSON: control character 0x%02x inside a string (write it as an escape)",
				       (unsigned)c);
		}
		if (c == '"') {
			if (out)
				out[n < cap ? n : cap - 1] = '\0';
			return true;
		}
		unsigned code = (unsigned char)c;
		if (c == '\\' && s->pos < s->len) {
			char e = s->text[s->pos++];
			switch (e) {
			case 'n': code = '\n'; break;
			case 't': code = '\t'; break;
			case 'r': code = '\r'; break;
			case 'b': code = '\b'; break;
			case 'f': code = '\f'; break;
			case 'u':
				code = 0;
				for (int i = 0; i < 4 && s->pos < s->len; i++) {
					int h = hexval(s->text[s->pos++]);
					code = code * 16 + (unsigned)(h < 0 ? 0 : h);
				}
				break;
			default: code = (unsigned char)e; break;
			}
		}
		if (!out)
			continue;
		/* Encode as UTF-8 (surrogates are kept as-is; good enough for keys). */
		char enc[4];
		size_t k = 0;
		if (code < 0x80) {
			enc[k++] = (char)code;
		} else if (code < 0x800) {
			enc[k++] = (char)(0xc0 | (code >> 6));
			enc[k++] = (char)(0x80 | (code & 0x3f));
		} else {
			enc[k++] = (char)(0xe0 | (code >> 12));
			enc[k++] = (char)(0x80 | ((code >> 6) & 0x3f));
			enc[k++] = (char)(0x80 | (code & 0x3f));
		}
		if (c != '\\' && code >= 0x80) {
			/* Raw UTF-8 byte: copy it unchanged. */
			enc[0] = c;
			k = 1;
		}
		for (size_t i = 0; i < k; i++) {
			if (n + 1 < cap)
				out[n++] = enc[i];
			else
				*truncated = true;
		}
	}
	return false;
}

/* true, false, null or a number as RFC 8259 spells it (json-c also takes
 * NaN, Infinity and "1."). */
static bool valid_literal(const char *p, size_t n)
{
	if ((n == 4 && memcmp(p, "true", 4) == 0) || (n == 5 && memcmp(p, "false", 5) == 0) ||
	    (n == 4 && memcmp(p, "null", 4) == 0))
		return true;
	size_t i = 0, start;
	if (i < n && p[i] == '-')
		i++;
	if (i < n && p[i] == '0') {
		i++;
	} else if (i < n && p[i] >= '1' && p[i] <= '9') {
		while (i < n && isdigit((unsigned char)p[i]))
			i++;
	} else {
		return false;
	}
	if (i < n && p[i] == '.') {
		start = ++i;
		while (i < n && isdigit((unsigned char)p[i]))
			i++;
		if (i == start)
			return false;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		start = i;
		while (i < n && isdigit((unsigned char)p[i]))
			i++;
		if (i == start)
			return false;
	}
	return i == n;
}

/* Integer literals must fit in int64 (negative) or uint64 (positive). */
static void check_number(struct scan *s, size_t start, size_t end)
{
	const char *p = s->text + start;
	size_t n = end - start;
	bool neg = n && *p == '-';
	if (neg) {
		p++;
		n--;
	}
	for (size_t i = 0; i < n; i++)
		if (p[i] == '.' || p[i] == 'e' || p[i] == 'E')
			return; /* not an integer; the loader rejects it where it needs one */
	const char *limit = neg ? "9223372036854775808" : "18446744073709551615";
	size_t ll = strlen(limit);
	if (n < ll || (n == ll && memcmp(p, limit, ll) <= 0))
		return;
	char lit[48];
	snprintf(lit, sizeof(lit), "%.*s%s", (int)(end - start > 40 ? 40 : end - start), s->text + start,
		 end - start > 40 ? "..." : "");
	report(s, start, "number %s does not fit in 64 bits", lit);
}

static bool scan_value(struct scan *s, int depth);

static bool scan_object(struct scan *s, int depth)
{
	struct key {
		char name[MAX_KEY];
		size_t at;
	};
	struct key *keys = NULL;
	size_t nkeys = 0, cap = 0;
	bool ok = false;

	s->pos++; /* { */
	skip_ws(s);
	if (s->pos < s->len && s->text[s->pos] == '}') {
		s->pos++;
		return true;
	}
	for (;;) {
		skip_ws(s);
		if (s->pos >= s->len)
			goto out;
		if (s->text[s->pos] != '"') {
			/* json-c takes 'single-quoted' keys even in strict mode. */
			report(s, s->pos, "%s",
			       s->text[s->pos] == '\'' ? "invalid JSON: object keys must be in double quotes"
						       : "invalid JSON: expected a quoted object key");
			goto out;
		}
		size_t at = s->pos;
		char name[MAX_KEY];
		bool trunc;
		if (!scan_string(s, name, sizeof(name), &trunc))
			goto out;
		if (s->err && !trunc) {
			for (size_t i = 0; i < nkeys; i++) {
				if (strcmp(keys[i].name, name) == 0) {
					int line, col;
					tj_jsonpos_line_col(s->text, s->len, keys[i].at, &line, &col);
					char detail[MAX_KEY + 64];
					snprintf(detail, sizeof(detail), "'%s' (first at line %d)", name, line);
					report(s, at, "duplicate key %s: JSON parsers keep only one of them", detail);
				}
			}
			tj_xreserve((void **)&keys, &cap, nkeys + 1, sizeof(*keys));
			memcpy(keys[nkeys].name, name, sizeof(name));
			keys[nkeys].at = at;
			nkeys++;
		}
		skip_ws(s);
		if (s->pos >= s->len || s->text[s->pos] != ':')
			goto out;
		s->pos++;
		size_t old = tj_jpath_push_key(&s->path, name);
		bool vok = scan_value(s, depth + 1);
		tj_jpath_pop(&s->path, old);
		if (!vok)
			goto out;
		skip_ws(s);
		if (s->pos >= s->len)
			goto out;
		if (s->text[s->pos] == ',') {
			s->pos++;
			continue;
		}
		if (s->text[s->pos] == '}') {
			s->pos++;
			ok = true;
		}
		goto out;
	}
out:
	free(keys);
	return ok;
}

static bool scan_array(struct scan *s, int depth)
{
	s->pos++; /* [ */
	skip_ws(s);
	if (s->pos < s->len && s->text[s->pos] == ']') {
		s->pos++;
		return true;
	}
	for (size_t i = 0;; i++) {
		size_t old = tj_jpath_push_index(&s->path, i);
		bool vok = scan_value(s, depth + 1);
		tj_jpath_pop(&s->path, old);
		if (!vok)
			return false;
		skip_ws(s);
		if (s->pos >= s->len)
			return false;
		if (s->text[s->pos] == ',') {
			s->pos++;
			continue;
		}
		if (s->text[s->pos] == ']') {
			s->pos++;
			return true;
		}
		return false;
	}
}

static bool scan_value(struct scan *s, int depth)
{
	if (depth > MAX_DEPTH)
		return false;
	skip_ws(s);
	if (s->pos >= s->len)
		return false;
	char c = s->text[s->pos];
	if (c == '{')
		return scan_object(s, depth);
	if (c == '[')
		return scan_array(s, depth);
	if (c == '"') {
		bool trunc;
		return scan_string(s, NULL, 0, &trunc);
	}
	size_t start = s->pos;
	while (s->pos < s->len && !strchr(" \t\r\n,]}", s->text[s->pos]))
		s->pos++;
	if (s->pos == start)
		return false;
	if (!valid_literal(s->text + start, s->pos - start)) {
		size_t n = s->pos - start;
		report(s, start, "invalid JSON: '%.*s%s' is not a JSON value", (int)(n > 40 ? 40 : n), s->text + start,
		       n > 40 ? "..." : "");
		return true;
	}
	if (c == '-' || isdigit((unsigned char)c))
		check_number(s, start, s->pos);
	return true;
}

int tj_jsonpos_check(const char *text, size_t len, struct tj_err **err)
{
	struct scan s = {.text = text, .len = len, .err = err};
	tj_jpath_init(&s.path);
	if (!scan_value(&s, 0))
		report(&s, s.pos < len ? s.pos : len, "%s",
		       s.pos < len ? "invalid JSON: unexpected character" : "invalid JSON: unexpected end of file");
	return s.failed ? -1 : 0;
}

/* --- locating a path --- */

/* Splits the next path segment: a key (plain or ["quoted"]) or an index. */
static bool next_segment(const char **pp, char *key, size_t cap, long *index)
{
	const char *p = *pp;
	*index = -1;
	key[0] = '\0';
	if (*p == '.')
		p++;
	if (*p == '[' && p[1] == '"') {
		struct scan tmp = {.text = p + 1, .len = strlen(p + 1)};
		bool trunc;
		if (!scan_string(&tmp, key, cap, &trunc))
			return false;
		p += 1 + tmp.pos;
		if (*p != ']')
			return false;
		*pp = p + 1;
		return true;
	}
	if (*p == '[') {
		char *end;
		*index = strtol(p + 1, &end, 10);
		if (*end != ']' || *index < 0)
			return false;
		*pp = end + 1;
		return true;
	}
	size_t n = 0;
	while (*p && *p != '.' && *p != '[') {
		if (n + 1 < cap)
			key[n++] = *p;
		p++;
	}
	key[n] = '\0';
	*pp = p;
	return n > 0;
}

void tj_jsonpos_locate_error(const char *text, size_t len, struct tj_err **err)
{
	struct tj_err *e = err ? *err : NULL;
	int line, col;
	if (e && !e->line && e->json_path && text && tj_jsonpos_locate(text, len, e->json_path, &line, &col))
		tj_err_position(err, line, col);
}

/* Walks json_path; on success s->pos is at the value and *key_at at its
 * member's key (the value itself for array elements and the document). */
static bool find_path(struct scan *s, const char *json_path, size_t *key_at)
{
	const char *p = json_path ? json_path : "";
	skip_ws(s);
	*key_at = s->pos;
	while (*p) {
		char key[MAX_KEY];
		long index;
		if (!next_segment(&p, key, sizeof(key), &index))
			return false;
		skip_ws(s);
		if (s->pos >= s->len)
			return false;
		if (index >= 0) {
			if (s->text[s->pos] != '[')
				return false;
			s->pos++;
			for (long i = 0;; i++) {
				skip_ws(s);
				if (s->pos >= s->len || s->text[s->pos] == ']')
					return false;
				if (i == index)
					break;
				if (!scan_value(s, 0))
					return false;
				skip_ws(s);
				if (s->pos >= s->len || s->text[s->pos] != ',')
					return false;
				s->pos++;
			}
			*key_at = s->pos;
		} else {
			if (s->text[s->pos] != '{')
				return false;
			s->pos++;
			bool found = false;
			while (!found) {
				skip_ws(s);
				if (s->pos >= s->len || s->text[s->pos] != '"')
					return false;
				size_t at = s->pos;
				char name[MAX_KEY];
				bool trunc;
				if (!scan_string(s, name, sizeof(name), &trunc))
					return false;
				skip_ws(s);
				if (s->pos >= s->len || s->text[s->pos] != ':')
					return false;
				s->pos++;
				skip_ws(s);
				if (strcmp(name, key) == 0) {
					found = true;
					*key_at = at;
					break;
				}
				if (!scan_value(s, 0))
					return false;
				skip_ws(s);
				if (s->pos >= s->len || s->text[s->pos] != ',')
					return false;
				s->pos++;
			}
		}
	}
	skip_ws(s);
	return true;
}

bool tj_jsonpos_locate(const char *text, size_t len, const char *json_path, int *line, int *col)
{
	struct scan s = {.text = text, .len = len};
	size_t key_at;
	if (!find_path(&s, json_path, &key_at))
		return false;
	tj_jsonpos_line_col(text, len, s.pos, line, col);
	return true;
}

bool tj_jsonpos_span(const char *text, size_t len, const char *json_path, size_t *key_start, size_t *start, size_t *end)
{
	struct scan s = {.text = text, .len = len};
	size_t key_at;
	if (!find_path(&s, json_path, &key_at) || s.pos >= len)
		return false;
	size_t at = s.pos;
	if (!scan_value(&s, 0))
		return false;
	*key_start = key_at;
	*start = at;
	*end = s.pos;
	return true;
}
