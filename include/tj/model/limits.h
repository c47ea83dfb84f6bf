/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resource limits as the user asked for them: cgroup limits (memory, CPU,
 * pids), rlimits and the wall-clock timeout.  Pure data and parsing; the
 * cgroup and rlimit layers apply it, the monitor enforces the timeout.
 */
#ifndef TJ_LIMITS_H
#define TJ_LIMITS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "tj/base/err.h"

#define TJ_RLIMIT_COUNT 16 /* RLIMIT_CPU .. RLIMIT_RTTIME */
#define TJ_LIMIT_UNLIMITED UINT64_MAX

struct tj_rlimit {
	bool set;
	uint64_t soft, hard; /* TJ_LIMIT_UNLIMITED for RLIM_INFINITY */
};

/* Layers a user may allow to be degraded (run without them when this host
 * cannot apply them) with --allow-degraded. */
enum tj_degrade {
	TJ_DEGRADE_MEMORY = 1u << 0,
	TJ_DEGRADE_CPU = 1u << 1,
	TJ_DEGRADE_PIDS = 1u << 2,
};

/* The bounds of the cgroup limits, for the flags and the profile alike. */
#define TJ_MEMORY_MIN 4096u	      /* bytes: less cannot run anything */
#define TJ_CPU_PERIOD_DEFAULT 100000u /* microseconds */
#define TJ_CPU_PERIOD_MIN 1000u
#define TJ_CPU_PERIOD_MAX 1000000u
#define TJ_CPU_QUOTA_MIN 1000u /* microseconds per period: the kernel's minimum */

struct tj_limits {
	bool has_memory;
	uint64_t memory; /* bytes; swap cannot add to it */
	bool has_cpu;
	uint64_t cpu_quota;  /* microseconds of CPU per period */
	uint64_t cpu_period; /* microseconds (default 100000) */
	bool has_pids;
	uint64_t pids;
	struct tj_rlimit rlimits[TJ_RLIMIT_COUNT];
	uint64_t timeout_ms;	/* 0: none */
	uint64_t kill_after_ms; /* 0: kill at once when the timeout expires */
	unsigned degrade;	/* enum tj_degrade bits */
};

/* RLIMIT_* names, short ("nofile") or long ("RLIMIT_NOFILE"), any case. */
int tj_rlimit_from_name(const char *name);
const char *tj_rlimit_name(int resource); /* "RLIMIT_NOFILE" */
const char *const *tj_rlimit_names(void);

/* "nofile=256", "stack=8M", "fsize=10M:20M", "core=0", "cpu=unlimited":
 * NAME=SOFT[:HARD]; without HARD both are SOFT.  Sizes take K/M/G/T
 * suffixes (powers of 1024). */
int tj_limits_parse_rlimit(struct tj_limits *l, const char *arg, struct tj_err **err);
/* "50%", "150%" or "0.5": a share of one CPU, at most the host's CPUs. */
int tj_limits_parse_cpu(struct tj_limits *l, const char *arg, struct tj_err **err);
/* "memory,cpu": the limits that may be skipped where this host lacks them. */
int tj_limits_parse_degrade(struct tj_limits *l, const char *arg, struct tj_err **err);

/* Copies every limit set in `over` onto `base` (flags override a profile). */
void tj_limits_merge(struct tj_limits *base, const struct tj_limits *over);
/* True when any cgroup limit is asked for. */
bool tj_limits_want_cgroup(const struct tj_limits *l);

/* Human form of a byte count ("100M", "1.5G", "4096"). */
void tj_format_bytes(uint64_t bytes, char *buf, size_t size);
/* Human form of a duration ("120s", "1.5s", "250ms"). */
void tj_format_ms(uint64_t ms, char *buf, size_t size);

#endif
