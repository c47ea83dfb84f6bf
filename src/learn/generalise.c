/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rendering a learned model as a profile (model.h, tj_learn_render):
 * generalisation, group folding, and the provenance comments.
 *
 * Generalisation covers what a run could not show but the next libc, or the
 * same program on other input, will do (notes/learn.md):
 *   - syscalls libc uses interchangeably (open/openat, the stat family,
 *     getdents/getdents64, poll/ppoll, ...): one member made means all;
 *   - clone, fork and vfork stand for each other with the flags they imply;
 *     clone3 and openat2, whose arguments are in memory, are answered
 *     ENOSYS so that callers fall back to the checkable call;
 *   - argument values that differ only by the situation (the fcntl calls on
 *     a descriptor's flags, the terminal queries of isatty and the window
 *     size, a socket's default protocol, memory protections within those
 *     seen: writable and executable only if seen);
 *   - rseq, restart_syscall, rt_sigreturn, exit and exit_group, which the
 *     kernel and libc make whatever the program does.
 * --exact turns all of it off except clone3's ENOSYS, without which no
 * thread or process could start under the profile.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "learn_internal.h"
#include "tj/base/cleanup.h"
#include "tj/filter/filter.h"
#include "tj/model/sysgroups.h"

/* One rule to write. */
struct item {
	char *name;
	enum tj_action action;
	unsigned errnum;
	struct tj_arg args[TJ_LEARN_MAX_ARGS];
	size_t nargs;
	char *comment;
	bool generalised;
	bool folded; /* went into a group rule */
};

struct items {
	struct item *v;
	size_t n;
};

static struct item *add_item(struct items *it, const char *name, enum tj_action action, unsigned errnum,
			     const struct tj_arg *args, size_t nargs, char *comment, bool generalised)
{
	it->v = tj_xrealloc(it->v, (it->n + 1) * sizeof(*it->v));
	struct item *i = &it->v[it->n++];
	*i = (struct item){.name = tj_xstrdup(name),
			   .action = action,
			   .errnum = errnum,
			   .nargs = nargs,
			   .comment = comment,
			   .generalised = generalised};
	if (nargs)
		memcpy(i->args, args, nargs * sizeof(*args));
	return i;
}

static void items_done(struct items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		free(it->v[i].name);
		free(it->v[i].comment);
	}
	free(it->v);
}

static bool allows(const struct items *it, const char *name)
{
	for (size_t i = 0; i < it->n; i++)
		if (it->v[i].action == TJ_ACT_ALLOW && strcmp(it->v[i].name, name) == 0)
			return true;
	return false;
}

static bool names_any(const struct items *it, const char *name)
{
	for (size_t i = 0; i < it->n; i++)
		if (it->v[i].name[0] == name[0] && strcmp(it->v[i].name, name) == 0)
			return true;
	return false;
}

static bool same_args(const struct item *a, const struct tj_arg *args, size_t nargs)
{
	if (a->nargs != nargs)
		return false;
	for (size_t i = 0; i < nargs; i++)
		if (a->args[i].index != args[i].index || a->args[i].op != args[i].op ||
		    a->args[i].value != args[i].value || a->args[i].value_two != args[i].value_two)
			return false;
	return true;
}

/* Adds an allowing rule unless one with the same comparisons is there. */
static void generalise_allow(struct items *it, const char *name, const struct tj_arg *args, size_t nargs, char *comment)
{
	for (size_t i = 0; i < it->n; i++) {
		const struct item *x = &it->v[i];
		/* An allowing rule without comparisons covers every class. */
		if (x->action == TJ_ACT_ALLOW && strcmp(x->name, name) == 0 &&
		    (x->nargs == 0 || same_args(x, args, nargs))) {
			free(comment);
			return;
		}
	}
	add_item(it, name, TJ_ACT_ALLOW, 0, args, nargs, comment, true);
}

