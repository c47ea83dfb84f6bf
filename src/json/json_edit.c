/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Carrying seccomp edits back into a document's text (profile_edit.h).
 * json-c reads the original rule objects (to keep the keys the editor does
 * not manage); the byte positions come from jsonpos.c, and the text is
 * patched in place so that nothing else moves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/json/profile_edit.h"
#include "tj/json/profile_json.h"

#include "json_internal.h"

/* --- small helpers --- */

static bool ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool strv_equal(const struct tj_strv *a, const struct tj_strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

static bool args_equal(const struct tj_rule *a, const struct tj_rule *b)
{
	if (a->nargs != b->nargs)
		return false;
	for (size_t i = 0; i < a->nargs; i++) {
		const struct tj_arg *x = &a->args[i], *y = &b->args[i];
		if (x->index != y->index || x->value != y->value || x->value_two != y->value_two || x->op != y->op)
			return false;
	}
	return true;
}

static bool str_equal(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The fields the editor manages. */
static bool rule_equal(const struct tj_rule *a, const struct tj_rule *b)
{
	return strv_equal(&a->names, &b->names) && a->action == b->action && a->has_errno == b->has_errno &&
	       (!a->has_errno || a->errno_ret == b->errno_ret) && args_equal(a, b) && str_equal(a->comment, b->comment);
}

long tj_profile_json_rule_index(const char *section, const char *json_path)
{
	if (!json_path)
		return -1;
	size_t sl = strlen(section);
	if (strncmp(json_path, section, sl) != 0)
		return -1;
	const char *p = json_path + sl;
	if (sl && *p++ != '.')
		return -1;
	if (strncmp(p, "syscalls[", 9) != 0)
		return -1;
	char *end;
	long i = strtol(p + 9, &end, 10);
	if (end == p + 9 || strcmp(end, "]") != 0 || i < 0)
		return -1;
	return i;
}

static char *child_path(const char *section, const char *key)
{
	return section[0] ? tj_xasprintf("%s.%s", section, key) : tj_xstrdup(key);
}

/* --- patches on the text --- */

struct patch {
	size_t start, end; /* bytes replaced */
	char *with;
	size_t seq; /* insertions at one place go in the order they were made */
};

struct patches {
	struct patch *v;
	size_t n, cap;
};

static void patch_add(struct patches *p, size_t start, size_t end, char *with)
{
	tj_xreserve((void **)&p->v, &p->cap, p->n + 1, sizeof(*p->v));
	p->v[p->n] = (struct patch){start, end, with, p->n};
	p->n++;
}

static int patch_cmp(const void *a, const void *b)
{
	const struct patch *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static char *patch_apply(const char *text, size_t len, struct patches *p)
{
	if (p->n)
		qsort(p->v, p->n, sizeof(*p->v), patch_cmp);
	struct tj_buf b = {0};
	size_t at = 0;
	for (size_t i = 0; i < p->n; i++) {
		/* Two removals may share a comma: the second starts where the
		 * first ended. */
		if (p->v[i].start < at) {
			if (p->v[i].end <= at)
				continue;
			p->v[i].start = at;
		}
		tj_buf_addn(&b, text + at, p->v[i].start - at);
		tj_buf_add(&b, p->v[i].with);
		at = p->v[i].end;
	}
	tj_buf_addn(&b, text + at, len - at);
	return b.s ? tj_buf_steal(&b) : tj_xstrdup("");
}

static void patches_done(struct patches *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].with);
	free(p->v);
}

/* The whitespace that starts the line pos is on, when only whitespace comes
 * before pos on it; NULL otherwise (pos follows other text). */
static char *line_indent(const char *text, size_t pos)
{
	size_t i = pos;
	while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
		i--;
	if (i > 0 && text[i - 1] != '\n')
		return NULL;
	return tj_xstrndup(text + i, pos - i);
}

/* --- the style of the file's rules --- */

struct style {
	bool compact;	    /* a rule on one line */
	bool inline_names;  /* arrays of strings on one line */
	bool inline_args;   /* each comparison on one line */
	bool args_seen;	    /* inline_args was learnt from the text */
	char unit[16];	    /* one level of indentation */
	char *indent;	    /* where a rule starts */
	char sep[64];	    /* between two rules: ",\n\t\t" */
	bool sep_from_text; /* sep is the file's own */
};

/* Learns the style from a rule's text [s, e). */
static void sniff_rule(const char *text, size_t s, size_t e, struct style *st)
{
	const char *r = text + s;
	size_t n = e - s;
	const char *nl = memchr(r, '\n', n);
	st->compact = nl == NULL;
	if (nl) {
		/* The first key's indentation minus the rule's. */
		const char *k = nl + 1;
		size_t w = 0;
		while (k + w < r + n && (k[w] == ' ' || k[w] == '\t'))
			w++;
		size_t base = st->indent ? strlen(st->indent) : 0;
		if (w > base && w - base < sizeof(st->unit)) {
			memcpy(st->unit, k + base, w - base);
			st->unit[w - base] = '\0';
		}
	}
	const char *names = memmem(r, n, "\"names\"", 7);
	if (names) {
		const char *open = memchr(names, '[', (size_t)(r + n - names));
		const char *close = open ? memchr(open, ']', (size_t)(r + n - open)) : NULL;
		if (open && close)
			st->inline_names = memchr(open, '\n', (size_t)(close - open)) == NULL;
	}
	const char *args = memmem(r, n, "\"args\"", 6);
	if (args) {
		const char *open = memchr(args, '{', (size_t)(r + n - args));
		const char *close = open ? memchr(open, '}', (size_t)(r + n - open)) : NULL;
		if (open && close) {
			st->inline_args = memchr(open, '\n', (size_t)(close - open)) == NULL;
			st->args_seen = true;
		}
	}
}

/* --- writing a rule --- */

static void put_scalar(struct tj_buf *b, json_object *o)
{
	tj_buf_add(b, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void put_value(struct tj_buf *b, json_object *o, const struct style *st, const char *indent, bool flat);

static bool all_scalars(json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		enum json_type t = json_object_get_type(json_object_array_get_idx(arr, i));
		if (t == json_type_object || t == json_type_array)
			return false;
	}
	return true;
}

static void put_value(struct tj_buf *b, json_object *o, const struct style *st, const char *indent, bool flat)
{
	enum json_type t = json_object_get_type(o);
	if (t == json_type_object) {
		if (json_object_object_length(o) == 0) {
			tj_buf_add(b, "{}");
			return;
		}
		char *inner = tj_xasprintf("%s%s", indent, st->unit);
		tj_buf_add(b, flat ? "{" : "{\n");
		bool first = true;
		json_object_object_foreach (o, key, val) {
			if (!first)
				tj_buf_add(b, flat ? ", " : ",\n");
			first = false;
			if (!flat)
				tj_buf_add(b, inner);
			tj_buf_add_json_string(b, key);
			tj_buf_add(b, ": ");
			put_value(b, val, st, inner, flat);
		}
		if (!flat)
			tj_buf_addf(b, "\n%s", indent);
		tj_buf_add(b, "}");
		free(inner);
		return;
	}
	if (t == json_type_array) {
		size_t n = json_object_array_length(o);
		if (n == 0) {
			tj_buf_add(b, "[]");
			return;
		}
		bool scalars = all_scalars(o);
		bool inline_all = flat || (scalars && st->inline_names);
		/* Comparisons one per line ("args" in learn's style). */
		bool inline_items = !scalars && st->inline_args;
		char *inner = tj_xasprintf("%s%s", indent, st->unit);
		tj_buf_add(b, inline_all ? "[" : "[\n");
		for (size_t i = 0; i < n; i++) {
			if (i)
				tj_buf_add(b, inline_all ? ", " : ",\n");
			if (!inline_all)
				tj_buf_add(b, inner);
			put_value(b, json_object_array_get_idx(o, i), st, inner, inline_all || inline_items);
		}
		if (!inline_all)
			tj_buf_addf(b, "\n%s", indent);
		tj_buf_add(b, "]");
		free(inner);
		return;
	}
	put_scalar(b, o);
}

static json_object *names_json(const struct tj_strv *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < v->n; i++)
		json_object_array_add(a, json_object_new_string(v->v[i]));
	return a;
}

static json_object *args_json(const struct tj_rule *r)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < r->nargs; i++) {
		const struct tj_arg *a = &r->args[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "index", json_object_new_int64(a->index));
		json_object_object_add(o, "value", json_object_new_uint64(a->value));
		if (a->op == TJ_CMP_MASKED_EQ || a->value_two)
			json_object_object_add(o, "valueTwo", json_object_new_uint64(a->value_two));
		json_object_object_add(o, "op", json_object_new_string(tj_cmp_name(a->op)));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *errno_string(unsigned e)
{
	const char *name = strerrorname_np((int)e);
	if (name)
		return json_object_new_string(name);
	char num[16];
	snprintf(num, sizeof(num), "%u", e);
	return json_object_new_string(num);
}

static bool has_key(json_object *o, const char *key)
{
	return o && json_object_object_get_ex(o, key, NULL);
}

/* Sets key to val, where it is when it exists (json-c keeps a replaced
 * key's place), else at the end. */
static void set_key(json_object *o, const char *key, json_object *val)
{
	json_object_object_add(o, key, val);
}

/* The rule object to write: orig (may be NULL) with the managed fields of r. */
static json_object *rule_object(json_object *orig, const struct tj_rule *r)
{
	json_object *o = orig ? json_object_get(orig) : json_object_new_object();
	if (has_key(o, "name") && r->names.n == 1) {
		set_key(o, "name", json_object_new_string(r->names.v[0]));
	} else {
		json_object_object_del(o, "name");
		set_key(o, "names", names_json(&r->names));
	}
	set_key(o, "action", json_object_new_string(tj_action_name(r->action)));
	if (tj_action_takes_errno(r->action) && r->has_errno) {
		/* Podman's errno name wins over errnoRet: keep both in step. */
		if (has_key(o, "errno"))
			set_key(o, "errno", errno_string(r->errno_ret));
		if (has_key(o, "errnoRet") || !has_key(o, "errno"))
			set_key(o, "errnoRet", json_object_new_int64(r->errno_ret));
	} else {
		json_object_object_del(o, "errno");
		json_object_object_del(o, "errnoRet");
	}
	json_object *old_args = NULL;
	bool had_args = json_object_object_get_ex(o, "args", &old_args) &&
			json_object_get_type(old_args) == json_type_array && json_object_array_length(old_args);
	if (r->nargs)
		set_key(o, "args", args_json(r));
	else if (had_args)
		json_object_object_del(o, "args");
	if (r->comment)
		set_key(o, "comment", json_object_new_string(r->comment));
	else
		json_object_object_del(o, "comment");
	return o;
}

static char *render_rule(json_object *orig, const struct tj_rule *r, const struct style *st)
{
	json_object *o = rule_object(orig, r);
	struct tj_buf b = {0};
	put_value(&b, o, st, st->indent ? st->indent : "", st->compact);
	json_object_put(o);
	return tj_buf_steal(&b);
}

/* --- the default action --- */

/* The separator before a member whose key starts at key_at: ",\n<indent>",
 * or ", " when members share a line. */
static char *member_sep(const char *text, size_t key_at)
{
	char *ind = line_indent(text, key_at);
	char *sep = ind ? tj_xasprintf(",\n%s", ind) : tj_xstrdup(", ");
	free(ind);
	return sep;
}

/* Removes a member: its key, value and one adjacent comma (the one before
 * it, so that removals of neighbours do not overlap). */
static void delete_member(const char *text, size_t len, size_t key_at, size_t end, struct patches *p)
{
	size_t before = key_at;
	while (before > 0 && ws(text[before - 1]))
		before--;
	if (before > 0 && text[before - 1] == ',') {
		patch_add(p, before - 1, end, tj_xstrdup(""));
		return;
	}
	size_t after = end;
	while (after < len && ws(text[after]))
		after++;
	if (after < len && text[after] == ',') {
		after++;
		while (after < len && ws(text[after]))
			after++;
	}
	patch_add(p, key_at, after, tj_xstrdup(""));
}

static void edit_default(const char *text, size_t len, const char *section, const struct tj_seccomp *old,
			 const struct tj_seccomp *ed, struct patches *p)
{
	bool takes = tj_action_takes_errno(ed->default_action);
	bool same_errno = old->has_default_errno == ed->has_default_errno &&
			  (!ed->has_default_errno || old->default_errno == ed->default_errno);
	if (old->default_action == ed->default_action && same_errno)
		return;
	tj_autofree char *pa = child_path(section, "defaultAction");
	tj_autofree char *pr = child_path(section, "defaultErrnoRet");
	tj_autofree char *pe = child_path(section, "defaultErrno");
	size_t ka, sa, ea, kr, sr, er, ke, se, ee;
	if (!tj_jsonpos_span(text, len, pa, &ka, &sa, &ea))
		return; /* the loader requires it; nothing to patch otherwise */
	bool has_r = tj_jsonpos_span(text, len, pr, &kr, &sr, &er);
	bool has_e = tj_jsonpos_span(text, len, pe, &ke, &se, &ee);
	if (old->default_action != ed->default_action) {
		struct tj_buf b = {0};
		tj_buf_add_json_string(&b, tj_action_name(ed->default_action));
		patch_add(p, sa, ea, tj_buf_steal(&b));
	}
	if (takes && ed->has_default_errno) {
		if (has_e) {
			json_object *s = errno_string(ed->default_errno);
			struct tj_buf b = {0};
			put_scalar(&b, s);
			json_object_put(s);
			patch_add(p, se, ee, tj_buf_steal(&b));
		}
		if (has_r)
			patch_add(p, sr, er, tj_xasprintf("%u", ed->default_errno));
		else if (!has_e) {
			char *sep = member_sep(text, ka);
			patch_add(p, ea, ea, tj_xasprintf("%s\"defaultErrnoRet\": %u", sep, ed->default_errno));
			free(sep);
		}
	} else {
		if (has_r)
			delete_member(text, len, kr, er, p);
		if (has_e)
			delete_member(text, len, ke, ee, p);
	}
}

/* --- the rules --- */

/* The elements of the "syscalls" array: their spans and separators. */
struct elems {
	size_t open, close; /* '[' and ']' */
	size_t *s, *e;
	size_t n;
};

static bool scan_elems(const char *text, size_t len, const char *arr_path, size_t n, struct elems *out)
{
	size_t k, s, e;
	if (!tj_jsonpos_span(text, len, arr_path, &k, &s, &e) || text[s] != '[')
		return false;
	out->open = s;
	out->close = e - 1;
	out->s = tj_xcalloc(n ? n : 1, sizeof(size_t));
	out->e = tj_xcalloc(n ? n : 1, sizeof(size_t));
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		char *p = tj_xasprintf("%s[%zu]", arr_path, i);
		bool ok = tj_jsonpos_span(text, len, p, &k, &out->s[i], &out->e[i]);
		free(p);
		if (!ok)
			return false;
	}
	return true;
}

