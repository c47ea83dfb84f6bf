/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The editor's screen (ncurses stays in this file).  Three panes: the
 * syscall groups, the syscalls of the chosen group with their action, and
 * the selected syscall's rule (why, lint).  The bottom line shows the keys.
 * Everything it shows comes from the model; every key is an edit of the
 * model or a move.
 *
 * ncurses (with libtinfo) is loaded when the editor starts, not linked: a
 * launch never needs it, and linking it cost every launch its symbol
 * bindings (base/dynlib.h).
 */
#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <linux/audit.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/dynlib.h"
#include "tj/edit/feed.h"
#include "tj/edit/view.h"
#include "tj/events/decode.h"

#define NCURSES_SYMS(X)       \
	X(COLS)               \
	X(LINES)              \
	X(cbreak)             \
	X(curs_set)           \
	X(endwin)             \
	X(has_colors)         \
	X(init_pair)          \
	X(keypad)             \
	X(mvprintw)           \
	X(newterm)            \
	X(nodelay)            \
	X(delscreen)          \
	X(waddch)             \
	X(noecho)             \
	X(set_escdelay)       \
	X(start_color)        \
	X(stdscr)             \
	X(use_default_colors) \
	X(waddnstr)           \
	X(wattr_off)          \
	X(wattr_on)           \
	X(wclrtoeol)          \
	X(werase)             \
	X(wgetch)             \
	X(whline)             \
	X(wmove)              \
	X(wrefresh)           \
	X(wvline)
TJ_DYNLIB_TABLE(nc, NCURSES_SYMS);
/* Every use below (and the header's macros: refresh, getch, attron...) goes
 * through the table. */
#define COLS (*nc.COLS)
#define LINES (*nc.LINES)
#define cbreak (*nc.cbreak)
#define curs_set (*nc.curs_set)
#define endwin (*nc.endwin)
#define has_colors (*nc.has_colors)
#define init_pair (*nc.init_pair)
#define keypad (*nc.keypad)
#define mvprintw (*nc.mvprintw)
#define newterm (*nc.newterm)
#define nodelay (*nc.nodelay)
#define delscreen (*nc.delscreen)
#define waddch (*nc.waddch)
#define noecho (*nc.noecho)
#define set_escdelay (*nc.set_escdelay)
#define start_color (*nc.start_color)
#define stdscr (*nc.stdscr)
#define use_default_colors (*nc.use_default_colors)
#define waddnstr (*nc.waddnstr)
#define wattr_off (*nc.wattr_off)
#define wattr_on (*nc.wattr_on)
#define wclrtoeol (*nc.wclrtoeol)
#define werase (*nc.werase)
#define wgetch (*nc.wgetch)
#define whline (*nc.whline)
#define wmove (*nc.wmove)
#define wrefresh (*nc.wrefresh)
#define wvline (*nc.wvline)

#ifndef TJ_SONAME_NCURSES
#define TJ_SONAME_NCURSES "libncurses.so.6"
#endif

#define MIN_COLS 60
#define MIN_LINES 16
#define GROUP_W 22

enum filter {
	F_ALL,
	F_ALLOWED,
	F_DENIED,
	F_KILLED,
	F_RULED,
	F_USED, /* only with --log */
	F_MAX
};
static const char *const filter_names[F_MAX] = {"all", "allowed", "denied", "killed", "with rules", "used in the log"};

/* getkey's answer when the feed changed before a key came. */
#define KEY_FEED (-2)

struct view {
	struct tj_edit_model *m;
	const struct tj_edit_opts *o;
	bool color;
	bool focus_groups;
	bool focus_feed;
	size_t fsel;	  /* the selected waiting call */
	uint64_t fticket; /* its ticket, to keep it selected as others come and go */
	uint64_t seen;	  /* the feed's changes when last drawn */
	long long drawn_ms;
	size_t group; /* 0: all syscalls, else tj_sysgroups()[group - 1] */
	size_t gtop;
	size_t sel, top; /* in the visible list */
	enum filter filter;
	char search[64];
	char status[640];
	size_t *vis; /* indexes into m->rows */
	size_t nvis;
	bool quit;
};

static const struct tj_sysgroup *current_group(const struct view *v)
{
	size_t n;
	const struct tj_sysgroup *g = tj_sysgroups(&n);
	return v->group ? &g[v->group - 1] : NULL;
}

static bool row_passes(const struct view *v, const struct tj_edit_row *r, const struct tj_sysgroup_set *set)
{
	if (set && !tj_sysgroup_set_find(set, r->name))
		return false;
	if (v->search[0] && !strstr(r->name, v->search))
		return false;
	switch (v->filter) {
	case F_ALLOWED: return r->action == TJ_ACT_ALLOW || r->action == TJ_ACT_LOG;
	case F_DENIED: return r->action == TJ_ACT_ERRNO;
	case F_KILLED: return tj_action_is_kill(r->action);
	case F_RULED: return r->kind != TJ_EDIT_DEFAULT;
	case F_USED: return r->used > 0;
	default: return true;
	}
}

static void refilter(struct view *v)
{
	const char *keep = v->nvis && v->sel < v->nvis ? v->m->rows[v->vis[v->sel]].name : NULL;
	struct tj_sysgroup_set set = {0};
	const struct tj_sysgroup *g = current_group(v);
	if (g)
		tj_sysgroup_set_add_group(&set, g, 0);
	free(v->vis);
	v->vis = tj_xcalloc(v->m->nrows ? v->m->nrows : 1, sizeof(*v->vis));
	v->nvis = 0;
	size_t newsel = 0;
	for (size_t i = 0; i < v->m->nrows; i++)
		if (row_passes(v, &v->m->rows[i], g ? &set : NULL)) {
			if (keep && strcmp(keep, v->m->rows[i].name) == 0)
				newsel = v->nvis;
			v->vis[v->nvis++] = i;
		}
	tj_sysgroup_set_done(&set);
	v->sel = newsel;
}

