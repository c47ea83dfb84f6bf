/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rlimit layer: every RLIMIT_* the user set, applied in the child with
 * setrlimit before execve, and RLIMIT_CORE 0 unless asked otherwise (a
 * sandboxed program's memory should not end up in a core file).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>

#include <linux/capability.h>

#include "tj/base/caps.h"
#include "tj/layers/layer.h"

#define LAYER "rlimit"

static bool rlimit_wanted(const struct tj_plan *plan)
{
	(void)plan;
	return true; /* RLIMIT_CORE 0 always */
}

static rlim_t to_rlim(uint64_t v)
{
	return v == TJ_LIMIT_UNLIMITED ? RLIM_INFINITY : (rlim_t)v;
}

static int rlimit_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	/* Raising a hard limit needs CAP_SYS_RESOURCE; say so now rather than
	 * fail in the child. */
	const struct tj_limits *l = plan->limits;
	for (int r = 0; l && r < TJ_RLIMIT_COUNT; r++) {
		if (!l->rlimits[r].set)
			continue;
		struct rlimit cur;
		if (getrlimit(r, &cur) < 0)
			return tj_err_set(err, TJ_ERR_LAYER, errno, "getrlimit %s", tj_rlimit_name(r));
		rlim_t hard = to_rlim(l->rlimits[r].hard);
		char v[32], c[32];
		bool can_raise = tj_caps_permitted() & ((uint64_t)1 << CAP_SYS_RESOURCE);
		if (cur.rlim_max != RLIM_INFINITY && (hard == RLIM_INFINITY || hard > cur.rlim_max) && !can_raise) {
			snprintf(c, sizeof(c), "%llu", (unsigned long long)cur.rlim_max);
			tj_err_set(err, TJ_ERR_LAYER, EPERM, "cannot raise the hard %s above %s", tj_rlimit_name(r), c);
			return tj_err_hint(err, "raising a hard limit needs CAP_SYS_RESOURCE; ask for %s or less", c);
		}
		if (l->rlimits[r].soft == TJ_LIMIT_UNLIMITED)
			snprintf(v, sizeof(v), "unlimited");
		else
			snprintf(v, sizeof(v), "%llu", (unsigned long long)l->rlimits[r].soft);
		if (l->rlimits[r].hard == TJ_LIMIT_UNLIMITED)
			snprintf(c, sizeof(c), "unlimited");
		else
			snprintf(c, sizeof(c), "%llu", (unsigned long long)l->rlimits[r].hard);
		tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "%s soft %s hard %s (setrlimit)", tj_rlimit_name(r), v, c);
	}
	if (!l || !l->rlimits[RLIMIT_CORE].set)
		tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "RLIMIT_CORE 0: no core files (the default)");
	return 0;
}

static int rlimit_enter(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)
{
	(void)state;
	const struct tj_limits *l = plan->limits;
	for (int r = 0; l && r < TJ_RLIMIT_COUNT; r++) {
		if (!l->rlimits[r].set)
			continue;
		struct rlimit v = {.rlim_cur = to_rlim(l->rlimits[r].soft), .rlim_max = to_rlim(l->rlimits[r].hard)};
		if (setrlimit(r, &v) < 0)
			return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, tj_rlimit_name(r));
	}
	if (!l || !l->rlimits[RLIMIT_CORE].set) {
		/* Hard limit too, so the program cannot turn core files back on. */
		struct rlimit zero = {0, 0};
		if (setrlimit(RLIMIT_CORE, &zero) < 0)
			return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "RLIMIT_CORE");
	}
	return 0;
}

const struct tj_layer tj_layer_rlimit = {
	.name = LAYER,
	.wanted = rlimit_wanted,
	.probe = rlimit_probe,
	.enter = rlimit_enter,
};