static void elems_done(struct elems *el)
{
	free(el->s);
	free(el->e);
}

/* The style of the rules of the document, from rule i (or the last one). */
static void style_for(const char *text, const struct elems *el, size_t i, struct style *st)
{
	*st = (struct style){.inline_names = true, .inline_args = true};
	snprintf(st->unit, sizeof(st->unit), "  ");
	if (el->n == 0) {
		/* An empty array: one level in from the line of "syscalls". */
		char *ind = line_indent(text, el->open);
		size_t k = el->open;
		while (k > 0 && text[k - 1] != '\n')
			k--;
		size_t w = 0;
		while (text[k + w] == ' ' || text[k + w] == '\t')
			w++;
		if (w && text[k] == '\t')
			snprintf(st->unit, sizeof(st->unit), "\t");
		st->indent = tj_xasprintf("%.*s%s", (int)w, text + k, st->unit);
		free(ind);
		snprintf(st->sep, sizeof(st->sep), ",\n%s", st->indent);
		return;
	}
	if (i >= el->n)
		i = el->n - 1;
	st->indent = line_indent(text, el->s[i]);
	sniff_rule(text, el->s[i], el->e[i], st);
	/* How comparisons are written: from the first rule that has some. */
	for (size_t k = 0; k < el->n && !st->args_seen; k++) {
		struct style other = {.indent = st->indent};
		sniff_rule(text, el->s[k], el->e[k], &other);
		if (other.args_seen) {
			st->inline_args = other.inline_args;
			st->args_seen = true;
		}
	}
	/* The file's own separator, when it has two rules. */
	if (el->n >= 2 && el->s[1] - el->e[0] < sizeof(st->sep)) {
		snprintf(st->sep, sizeof(st->sep), "%.*s", (int)(el->s[1] - el->e[0]), text + el->e[0]);
		st->sep_from_text = true;
	} else if (st->indent) {
		snprintf(st->sep, sizeof(st->sep), ",\n%s", st->indent);
	} else {
		snprintf(st->sep, sizeof(st->sep), ", ");
	}
}