static const struct tj_edit_row *selected(const struct view *v)
{
	return v->nvis && v->sel < v->nvis ? &v->m->rows[v->vis[v->sel]] : NULL;
}

static void put(int y, int x, int w, const char *s)
{
	if (w <= 0)
		return;
	mvaddnstr(y, x, s, w);
}

static int action_attr(const struct view *v, enum tj_action a)
{
	if (!v->color)
		return tj_action_is_kill(a) ? A_BOLD : 0;
	if (a == TJ_ACT_ALLOW || a == TJ_ACT_LOG)
		return COLOR_PAIR(1);
	if (tj_action_is_kill(a))
		return COLOR_PAIR(2) | A_BOLD;
	if (a == TJ_ACT_NOTIFY)
		return COLOR_PAIR(3);
	return 0;
}

static void short_action(const struct tj_edit_row *r, char *buf, size_t size)
{
	char a[64];
	tj_edit_action_text(r->action, r->errnum, a, sizeof(a));
	const char *s = strncmp(a, "SCMP_ACT_", 9) == 0 ? a + 9 : a;
	snprintf(buf, size, "%s%s%s", r->kind == TJ_EDIT_CONDITIONAL ? "if args: " : "", s,
		 r->kind == TJ_EDIT_DEFAULT ? " (default)" : "");
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The selected waiting call (followed by its ticket), or NULL. */
static const struct tj_edit_request *feed_selected(struct view *v)
{
	struct tj_edit_feed *f = v->o->feed;
	if (!f || !f->nreq)
		return NULL;
	for (size_t i = 0; i < f->nreq; i++)
		if (f->req[i].ticket == v->fticket) {
			v->fsel = i;
			return &f->req[i];
		}
	if (v->fsel >= f->nreq)
		v->fsel = f->nreq - 1;
	v->fticket = f->req[v->fsel].ticket;
	return &f->req[v->fsel];
}

/* "getpgrp 97, socket 1": the waiting calls per syscall, most first. */
static void waiting_counts(const struct tj_edit_feed *f, char *buf, size_t size)
{
	struct waiting {
		uint32_t arch;
		int nr;
		size_t n;
	} c[16];
	size_t nkinds = 0, other = 0;
	for (size_t i = 0; i < f->nreq; i++) {
		size_t k = 0;
		while (k < nkinds && !(c[k].arch == f->req[i].data.arch && c[k].nr == f->req[i].data.nr))
			k++;
		if (k == nkinds && nkinds == TJ_ARRAY_SIZE(c)) {
			other++;
			continue;
		}
		if (k == nkinds)
			c[nkinds++] = (struct waiting){.arch = f->req[i].data.arch, .nr = f->req[i].data.nr};
		c[k].n++;
	}
	buf[0] = '\0';
	size_t len = 0;
	for (size_t done = 0; done < nkinds && len + 1 < size; done++) {
		size_t best = 0;
		for (size_t k = 1; k < nkinds; k++)
			if (c[k].n > c[best].n)
				best = k;
		char name[64];
		tj_syscall_name(c[best].arch, c[best].nr, name, sizeof(name));
		len += (size_t)snprintf(buf + len, size - len, "%s%s %zu", done ? ", " : "", name, c[best].n);
		c[best].n = 0;
		if (len >= size)
			return;
	}
	if (other && len + 1 < size)
		snprintf(buf + len, size - len, ", others %zu", other);
}

/* The live feed: the waiting calls (oldest first, with their age), or,
 * when none waits, what happened last. */
static void draw_feed(struct view *v, int y, int h, int cols)
{
	struct tj_edit_feed *f = v->o->feed;
	char counts[256], head[512];
	waiting_counts(f, counts, sizeof(counts));
	size_t nsb = tj_edit_feed_sandboxes(f);
	snprintf(head, sizeof(head), " live feed %s: %zu sandbox%s, %zu waiting%s%s%s ", f->path, nsb,
		 nsb == 1 ? "" : "es", f->nreq, f->nreq ? " (" : "", counts, f->nreq ? ")" : "");
	mvhline(y, 0, '-', cols);
	if (f->socket_gone)
		attron(A_BOLD);
	put(y, 2, cols - 4, head);
	if (f->socket_gone)
		attroff(A_BOLD);
	const struct tj_edit_request *sel = feed_selected(v);
	int rows = f->nreq ? (h > 1 ? h - 1 : h) : 0;
	size_t top = v->fsel >= (size_t)rows && rows ? v->fsel - (size_t)rows + 1 : 0;
	long long now = now_ms();
	for (int i = 0; i < rows && top + (size_t)i < f->nreq; i++) {
		const struct tj_edit_request *q = &f->req[top + (size_t)i];
		char call[256], line[512];
		tj_decode_call(&q->data, call, sizeof(call));
		snprintf(line, sizeof(line), "%4llds  %s  pid %d %s", (now - q->since_ms) / 1000, call, (int)q->pid,
			 q->comm);
		bool cur = q == sel;
		if (cur)
			attron(v->focus_feed ? A_REVERSE : A_BOLD);
		put(y + 1 + i, 0, cols, line);
		if (cur)
			attroff(v->focus_feed ? A_REVERSE : A_BOLD);
	}
	/* The newest events below the waiting calls, or all of the pane. */
	size_t left = (size_t)(h - rows), nlog = f->log.n < left ? f->log.n : left;
	for (size_t i = 0; i < nlog; i++)
		put(y + 1 + rows + (int)i, 1, cols - 2, f->log.v[f->log.n - nlog + i]);
}

/* The selected waiting call, whole: what it is, who asks, what "always"
 * would cover, and why the profile asks. */
static void draw_request(struct view *v, const struct tj_edit_request *q, int y0, int h, int cols)
{
	struct tj_strv lines = {0};
	char call[512], scope[256];
	tj_decode_call(&q->data, call, sizeof(call));
	tj_edit_feed_scope(&q->data, scope, sizeof(scope));
	tj_strv_add(&lines, call);
	tj_strv_add_owned(&lines, tj_xasprintf("pid %d (%s), program %s, sandbox %s, waiting %lld s", (int)q->pid,
					       q->comm, q->program, q->sandbox, (now_ms() - q->since_ms) / 1000));
	tj_strv_add_owned(&lines, tj_xasprintf("A: allow always %s; W: for any arguments", scope));
	tj_edit_why(v->m, &q->data, &lines);
	for (int i = 0; i < h && (size_t)i < lines.n; i++)
		put(y0 + i, 1, cols - 2, lines.v[i]);
	tj_strv_done(&lines);
}

static void draw_detail(struct view *v, int y0, int h, int cols)
{
	const struct tj_edit_request *q = v->focus_feed ? feed_selected(v) : NULL;
	if (q) {
		draw_request(v, q, y0, h, cols);
		return;
	}
	const struct tj_edit_row *r = selected(v);
	if (!r || h <= 0)
		return;
	struct tj_strv lines = {0};
	struct seccomp_data d = {.nr = r->nr, .arch = AUDIT_ARCH_X86_64};
	char call[128], act[64];
	tj_decode_call(&d, call, sizeof(call));
	tj_edit_action_text(r->action, r->errnum, act, sizeof(act));
	tj_strv_add_owned(&lines, tj_xasprintf("%s: %s%s", r->name, act,
					       r->kind == TJ_EDIT_CONDITIONAL ? " for some arguments" : ""));
	tj_edit_why(v->m, &d, &lines);
	tj_edit_lint(v->m, r->name, &lines);
	for (int i = 0; i < h && (size_t)i < lines.n; i++)
		put(y0 + i, 1, cols - 2, lines.v[i]);
	tj_strv_done(&lines);
}

static void draw(struct view *v)
{
	erase();
	int rows = LINES, cols = COLS;
	if (rows < MIN_LINES || cols < MIN_COLS) {
		mvprintw(0, 0, "terminal too small (%dx%d): tinyjail edit needs %dx%d", cols, rows, MIN_COLS,
			 MIN_LINES);
		mvprintw(1, 0, "enlarge it, or q to quit");
		refresh();
		return;
	}
	char act[64];
	tj_edit_action_text(v->m->cur->default_action, tj_seccomp_effective_default_errno(v->m->cur), act, sizeof(act));
	attron(A_REVERSE);
	mvhline(0, 0, ' ', cols);
	char title[512];
	snprintf(title, sizeof(title), " tinyjail edit %s%s%s   default: %s   filter: %s%s%s", v->m->display,
		 tj_edit_dirty(v->m) ? " [modified]" : "", v->o->read_only ? " [read-only]" : "", act,
		 filter_names[v->filter], v->search[0] ? "  search: " : "", v->search);
	put(0, 0, cols, title);
	attroff(A_REVERSE);

	struct tj_edit_feed *f = v->o->feed;
	int feed_h = f ? (rows >= 30 ? 8 : 6) : 0;
	int detail_h = f ? (rows >= 30 ? 6 : 3) : rows >= 30 ? 9 : 6;
	int list_h = rows - 3 - detail_h; /* title, separator, status+keys */
	list_h -= 1;
	if (f)
		list_h -= feed_h + 1; /* its separator and lines */
	/* groups */
	size_t ng;
	const struct tj_sysgroup *g = tj_sysgroups(&ng);
	if (v->group < v->gtop)
		v->gtop = v->group;
	if (v->group >= v->gtop + (size_t)list_h)
		v->gtop = v->group - (size_t)list_h + 1;
	for (int i = 0; i < list_h && v->gtop + (size_t)i <= ng; i++) {
		size_t gi = v->gtop + (size_t)i;
		const char *name = gi ? g[gi - 1].name : "(all syscalls)";
		if (gi == v->group)
			attron(v->focus_groups ? A_REVERSE : A_BOLD);
		put(1 + i, 0, GROUP_W - 1, name);
		if (gi == v->group)
			attroff(v->focus_groups ? A_REVERSE : A_BOLD);
	}
	mvvline(1, GROUP_W - 1, '|', list_h);
	/* syscalls */
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + (size_t)list_h)
		v->top = v->sel - (size_t)list_h + 1;
	int x = GROUP_W + 1, w = cols - x;
	for (int i = 0; i < list_h && v->top + (size_t)i < v->nvis; i++) {
		size_t k = v->top + (size_t)i;
		const struct tj_edit_row *r = &v->m->rows[v->vis[k]];
		char a[96], line[256];
		short_action(r, a, sizeof(a));
		snprintf(line, sizeof(line), "%-22s ", r->name);
		bool cur = k == v->sel;
		if (cur)
			attron(v->focus_groups || v->focus_feed ? A_BOLD : A_REVERSE);
		put(1 + i, x, w, line);
		attron(action_attr(v, r->action));
		put(1 + i, x + 23, w - 23, a);
		attroff(action_attr(v, r->action));
		if (r->where && w > 60) {
			char where[128];
			snprintf(where, sizeof(where), " %s", r->where);
			put(1 + i, x + 50, w - 50, where);
		}
		if (cur)
			attroff(v->focus_groups || v->focus_feed ? A_BOLD : A_REVERSE);
	}
	if (!v->nvis)
		put(1, x, w, "(no syscall matches)");
	/* detail */
	int y = 1 + list_h;
	mvhline(y, 0, '-', cols);
	const struct tj_sysgroup *cg = current_group(v);
	if (cg) {
		char gl[256];
		snprintf(gl, sizeof(gl), " %s: %s (%s) ", cg->name, cg->meaning, tj_risk_name(cg->risk));
		put(y, 2, cols - 4, gl);
	}
	draw_detail(v, y + 1, detail_h, cols);
	if (f) {
		draw_feed(v, y + 1 + detail_h, feed_h, cols);
		v->seen = f->changes;
	}
	v->drawn_ms = now_ms();
	/* status and keys */
	put(rows - 2, 0, cols, v->status);
	attron(A_REVERSE);
	mvhline(rows - 1, 0, ' ', cols);
	put(rows - 1, 0, cols,
	    v->focus_feed ? "a once A always(values) W always(any) d deny D deny always k/K kill once/always Tab L ?"
			  : "a allow e errno k kill l log n notify x default c cond u undo r redo s save / f Tab ? q");
	attroff(A_REVERSE);
	refresh();
}