/* --- libc drift: syscalls that stand for each other --- */

static const char *const equivalents[][6] = {
	{"stat", "fstat", "lstat", "newfstatat", "statx", NULL},
	{"access", "faccessat", "faccessat2", NULL},
	{"getdents", "getdents64", NULL},
	{"poll", "ppoll", NULL},
	{"select", "pselect6", NULL},
	{"epoll_wait", "epoll_pwait", "epoll_pwait2", NULL},
	{"epoll_create", "epoll_create1", NULL},
	{"dup2", "dup3", NULL},
	{"pipe", "pipe2", NULL},
	{"accept", "accept4", NULL},
	{"signalfd", "signalfd4", NULL},
	{"eventfd", "eventfd2", NULL},
	{"inotify_init", "inotify_init1", NULL},
	{"readlink", "readlinkat", NULL},
	{"rename", "renameat", "renameat2", NULL},
	{"mkdir", "mkdirat", NULL},
	{"rmdir", "unlink", "unlinkat", NULL},
	{"link", "linkat", NULL},
	{"symlink", "symlinkat", NULL},
	/* The same change of a file's mode by path or by descriptor (tar
	 * restores a directory's mode with chmod, files' with fchmod). */
	{"chmod", "fchmod", "fchmodat", "fchmodat2", NULL},
	{"chown", "lchown", "fchownat", NULL},
	{"utime", "utimes", "futimesat", "utimensat", NULL},
	{"nanosleep", "clock_nanosleep", NULL},
	{"time", "gettimeofday", "clock_gettime", NULL},
	{"wait4", "waitid", NULL},
	{"sendfile", "copy_file_range", NULL},
};

static char *members_text(const char *const *names)
{
	struct tj_buf b = {0};
	for (size_t k = 0; names[k]; k++)
		tj_buf_addf(&b, "%s%s", k ? ", " : "", names[k]);
	return tj_buf_steal(&b);
}

static void generalise_names(struct items *it)
{
	for (size_t c = 0; c < TJ_ARRAY_SIZE(equivalents); c++) {
		const char *const *cls = equivalents[c];
		const char *seen = NULL;
		for (size_t k = 0; cls[k] && !seen; k++)
			if (allows(it, cls[k]))
				seen = cls[k];
		if (!seen)
			continue;
		tj_autofree char *all = members_text(cls);
		for (size_t k = 0; cls[k]; k++) {
			if (names_any(it, cls[k]))
				continue;
			add_item(it, cls[k], TJ_ACT_ALLOW, 0, NULL, 0,
				 tj_xasprintf(TJ_LEARN_GENERALISED "libc uses it where it used %s (%s)", seen, all),
				 true);
		}
	}
}

/* open and openat: the same classes, the flags at index 1 and 2. */
static void generalise_open(struct items *it)
{
	const struct tj_syscall_argspec *so = tj_argspec_find_name("open"), *sa = tj_argspec_find_name("openat");
	const struct {
		const struct tj_syscall_argspec *from, *to;
	} pairs[] = {{so, sa}, {sa, so}};
	size_t n = it->n;
	for (size_t p = 0; p < 2; p++) {
		for (size_t i = 0; i < n; i++) {
			const struct item *x = &it->v[i];
			if (x->action != TJ_ACT_ALLOW || strcmp(x->name, pairs[p].from->name) != 0 || x->nargs != 1)
				continue;
			uint64_t v;
			if (!tj_argspec_from_comparison(&pairs[p].from->args[0], &x->args[0], &v))
				continue;
			struct tj_arg a;
			tj_argspec_comparison(&pairs[p].to->args[0], v, &a);
			struct tj_buf why = {0};
			tj_buf_addf(&why, TJ_LEARN_GENERALISED "libc uses %s where it used %s (open, openat); ",
				    pairs[p].to->name, pairs[p].from->name);
			tj_argspec_describe(&pairs[p].to->args[0], v, &why);
			generalise_allow(it, pairs[p].to->name, &a, 1, tj_buf_steal(&why));
		}
	}
	if ((allows(it, "open") || allows(it, "openat")) && !names_any(it, "openat2"))
		add_item(it, "openat2", TJ_ACT_ERRNO, ENOSYS, NULL, 0,
			 tj_xstrdup(TJ_LEARN_GENERALISED "answered ENOSYS: its flags are in memory, where seccomp "
							 "cannot check them, and callers fall back to openat"),
			 true);
}

