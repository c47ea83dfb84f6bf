/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail report LOG... [--profile P] [--timeline] [--html FILE] [-o FILE]` */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/outfile.h"
#include "tj/cli/cmd.h"
#include "tj/json/eventlog.h"
#include "tj/json/profile_json.h"
#include "tj/json/profile_write.h"
#include "tj/report/model.h"
#include "tj/report/view.h"

/* Reads one log into the model; bad lines are counted and named, never
 * fatal.  Returns 0, or an exit code when the file cannot be read. */
static int read_log(struct tj_report_model *m, const char *path, int verbosity)
{
	struct tj_err *err = NULL;
	struct tj_eventlog *l = NULL;
	if (tj_eventlog_open(path, &l, &err) < 0) {
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	tj_report_begin_log(m, path);
	size_t bad = 0, skipped = 0;
	for (;;) {
		struct tj_record r;
		int st = tj_eventlog_next(l, &r, &err);
		if (st == TJ_EVENTLOG_END)
			break;
		if (st < 0) {
			int code = tj_cmd_report(err);
			tj_err_free(err);
			tj_eventlog_close(l);
			return code;
		}
		if (st == TJ_EVENTLOG_RECORD) {
			tj_report_add(m, &r, tj_eventlog_line(l));
			continue;
		}
		tj_autofree char *msg = tj_err_format(err);
		/* The first of each is said here; the report counts them all. */
		if (verbosity >= 0 && ((st == TJ_EVENTLOG_BAD && !bad) || (st == TJ_EVENTLOG_SKIPPED && !skipped)))
			fprintf(stderr, "tinyjail: %s%s\n", st == TJ_EVENTLOG_BAD ? "" : "note: ", msg);
		bad += st == TJ_EVENTLOG_BAD;
		skipped += st == TJ_EVENTLOG_SKIPPED;
		tj_report_bad_line(m, tj_eventlog_line(l), err->msg, st == TJ_EVENTLOG_SKIPPED);
		tj_err_free(err);
		err = NULL;
	}
	tj_report_end_log(m, tj_eventlog_line(l), tj_eventlog_bytes(l));
	const struct tj_report_log *rl = &m->logs[m->nlogs - 1];
	if (verbosity >= 0 && bad > 1)
		fprintf(stderr,
			"tinyjail: %s: %zu bad lines in all (the first is line %zu); the report shows what "
			"could be read\n",
			path, bad, rl->first_bad_line);
	tj_eventlog_close(l);
	if (rl->events == 0) {
		fprintf(stderr, "tinyjail: %s: no event could be read: not a tinyjail event log (--log)\n", path);
		return TJ_EXIT_ERROR;
	}
	return 0;
}

/* The profile the runs name, when they all name the same one. */
static const char *logged_profile(const struct tj_report_model *m)
{
	const char *p = NULL;
	for (size_t i = 0; i < m->nruns; i++) {
		const char *q = m->runs[i].profile;
		/* A learn run names the profile it was learning, not a file. */
		if (!q || (m->runs[i].mode && strcmp(m->runs[i].mode, "learn") == 0))
			continue;
		if (p && strcmp(p, q) != 0)
			return NULL;
		p = q;
	}
	return p;
}

static int load_resolved(const char *arg, int verbosity, struct tj_profile **profile, struct tj_filter **filter)
{
	int code = tj_cmd_load_profile(arg, verbosity, profile);
	if (code)
		return code;
	if (!(*profile)->seccomp) {
		fprintf(stderr, "tinyjail: %s: the profile has no seccomp section\n", (*profile)->file);
		return TJ_EXIT_ERROR;
	}
	struct tj_host host;
	tj_cmd_target_host((*profile)->iso.keep_caps, &host);
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE, .host = &host};
	return tj_cmd_compile_profile(*profile, &fo, verbosity, filter);
}

/* Written whole or not at all, never through a link planted at the path
 * (base/outfile.h). */
static int write_file(const char *path, const char *what, const char *text)
{
	__attribute__((cleanup(tj_outfile_done))) struct tj_outfile out = TJ_OUTFILE_INIT;
	struct tj_err *err = NULL;
	if (tj_outfile_prepare(&out, path, what, &err) < 0 || tj_outfile_replace(&out, text, strlen(text), &err) < 0) {
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	return 0;
}

struct html_out {
	const struct tj_report_model *m;
	const struct tj_report_view_opts *vo;
	int fd;
};

static int html_sink(void *ctx, const char *s, size_t n)
{
	return tj_outfile_write_all(((struct html_out *)ctx)->fd, s, n);
}

static int html_fill(int fd, void *ctx)
{
	struct html_out *h = ctx;
	h->fd = fd;
	return tj_report_html_write(h->m, h->vo, html_sink, h);
}

/* The page goes to the file in pieces: a huge log's page is never in memory whole. */
static int write_html(const char *path, const struct tj_report_model *m, const struct tj_report_view_opts *vo)
{
	__attribute__((cleanup(tj_outfile_done))) struct tj_outfile out = TJ_OUTFILE_INIT;
	struct tj_err *err = NULL;
	struct html_out h = {.m = m, .vo = vo, .fd = -1};
	if (tj_outfile_prepare(&out, path, "the report", &err) < 0 ||
	    tj_outfile_replace_with(&out, html_fill, &h, &err) < 0) {
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	return 0;
}

static unsigned terminal_width(void)
{
	struct winsize ws;
	if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 60)
		return ws.ws_col > 200 ? 200 : ws.ws_col;
	return 80;
}

/* The tightened profile: only from runs that recorded allowed calls. */
static int write_tightened(const struct tj_options *o, const struct tj_report_model *m, const struct tj_filter *filter,
			   const struct tj_report_unused *u)
{
	if (!filter) {
		fprintf(stderr, "tinyjail: -o needs the profile to tighten (--profile FILE)\n");
		return TJ_EXIT_ERROR;
	}
	if (!m->all_usage) {
		fprintf(stderr,
			"tinyjail: -o: %s; a profile tightened from them would deny what the command "
			"needs\n",
			m->any_usage ? "some runs did not record allowed calls"
				     : "the runs did not record allowed calls (--report=usage --log)");
		return TJ_EXIT_ERROR;
	}
	if (u->mismatches) {
		fprintf(stderr, "tinyjail: -o: the profile does not match the logs (%s); not tightening it\n",
			u->first_mismatch);
		return TJ_EXIT_ERROR;
	}
	struct tj_seccomp *t = tj_report_tighten(filter->resolved, u);
	/* learn's writer: the same canonical document every generator writes. */
	tj_autofree char *comment = tj_xasprintf("tinyjail report: %s tightened to what %zu run%s used (%zu name%s "
						 "removed)",
						 filter->resolved->json_path && filter->resolved->json_path[0]
							 ? filter->resolved->json_path
							 : "the profile",
						 m->nruns, m->nruns == 1 ? "" : "s", u->names,
						 u->names == 1 ? "" : "s");
	struct tj_profile_write_opts wo = {.flags = TJ_WRITE_SORT, .comment = comment};
	tj_autofree char *json = NULL;
	struct tj_err *err = NULL;
	int r = tj_profile_write_json(t, &wo, o->output, &json, &err);
	tj_seccomp_free(t);
	if (r < 0) {
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	int code = write_file(o->output, "the tightened profile", json);
	if (!code && o->verbosity >= 0)
		fprintf(stderr, "tinyjail: wrote %s: %zu name%s removed from %zu rule%s\n", o->output, u->names,
			u->names == 1 ? "" : "s", u->n, u->n == 1 ? "" : "s");
	return code;
}

int tj_cmd_report_logs(const struct tj_options *o)
{
	struct tj_report_model *m = tj_report_new(o->timeline || o->html);
	int code = 0;
	for (size_t i = 0; i < o->ninputs && !code; i++)
		code = read_log(m, o->inputs[i], o->verbosity);
	if (code) {
		tj_report_free(m);
		return code;
	}
	tj_report_finish(m);

	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *profile = NULL;
	__attribute__((cleanup(tj_filter_freep))) struct tj_filter *filter = NULL;
	const char *arg = o->profile ? o->profile : logged_profile(m);
	if (arg && !o->profile && access(arg, R_OK) != 0) {
		if (o->verbosity >= 0)
			fprintf(stderr,
				"tinyjail: note: the logs name the profile %s, which cannot be read here; give "
				"--profile to compare with one\n",
				arg);
		arg = NULL;
	}
	if (arg && (code = load_resolved(arg, o->verbosity, &profile, &filter)) != 0) {
		tj_report_free(m);
		return code;
	}
	struct tj_report_unused unused = {0};
	if (filter) {
		tj_report_unused(m, filter->resolved, &unused);
		const char *logged = logged_profile(m);
		if (o->verbosity >= 0 && unused.mismatches)
			fprintf(stderr, "tinyjail: warning: %s does not match the logs%s%s: %s\n", profile->file,
				logged ? ", which were recorded with " : "", logged ? logged : "",
				unused.first_mismatch);
	}
	struct tj_report_view_opts vo = {.width = terminal_width(),
					 .color = isatty(1) && !(getenv("NO_COLOR") && getenv("NO_COLOR")[0]),
					 .profile = profile ? profile->file : NULL,
					 .unused = filter ? &unused : NULL};
	if (o->html) {
		vo.color = false;
		code = write_html(o->html, m, &vo);
		if (!code && o->verbosity >= 0)
			fprintf(stderr, "tinyjail: wrote %s\n", o->html);
	}
	if (!code && o->output)
		code = write_tightened(o, m, filter, &unused);
	if (!code && (o->timeline || (!o->html && !o->output))) {
		tj_autofree char *text = o->timeline ? tj_report_text_timeline(m, &vo) : tj_report_text(m, &vo);
		fputs(text, stdout);
		if (fflush(stdout) != 0)
			code = TJ_EXIT_ERROR;
	}
	tj_report_unused_done(&unused);
	tj_report_free(m);
	return code;
}
