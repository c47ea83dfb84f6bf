/* SPDX-License-Identifier: Apache-2.0 */
/* Printing helpers shared by the verbs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/integrity.h"
#include "tj/base/sys.h"
#include "tj/base/testhook.h"
#include "tj/cli/cmd.h"
#include "tj/plan/plan.h"

int tj_cmd_report(const struct tj_err *e)
{
	char *text = tj_err_format(e);
	/* Every line carries the program name, so that the lines of a hint
	 * stay attributable in a CI log. */
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* Messages may quote what the command made (file names,
		 * hosts, a runtime's state). */
		fprintf(stderr, "tinyjail: %s\n", tj_sanitize(line));
	}
	free(text);
	return tj_err_exit_code(e);
}

void tj_cmd_print_notes(const char *label, const char *file, const struct tj_notes *notes)
{
	for (size_t i = 0; i < notes->n; i++) {
		const struct tj_note *n = &notes->v[i];
		fprintf(stderr, "tinyjail: %s: %s%s%s%s%s\n", label, file ? file : "", file ? ": " : "",
			n->json_path && n->json_path[0] ? n->json_path : "",
			n->json_path && n->json_path[0] ? ": " : "", n->msg);
	}
}

int tj_cmd_load_profile(const char *arg, int verbosity, struct tj_profile **ret)
{
	struct tj_err *err = NULL;
	struct tj_plan_msgs msgs = {0};
	int r = tj_plan_load_profile(arg, &msgs, ret, &err);
	tj_cmd_print_plan_msgs(&msgs, verbosity);
	tj_plan_msgs_done(&msgs);
	if (r < 0) {
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	return 0;
}

void tj_cmd_print_plan_msgs(const struct tj_plan_msgs *msgs, int verbosity)
{
	for (size_t i = 0; i < msgs->n; i++)
		if (verbosity >= msgs->v[i].verbosity)
			fprintf(stderr, "tinyjail: %s\n", msgs->v[i].text);
}

int tj_cmd_compile_profile(const struct tj_profile *p, const struct tj_filter_opts *fo, int verbosity,
			   struct tj_filter **ret)
{
	struct tj_err *err = NULL;
	if (tj_filter_compile(p, fo, ret, &err) < 0) {
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	if (verbosity >= 0)
		tj_cmd_print_notes("warning", p->file, &(*ret)->warnings);
	if (verbosity > 0)
		tj_cmd_print_notes("note", p->file, &(*ret)->info);
	return 0;
}

void tj_cmd_target_host(uint64_t keep_caps, struct tj_host *host)
{
	tj_plan_target_host(keep_caps, host);
}

bool tj_cmd_cache_key(const char *what, int verbosity, uint8_t key[TJ_INTEGRITY_KEY_LEN])
{
	struct tj_err *err = NULL;
	if (tj_integrity_key(key, &err) == 0)
		return true;
	if (verbosity > 0) {
		tj_autofree char *why = tj_err_format(err);
		fprintf(stderr, "tinyjail: note: %s not used: no integrity key: %s\n", what, why);
	}
	tj_err_free(err);
	return false;
}
