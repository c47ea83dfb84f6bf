/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer entry point for reading a profile back into learn's model (the
 * comment grammar of src/learn/), rendering it, the profile writer (JSON and
 * SeccompProfile) and diff: any byte string must be refused by the loader or
 * go through all of them; what is written must read back to the same bytes
 * (A+A = A), and a profile must not differ from itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tj/filter/filter.h"
#include "tj/json/profile_json.h"
#include "tj/json/profile_write.h"
#include "tj/learn/diff.h"
#include "tj/learn/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* model -> profile text; NULL when the writer refuses it. */
static char *render(const struct tj_learn_model *m)
{
	struct tj_learn_render_opts o = {.default_action = TJ_ACT_KILL_PROCESS};
	struct tj_seccomp *s = NULL;
	char *comment = NULL, *text = NULL;
	struct tj_err *err = NULL;
	if (tj_learn_render(m, &o, &s, &comment, NULL, &err) < 0) {
		tj_err_free(err);
		return NULL;
	}
	struct tj_profile_write_opts wo = {.flags = TJ_WRITE_SORT, .comment = comment};
	if (tj_profile_write_json(s, &wo, "fuzz.json", &text, &err) < 0) {
		tj_err_free(err);
		text = NULL;
	}
	char *yaml = NULL;
	if (tj_profile_write_spo(s, &wo, "fuzz", NULL, &yaml, &err) < 0)
		tj_err_free(err);
	free(yaml);
	tj_seccomp_free(s);
	free(comment);
	return text;
}

static int model_of(const char *text, size_t len, struct tj_learn_model *m)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer("fuzz.json", text, len, &p, &err) < 0) {
		tj_err_free(err);
		return -1;
	}
	int r = -1;
	if (p->seccomp) {
		char *comment = tj_profile_read_comment(p->text, p->text_len);
		r = tj_learn_model_from_profile(p, comment, m, &err);
		if (r < 0)
			tj_err_free(err);
		free(comment);
		struct tj_diff d;
		tj_profile_diff(p->seccomp, p->seccomp, &d);
		if (d.n)
			abort(); /* a profile differs from itself */
		tj_diff_done(&d);
	}
	tj_profile_free(p);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tj_learn_model m = {0};
	if (model_of((const char *)data, size, &m) < 0) {
		tj_learn_model_done(&m);
		return 0;
	}
	char *once = render(&m);
	tj_learn_model_done(&m);
	if (!once)
		return 0;
	/* Written, read back and written again: the same bytes. */
	struct tj_learn_model again = {0};
	if (model_of(once, strlen(once), &again) < 0)
		abort();
	char *twice = render(&again);
	if (!twice || strcmp(once, twice) != 0)
		abort();
	tj_learn_model_done(&again);
	free(once);
	free(twice);
	return 0;
}
