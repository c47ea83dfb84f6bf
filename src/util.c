/* SPDX-License-Identifier: Apache-2.0 */
/* Pure helpers: allocation, strings, number parsing, suggestions. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tj/util.h"

static void oom(void)
{
	static const char msg[] = "tinyjail: out of memory\n";
	ssize_t unused = write(2, msg, sizeof(msg) - 1);
	(void)unused;
	abort();
}

void *tj_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *tj_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *tj_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void tj_xreserve(void **v, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	size_t ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	*v = tj_xrealloc(*v, ncap * elem);
	*cap = ncap;
}

char *tj_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		oom();
	return p;
}

char *tj_xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		oom();
	return p;
}

char *tj_xvasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *tj_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = tj_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* --- tj_buf --- */

void tj_buf_addn(struct tj_buf *b, const char *s, size_t n)
{
	tj_xreserve((void **)&b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void tj_buf_add(struct tj_buf *b, const char *s)
{
	tj_buf_addn(b, s, strlen(s));
}

void tj_buf_addf(struct tj_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = tj_xvasprintf(fmt, ap);
	va_end(ap);
	tj_buf_add(b, s);
	free(s);
}

void tj_buf_add_json_string(struct tj_buf *b, const char *s)
{
	tj_buf_add(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': tj_buf_add(b, "\\\""); break;
		case '\\': tj_buf_add(b, "\\\\"); break;
		case '\n': tj_buf_add(b, "\\n"); break;
		case '\r': tj_buf_add(b, "\\r"); break;
		case '\t': tj_buf_add(b, "\\t"); break;
		default:
			if (*p < 0x20)
				tj_buf_addf(b, "\\u%04x", *p);
			else
				tj_buf_addn(b, (const char *)p, 1);
		}
	}
	tj_buf_add(b, "\"");
}

char *tj_buf_steal(struct tj_buf *b)
{
	char *s = b->s ? b->s : tj_xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void tj_buf_done(struct tj_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/* --- tj_strv --- */

void tj_strv_add_owned(struct tj_strv *sv, char *s)
{
	tj_xreserve((void **)&sv->v, &sv->cap, sv->n + 2, sizeof(char *));
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void tj_strv_add(struct tj_strv *sv, const char *s)
{
	tj_strv_add_owned(sv, tj_xstrdup(s));
}

bool tj_strv_contains(const struct tj_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void tj_strv_done(struct tj_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

/* --- tj_notes --- */

void tj_notes_add(struct tj_notes *notes, const char *json_path, const char *fmt, ...)
{
	tj_xreserve((void **)&notes->v, &notes->cap, notes->n + 1, sizeof(*notes->v));
	va_list ap;
	va_start(ap, fmt);
	notes->v[notes->n].msg = tj_xvasprintf(fmt, ap);
	va_end(ap);
	notes->v[notes->n].json_path = json_path ? tj_xstrdup(json_path) : NULL;
	notes->n++;
}

void tj_notes_done(struct tj_notes *notes)
{
	for (size_t i = 0; i < notes->n; i++) {
		free(notes->v[i].json_path);
		free(notes->v[i].msg);
	}
	free(notes->v);
	notes->v = NULL;
	notes->n = notes->cap = 0;
}

/* --- parsing --- */

bool tj_parse_u64(const char *s, uint64_t *ret)
{
	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return false;
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || !end || *end)
		return false;
	*ret = v;
	return true;
}

bool tj_parse_size(const char *s, uint64_t *ret)
{
	if (!s || !*s || !isdigit((unsigned char)*s))
		return false;
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return false;
	unsigned shift = 0;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	case 'B': break;
	default: return false;
	}
	if (shift && *end == 'i')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return false;
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*ret = (uint64_t)v << shift;
	return true;
}

bool tj_parse_duration_ms(const char *s, uint64_t *ret)
{
	if (!s || !*s || !(isdigit((unsigned char)*s) || *s == '.'))
		return false;
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return false;
	double scale;
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		scale = 1000;
	else if (strcmp(end, "ms") == 0)
		scale = 1;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		scale = 60000;
	else if (strcmp(end, "h") == 0)
		scale = 3600000;
	else
		return false;
	double ms = v * scale;
	if (ms > (double)(UINT64_MAX / 2))
		return false;
	*ret = (uint64_t)(ms + 0.5);
	return true;
}

unsigned tj_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 255;
	unsigned prev[65], cur[65];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
			unsigned best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (prev[j - 1] + cost < best)
				best = prev[j - 1] + cost;
			cur[j] = best;
		}
		memcpy(prev, cur, sizeof(unsigned) * (lb + 1));
	}
	return prev[lb] > 255 ? 255 : prev[lb];
}

const char *tj_suggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	unsigned best_d = 255;
	for (size_t i = 0; candidates[i]; i++) {
		unsigned d = tj_edit_distance(word, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	/* Close enough to be a typo: at most a third of the word, and at most 3. */
	size_t len = strlen(word);
	unsigned limit = len < 4 ? 1 : (len / 3 > 3 ? 3 : (unsigned)(len / 3));
	return best_d <= limit ? best : NULL;
}