#define CSIGCHLD 17ull
#define FORK_FLAGS (0x1000000ull | 0x200000ull | CSIGCHLD) /* CHILD_SETTID|CHILD_CLEARTID|SIGCHLD: glibc's fork */
#define VFORK_FLAGS (0x100ull | 0x4000ull | CSIGCHLD)	   /* CLONE_VM|CLONE_VFORK|SIGCHLD */

static uint64_t clone_union(const struct items *it)
{
	const struct tj_syscall_argspec *sc = tj_argspec_find_name("clone");
	uint64_t u = 0;
	for (size_t i = 0; i < it->n; i++) {
		const struct item *x = &it->v[i];
		uint64_t v;
		if (x->action == TJ_ACT_ALLOW && strcmp(x->name, "clone") == 0 && x->nargs == 1 &&
		    tj_argspec_from_comparison(&sc->args[0], &x->args[0], &v))
			u |= v;
	}
	return u;
}

/* clone, fork and vfork, with the flags each implies. */
static void generalise_clone(struct items *it)
{
	const struct tj_syscall_argspec *sc = tj_argspec_find_name("clone");
	uint64_t u = clone_union(it);
	bool clone_any = false;
	for (size_t i = 0; i < it->n; i++)
		clone_any |= it->v[i].action == TJ_ACT_ALLOW && strcmp(it->v[i].name, "clone") == 0 && !it->v[i].nargs;
	const struct {
		const char *name;
		uint64_t flags;
	} forms[] = {{"fork", FORK_FLAGS}, {"vfork", VFORK_FLAGS}};
	for (size_t f = 0; f < 2; f++) {
		if (allows(it, forms[f].name) && !clone_any && (u & forms[f].flags) != forms[f].flags) {
			struct tj_arg a;
			tj_argspec_comparison(&sc->args[0], forms[f].flags, &a);
			struct tj_buf why = {0};
			tj_buf_addf(&why, TJ_LEARN_GENERALISED "libc makes %s as clone; clone flags within ",
				    forms[f].name);
			tj_argspec_describe(&sc->args[0], forms[f].flags, &why);
			generalise_allow(it, "clone", &a, 1, tj_buf_steal(&why));
		}
	}
	u = clone_union(it);
	for (size_t f = 0; f < 2; f++)
		if (!names_any(it, forms[f].name) &&
		    (clone_any || (u & (forms[f].flags & ~0x1200000ull)) == (forms[f].flags & ~0x1200000ull)))
			add_item(it, forms[f].name, TJ_ACT_ALLOW, 0, NULL, 0,
				 tj_xasprintf(TJ_LEARN_GENERALISED "the clone flags allowed include what %s does",
					      forms[f].name),
				 true);
}

/* clone3's arguments are in a struct in memory: ENOSYS makes libc use clone. */
static void clone3_enosys(struct items *it)
{
	if (names_any(it, "clone3") || !(allows(it, "clone") || allows(it, "fork") || allows(it, "vfork")))
		return;
	add_item(it, "clone3", TJ_ACT_ERRNO, ENOSYS, NULL, 0,
		 tj_xstrdup(TJ_LEARN_GENERALISED "answered ENOSYS: its flags are in memory, where seccomp cannot "
						 "check them, and libc falls back to clone, whose flags are checked"),
		 true);
}

/* --- argument values that differ only by the situation --- */