/* The next key.  While none comes, the live feed is served (new sandboxes,
 * their calls, deadlines); with feed_wakes, KEY_FEED when what it shows
 * changed (at most every 100 ms, so that a flood does not redraw for
 * ever).  ERR when the terminal is gone. */
static int getkey(struct view *v, bool feed_wakes)
{
	struct tj_edit_feed *f = v->o->feed;
	for (;;) {
		/* ncurses may hold keys it read already: poll would not see them. */
		nodelay(stdscr, TRUE);
		int c = getch();
		nodelay(stdscr, FALSE);
		if (c != ERR)
			return c;
		long long since = now_ms() - v->drawn_ms;
		if (feed_wakes && f && f->changes != v->seen && since >= 100)
			return KEY_FEED;
		struct pollfd p[128];
		p[0] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
		int timeout = -1;
		size_t n = f ? tj_edit_feed_pollfds(f, p + 1, TJ_ARRAY_SIZE(p) - 1, &timeout) : 0;
		if (feed_wakes && f && f->changes != v->seen && (timeout < 0 || 100 - since < timeout))
			timeout = (int)(100 - since);
		int r = poll(p, 1 + n, timeout);
		if (r < 0 && errno != EINTR)
			return ERR;
		if (f)
			tj_edit_feed_dispatch(f, p + 1, r > 0 ? n : 0);
		if (r > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			return getch(); /* ERR at the end of input */
		if (r < 0)
			return KEY_RESIZE; /* a signal, most likely SIGWINCH: draw again */
	}
}

/* Reads a line at the status line; false when cancelled (Esc). */
static bool prompt(struct view *v, const char *label, char *buf, size_t size)
{
	size_t n = strlen(buf);
	for (;;) {
		move(LINES - 2, 0);
		clrtoeol();
		mvprintw(LINES - 2, 0, "%s%s", label, buf);
		refresh();
		int c = getkey(v, false);
		if (c == 27 || c == ERR)
			return false;
		if (c == '\n' || c == KEY_ENTER || c == '\r')
			return true;
		if ((c == KEY_BACKSPACE || c == 127 || c == 8) && n)
			buf[--n] = '\0';
		else if (c >= 32 && c < 127 && n + 1 < size) {
			buf[n++] = (char)c;
			buf[n] = '\0';
		}
	}
}

static void report(struct view *v, struct tj_err *e, const char *ok)
{
	if (e) {
		char *t = tj_err_format(e);
		snprintf(v->status, sizeof(v->status), "refused: %s", t);
		free(t);
		tj_err_free(e);
	} else
		snprintf(v->status, sizeof(v->status), "%s", ok);
}

static bool parse_errno(const char *s, unsigned *out)
{
	uint64_t n;
	if (tj_parse_u64(s, &n) && n <= TJ_ERRNO_MAX) {
		*out = (unsigned)n;
		return true;
	}
	for (int e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);
		if (name && strcasecmp(name, s) == 0) {
			*out = (unsigned)e;
			return true;
		}
	}
	return false;
}

