/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the supervisor's decisions file (`supervise --rules`), and
 * write-back of decisions into whatever profile the input is.  Any input
 * must load or fail with an error record; never crash, leak or trip a
 * sanitizer.  One entry point for libFuzzer (tests/fuzz/smoke.sh) and AFL++
 * (tests/fuzz/afl.sh); seeds in tests/fuzz/corpus/decisions/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tj/json/profile_json.h"
#include "tj/supervise/decisions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct tj_err *err = NULL;
	struct tj_decisions *d = NULL;
	if (tj_decisions_load_buffer("fuzz.json", text, size, &d, &err) < 0)
		tj_err_free(err);
	else
		tj_decisions_free(d);
	err = NULL;

	/* Write-back into any profile that loads: the result must load too
	 * (tj_profile_json_add_rules checks that itself). */
	struct tj_profile *p = NULL;
	if (tj_profile_load_buffer("fuzz.json", text, size, &p, &err) < 0) {
		tj_err_free(err);
		return 0;
	}
	tj_profile_free(p);
	err = NULL;
	struct tj_arg a = {.index = 1, .value = 7, .op = TJ_CMP_EQ};
	struct tj_added_rule add[] = {
		{.name = "getppid", .action = TJ_ACT_ALLOW, .comment = "fuzz"},
		{.name = "socket", .action = TJ_ACT_ERRNO, .errno_ret = 13, .args = &a, .nargs = 1},
		{.name = "ptrace", .action = TJ_ACT_KILL_PROCESS},
	};
	struct tj_notes skipped = {0};
	char *out = NULL;
	if (tj_profile_json_add_rules("fuzz.json", text, size, add, 3, &out, &skipped, &err) < 0)
		tj_err_free(err);
	free(out);
	tj_notes_done(&skipped);
	return 0;
}
