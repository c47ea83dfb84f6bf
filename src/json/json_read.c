/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading JSON text: the small typed getters every grammar uses, json-c's
 * errors turned into messages with line:column, and files read whole.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "tj/json/profile_json.h"

#include "json_internal.h"

/* --- small helpers --- */

__attribute__((format(printf, 2, 3))) int tj_json_fail(struct loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tj_err_setv(L->err, TJ_ERR_PROFILE, 0, fmt, ap);
	va_end(ap);
	return tj_err_at(L->err, NULL, L->path.s);
}

__attribute__((format(printf, 2, 3))) void tj_json_warn(struct loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = tj_xvasprintf(fmt, ap);
	va_end(ap);
	tj_notes_add(&L->p->warnings, L->path.s, "%s", msg);
	free(msg);
}

const char *tj_json_type_name(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a fractional number";
	case json_type_int: return "a number";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "something else";
}

int tj_json_expect_type(struct loader *L, json_object *o, enum json_type t, const char *what)
{
	if (json_object_get_type(o) == t)
		return 0;
	return tj_json_fail(L, "expected %s, got %s", what, tj_json_type_name(o));
}

/* A non-negative integer no larger than max (JSON integers only: json-c
 * would otherwise coerce strings, doubles and booleans). */
int tj_json_get_uint(struct loader *L, json_object *o, uint64_t max, uint64_t *ret)
{
	if (json_object_get_type(o) != json_type_int)
		return tj_json_fail(L, "expected a non-negative integer, got %s", tj_json_type_name(o));
	if (json_object_get_int64(o) < 0)
		return tj_json_fail(L, "must not be negative, got %lld", (long long)json_object_get_int64(o));
	uint64_t v = json_object_get_uint64(o);
	if (v > max)
		return tj_json_fail(L, "%llu is out of range (at most %llu)", (unsigned long long)v,
				    (unsigned long long)max);
	*ret = v;
	return 0;
}

int tj_json_get_string(struct loader *L, json_object *o, bool nonempty, const char **ret)
{
	if (tj_json_expect_type(L, o, json_type_string, "a string") < 0)
		return -1;
	const char *s = json_object_get_string(o);
	if (strlen(s) != (size_t)json_object_get_string_len(o))
		return tj_json_fail(L, "string contains a NUL character");
	if (nonempty && !*s)
		return tj_json_fail(L, "must not be empty");
	*ret = s;
	return 0;
}

/* Unknown keys: an error where ignoring them could weaken the sandbox (or in
 * a tinyjail profile, which is ours to define); otherwise a warning.  Keys in
 * `ignored` are known foreign keys that are skipped silently. */