struct value_class {
	const char *syscall;
	const char *what;
	uint64_t values[8];
	size_t n;
};

static const struct value_class value_classes[] = {
	{"fcntl", "a descriptor's flags", {0, 1, 2, 3, 4, 1030}, 6},
	{"fcntl", "record locks", {5, 6, 7, 36, 37, 38}, 6},
	{"fcntl", "a pipe's size", {1031, 1032}, 2},
	/* Questions about a descriptor that change nothing: isatty() is
	 * TCGETS, programs that find a terminal ask its size and process
	 * group next, and programs that read ask how much is there. */
	{"ioctl", "read-only descriptor queries", {0x5401, 0x5413, 0x540F, 0x541B}, 4},
	{"ioctl", "a descriptor's flags", {0x5450, 0x5451, 0x5421}, 3},
	{"prctl", "the thread's name", {15, 16}, 2},
};

static void generalise_values(struct items *it)
{
	size_t n = it->n;
	for (size_t c = 0; c < TJ_ARRAY_SIZE(value_classes); c++) {
		const struct value_class *vc = &value_classes[c];
		const struct tj_syscall_argspec *sp = tj_argspec_find_name(vc->syscall);
		const struct tj_argspec *a = &sp->args[0];
		uint64_t seen = 0;
		bool any = false;
		for (size_t i = 0; i < n && !any; i++) {
			const struct item *x = &it->v[i];
			uint64_t v;
			if (x->action != TJ_ACT_ALLOW || strcmp(x->name, vc->syscall) != 0 || x->nargs != 1 ||
			    !tj_argspec_from_comparison(a, &x->args[0], &v))
				continue;
			for (size_t k = 0; k < vc->n; k++)
				if (vc->values[k] == v) {
					any = true;
					seen = v;
				}
		}
		if (!any)
			continue;
		for (size_t k = 0; k < vc->n; k++) {
			struct tj_arg cmp;
			tj_argspec_comparison(a, vc->values[k], &cmp);
			struct tj_buf why = {0};
			tj_buf_addf(&why, TJ_LEARN_GENERALISED "the same class as ");
			tj_argspec_describe(a, seen, &why);
			tj_buf_addf(&why, " (%s): ", vc->what);
			tj_argspec_describe(a, vc->values[k], &why);
			generalise_allow(it, vc->syscall, &cmp, 1, tj_buf_steal(&why));
		}
	}
}

/* A socket's protocol 0 and the family's default protocol are the same. */
static void generalise_socket(struct items *it)
{
	const struct tj_syscall_argspec *sp = tj_argspec_find_name("socket");
	size_t n = it->n;
	for (size_t i = 0; i < n; i++) {
		const struct item *x = &it->v[i];
		if (x->action != TJ_ACT_ALLOW || strcmp(x->name, "socket") != 0 || x->nargs != 3)
			continue;
		uint64_t v[3];
		bool ok = true;
		for (size_t k = 0; k < 3; k++)
			ok &= tj_argspec_from_comparison(&sp->args[k], &x->args[k], &v[k]);
		if (!ok || (v[0] != 2 && v[0] != 10) || (v[1] != 1 && v[1] != 2))
			continue;
		uint64_t dflt = v[1] == 1 ? 6 /* TCP */ : 17 /* UDP */;
		if (v[2] != 0 && v[2] != dflt)
			continue;
		uint64_t other = v[2] == 0 ? dflt : 0;
		struct tj_arg a[3];
		for (size_t k = 0; k < 3; k++)
			tj_argspec_comparison(&sp->args[k], k == 2 ? other : v[k], &a[k]);
		generalise_allow(it, "socket", a, 3,
				 tj_xasprintf(TJ_LEARN_GENERALISED "protocol %llu is the default of this socket type, "
								   "as 0 is",
					      (unsigned long long)dflt));
	}
}

/* Memory protections within those seen, writable and executable together
 * only if seen; for mmap each with the flags seen with protections that
 * include it (so executable memory stays file-backed unless seen
 * anonymous). */
