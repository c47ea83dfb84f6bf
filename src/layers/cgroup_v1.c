/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v1 limits and statistics (Documentation/admin-guide/cgroup-v1/). */
#include <errno.h>
#include <stdio.h>

#include "tj/layers/cgroup.h"

static int v1_set_memory(int dirfd, uint64_t bytes, struct tj_err **err)
{
	char v[32];
	snprintf(v, sizeof(v), "%llu", (unsigned long long)bytes);
	if (tj_cg_write(dirfd, "memory.limit_in_bytes", v, err) < 0)
		return -1;
	/* memory+swap equal to memory: no swap escape.  The file is missing
	 * when the kernel has no swap accounting (swapaccount=0); then the
	 * memory limit alone applies. */
	struct tj_err *swap_err = NULL;
	if (tj_cg_write(dirfd, "memory.memsw.limit_in_bytes", v, &swap_err) < 0) {
		if (swap_err->errnum != ENOENT) {
			*err = swap_err;
			return -1;
		}
		tj_err_free(swap_err);
	}
	return 0;
}

static int v1_set_cpu(int dirfd, uint64_t quota_us, uint64_t period_us, struct tj_err **err)
{
	char p[32], q[32];
	snprintf(p, sizeof(p), "%llu", (unsigned long long)period_us);
	snprintf(q, sizeof(q), "%llu", (unsigned long long)quota_us);
	/* The period first: the kernel checks the quota against it. */
	if (tj_cg_write(dirfd, "cpu.cfs_period_us", p, err) < 0)
		return -1;
	return tj_cg_write(dirfd, "cpu.cfs_quota_us", q, err);
}

static int v1_set_pids(int dirfd, uint64_t max, struct tj_err **err)
{
	char v[32];
	snprintf(v, sizeof(v), "%llu", (unsigned long long)max);
	return tj_cg_write(dirfd, "pids.max", v, err);
}

static int v1_memory_peak(int dirfd, uint64_t *ret)
{
	return tj_cg_read_u64(dirfd, "memory.max_usage_in_bytes", ret);
}

static int v1_oom_kills(int dirfd, uint64_t *ret)
{
	return tj_cg_read_key(dirfd, "memory.oom_control", "oom_kill", ret); /* Linux 4.13 */
}

static int v1_pids_refused(int dirfd, uint64_t *ret)
{
	return tj_cg_read_key(dirfd, "pids.events", "max", ret);
}

static int v1_cpu_throttled(int dirfd, uint64_t *ret)
{
	return tj_cg_read_key(dirfd, "cpu.stat", "nr_throttled", ret);
}

const struct tj_cg_ops tj_cg_v1 = {
	.version = 1,
	.set_memory = v1_set_memory,
	.set_cpu = v1_set_cpu,
	.set_pids = v1_set_pids,
	.memory_peak = v1_memory_peak,
	.oom_kills = v1_oom_kills,
	.pids_refused = v1_pids_refused,
	.cpu_throttled = v1_cpu_throttled,
};