static void apply(struct view *v, enum tj_action a, unsigned errnum)
{
	struct tj_err *e = NULL;
	const struct tj_sysgroup *g = current_group(v);
	const struct tj_edit_row *r = selected(v);
	int rc;
	char what[128];
	if (v->focus_groups && g) {
		rc = tj_edit_set_group_action(v->m, g->name, a, errnum, &e);
		snprintf(what, sizeof(what), "%s", g->name);
	} else if (r) {
		snprintf(what, sizeof(what), "%s", r->name);
		rc = tj_edit_set_action(v->m, what, a, errnum, &e);
	} else
		return;
	char act[64], ok[256];
	tj_edit_action_text(a, errnum, act, sizeof(act));
	snprintf(ok, sizeof(ok), "%s: %s", what, act);
	report(v, rc < 0 ? e : NULL, ok);
	refilter(v);
}

static void ask_errno(struct view *v)
{
	char buf[32] = "EPERM";
	if (!prompt(v, "errno (name or number, Enter): ", buf, sizeof(buf)))
		return;
	unsigned n;
	if (!parse_errno(buf, &n)) {
		snprintf(v->status, sizeof(v->status), "unknown errno '%s'", buf);
		return;
	}
	apply(v, TJ_ACT_ERRNO, n);
}

static void show_lines(struct view *v, const char *title, const struct tj_strv *lines);