static void generalise_prot(struct items *it, const char *name)
{
	const struct tj_syscall_argspec *sp = tj_argspec_find_name(name);
	size_t n = it->n;
	uint64_t seen[8];
	uint64_t flags_of[8] = {0};
	size_t ns = 0;
	bool wx = false;
	uint64_t all = 0;
	for (size_t i = 0; i < n; i++) {
		const struct item *x = &it->v[i];
		if (x->action != TJ_ACT_ALLOW || strcmp(x->name, name) != 0 || x->nargs != sp->nargs)
			continue;
		uint64_t prot, flags = 0;
		if (!tj_argspec_from_comparison(&sp->args[0], &x->args[0], &prot) || prot > 7)
			continue;
		if (sp->nargs > 1 && !tj_argspec_from_comparison(&sp->args[1], &x->args[1], &flags))
			continue;
		if (ns < 8) {
			seen[ns] = prot;
			flags_of[ns++] = flags;
		}
		all |= prot;
		wx |= (prot & 6) == 6;
	}
	for (uint64_t p = 0; p <= 7; p++) {
		if ((p & ~all) || ((p & 6) == 6 && !wx))
			continue;
		uint64_t flags = 0;
		bool covered = false;
		for (size_t k = 0; k < ns; k++)
			if ((seen[k] & p) == p) {
				flags |= flags_of[k];
				covered = true;
			}
		if (!covered)
			continue;
		struct tj_arg a[2];
		tj_argspec_comparison(&sp->args[0], p, &a[0]);
		if (sp->nargs > 1)
			tj_argspec_comparison(&sp->args[1], flags, &a[1]);
		struct tj_buf why = {0};
		tj_buf_add(&why, TJ_LEARN_GENERALISED "a protection within those seen (writable and executable only "
						      "if seen): ");
		tj_argspec_describe(&sp->args[0], p, &why);
		if (sp->nargs > 1) {
			tj_buf_add(&why, ", mapping flags within ");
			tj_argspec_describe(&sp->args[1], flags, &why);
		}
		generalise_allow(it, name, a, sp->nargs, tj_buf_steal(&why));
	}
}

/* isatty() is ioctl(TCGETS), and whether a program asks depends on where
 * its output goes (a terminal, a pipe, a file), not on the program. */
static void generalise_isatty(struct items *it)
{
	const struct tj_syscall_argspec *sp = tj_argspec_find_name("ioctl");
	struct tj_arg a;
	tj_argspec_comparison(&sp->args[0], 0x5401 /* TCGETS */, &a);
	generalise_allow(it, "ioctl", &a, 1,
			 tj_xstrdup(TJ_LEARN_GENERALISED "always allowed: isatty() asks whether a descriptor is a "
							 "terminal, which depends on where the output goes; TCGETS"));
}

static void generalise_always(struct items *it)
{
	for (size_t k = 0; tj_sysgroup_always[k]; k++)
		if (!names_any(it, tj_sysgroup_always[k]))
			add_item(it, tj_sysgroup_always[k], TJ_ACT_ALLOW, 0, NULL, 0,
				 tj_xstrdup(TJ_LEARN_GENERALISED "always allowed: the kernel and libc make it whatever "
								 "the program does"),
				 true);
}

/* --- groups --- */

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct candidate {
	const struct tj_sysgroup *g;
	size_t size;
};

static int candidate_cmp(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->g->name, y->g->name);
}

/* The item that allows name for any arguments, alone: a group can stand
 * for it.  NULL when name has other rules too (a group would widen them). */
static struct item *sole_unconstrained(struct items *it, const char *name)
{
	struct item *found = NULL;
	for (size_t i = 0; i < it->n; i++) {
		struct item *x = &it->v[i];
		if (x->folded || x->name[0] != name[0] || strcmp(x->name, name) != 0)
			continue;
		if (found || x->action != TJ_ACT_ALLOW || x->nargs)
			return NULL;
		found = x;
	}
	return found;
}

