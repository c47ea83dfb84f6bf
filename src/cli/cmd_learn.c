/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tinyjail learn -o FILE [--merge|--force] -- command...`, `--cases FILE`,
 * and `learn --check CASES profile` (notes/learn.md).
 *
 * Each run is the run form (cmd_run.c) with learn's changes: the profile is
 * what the earlier runs learnt, in memory, compiled as complain mode, and
 * the recorder (learn/recorder.h) answers its notifications.  The output
 * file is checked before anything runs and written once at the end,
 * atomically (base/outfile.h): an interrupted learn leaves the old file or
 * the new one, never a part.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wordexp.h>

#include "tj/base/cleanup.h"
#include "tj/base/outfile.h"
#include "tj/cli/cmd.h"
#include "tj/events/events.h"
#include "tj/json/profile_json.h"
#include "tj/json/profile_write.h"
#include "tj/launch/launch.h"
#include "tj/learn/model.h"
#include "tj/learn/recorder.h"

/* --- the cases --- */

struct learn_case {
	char **argv; /* NULL-terminated */
	char *line;  /* as written, for messages */
	size_t lineno;
};

struct cases {
	struct learn_case *v;
	size_t n;
};

static void cases_done(struct cases *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (char **a = c->v[i].argv; a && *a; a++)
			free(*a);
		free(c->v[i].argv);
		free(c->v[i].line);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* One command line per line; words as sh splits and quotes them (wordexp,
 * without command substitution); blank lines and # comments skipped. */
static int read_cases(const char *path, struct cases *out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (!f) {
		fprintf(stderr, "tinyjail: cannot read the cases '%s': %s\n", path, strerror(errno));
		return TJ_EXIT_ERROR;
	}
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	int code = 0;
	ssize_t len;
	while (code == 0 && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		const char *p = line + strspn(line, " \t");
		if (!*p || *p == '#')
			continue;
		wordexp_t we;
		int r = wordexp(p, &we, WRDE_NOCMD | WRDE_UNDEF);
		if (r != 0 || we.we_wordc == 0) {
			fprintf(stderr, "tinyjail: %s:%zu: cannot split '%s' into words%s\n", path, lineno, p,
				r == WRDE_CMDSUB    ? " (no command substitution)"
				: r == WRDE_BADCHAR ? " (unquoted |, &, ;, <, >, (, ), { or }: use sh -c '...')"
				: r == WRDE_BADVAL  ? " (an unset variable)"
						    : "");
			if (r == 0)
				wordfree(&we);
			code = TJ_EXIT_ERROR;
			break;
		}
		out->v = tj_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		struct learn_case *c = &out->v[out->n++];
		c->argv = tj_xcalloc(we.we_wordc + 1, sizeof(char *));
		for (size_t i = 0; i < we.we_wordc; i++)
			c->argv[i] = tj_xstrdup(we.we_wordv[i]);
		c->line = tj_xstrdup(p);
		c->lineno = lineno;
		wordfree(&we);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	if (code == 0 && out->n == 0) {
		fprintf(stderr, "tinyjail: %s: no cases (one command line per line)\n", path);
		code = TJ_EXIT_ERROR;
	}
	return code;
}

static char *command_line(char *const *argv)
{
	struct tj_buf b = {0};
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			tj_buf_add(&b, " ");
		bool plain = argv[i][0] != '\0';
		for (const char *p = argv[i]; *p && plain; p++)
			plain = strchr("-_./=:,@%+", *p) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				(*p >= '0' && *p <= '9');
		if (plain) {
			tj_buf_add(&b, argv[i]);
			continue;
		}
		tj_buf_add(&b, "'");
		for (const char *p = argv[i]; *p; p++)
			tj_buf_add(&b, *p == '\'' ? "'\\''" : (char[]){*p, 0});
		tj_buf_add(&b, "'");
	}
	return tj_buf_steal(&b);
}

/* --- interruption between runs --- */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* During a run the monitor takes the signals; between runs a SIGINT or
 * SIGTERM stops learn after the current step, and what was learnt so far
 * is written (the summary says the recording is incomplete). */
static void catch_stops(void)
{
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* --- one learn run --- */

struct learn_run {
	const struct tj_options *o;
	struct tj_learn_recorder *rec;
	int journal; /* --journal, or -1 */
};

static int begin_run(void *ctx, const char *exec_path, struct tj_events *events, struct tj_err **err)
{
	struct learn_run *lr = ctx;
	if (tj_learn_recorder_new(exec_path, events, &lr->rec, err) < 0)
		return -1;
	if (lr->journal >= 0)
		tj_learn_recorder_journal(lr->rec, lr->journal);
	return 0;
}

static void outcome_text(const struct tj_launch_result *res, struct tj_buf *b)
{
	if (res->limit && strcmp(res->limit, "timeout") == 0)
		tj_buf_add(b, "killed at the timeout");
	else if (res->limit)
		tj_buf_addf(b, "killed at the %s limit", res->limit);
	else if (res->exited)
		tj_buf_addf(b, "exited %d", res->status);
	else {
		const char *name = sigabbrev_np(res->signal);
		tj_buf_addf(b, "killed by SIG%s", name ? name : "?");
	}
}

/* The recorder exists once begin_run made it. */
static int notify_run(void *ctx, const struct tj_notification *n, int listener)
{
	struct learn_run *lr = ctx;
	return tj_learn_recorder_notify(lr->rec, n, listener);
}

/* Whether what the run made can be missing from what was recorded. */
static void completeness_text(const struct tj_launch_result *res, bool interrupted, struct tj_buf *b)
{
	if (res->lost)
		tj_buf_addf(b,
			    "incomplete: up to %llu call%s may be missing (a signal interrupted %s before "
			    "tinyjail received %s)",
			    (unsigned long long)res->lost, res->lost == 1 ? "" : "s", res->lost == 1 ? "it" : "them",
			    res->lost == 1 ? "it" : "them");
	else if (interrupted)
		tj_buf_add(b, "incomplete: interrupted");
	else if (res->limit)
		tj_buf_add(b, "incomplete: stopped by a limit");
	else if (res->leftovers)
		tj_buf_addf(b, "incomplete: %llu process%s outlived the command and %s killed",
			    (unsigned long long)res->leftovers, res->leftovers == 1 ? "" : "es",
			    res->leftovers == 1 ? "was" : "were");
	else
		tj_buf_add(b, "complete");
}

static struct tj_profile *profile_of(const struct tj_seccomp *s)
{
	struct tj_profile *p = tj_xcalloc(1, sizeof(*p));
	p->file = tj_xstrdup("the profile learnt so far");
	p->shape = TJ_SHAPE_SECCOMP;
	p->seccomp = (struct tj_seccomp *)s;
	return p;
}

static void render_opts(const struct tj_options *o, const struct tj_learn_model *m, struct tj_learn_render_opts *ro)
{
	*ro = (struct tj_learn_render_opts){.exact = o->learn.exact,
					    .plain_names = o->learn.plain_names,
					    .group_share = o->learn.group_share,
					    .default_action = TJ_ACT_KILL_PROCESS};
	if (o->learn.default_errno) {
		ro->default_action = TJ_ACT_ERRNO;
		ro->default_errno = o->learn.default_errno;
	} else if (m->has_default) {
		/* A merged profile keeps its default unless told otherwise. */
		ro->default_action = m->default_action;
		ro->default_errno = m->default_errno;
	}
}

/* Runs one command in learn mode; what it learns goes into m.  Returns 0
 * when the command ran (its status in *status), else the exit code of
 * tinyjail's error (reported). */
static int learn_one(const struct tj_options *o, char **argv, int journal, struct tj_learn_model *m, int *status,
		     bool *interrupted, size_t *new_pairs)
{
	struct tj_learn_one out = {0};
	int code = tj_cmd_learn_one(o, argv, journal, m, &out);
	*status = out.status;
	*interrupted = out.interrupted;
	*new_pairs = out.new_pairs;
	return code;
}

int tj_cmd_learn_one(const struct tj_options *o, char **argv, int journal, struct tj_learn_model *m,
		     struct tj_learn_one *out)
{
	struct tj_learn_render_opts ro;
	render_opts(o, m, &ro);
	/* The filter of the run: what was learnt, generalised as it will be
	 * written, but without groups, whose unmade members (--group-share)
	 * the kernel would then allow unseen, and unrecorded. */
	ro.plain_names = true;
	struct tj_seccomp *known = NULL;
	tj_autofree char *comment = NULL;
	struct tj_err *err = NULL;
	if (tj_learn_render(m, &ro, &known, &comment, NULL, &err) < 0) {
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	struct tj_profile *p = profile_of(known);
	struct tj_options run = *o;
	run.command = argv;
	struct learn_run lr = {.o = o, .journal = journal};
	struct tj_launch_result res = {0};
	bool started = false;
	struct tj_run_ext x = {.profile = p,
			       .mode = TJ_MODE_LEARN,
			       .begin = begin_run,
			       .on_notify = notify_run,
			       .ctx = &lr,
			       .result = &res,
			       .started = &started};
	int code = tj_cmd_run_ext(&run, &x);
	tj_profile_free(p);
	if (!started) {
		tj_learn_recorder_free(lr.rec);
		return code ? code : TJ_EXIT_ERROR;
	}
	out->status = code;
	out->signal = res.exited ? 0 : res.signal;
	out->interrupted = res.interrupted || res.forwarded_signal == SIGINT || res.forwarded_signal == SIGTERM ||
			   res.forwarded_signal == SIGHUP ||
			   (!res.exited && (res.signal == SIGINT || res.signal == SIGTERM));

	tj_autofree char *id = tj_learn_run_id();
	tj_autofree char *cmd = command_line(argv);
	struct tj_buf outcome = {0};
	outcome_text(&res, &outcome);
	tj_buf_add(&outcome, ", ");
	completeness_text(&res, out->interrupted, &outcome);
	tj_learn_model_add_run(m, id, cmd, outcome.s);
	tj_learn_recorder_collect(lr.rec, m, id);

	const struct tj_learn_recorder_stats *st = tj_learn_recorder_stats(lr.rec);
	out->new_pairs = st->pairs;
	if (tj_learn_recorder_journal_failed(lr.rec))
		fprintf(stderr, "tinyjail: learn: warning: the journal '%s' could not be written whole\n",
			o->learn.journal ? o->learn.journal : "?");
	if (o->verbosity >= 0) {
		struct tj_buf how = {0};
		outcome_text(&res, &how);
		tj_buf_add(&how, "; recording ");
		completeness_text(&res, out->interrupted, &how);
		fprintf(stderr,
			"tinyjail: learn: %s: %s; %llu new (syscall, argument class) pair%s from %zu program%s\n", cmd,
			how.s, (unsigned long long)st->pairs, st->pairs == 1 ? "" : "s", st->programs.n,
			st->programs.n == 1 ? "" : "s");
		tj_buf_done(&how);
		for (size_t i = 0; i < st->setuid.n; i++)
			fprintf(stderr,
				"tinyjail: learn: note: '%s' is set-user-ID or set-group-ID: no_new_privs ran it without "
				"its privileges, so what it would do with them is not in the profile\n",
				st->setuid.v[i]);
		if (st->other_abi)
			fprintf(stderr,
				"tinyjail: learn: note: %llu call%s through the x86 or x32 ABI: the profile is for "
				"x86_64 and kills %s\n",
				(unsigned long long)st->other_abi, st->other_abi == 1 ? "" : "s",
				st->other_abi == 1 ? "it" : "them");
		if (st->unnamed)
			fprintf(stderr,
				"tinyjail: learn: note: %llu call%s of syscall numbers libseccomp cannot name: no "
				"profile can allow %s\n",
				(unsigned long long)st->unnamed, st->unnamed == 1 ? "" : "s",
				st->unnamed == 1 ? "it" : "them");
	}
	if (o->verbosity > 0)
		for (size_t i = 0; i < st->programs.n; i++)
			fprintf(stderr, "tinyjail: learn: program: %s\n", st->programs.v[i]);
	tj_buf_done(&outcome);
	tj_learn_recorder_free(lr.rec);
	return 0;
}

/* --- the output --- */

/* Checks the output before anything runs: its directory can be written,
 * and an existing file is merged into (--merge), replaced (--force) or
 * refused.  With --merge, the file is read into m. */
int tj_cmd_learn_prepare_output(const struct tj_options *o, struct tj_outfile *out, struct tj_learn_model *m)
{
	const char *path = o->learn.output;
	struct tj_err *err = NULL;
	if (tj_outfile_prepare(out, path, "the profile", &err) < 0)
		goto fail;
	if (faccessat(out->dirfd, ".", W_OK, AT_EACCESS) < 0) {
		tj_err_set(&err, TJ_ERR_USAGE, errno, "cannot write the profile '%s': its directory is not writable",
			   path);
		goto fail;
	}
	struct stat st;
	bool exists = fstatat(out->dirfd, out->name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists && !o->learn.merge && !o->learn.force) {
		tj_err_set(&err, TJ_ERR_USAGE, 0, "'%s' exists", path);
		tj_err_hint(&err, "--merge adds what this run learns to it; --force replaces it");
		goto fail;
	}
	if (exists && o->learn.merge) {
		__attribute__((cleanup(tj_profile_freep))) struct tj_profile *p = NULL;
		if (tj_profile_load_file(path, path, &p, &err) < 0) {
			tj_err_wrap(&err, "--merge");
			goto fail;
		}
		if (p->shape != TJ_SHAPE_SECCOMP) {
			tj_err_set(&err, TJ_ERR_USAGE, 0,
				   "--merge: '%s' is %s; learn writes seccomp profiles, and would drop its other "
				   "sections",
				   path, p->shape == TJ_SHAPE_TINYJAIL ? "a tinyjail profile" : "an OCI config");
			tj_err_hint(&err, "learn into another file and copy its rules, or learn without --merge");
			goto fail;
		}
		tj_autofree char *comment = tj_profile_read_comment(p->text, p->text_len);
		if (tj_learn_model_from_profile(p, comment, m, &err) < 0)
			goto fail;
		if (o->verbosity >= 0)
			tj_cmd_print_notes("warning", p->file, &p->warnings);
	}
	return 0;
fail:;
	int code = tj_cmd_report(err);
	tj_err_free(err);
	return code;
}

int tj_cmd_learn_render_text(const struct tj_options *o, const struct tj_learn_model *m, const char *name, char **text,
			     struct tj_learn_stats *st, struct tj_err **err)
{
	struct tj_learn_render_opts ro;
	render_opts(o, m, &ro);
	struct tj_seccomp *s = NULL;
	tj_autofree char *comment = NULL;
	if (tj_learn_render(m, &ro, &s, &comment, st, err) < 0)
		return -1;
	struct tj_profile_write_opts wo = {.flags = TJ_WRITE_SORT, .comment = comment};
	int r = tj_profile_write_json(s, &wo, name, text, err);
	tj_seccomp_free(s);
	return r;
}

int tj_cmd_learn_write_output(const struct tj_options *o, struct tj_outfile *out, const struct tj_learn_model *m,
			      bool complete, int last_status)
{
	tj_autofree char *text = NULL;
	struct tj_learn_stats st;
	struct tj_err *err = NULL;
	if (tj_cmd_learn_render_text(o, m, o->learn.output, &text, &st, &err) < 0 ||
	    tj_outfile_replace(out, text, strlen(text), &err) < 0)
		goto fail;
	if (o->verbosity >= 0) {
		fprintf(stderr,
			"tinyjail: learn: wrote %s: %zu syscall%s allowed (%zu made, %zu by generalisation); %zu of "
			"%zu argument-capable with argument rules (%zu%%)",
			o->learn.output, st.allowed, st.allowed == 1 ? "" : "s", st.observed, st.generalised,
			st.arg_constrained, st.arg_capable,
			st.arg_capable ? (st.arg_constrained * 100 + st.arg_capable / 2) / st.arg_capable : 100);
		if (st.groups)
			fprintf(stderr, "; %zu group name%s", st.groups, st.groups == 1 ? "" : "s");
		if (st.foreign)
			fprintf(stderr, "; %zu rule%s kept as written", st.foreign, st.foreign == 1 ? "" : "s");
		fprintf(stderr, "; %zu run%s merged\n", st.runs, st.runs == 1 ? "" : "s");
		if (!complete)
			fprintf(stderr, "tinyjail: learn: the recording is incomplete: run the command again with "
					"--merge to learn what may be missing\n");
		if (o->learn.cases == NULL && !o->learn.fuzz && last_status != 0)
			fprintf(stderr,
				"tinyjail: learn: the command did not succeed (status %d): the profile "
				"holds what it did until then\n",
				last_status);
	}
	return 0;
fail:;
	int code = tj_cmd_report(err);
	tj_err_free(err);
	return code;
}

/* --- --check --- */

struct check_run {
	bool stopped;
	struct tj_syscall_event first;
	char rule[128];
	uint64_t stops;
};

/* A call the profile's default stops: the case needs something the
 * profile does not allow.  (Its explicit rules, such as clone3's ENOSYS,
 * say what is meant to happen.) */
static void on_stopped(void *ctx, const struct tj_syscall_event *e)
{
	struct check_run *c = ctx;
	if (e->rule && strcmp(e->rule, "defaultAction") != 0 && e->verdict != TJ_VERDICT_KILLED)
		return;
	c->stops++;
	if (c->stopped)
		return;
	c->stopped = true;
	c->first = *e;
	snprintf(c->rule, sizeof(c->rule), "%s", e->rule ? e->rule : "defaultAction");
	c->first.rule = c->rule;
}

static int check_cases(const struct tj_options *o)
{
	struct cases cs = {0};
	int code = read_cases(o->learn.check, &cs);
	if (code)
		return code;
	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *p = NULL;
	if ((code = tj_cmd_load_profile(o->inputs[0], o->verbosity, &p)) != 0) {
		cases_done(&cs);
		return code;
	}
	if (!p->seccomp) {
		fprintf(stderr, "tinyjail: %s: the profile has no seccomp section to check\n", p->file);
		cases_done(&cs);
		return TJ_EXIT_ERROR;
	}
	catch_stops();
	size_t broke = 0, ran = 0;
	for (size_t i = 0; i < cs.n && !stop_signal; i++) {
		struct learn_case *c = &cs.v[i];
		struct check_run cr = {0};
		struct tj_launch_result res = {0};
		bool started = false;
		struct tj_options run = *o;
		run.command = c->argv;
		struct tj_run_ext x = {.profile = p,
				       .mode = TJ_MODE_ENFORCE,
				       .route_errno = true,
				       .on_kill = on_stopped,
				       .on_denied = on_stopped,
				       .ctx = &cr,
				       .result = &res,
				       .started = &started};
		int rc = tj_cmd_run_ext(&run, &x);
		if (!started) {
			fprintf(stderr, "tinyjail: check: %s:%zu: '%s' did not start\n", o->learn.check, c->lineno,
				c->line);
			cases_done(&cs);
			return rc ? rc : TJ_EXIT_ERROR;
		}
		ran++;
		if (!cr.stopped) {
			if (o->verbosity > 0)
				fprintf(stderr, "tinyjail: check: ok: %s (exit %d)\n", c->line, rc);
			continue;
		}
		broke++;
		char call[512];
		tj_format_syscall(&cr.first.data, call, sizeof(call));
		struct tj_rule rule;
		tj_learn_rule_for_call(&cr.first.data, &rule);
		tj_autofree char *json = tj_profile_write_rule(&rule);
		char more[64] = "";
		if (cr.stops > 1)
			snprintf(more, sizeof(more), " (and %llu more stopped call%s)",
				 (unsigned long long)cr.stops - 1, cr.stops == 2 ? "" : "s");
		fprintf(stderr,
			"tinyjail: check: BROKE: %s:%zu: %s\n"
			"tinyjail: check:   %s %s (pid %d, %s), by %s%s\n"
			"tinyjail: check:   a rule that admits it: %s\n",
			o->learn.check, c->lineno, c->line,
			cr.first.verdict == TJ_VERDICT_KILLED ? "killed at" : "denied", call, (int)cr.first.pid,
			cr.first.comm[0] ? cr.first.comm : "?", cr.first.rule, more, json);
		tj_rule_done(&rule);
	}
	if (o->verbosity >= 0)
		fprintf(stderr, "tinyjail: check: %s: %zu case%s run, %zu broke%s\n", p->file, ran, ran == 1 ? "" : "s",
			broke, stop_signal ? " (interrupted)" : "");
	cases_done(&cs);
	if (stop_signal)
		return TJ_EXIT_SIGNAL_BASE + stop_signal;
	return broke ? 1 : 0;
}

int tj_cmd_learn(const struct tj_options *o)
{
	if (o->learn.static_analysis)
		return tj_cmd_learn_static(o);
	if (o->learn.fuzz)
		return tj_cmd_learn_fuzz(o);
	if (o->learn.check)
		return check_cases(o);
	struct cases cs = {0};
	int code = 0;
	if (o->learn.cases && (code = read_cases(o->learn.cases, &cs)) != 0)
		return code;
	__attribute__((cleanup(tj_outfile_done))) struct tj_outfile out = TJ_OUTFILE_INIT;
	struct tj_learn_model m = {0};
	__attribute__((cleanup(tj_closep))) int journal = -1;
	if ((code = tj_cmd_learn_prepare_output(o, &out, &m)) != 0)
		goto done;
	if (o->learn.journal) {
		/* Appended to, never followed through a symbolic link. */
		journal = open(o->learn.journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (journal < 0) {
			fprintf(stderr, "tinyjail: learn: cannot open the journal '%s': %s\n", o->learn.journal,
				strerror(errno));
			code = TJ_EXIT_ERROR;
			goto done;
		}
	}
	catch_stops();

	bool complete = true;
	int status = 0;
	size_t n = o->learn.cases ? cs.n : 1;
	for (size_t i = 0; i < n && !stop_signal; i++) {
		char **argv = o->learn.cases ? cs.v[i].argv : o->command;
		bool interrupted = false;
		size_t pairs = 0;
		int st = 0;
		int r = learn_one(o, argv, journal, &m, &st, &interrupted, &pairs);
		if (r) {
			/* Not found, not executable, or tinyjail's own error:
			 * nothing is written. */
			if (o->learn.cases)
				fprintf(stderr, "tinyjail: learn: %s:%zu: '%s' did not start; nothing is written\n",
					o->learn.cases, cs.v[i].lineno, cs.v[i].line);
			code = r;
			goto done;
		}
		status = st;
		if (interrupted) {
			complete = false;
			break;
		}
	}
	for (size_t k = 0; k < m.nruns; k++)
		if (strstr(m.runs[k].outcome, "incomplete"))
			complete = false;
	if (stop_signal)
		complete = false;
	if ((code = tj_cmd_learn_write_output(o, &out, &m, complete, status)) != 0)
		goto done;
	code = o->learn.cases ? 0 : status;
	if (stop_signal)
		code = TJ_EXIT_SIGNAL_BASE + stop_signal;
done:
	tj_learn_model_done(&m);
	cases_done(&cs);
	return code;
}
