/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail help [verb]`, `--help`, and `tinyjail profiles`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/base/cleanup.h"
#include "tj/cli/cmd.h"
#include "tj/json/profile_json.h"
#include "tj/model/policy.h"
#include "tj_paths.h" /* TJ_DOC_DIR, generated from PREFIX */

/* text wrapped at width, every line indented by indent spaces. */
static void print_wrapped(const char *text, int indent, int width)
{
	int col = indent;
	printf("%*s", indent, "");
	for (const char *p = text; *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (!n)
			break;
		if (col > indent && col + 1 + (int)n > width) {
			printf("\n%*s", indent, "");
			col = indent;
		}
		if (col > indent) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)n, p);
		col += (int)n;
		p += n;
	}
	putchar('\n');
}

int tj_cmd_help(const struct tj_options *o)
{
	fputs(tj_cli_usage(o->help_verb), stdout);
	if (o->help_verb != TJ_VERB_RUN)
		return 0;
	size_t n;
	const struct tj_verb_info *v = tj_cli_verbs(&n);
	printf("\nverbs (only as the first argument; a command spelled like one goes after --):\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-12s %s\n", v[i].name, v[i].summary);
	struct tj_strv names = {0};
	tj_policy_bundled(&names, NULL);
	struct tj_buf b = {0};
	for (size_t i = 0; i < names.n; i++)
		tj_buf_addf(&b, "%s%s", i ? ", " : "", names.v[i]);
	printf("\nbundled profiles (--profile NAME; 'tinyjail profiles' describes them):\n");
	print_wrapped(names.n ? b.s : "none found (set TINYJAIL_POLICY_DIR)", 2, 78);
	printf("\nman tinyjail has the details; the notes are in %s.\n", TJ_DOC_DIR);
	tj_buf_done(&b);
	tj_strv_done(&names);
	return 0;
}

int tj_cmd_profiles(const struct tj_options *o)
{
	struct tj_strv names = {0}, paths = {0};
	tj_policy_bundled(&names, &paths);
	int code = 0;
	if (names.n == 0) {
		struct tj_err *err = NULL;
		tj_err_set(&err, TJ_ERR_PROFILE, 0, "no bundled profiles were found");
		tj_err_hint(&err, "set TINYJAIL_POLICY_DIR to the directory that holds them");
		code = tj_cmd_report(err);
		tj_err_free(err);
	}
	for (size_t i = 0; i < names.n; i++) {
		struct tj_profile *p = NULL;
		struct tj_err *err = NULL;
		if (o->verbosity < 0) {
			puts(names.v[i]); /* -q: the names alone, for scripts and completion */
			continue;
		}
		tj_autofree char *real = realpath(paths.v[i], NULL);
		const char *file = real ? real : paths.v[i];
		printf("%s%s  (%s)\n", i ? "\n" : "", names.v[i], file);
		if (tj_profile_load_file(paths.v[i], file, &p, &err) < 0) {
			/* One broken file does not hide the others. */
			code = tj_cmd_report(err);
			tj_err_free(err);
			continue;
		}
		print_wrapped(p->description ? p->description : "(no description)", 4, 78);
		tj_profile_free(p);
	}
	tj_strv_done(&names);
	tj_strv_done(&paths);
	return code;
}
