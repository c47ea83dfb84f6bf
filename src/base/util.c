/* SPDX-License-Identifier: Apache-2.0 */
/* Pure helpers: allocation, strings, number parsing, suggestions. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tj/base/util.h"

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

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void tj_strv_sort(struct tj_strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(char *), strp_cmp);
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
	if (!s)
		return false;
	/* Decimal, or hex after 0x: never octal, so "010" is ten. */
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	/* strtoull would also accept leading spaces and a sign. */
	if (!(base == 16 ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s)))
		return false;
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
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
	case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	case 'T':
		shift = 40;
		end++;
		break;
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
	/* [DIGITS][.DIGITS][ms|s|m|min|h] with at least one digit: no signs,
	 * exponents or hex floats. */
	if (!s || !(isdigit((unsigned char)*s) || (*s == '.' && isdigit((unsigned char)s[1]))))
		return false;
	size_t i = strspn(s, "0123456789");
	if (s[i] == '.') {
		size_t frac = strspn(s + i + 1, "0123456789");
		if (frac == 0)
			return false;
		i += 1 + frac;
	}
	const char *unit = s + i;
	double scale;
	if (strcmp(unit, "") == 0 || strcmp(unit, "s") == 0)
		scale = 1000;
	else if (strcmp(unit, "ms") == 0)
		scale = 1;
	else if (strcmp(unit, "m") == 0 || strcmp(unit, "min") == 0)
		scale = 60000;
	else if (strcmp(unit, "h") == 0)
		scale = 3600000;
	else
		return false;
	char num[64];
	if (i >= sizeof(num))
		return false;
	memcpy(num, s, i);
	num[i] = '\0';
	errno = 0;
	double v = strtod(num, NULL);
	double ms = v * scale;
	if (errno || !isfinite(ms) || ms > (double)(UINT64_MAX / 2))
		return false;
	*ret = (uint64_t)(ms + 0.5);
	return true;
}

unsigned tj_edit_distance(const char *a, const char *b)
{
	/* Optimal string alignment: insertions, deletions, substitutions and
	 * swaps of neighbours ("mkdri" -> "mkdir") each cost 1; case is ignored. */
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 255;
	unsigned d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			unsigned best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + (ca != cb) < best)
				best = d[i - 1][j - 1] + (ca != cb);
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb] > 255 ? 255 : d[la][lb];
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;
	while (a[n] && tolower((unsigned char)a[n]) == tolower((unsigned char)b[n]))
		n++;
	return n;
}

const char *tj_suggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	unsigned best_d = 255;
	size_t best_prefix = 0;
	for (size_t i = 0; candidates[i]; i++) {
		unsigned d = tj_edit_distance(word, candidates[i]);
		size_t prefix = common_prefix(word, candidates[i]);
		/* On a tie, the candidate sharing the longer beginning wins:
		 * SCMP_ACT_EROR is SCMP_ACT_ERRNO, not SCMP_ACT_TRAP. */
		if (d < best_d || (d == best_d && prefix > best_prefix)) {
			best_d = d;
			best = candidates[i];
			best_prefix = prefix;
		}
	}
	/* Close enough to be a typo: at most a third of the word, and at most 3. */
	size_t len = strlen(word);
	unsigned limit = len < 4 ? 1 : (len / 3 > 3 ? 3 : (unsigned)(len / 3));
	return best_d <= limit ? best : NULL;
}

int tj_for_each_item(const char *list, int (*fn)(void *ctx, char *item, struct tj_err **err), void *ctx,
		     struct tj_err **err)
{
	char *copy = tj_xstrdup(list), *save = NULL;
	int r = 0;
	bool any = false;
	for (char *tok = strtok_r(copy, ",", &save); tok && r == 0; tok = strtok_r(NULL, ",", &save)) {
		any = true;
		r = fn(ctx, tok, err);
	}
	free(copy);
	if (r == 0 && !any)
		r = tj_err_set(err, TJ_ERR_USAGE, 0, "an empty list");
	return r;
}

char *tj_sanitize(char *s)
{
	for (unsigned char *p = (unsigned char *)s; p && *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			*p = '?';
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			p[0] = '?'; /* U+0080..U+009F, C1 controls in UTF-8 */
			p[1] = '?';
			p++;
		} else if (*p >= 0x80 && *p <= 0x9f && (p == (unsigned char *)s || p[-1] < 0x80)) {
			*p = '?'; /* a raw C1 byte, not inside a UTF-8 sequence */
		}
	}
	return s;
}