static void fold_groups(struct items *it, unsigned share, size_t *ngroups)
{
	size_t ng;
	const struct tj_sysgroup *groups = tj_sysgroups(&ng);
	struct candidate *cand = tj_xcalloc(ng, sizeof(*cand));
	for (size_t i = 0; i < ng; i++)
		cand[i] = (struct candidate){&groups[i], tj_sysgroup_size(&groups[i])};
	qsort(cand, ng, sizeof(*cand), candidate_cmp);
	for (size_t c = 0; c < ng; c++) {
		const struct tj_sysgroup *g = cand[c].g;
		if (strcmp(g->name, "@known") == 0 || cand[c].size < 2)
			continue;
		/* Below 100%, the group adds syscalls nobody made: only groups
		 * of baseline or normal risk may. */
		if (share < 100 && g->risk > TJ_RISK_NORMAL)
			continue;
		struct tj_sysgroup_set set = {0};
		tj_sysgroup_set_add_group(&set, g, 0);
		size_t present = 0, made = 0;
		bool constrained = false, checkable = false;
		for (size_t k = 0; k < set.n; k++) {
			constrained |= !set.v[k].any_args;
			const struct item *x = sole_unconstrained(it, set.v[k].name);
			present += x != NULL;
			made += x && !x->generalised;
			/* A member the profile checks arguments of, or denies
			 * (openat2, clone3: ENOSYS), cannot go into a group that
			 * allows it for everything. */
			constrained |= !x && names_any(it, set.v[k].name);
			checkable |= tj_argspec_find_name(set.v[k].name) != NULL;
		}
		/* Every member allowed, or (--group-share) that share of the
		 * members made by the runs themselves, in a group with no member
		 * learn would check the arguments of (@default's mmap would
		 * otherwise come without its protections: W+X). */
		bool whole = present == set.n;
		bool share_ok = share < 100 && !checkable && made * 100 >= (size_t)share * set.n;
		if (constrained || present < 2 || !(whole || share_ok)) {
			tj_sysgroup_set_done(&set);
			continue;
		}
		struct tj_buf why = {0};
		if (present == set.n)
			tj_buf_addf(&why, TJ_LEARN_GROUP "%s, every member allowed", g->name);
		else
			tj_buf_addf(&why, TJ_LEARN_GROUP "%s, %zu of %zu members allowed", g->name, present, set.n);
		/* Members in name order, so the comment does not depend on the
		 * group table's order. */
		struct tj_strv names = {0};
		for (size_t k = 0; k < set.n; k++)
			tj_strv_add(&names, set.v[k].name);
		qsort(names.v, names.n, sizeof(char *), strp_cmp);
		for (size_t k = 0; k < names.n; k++) {
			struct item *x = sole_unconstrained(it, names.v[k]);
			tj_buf_addf(&why, " | %s: %s", names.v[k], x ? x->comment : "not made");
			if (x)
				x->folded = true;
		}
		tj_strv_done(&names);
		add_item(it, g->name, TJ_ACT_ALLOW, 0, NULL, 0, tj_buf_steal(&why), false);
		(*ngroups)++;
		tj_sysgroup_set_done(&set);
	}
	free(cand);
}

/* --- the profile --- */

static void top_comment(const struct tj_learn_model *m, struct tj_buf *b)
{
	tj_buf_addf(b, TJ_LEARN_TOP "%zu run%s: ", m->nruns, m->nruns == 1 ? "" : "s");
	for (size_t i = 0; i < m->nruns; i++) {
		const struct tj_learn_run *r = &m->runs[i];
		tj_buf_addf(b, "%s%s ", i ? "; " : "", r->id);
		tj_learn_quote(b, r->command);
		tj_buf_addf(b, " (%s)", r->outcome);
	}
}

