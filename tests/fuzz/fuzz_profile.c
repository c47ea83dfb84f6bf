/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer entry point for the profile loader, the seccomp compiler (with
 * syscall groups) and the linter:
 * any byte string must either load and compile, or fail with an error
 * record; never crash, leak or trip a sanitizer.  What compiles must agree
 * with the rules on every syscall they name (tj_verify_program: libseccomp's
 * output, tinyjail's splitting and conflict handling checked against the
 * rules themselves).  Built and run by
 * tests/fuzz/smoke.sh (make check-fuzz); crashing inputs become fixtures.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tj/filter/filter.h"
#include "tj/filter/filter_cache.h"
#include "tj/filter/lint.h"
#include "tj/filter/verify.h"
#include "tj/json/profile_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer("fuzz.json", (const char *)data, size, &p, &err) < 0) {
		char *text = tj_err_format(err);
		free(text);
		tj_err_free(err);
		return 0;
	}
	if (p->seccomp) {
		/* A fixed host, so that results do not depend on who runs it. */
		struct tj_host host = {.go_arch = "amd64", .kernel_major = 6, .kernel_minor = 1, .caps = 0};
		struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE, .supervise_kills = true, .host = &host};
		struct tj_filter *f = NULL;
		if (tj_filter_compile(p, &fo, &f, &err) < 0) {
			tj_err_free(err);
		} else {
			char *json = tj_seccomp_to_oci_json(f->resolved);
			free(json);
			struct tj_findings findings = {0};
			tj_lint(p, f, &host, &findings);
			tj_findings_done(&findings);
			/* Whatever compiles must survive the filter cache. */
			uint8_t key[TJ_SHA256_LEN], mac_key[TJ_INTEGRITY_KEY_LEN] = {7};
			tj_filter_cache_key(p, &fo, &host, key);
			size_t len;
			void *entry = tj_filter_cache_encode(key, mac_key, f, &len);
			struct tj_filter *g = NULL;
			if (tj_filter_cache_decode(entry, len, key, mac_key, &g) != 1 || g->len != f->len)
				abort();
			/* The compiler checked the program against its rules;
			 * other random draws must agree as well. */
			struct tj_verify_result res;
			tj_verify_program(f->resolved, NULL, f->truth ? f->truth : f->prog,
					  f->truth ? f->truth_len : f->len, 64, &res);
			if (res.mismatch) {
				fprintf(stderr,
					"fuzz_profile: nr %d (arch 0x%x): the program returns 0x%x, the rules say 0x%x\n",
					res.data.nr, res.data.arch, res.got, res.want.v[0]);
				abort();
			}
			tj_filter_free(g);
			free(entry);
			tj_filter_free(f);
		}
	}
	tj_profile_free(p);
	return 0;
}