/* An answer to the selected waiting call. */
static void feed_answer(struct view *v, enum tj_edit_answer a)
{
	const struct tj_edit_request *q = feed_selected(v);
	if (!q) {
		snprintf(v->status, sizeof(v->status), "no call is waiting");
		return;
	}
	uint64_t ticket = q->ticket;
	unsigned errnum = EPERM;
	if (a == TJ_EDIT_DENY_ONCE || a == TJ_EDIT_DENY_ALWAYS) {
		char buf[32] = "EPERM";
		if (!prompt(v, "deny with errno (name or number, Enter): ", buf, sizeof(buf)))
			return;
		if (!parse_errno(buf, &errnum)) {
			snprintf(v->status, sizeof(v->status), "unknown errno '%s'", buf);
			return;
		}
	}
	char msg[512];
	struct tj_err *e = NULL;
	if (tj_edit_feed_answer(v->o->feed, ticket, a, errnum, msg, sizeof(msg), &e) < 0)
		report(v, e, "");
	else
		snprintf(v->status, sizeof(v->status), "%s", msg);
	refilter(v);
}

/* L: what the feed saw, per syscall, and its events. */
static void feed_log(struct view *v)
{
	const struct tj_edit_feed *f = v->o->feed;
	struct tj_strv lines = {0};
	tj_strv_add_owned(&lines, tj_xasprintf("%-22s %9s %9s %9s %9s %9s", "syscall", "asked", "allowed", "denied",
					       "killed", "waiting"));
	for (size_t i = 0; i < f->ncounts; i++) {
		const struct tj_edit_count *c = &f->counts[i];
		size_t waiting = 0;
		for (size_t k = 0; k < f->nreq; k++)
			waiting += f->req[k].data.arch == c->arch && f->req[k].data.nr == c->nr;
		char name[64];
		tj_syscall_name(c->arch, c->nr, name, sizeof(name));
		tj_strv_add_owned(&lines,
				  tj_xasprintf("%-22s %9llu %9llu %9llu %9llu %9zu", name, (unsigned long long)c->asked,
					       (unsigned long long)c->allowed, (unsigned long long)c->denied,
					       (unsigned long long)c->killed, waiting));
	}
	tj_strv_add(&lines, "");
	for (size_t i = 0; i < f->log.n; i++)
		tj_strv_add(&lines, f->log.v[i]);
	show_lines(v, "live feed: calls per syscall, then what happened (oldest first)", &lines);
	tj_strv_done(&lines);
}

