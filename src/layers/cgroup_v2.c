/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v2 limits and statistics (Documentation/admin-guide/cgroup-v2.rst). */
#include <errno.h>
#include <stdio.h>

#include "tj/layers/cgroup.h"

static int v2_set_memory(int dirfd, uint64_t bytes, struct tj_err **err)
{
	char v[32];
	snprintf(v, sizeof(v), "%llu", (unsigned long long)bytes);
	if (tj_cg_write(dirfd, "memory.max", v, err) < 0)
		return -1;
	/* No swap escape: a sandbox limited to 100M must not page out the rest.
	 * memory.swap.max is missing when the kernel has no swap accounting, and
	 * then there is no swap to escape to through this cgroup either. */
	struct tj_err *swap_err = NULL;
	if (tj_cg_write(dirfd, "memory.swap.max", "0", &swap_err) < 0) {
		if (swap_err->errnum != ENOENT) {
			*err = swap_err;
			return -1;
		}
		tj_err_free(swap_err);
	}
	return 0;
}

static int v2_set_cpu(int dirfd, uint64_t quota_us, uint64_t period_us, struct tj_err **err)
{
	char v[64];
	snprintf(v, sizeof(v), "%llu %llu", (unsigned long long)quota_us, (unsigned long long)period_us);
	return tj_cg_write(dirfd, "cpu.max", v, err);
}

static int v2_set_pids(int dirfd, uint64_t max, struct tj_err **err)
{
	char v[32];
	snprintf(v, sizeof(v), "%llu", (unsigned long long)max);
	return tj_cg_write(dirfd, "pids.max", v, err);
}

static int v2_memory_peak(int dirfd, uint64_t *ret)
{
	return tj_cg_read_u64(dirfd, "memory.peak", ret); /* Linux 5.19 */
}

static int v2_oom_kills(int dirfd, uint64_t *ret)
{
	return tj_cg_read_key(dirfd, "memory.events", "oom_kill", ret);
}

static int v2_pids_refused(int dirfd, uint64_t *ret)
{
	return tj_cg_read_key(dirfd, "pids.events", "max", ret);
}

static int v2_cpu_throttled(int dirfd, uint64_t *ret)
{
	return tj_cg_read_key(dirfd, "cpu.stat", "nr_throttled", ret);
}

const struct tj_cg_ops tj_cg_v2 = {
	.version = 2,
	.set_memory = v2_set_memory,
	.set_cpu = v2_set_cpu,
	.set_pids = v2_set_pids,
	.memory_peak = v2_memory_peak,
	.oom_kills = v2_oom_kills,
	.pids_refused = v2_pids_refused,
	.cpu_throttled = v2_cpu_throttled,
};
