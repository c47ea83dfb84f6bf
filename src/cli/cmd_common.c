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
#include "tj/filter/hardening.h"
#include "tj/json/profile_json.h"
#include "tj/model/policy.h"

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
	tj_autofree char *path = NULL;
	/* A bundled profile is shown by its real path, not the search path. */
	tj_autofree char *shown = NULL;
	if (tj_policy_find(arg, &path, &err) == 0 && strcmp(path, arg) != 0)
		shown = realpath(path, NULL);
	if (err || tj_profile_load_file(path, shown ? shown : arg, ret, &err) < 0) {
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	if (verbosity >= 0)
		tj_cmd_print_notes("warning", (*ret)->file, &(*ret)->warnings);
	return 0;
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
	tj_host_detect(host);
	host->caps = keep_caps;
}

int tj_cmd_hardening(const struct tj_isolation *iso, struct tj_filter **ret, struct tj_err **err)
{
	/* Without Landlock's signal scoping (ABI 6) the command could stop or
	 * kill tinyjail, whose uid and process group it shares: the guard
	 * rules refuse that instead.  In a pid namespace tinyjail's pid means
	 * nothing to the command, but its process group still does. */
	struct tj_hardening_guard guard = {0};
	bool pidns = tj_isolation_namespaces(iso, geteuid() == 0) & TJ_NS_PID;
	bool guarded = tj_sys_landlock_abi() < 6 && !tj_testhook("no-walls");
	if (guarded) {
		guard.self = pidns ? 0 : getpid();
		guard.pgrp = pidns ? 0 : getpgrp();
	}
	return tj_hardening_compile(iso, guarded ? &guard : NULL, ret, err);
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
