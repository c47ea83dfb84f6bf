/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer entry point for the parsers of issue 6: the decisions file, the
 * OCI container state an agent receives, kernel-log records, the argument
 * decoder, and write-back into a profile.  Any input must parse or fail
 * with an error record; never crash, leak or trip a sanitizer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tj/events/decode.h"
#include "tj/events/kmsg.h"
#include "tj/json/profile_json.h"
#include "tj/supervise/agent.h"
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

	struct tj_agent_state st;
	if (tj_agent_state_parse(text, size, &st, &err) < 0)
		tj_err_free(err);
	else
		tj_agent_state_done(&st);
	err = NULL;

	struct tj_kmsg_record rec;
	uint64_t count;
	tj_kmsg_parse(text, size, &rec, &count);

	struct seccomp_data sd;
	memset(&sd, 0, sizeof(sd));
	memcpy(&sd, data, size < sizeof(sd) ? size : sizeof(sd));
	char call[512];
	tj_decode_call(&sd, call, sizeof(call));

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