int tj_json_check_keys(struct loader *L, json_object *obj, const char *const *known, const char *const *ignored,
		       bool strict)
{
	json_object_object_foreach (obj, key, val) {
		(void)val;
		bool ok = false;
		for (size_t i = 0; known[i] && !ok; i++)
			ok = strcmp(known[i], key) == 0;
		for (size_t i = 0; ignored && ignored[i] && !ok; i++)
			ok = strcmp(ignored[i], key) == 0;
		if (ok)
			continue;
		const char *hint = tj_suggest(key, known);
		size_t old = tj_jpath_push_key(&L->path, key);
		int r = 0;
		/* A near miss of a known key is a typo whatever the shape: a
		 * misspelt "syscalls" would drop every rule. */
		if (hint)
			r = tj_json_fail(L, "unknown key '%s' (did you mean '%s'?)", key, hint);
		else if (strict)
			r = tj_json_fail(L, "unknown key '%s'", key);
		else
			tj_json_warn(L, "unknown key '%s' ignored", key);
		tj_jpath_pop(&L->path, old);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Looks up a name in a NULL-terminated table; fails with a suggestion. */
int tj_json_lookup_name(struct loader *L, const char *what, const char *name, int (*from_name)(const char *),
			const char *const *table, int *ret)
{
	int v = from_name(name);
	if (v >= 0) {
		*ret = v;
		return 0;
	}
	const char *hint = tj_suggest(name, table);
	if (hint)
		return tj_json_fail(L, "unknown %s '%s' (did you mean '%s'?)", what, name, hint);
	return tj_json_fail(L, "unknown %s '%s'", what, name);
}

/* An errno given as a name ("ENOSYS") or a decimal string ("38"), as
 * Podman's defaultErrno/errno fields allow. */
int tj_json_errno_from_string(struct loader *L, const char *s, unsigned *ret)
{
	uint64_t v;
	if (tj_parse_u64(s, &v) && v <= TJ_ERRNO_MAX) {
		*ret = (unsigned)v;
		return 0;
	}
	for (int e = 1; e <= TJ_ERRNO_MAX; e++) {
		const char *name = strerrorname_np(e);
		if (name && strcmp(name, s) == 0) {
			*ret = (unsigned)e;
			return 0;
		}
	}
	return tj_json_fail(L, "unknown errno '%s' (expected a name such as EPERM or a number)", s);
}

int tj_json_errno_limit(enum tj_action a)
{
	/* ERRNO values above 4094 are rejected by libseccomp; TRACE carries a
	 * 16-bit message number. */
	return a == TJ_ACT_TRACE ? 0xffff : TJ_ERRNO_MAX;
}

/* Reads an optional array of strings; null counts as empty. */
int tj_json_get_string_array(struct loader *L, json_object *arr, bool nonempty_items, struct tj_strv *out)
{
	if (!arr || json_object_get_type(arr) == json_type_null)
		return 0;
	if (tj_json_expect_type(L, arr, json_type_array, "an array of strings") < 0)
		return -1;
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		const char *s;
		if (tj_json_get_string(L, json_object_array_get_idx(arr, i), nonempty_items, &s) < 0)
			return -1;
		tj_strv_add(out, s);
		tj_jpath_pop(&L->path, old);
	}
	return 0;
}

/* Hands each string of an optional array to fn, with the item's index on
 * the JSON path while fn runs (fn reports a bad item with tj_json_fail()); stops at
 * the first failure. */
int tj_json_each_string(struct loader *L, json_object *arr, bool nonempty_items,
			int (*fn)(struct loader *L, void *ctx, const char *s), void *ctx)
{
	struct tj_strv list = {0};
	int r = tj_json_get_string_array(L, arr, nonempty_items, &list);
	for (size_t i = 0; r == 0 && i < list.n; i++) {
		size_t old = tj_jpath_push_index(&L->path, i);
		r = fn(L, ctx, list.v[i]);
		if (r == 0)
			tj_jpath_pop(&L->path, old);
	}
	tj_strv_done(&list);
	return r;
}

/* --- entry points --- */

/* True when text[0, end) is a whole JSON document: json-c's strict mode
 * reports text after the document as just an unexpected character. */
static bool complete_before(const char *text, size_t end)
{
	struct json_tokener *tok = json_tokener_new_ex(TJ_PROFILE_MAX_DEPTH);
	if (!tok)
		return false;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object *o = json_tokener_parse_ex(tok, text, (int)end);
	if (!o && json_tokener_get_error(tok) == json_tokener_continue)
		o = json_tokener_parse_ex(tok, "", 1);
	bool ok = json_tokener_get_error(tok) == json_tokener_success;
	json_object_put(o);
	json_tokener_free(tok);
	return ok;
}

/* json-c takes a line break inside a string, so a missing closing quote
 * shows up later as a puzzling error; find that line break instead. */
static bool find_broken_string(const char *text, size_t end, size_t *at)
{
	bool in_string = false;
	for (size_t i = 0; i < end; i++) {
		char c = text[i];
		if (!in_string) {
			in_string = c == '"';
		} else if (c == '\\') {
			i++;
		} else if (c == '"') {
			in_string = false;
		} else if (c == '\n') {
			*at = i;
			return true;
		}
	}
	return false;
}

/* Says what is wrong where json-c stopped (*end), in words that point at
 * the usual mistakes; may move *end to where the mistake is. */
static const char *describe_json_error(const char *text, size_t len, enum json_tokener_error jerr, size_t *end)
{
	size_t at = *end;
	if (jerr == json_tokener_error_depth)
		return "nested too deeply (tinyjail accepts at most 32 levels)";
	if (find_broken_string(text, at, end))
		return "line break inside a string (is a closing quote missing?)";
	if (jerr == json_tokener_continue)
		return "unexpected end of file: the JSON is incomplete";
	if (jerr == json_tokener_error_parse_unexpected && complete_before(text, at))
		return "unexpected text after the end of the document";
	if (at + 1 < len && text[at] == '/' && (text[at + 1] == '/' || text[at + 1] == '*'))
		return "comments are not allowed in JSON";
	if (at < len && text[at] == '\'')
		return "strings must be in double quotes";
	if (at < len && (text[at] == ']' || text[at] == '}')) {
		size_t k = at;
		while (k > 0 && strchr(" \t\r\n", text[k - 1]))
			k--;
		if (k > 0 && text[k - 1] == ',') {
			*end = k - 1;
			return text[at] == ']' ? "trailing comma before ']'" : "trailing comma before '}'";
		}
	}
	return json_tokener_error_desc(jerr);
}

/* The checks every JSON document tinyjail reads gets: size, NUL bytes, a
 * BOM, strict syntax with a helpful message and position, nothing after
 * the document, duplicate keys and out-of-range integers.  On success
 * *ret_root is the document (NULL for the document `null`). */
int tj_json_parse_text(const char *display, const char *text, size_t len, json_object **ret_root, struct tj_err **err)
{
	if (len > TJ_PROFILE_MAX_BYTES) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "file is too large (%zu bytes; the limit is %u)", len,
			   TJ_PROFILE_MAX_BYTES);
		return tj_err_at(err, display, NULL);
	}
	if (memchr(text, '\0', len)) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "file contains a NUL byte: not a JSON text file");
		return tj_err_at(err, display, NULL);
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		tj_err_set(err, TJ_ERR_PROFILE, 0,
			   "invalid JSON: the file starts with a byte order mark (save it as UTF-8 without BOM)");
		tj_err_at(err, display, NULL);
		return tj_err_position(err, 1, 1);
	}
	size_t start = 0;
	while (start < len && strchr(" \t\r\n", text[start]))
		start++;
	if (start == len) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "file is empty");
		return tj_err_at(err, display, NULL);
	}

	struct json_tokener *tok = json_tokener_new_ex(TJ_PROFILE_MAX_DEPTH);
	if (!tok)
		return tj_err_set(err, TJ_ERR_INTERNAL, ENOMEM, "json-c: cannot allocate a tokener");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	if (!root && jerr == json_tokener_continue) {
		/* A number or literal at the very end needs a terminator to
		 * be complete ("42" is a whole, if useless, document). */
		root = json_tokener_parse_ex(tok, "", 1);
		if (json_tokener_get_error(tok) == json_tokener_success) {
			jerr = json_tokener_success;
			end = len;
		}
	}
	json_tokener_free(tok);

	if (jerr != json_tokener_success) {
		int line, col;
		const char *why = describe_json_error(text, len, jerr, &end);
		tj_jsonpos_line_col(text, len, end, &line, &col);
		if (root)
			json_object_put(root);
		tj_err_set(err, TJ_ERR_PROFILE, 0, "invalid JSON: %s", why);
		tj_err_at(err, display, NULL);
		return tj_err_position(err, line, col);
	}
	while (end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (end < len) {
		int line, col;
		tj_jsonpos_line_col(text, len, end, &line, &col);
		json_object_put(root);
		tj_err_set(err, TJ_ERR_PROFILE, 0, "invalid JSON: unexpected text after the end of the document");
		tj_err_at(err, display, NULL);
		return tj_err_position(err, line, col);
	}
	if (tj_jsonpos_check(text, len, err) < 0) {
		json_object_put(root);
		return tj_err_at(err, display, NULL);
	}
	*ret_root = root;
	return 0;
}