static void style_done(struct style *st)
{
	free(st->indent);
}

/* The new text of the whole "syscalls" array value. */
static char *rules_text(const char *text, const struct elems *el, json_object *arr, const struct tj_seccomp *old,
			const struct tj_seccomp *ed, const long *origin)
{
	struct style def;
	style_for(text, el, el->n, &def);
	struct tj_buf b = {0};
	if (ed->nrules == 0) {
		tj_buf_add(&b, "[]");
		style_done(&def);
		return tj_buf_steal(&b);
	}
	/* What came before the first rule and after the last one. */
	if (el->n)
		tj_buf_addn(&b, text + el->open, el->s[0] - el->open);
	else
		tj_buf_addf(&b, "[%s", def.compact ? "" : "\n");
	if (!el->n && !def.compact)
		tj_buf_add(&b, def.indent);
	long prev = -2;
	for (size_t i = 0; i < ed->nrules; i++) {
		long o = origin[i];
		if (i) {
			if (o >= 0 && prev >= 0 && o == prev + 1)
				tj_buf_addn(&b, text + el->e[prev], el->s[o] - el->e[prev]);
			else
				tj_buf_add(&b, def.sep);
		}
		const struct tj_rule *r = &ed->rules[i];
		if (o >= 0 && rule_equal(r, &old->rules[o])) {
			tj_buf_addn(&b, text + el->s[o], el->e[o] - el->s[o]);
		} else {
			struct style st;
			style_for(text, el, o >= 0 ? (size_t)o : el->n, &st);
			char *t = render_rule(o >= 0 ? json_object_array_get_idx(arr, (size_t)o) : NULL, r, &st);
			tj_buf_add(&b, t);
			free(t);
			style_done(&st);
		}
		prev = o;
	}
	if (el->n)
		tj_buf_addn(&b, text + el->e[el->n - 1], el->close + 1 - el->e[el->n - 1]);
	else {
		/* One level out from the rules. */
		size_t ul = strlen(def.unit), il = def.indent ? strlen(def.indent) : 0;
		if (def.compact)
			tj_buf_add(&b, "]");
		else
			tj_buf_addf(&b, "\n%.*s]", (int)(il >= ul ? il - ul : 0), def.indent ? def.indent : "");
	}
	style_done(&def);
	return tj_buf_steal(&b);
}