/* c: a condition chosen by name from the decoder's tables. */
static void condition(struct view *v)
{
	const struct tj_edit_row *r = selected(v);
	if (!r)
		return;
	struct item {
		unsigned index;
		const struct tj_decode_table *t;
		const struct tj_decode_name *n;
		bool on;
	} items[512];
	size_t n = 0;
	for (unsigned i = 0; i < TJ_SYSCALL_ARGS; i++) {
		const struct tj_decode_table *t[2];
		size_t nt = tj_decode_tables(r->nr, i, t, 2);
		for (size_t k = 0; k < nt; k++)
			for (const struct tj_decode_name *x = t[k]->names; x->name && n < TJ_ARRAY_SIZE(items); x++)
				items[n++] = (struct item){.index = i, .t = t[k], .n = x};
	}
	if (!n) {
		snprintf(v->status, sizeof(v->status), "%s: no named argument values to choose from", r->name);
		return;
	}
	size_t sel = 0, top = 0;
	char name[64];
	snprintf(name, sizeof(name), "%s", r->name);
	for (;;) {
		erase();
		mvprintw(0, 0, "condition for %s: Space marks values, Enter chooses the action, Esc cancels", name);
		int h = LINES - 3;
		if (sel < top)
			top = sel;
		if (sel >= top + (size_t)h)
			top = sel - (size_t)h + 1;
		for (int i = 0; i < h && top + (size_t)i < n; i++) {
			const struct item *it = &items[top + (size_t)i];
			if (top + (size_t)i == sel)
				attron(A_REVERSE);
			mvprintw(1 + i, 0, "[%c] arg%u %-18s %s", it->on ? 'x' : ' ', it->index, it->t->what,
				 it->n->name);
			if (top + (size_t)i == sel)
				attroff(A_REVERSE);
		}
		mvprintw(LINES - 1, 0, "flags: the call may use only the marked ones; values: one of the marked");
		refresh();
		int c = getkey(v, false);
		if (c == 27 || c == 'q' || c == ERR)
			return;
		if ((c == KEY_DOWN || c == 'j') && sel + 1 < n)
			sel++;
		else if ((c == KEY_UP || c == 'k') && sel)
			sel--;
		else if (c == ' ')
			items[sel].on = !items[sel].on;
		else if (c == '\n' || c == KEY_ENTER || c == '\r')
			break;
	}
	/* One comparison per (argument, table): flag words allow the marked
	 * bits only; a value list gives one rule per marked value. */
	struct tj_arg flags_args[TJ_SYSCALL_ARGS];
	size_t nflags = 0;
	const struct item *values[64];
	size_t nvalues = 0;
	for (size_t i = 0; i < n; i++) {
		if (!items[i].on)
			continue;
		if (items[i].t->flags) {
			bool found = false;
			for (size_t k = 0; k < nflags; k++)
				if (flags_args[k].index == items[i].index) {
					flags_args[k].value &= ~items[i].n->value;
					found = true;
				}
			if (!found)
				flags_args[nflags++] = (struct tj_arg){.index = items[i].index,
								       .op = TJ_CMP_MASKED_EQ,
								       .value = items[i].t->mask & ~items[i].n->value,
								       .value_two = 0};
		} else if (nvalues < TJ_ARRAY_SIZE(values))
			values[nvalues++] = &items[i];
	}
	if (!nflags && !nvalues) {
		snprintf(v->status, sizeof(v->status), "no value marked: nothing changed");
		return;
	}
	char a[8] = "a";
	if (!prompt(v, "action when it holds: a allow, e errno (EPERM), k kill, l log: ", a, sizeof(a)))
		return;
	enum tj_action act = a[0] == 'k'   ? TJ_ACT_KILL_PROCESS
			     : a[0] == 'e' ? TJ_ACT_ERRNO
			     : a[0] == 'l' ? TJ_ACT_LOG
					   : TJ_ACT_ALLOW;
	struct tj_err *e = NULL;
	int rc = 0;
	size_t rules = 0;
	for (size_t i = 0; rc == 0 && i < (nvalues ? nvalues : 1); i++) {
		struct tj_arg args[TJ_SYSCALL_ARGS + 1];
		size_t na = 0;
		memcpy(args, flags_args, nflags * sizeof(*args));
		na = nflags;
		if (nvalues) {
			const struct item *it = values[i];
			args[na++] = it->t->mask == UINT64_MAX ? (struct tj_arg){.index = it->index,
										 .op = TJ_CMP_EQ,
										 .value = it->n->value}
							       : (struct tj_arg){.index = it->index,
										 .op = TJ_CMP_MASKED_EQ,
										 .value = it->t->mask,
										 .value_two = it->n->value};
		}
		rc = tj_edit_add_condition(v->m, name, act, EPERM, args, na, NULL, &e);
		rules += rc == 0;
	}
	char ok[128];
	snprintf(ok, sizeof(ok), "%s: %zu conditional rule%s added", name, rules, rules == 1 ? "" : "s");
	report(v, rc < 0 ? e : NULL, ok);
	refilter(v);
}

static void show_lines(struct view *v, const char *title, const struct tj_strv *lines)
{
	size_t top = 0;
	for (;;) {
		erase();
		attron(A_REVERSE);
		mvhline(0, 0, ' ', COLS);
		mvaddnstr(0, 0, title, COLS);
		attroff(A_REVERSE);
		int h = LINES - 2;
		for (int i = 0; i < h && top + (size_t)i < lines->n; i++)
			mvaddnstr(1 + i, 0, lines->v[top + (size_t)i], COLS);
		if (!lines->n)
			mvaddstr(1, 0, "(nothing)");
		mvaddnstr(LINES - 1, 0, "Up/Down scroll, any other key returns", COLS);
		refresh();
		int c = getkey(v, false);
		if (c == KEY_DOWN && top + 1 < lines->n)
			top++;
		else if (c == KEY_UP && top)
			top--;
		else if (c != KEY_RESIZE)
			return;
	}
}

static const char *const help_text[] = {
	"tinyjail edit: change a profile's seccomp rules and save them as OCI JSON",
	"",
	"Tab          switch between the groups (left) and the syscalls",
	"Up/Down PgUp/PgDn Home/End   move",
	"/            search syscalls by name (empty: all)",
	"f            filter: all, allowed, denied, killed, with rules (, used in the log)",
	"a            allow the syscall (in the groups pane: the whole group)",
	"e            deny with an errno (asks which; EPERM by default)",
	"k            kill the process (SCMP_ACT_KILL_PROCESS)",
	"l  n         log (allow and log); notify (ask a seccomp agent)",
	"x            back to the default action (no rule names it)",
	"c            a condition on the arguments, chosen by name (socket families, flags, ...)",
	"D            set the default action",
	"d            the unsaved changes, per syscall",
	"u  r         undo, redo",
	"s            save (checked first; the old file kept as FILE.bak)",
	"q            quit (asks when there are unsaved changes)",
	"",
	"With --listen SOCK (tinyjail --profile FILE --notify-socket SOCK -- CMD elsewhere):",
	"F or Tab     the live feed: calls the profile does not decide wait there, oldest first",
	"  a          allow this call once",
	"  A          allow always, for calls with these argument values (the class shown below)",
	"  W          allow always, whatever the arguments",
	"  d  D       deny once / always, with an errno (asks which; EPERM by default)",
	"  k  K       kill the calling process once / always",
	"  L          calls per syscall (asked, allowed, denied, killed, waiting) and the events",
	"  \"Always\" adds a rule and saves the file at once (with your other unsaved changes);",
	"  quitting the editor fails the waiting calls (ENOSYS), never lets them through.",
	"With --log FILE, f also filters the syscalls used in that log.",
	"",
	"The lower pane shows why the selected syscall gets its action and lint findings about it.",
};