static void count_stats(const struct items *it, const struct tj_learn_model *m, struct tj_learn_stats *st)
{
	/* Every allowed name, groups expanded, each once. */
	struct tj_strv names = {0}, generalised_only = {0};
	for (size_t i = 0; i < it->n; i++) {
		const struct item *x = &it->v[i];
		if (x->action != TJ_ACT_ALLOW || x->folded)
			continue;
		if (x->name[0] == '@') {
			struct tj_sysgroup_set set = {0};
			tj_sysgroup_set_add_group(&set, tj_sysgroup_find(x->name), 0);
			for (size_t k = 0; k < set.n; k++)
				if (!tj_strv_contains(&names, set.v[k].name))
					tj_strv_add(&names, set.v[k].name);
			tj_sysgroup_set_done(&set);
		} else if (!tj_strv_contains(&names, x->name)) {
			tj_strv_add(&names, x->name);
		}
	}
	for (size_t i = 0; i < m->nforeign; i++)
		for (size_t k = 0; m->foreign[i].action == TJ_ACT_ALLOW && k < m->foreign[i].names.n; k++)
			if (!tj_strv_contains(&names, m->foreign[i].names.v[k]))
				tj_strv_add(&names, m->foreign[i].names.v[k]);
	st->allowed = names.n;
	for (size_t k = 0; k < names.n; k++) {
		const char *name = names.v[k];
		bool observed = false;
		for (size_t e = 0; e < m->n && !observed; e++)
			observed = m->v[e].action == TJ_ACT_ALLOW && strcmp(m->v[e].name, name) == 0;
		if (observed)
			st->observed++;
		else if (!tj_strv_contains(&generalised_only, name))
			tj_strv_add(&generalised_only, name);
		if (!tj_argspec_find_name(name))
			continue;
		st->arg_capable++;
		/* Constrained when every rule that allows it checks arguments
		 * (a group or a foreign rule without checks does not). */
		bool constrained = true;
		for (size_t i = 0; i < it->n; i++) {
			const struct item *x = &it->v[i];
			if (x->action == TJ_ACT_ALLOW && !x->folded && strcmp(x->name, name) == 0 && !x->nargs)
				constrained = false;
			if (x->action == TJ_ACT_ALLOW && !x->folded && x->name[0] == '@') {
				struct tj_sysgroup_set set = {0};
				tj_sysgroup_set_add_group(&set, tj_sysgroup_find(x->name), 0);
				if (tj_sysgroup_set_find(&set, name))
					constrained = false;
				tj_sysgroup_set_done(&set);
			}
		}
		for (size_t i = 0; i < m->nforeign; i++)
			if (m->foreign[i].action == TJ_ACT_ALLOW && !m->foreign[i].nargs &&
			    tj_strv_contains(&m->foreign[i].names, name))
				constrained = false;
		st->arg_constrained += constrained;
	}
	st->generalised = generalised_only.n;
	tj_strv_done(&names);
	tj_strv_done(&generalised_only);
}