/* Reads a whole file of at most TJ_PROFILE_MAX_BYTES ("-" is stdin). */
int tj_json_read_text_file(const char *path, const char *display, const char *what, struct tj_buf *out,
			   struct tj_err **err)
{
	tj_autoclose int fd = -1;
	bool is_stdin = strcmp(path, "-") == 0;
	if (is_stdin) {
		fd = dup(0);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0) {
		int e = errno;
		tj_err_set(err, TJ_ERR_PROFILE, e, "cannot open %s", what);
		if (e == ENOENT && strcmp(what, "profile") == 0)
			tj_err_hint(err,
				    "bundled profiles are named without a path: --profile default, --profile strict");
		return tj_err_at(err, display, NULL);
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		tj_err_set(err, TJ_ERR_PROFILE, errno, "cannot stat %s", what);
		return tj_err_at(err, display, NULL);
	}
	if (S_ISDIR(st.st_mode)) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "is a directory, not a %s file", what);
		return tj_err_at(err, display, NULL);
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "is not a regular file");
		return tj_err_at(err, display, NULL);
	}

	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			tj_buf_done(out);
			tj_err_set(err, TJ_ERR_PROFILE, e, "cannot read %s", what);
			return tj_err_at(err, display, NULL);
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > TJ_PROFILE_MAX_BYTES) {
			tj_buf_done(out);
			tj_err_set(err, TJ_ERR_PROFILE, 0, "file is too large (the limit is %u bytes)",
				   TJ_PROFILE_MAX_BYTES);
			return tj_err_at(err, display, NULL);
		}
		tj_buf_addn(out, chunk, (size_t)n);
	}
	return 0;
}

const char *tj_json_library_version(void)
{
	return json_c_version();
}