static void save(struct view *v)
{
	if (v->o->read_only) {
		snprintf(v->status, sizeof(v->status), "%s is read-only: not saved", v->m->display);
		return;
	}
	struct tj_err *e = NULL;
	bool bak = false;
	if (tj_edit_save(v->m, &bak, &e) < 0) {
		char *t = tj_err_format(e);
		struct tj_strv lines = {0};
		tj_strv_add(&lines, "The profile was not saved; the file is unchanged:");
		tj_strv_add_owned(&lines, t);
		show_lines(v, "not saved", &lines);
		tj_strv_done(&lines);
		tj_err_free(e);
		snprintf(v->status, sizeof(v->status), "not saved");
		return;
	}
	snprintf(v->status, sizeof(v->status), "saved %s%s", v->m->display, bak ? " (old content in .bak)" : "");
	refilter(v);
}

static void set_default(struct view *v)
{
	char a[16] = "";
	if (!prompt(v, "default action: a allow, e errno, k kill, l log, n notify: ", a, sizeof(a)))
		return;
	unsigned errnum = EPERM;
	enum tj_action act;
	switch (a[0]) {
	case 'a': act = TJ_ACT_ALLOW; break;
	case 'k': act = TJ_ACT_KILL_PROCESS; break;
	case 'l': act = TJ_ACT_LOG; break;
	case 'n': act = TJ_ACT_NOTIFY; break;
	case 'e': {
		char b[32] = "EPERM";
		if (!prompt(v, "errno: ", b, sizeof(b)) || !parse_errno(b, &errnum)) {
			snprintf(v->status, sizeof(v->status), "not changed");
			return;
		}
		act = TJ_ACT_ERRNO;
		break;
	}
	default: snprintf(v->status, sizeof(v->status), "not changed"); return;
	}
	struct tj_err *e = NULL;
	char t[64], ok[96];
	tj_edit_action_text(act, errnum, t, sizeof(t));
	snprintf(ok, sizeof(ok), "default: %s", t);
	report(v, tj_edit_set_default(v->m, act, errnum, &e) < 0 ? e : NULL, ok);
	refilter(v);
}

static void quit(struct view *v)
{
	if (!tj_edit_dirty(v->m) || v->o->read_only) {
		v->quit = true;
		return;
	}
	char a[8] = "";
	if (!prompt(v, "unsaved changes: s save and quit, y quit without saving, Esc stay: ", a, sizeof(a)))
		return;
	if (a[0] == 'y')
		v->quit = true;
	else if (a[0] == 's') {
		save(v);
		v->quit = !tj_edit_dirty(v->m);
	}
}

static void move_sel(struct view *v, long delta)
{
	size_t ng;
	tj_sysgroups(&ng);
	size_t *p = v->focus_groups ? &v->group : &v->sel;
	size_t n = v->focus_groups ? ng + 1 : v->nvis;
	if (!n)
		return;
	long to = (long)*p + delta;
	if (to < 0)
		to = 0;
	if (to >= (long)n)
		to = (long)n - 1;
	*p = (size_t)to;
	if (v->focus_groups) {
		v->sel = 0;
		v->top = 0;
		refilter(v);
	}
}

/* Keys of the feed pane; false when c is not one. */
static bool feed_key(struct view *v, int c)
{
	struct tj_edit_feed *f = v->o->feed;
	switch (c) {
	case 'a': feed_answer(v, TJ_EDIT_ALLOW_ONCE); return true;
	case 'A': feed_answer(v, TJ_EDIT_ALLOW_VALUES); return true;
	case 'W': feed_answer(v, TJ_EDIT_ALLOW_ANY); return true;
	case 'd': feed_answer(v, TJ_EDIT_DENY_ONCE); return true;
	case 'D': feed_answer(v, TJ_EDIT_DENY_ALWAYS); return true;
	case 'k': feed_answer(v, TJ_EDIT_KILL_ONCE); return true;
	case 'K': feed_answer(v, TJ_EDIT_KILL_ALWAYS); return true;
	case KEY_UP:
	case KEY_DOWN:
	case KEY_HOME:
	case KEY_END:
		if (f->nreq) {
			feed_selected(v);
			if (c == KEY_UP && v->fsel)
				v->fsel--;
			else if (c == KEY_DOWN && v->fsel + 1 < f->nreq)
				v->fsel++;
			else if (c == KEY_HOME)
				v->fsel = 0;
			else if (c == KEY_END)
				v->fsel = f->nreq - 1;
			v->fticket = f->req[v->fsel].ticket;
		}
		return true;
	default: return false;
	}
}