static bool rules_changed(const struct tj_seccomp *old, const struct tj_seccomp *ed, const long *origin)
{
	if (old->nrules != ed->nrules)
		return true;
	for (size_t i = 0; i < ed->nrules; i++)
		if (origin[i] != (long)i || !rule_equal(&ed->rules[i], &old->rules[i]))
			return true;
	return false;
}

int tj_profile_json_rewrite(const char *display, const char *text, size_t len, const struct tj_seccomp *old,
			    const struct tj_seccomp *edited, char **ret, struct tj_err **err)
{
	const char *section = old->json_path ? old->json_path : "";
	long *origin = tj_xcalloc(edited->nrules ? edited->nrules : 1, sizeof(*origin));
	bool *seen = tj_xcalloc(old->nrules ? old->nrules : 1, sizeof(*seen));
	int rc = 0;
	for (size_t i = 0; i < edited->nrules; i++) {
		const char *jp = edited->rules[i].json_path;
		bool from_doc = jp && *jp;
		long o = from_doc ? tj_profile_json_rule_index(section, jp) : -1;
		if (from_doc && (o < 0 || (size_t)o >= old->nrules || seen[o])) {
			rc = tj_err_set(err, TJ_ERR_INTERNAL, 0, "edited rule %zu has an unknown origin '%s'", i,
					edited->rules[i].json_path);
			goto out;
		}
		origin[i] = o;
		if (o >= 0)
			seen[o] = true;
	}

	struct patches p = {0};
	edit_default(text, len, section, old, edited, &p);
	if (rules_changed(old, edited, origin)) {
		json_object *root = NULL;
		if (tj_json_parse_text(display, text, len, &root, err) < 0) {
			rc = -1;
			patches_done(&p);
			goto out;
		}
		tj_autofree char *arr_path = child_path(section, "syscalls");
		size_t k, s, e;
		bool present = tj_jsonpos_span(text, len, arr_path, &k, &s, &e);
		json_object *sc = root, *arr = NULL;
		if (section[0]) {
			json_object *lin = NULL;
			json_object_object_get_ex(root, "linux", &lin);
			sc = NULL;
			if (lin)
				json_object_object_get_ex(lin, "seccomp", &sc);
		}
		if (sc)
			json_object_object_get_ex(sc, "syscalls", &arr);
		if (present && text[s] == '[') {
			struct elems el = {0};
			if (!scan_elems(text, len, arr_path, old->nrules, &el)) {
				elems_done(&el);
				json_object_put(root);
				patches_done(&p);
				rc = tj_err_set(err, TJ_ERR_INTERNAL, 0, "cannot find the rules of '%s'", display);
				goto out;
			}
			patch_add(&p, s, e, rules_text(text, &el, arr, old, edited, origin));
			elems_done(&el);
		} else {
			/* No rules yet ("syscalls" absent or null): written the
			 * way the section's members are. */
			struct elems none = {0};
			size_t ka, sa, ea;
			tj_autofree char *pa = child_path(section, "defaultAction");
			tj_jsonpos_span(text, len, pa, &ka, &sa, &ea);
			char *ind = line_indent(text, ka);
			struct tj_buf fake = {0};
			/* A stand-in array at the members' depth, for the style. */
			tj_buf_addf(&fake, "\n%s[]", ind ? ind : "");
			none.open = 1 + (ind ? strlen(ind) : 0);
			none.close = none.open + 1;
			char *body = rules_text(fake.s, &none, NULL, old, edited, origin);
			tj_buf_done(&fake);
			if (present) {
				patch_add(&p, s, e, body);
			} else {
				size_t ko, so, eo;
				tj_jsonpos_span(text, len, section, &ko, &so, &eo);
				size_t at = eo - 1; /* the closing brace */
				while (at > so && ws(text[at - 1]))
					at--;
				char *sep = ind ? tj_xasprintf(",\n%s", ind) : tj_xstrdup(", ");
				patch_add(&p, at, at, tj_xasprintf("%s\"syscalls\": %s", sep, body));
				free(sep);
				free(body);
			}
			free(ind);
		}
		json_object_put(root);
	}

	char *out_text = patch_apply(text, len, &p);
	patches_done(&p);
	struct tj_profile *check = NULL;
	if (tj_profile_load_buffer(display, out_text, strlen(out_text), &check, err) < 0) {
		free(out_text);
		rc = -1;
		goto out;
	}
	tj_profile_free(check);
	*ret = out_text;
out:
	free(origin);
	free(seen);
	return rc;
}