int tj_learn_render(const struct tj_learn_model *m, const struct tj_learn_render_opts *o, struct tj_seccomp **ret,
		    char **ret_comment, struct tj_learn_stats *stats, struct tj_err **err)
{
	(void)err;
	struct items it = {0};
	for (size_t i = 0; i < m->n; i++) {
		const struct tj_learn_entry *e = &m->v[i];
		struct tj_arg args[TJ_LEARN_MAX_ARGS];
		size_t nargs = tj_learn_entry_args(e, args);
		struct tj_buf c = {0};
		tj_learn_entry_comment(e, &c);
		add_item(&it, e->name, e->action, e->errnum, args, nargs, tj_buf_steal(&c), false);
	}
	if (!o->exact) {
		generalise_open(&it);
		generalise_clone(&it);
		generalise_names(&it);
		/* Before the value classes: isatty brings the other
		 * read-only descriptor queries (a learn run never sees
		 * TCGETS itself: its profile allows it from the start). */
		generalise_isatty(&it);
		generalise_values(&it);
		generalise_socket(&it);
		generalise_prot(&it, "mmap");
		generalise_prot(&it, "mprotect");
		generalise_prot(&it, "pkey_mprotect");
		generalise_always(&it);
	}
	clone3_enosys(&it);

	struct tj_learn_stats st = {.runs = m->nruns, .foreign = m->nforeign};
	if (!o->plain_names)
		fold_groups(&it, o->group_share ? o->group_share : 100, &st.groups);
	count_stats(&it, m, &st);

	struct tj_seccomp *s = tj_xcalloc(1, sizeof(*s));
	s->json_path = tj_xstrdup("");
	s->default_action = o->default_action ? o->default_action : TJ_ACT_KILL_PROCESS;
	if (tj_action_takes_errno(s->default_action)) {
		s->has_default_errno = true;
		s->default_errno = o->default_errno ? o->default_errno : EPERM;
	}
	s->rules = tj_xcalloc(it.n + m->nforeign + 1, sizeof(*s->rules));
	for (size_t i = 0; i < it.n; i++) {
		struct item *x = &it.v[i];
		if (x->folded)
			continue;
		struct tj_rule *r = &s->rules[s->nrules];
		r->json_path = tj_xasprintf("syscalls[%zu]", s->nrules);
		s->nrules++;
		tj_strv_add(&r->names, x->name);
		r->action = x->action;
		if (x->action == TJ_ACT_ERRNO) {
			r->has_errno = true;
			r->errno_ret = x->errnum;
		}
		if (x->nargs) {
			r->args = tj_xcalloc(x->nargs, sizeof(*r->args));
			memcpy(r->args, x->args, x->nargs * sizeof(*r->args));
			r->nargs = x->nargs;
		}
		r->comment = TJ_STEAL(&x->comment);
	}
	for (size_t i = 0; i < m->nforeign; i++) {
		struct tj_rule *r = &s->rules[s->nrules];
		tj_rule_copy(r, &m->foreign[i]);
		free(r->json_path);
		r->json_path = tj_xasprintf("syscalls[%zu]", s->nrules);
		s->nrules++;
	}
	items_done(&it);

	struct tj_buf c = {0};
	top_comment(m, &c);
	*ret_comment = tj_buf_steal(&c);
	*ret = s;
	if (stats)
		*stats = st;
	return 0;
}

void tj_learn_rule_for_call(const struct seccomp_data *d, struct tj_rule *out)
{
	memset(out, 0, sizeof(*out));
	char name[64];
	tj_syscall_name(d->arch, d->nr, name, sizeof(name));
	tj_strv_add(&out->names, name);
	out->action = TJ_ACT_ALLOW;
	out->json_path = tj_xstrdup("syscalls[0]");
	const struct tj_syscall_argspec *sp = tj_argspec_find(d->nr);
	struct tj_learn_entry e = {.name = name, .spec = sp};
	if (sp) {
		tj_argspec_classify(sp, d, e.key);
		for (size_t i = 0; i < sp->nargs; i++)
			if (sp->args[i].kind == TJ_AK_FLAGS) {
				e.flags[i] = e.key[i];
				e.key[i] = 0;
			}
	}
	struct tj_arg args[TJ_LEARN_MAX_ARGS];
	out->nargs = tj_learn_entry_args(&e, args);
	if (out->nargs) {
		out->args = tj_xcalloc(out->nargs, sizeof(*out->args));
		memcpy(out->args, args, out->nargs * sizeof(*args));
	}
	struct tj_buf c = {0};
	tj_buf_add(&c, "what the call needs");
	if (sp) {
		tj_buf_add(&c, ": ");
		tj_learn_entry_values(&e, &c);
	}
	out->comment = tj_buf_steal(&c);
}