static void key(struct view *v, int c)
{
	int page = LINES > 12 ? LINES - 12 : 1;
	v->status[0] = '\0';
	if (v->focus_feed && feed_key(v, c))
		return;
	switch (c) {
	case KEY_UP: move_sel(v, -1); break;
	case KEY_DOWN: move_sel(v, 1); break;
	case KEY_PPAGE: move_sel(v, -page); break;
	case KEY_NPAGE: move_sel(v, page); break;
	case KEY_HOME: move_sel(v, -100000); break;
	case KEY_END: move_sel(v, 100000); break;
	case '\t':
		/* groups -> syscalls -> feed (with --listen) -> groups */
		if (v->focus_groups)
			v->focus_groups = false;
		else if (v->o->feed && !v->focus_feed)
			v->focus_feed = true;
		else {
			v->focus_feed = false;
			v->focus_groups = true;
		}
		break;
	case 'F':
		if (v->o->feed) {
			v->focus_feed = true;
			v->focus_groups = false;
		}
		break;
	case 'L':
		if (v->o->feed)
			feed_log(v);
		break;
	case '/': {
		v->focus_feed = false;
		char b[64];
		snprintf(b, sizeof(b), "%s", v->search);
		if (prompt(v, "search: ", b, sizeof(b))) {
			snprintf(v->search, sizeof(v->search), "%s", b);
			v->focus_groups = false;
			refilter(v);
		}
		break;
	}
	case 'f':
		v->filter = (v->filter + 1) % F_MAX;
		if (v->filter == F_USED && !v->o->log_path)
			v->filter = F_ALL; /* "used in the log" needs --log */
		refilter(v);
		break;
	case 'a': apply(v, TJ_ACT_ALLOW, 0); break;
	case 'e': ask_errno(v); break;
	case 'k': apply(v, TJ_ACT_KILL_PROCESS, 0); break;
	case 'l': apply(v, TJ_ACT_LOG, 0); break;
	case 'n': apply(v, TJ_ACT_NOTIFY, 0); break;
	case 'x': {
		const struct tj_edit_row *r = selected(v);
		if (!r || v->focus_groups)
			break;
		struct tj_err *e = NULL;
		char name[64], ok[96];
		snprintf(name, sizeof(name), "%s", r->name);
		snprintf(ok, sizeof(ok), "%s: the default action", name);
		report(v, tj_edit_clear(v->m, name, &e) < 0 ? e : NULL, ok);
		refilter(v);
		break;
	}
	case 'c': condition(v); break;
	case 'D': set_default(v); break;
	case 'u':
	case 'r':
	case 18: /* ^R */ {
		const char *w = c == 'u' ? tj_edit_undo(v->m) : tj_edit_redo(v->m);
		snprintf(v->status, sizeof(v->status), "%s%s", w ? (c == 'u' ? "undone: " : "redone: ") : "",
			 w ? w : (c == 'u' ? "nothing to undo" : "nothing to redo"));
		refilter(v);
		break;
	}
	case 'd': {
		struct tj_strv lines = {0};
		tj_edit_diff(v->m, &lines);
		show_lines(v, "unsaved changes (+ added, - removed, ~ changed)", &lines);
		tj_strv_done(&lines);
		break;
	}
	case 's': save(v); break;
	case '?': {
		struct tj_strv lines = {0};
		for (size_t i = 0; i < TJ_ARRAY_SIZE(help_text); i++)
			tj_strv_add(&lines, help_text[i]);
		show_lines(v, "help", &lines);
		tj_strv_done(&lines);
		break;
	}
	case 'q': quit(v); break;
	default: break;
	}
}

int tj_edit_view_run(struct tj_edit_model *m, const struct tj_edit_opts *o, struct tj_err **err)
{
	char why[256];
	if (TJ_DYNLIB_LOAD(nc, TJ_SONAME_NCURSES, why, sizeof(why)) < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "cannot load ncurses for the editor: %s", why);
	setlocale(LC_ALL, "");
	if (!newterm(NULL, stdout, stdin))
		return tj_err_set(err, TJ_ERR_USAGE, 0, "cannot use this terminal (TERM=%s)",
				  getenv("TERM") ? getenv("TERM") : "");
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(50);
	struct view v = {.m = m, .o = o};
	v.color = has_colors() && !(getenv("NO_COLOR") && getenv("NO_COLOR")[0]);
	if (v.color) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_GREEN, -1);
		init_pair(2, COLOR_RED, -1);
		init_pair(3, COLOR_YELLOW, -1);
	}
	refilter(&v);
	if (o->feed)
		v.focus_feed = true; /* the calls are what the person came for */
	if (o->read_only)
		snprintf(v.status, sizeof(v.status), "%s is read-only: changes cannot be saved", m->display);
	else
		snprintf(v.status, sizeof(v.status), "%zu syscalls; ? for help", m->nrows);
	while (!v.quit) {
		draw(&v);
		int c = getkey(&v, true);
		if (c == KEY_RESIZE || c == KEY_FEED)
			continue;
		if (c == ERR)
			break;
		if (LINES < MIN_LINES || COLS < MIN_COLS) {
			if (c == 'q')
				quit(&v);
			continue;
		}
		key(&v, c);
		/* An edit may decide calls that wait. */
		if (o->feed && o->feed->nreq)
			tj_edit_feed_settle(o->feed);
	}
	endwin();
	free(v.vis);
	return 0;
}

int tj_edit_view_message(const char *title, const char *text, struct tj_err **err)
{
	char why[256];
	if (TJ_DYNLIB_LOAD(nc, TJ_SONAME_NCURSES, why, sizeof(why)) < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "cannot load ncurses for the editor: %s", why);
	setlocale(LC_ALL, "");
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "cannot use this terminal (TERM=%s)",
				  getenv("TERM") ? getenv("TERM") : "");
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	for (;;) {
		erase();
		attron(A_REVERSE);
		mvhline(0, 0, ' ', COLS);
		mvaddnstr(0, 0, title, COLS);
		attroff(A_REVERSE);
		/* The text wrapped at the screen's width, its lines kept. */
		int y = 2, x = 0;
		for (const char *p = text; *p && y < LINES - 2; p++) {
			if (*p == '\n' || x >= COLS) {
				y++;
				x = 0;
				if (*p == '\n')
					continue;
			}
			if (y < LINES - 2)
				mvaddch(y, x++, (unsigned char)*p);
		}
		mvaddnstr(LINES - 1, 0, "nothing was written; any key quits", COLS);
		refresh();
		int c = getch();
		if (c != KEY_RESIZE)
			break;
	}
	endwin();
	delscreen(scr);
	return 0;
}
