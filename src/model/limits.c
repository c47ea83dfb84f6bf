/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing and merging resource limits; no side effects. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tj/base/util.h"
#include "tj/model/limits.h"

static const char *const rlimit_names[TJ_RLIMIT_COUNT + 1] = {
	[RLIMIT_CPU] = "RLIMIT_CPU",
	[RLIMIT_FSIZE] = "RLIMIT_FSIZE",
	[RLIMIT_DATA] = "RLIMIT_DATA",
	[RLIMIT_STACK] = "RLIMIT_STACK",
	[RLIMIT_CORE] = "RLIMIT_CORE",
	[RLIMIT_RSS] = "RLIMIT_RSS",
	[RLIMIT_NPROC] = "RLIMIT_NPROC",
	[RLIMIT_NOFILE] = "RLIMIT_NOFILE",
	[RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",
	[RLIMIT_AS] = "RLIMIT_AS",
	[RLIMIT_LOCKS] = "RLIMIT_LOCKS",
	[RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
	[RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE",
	[RLIMIT_NICE] = "RLIMIT_NICE",
	[RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",
	[RLIMIT_RTTIME] = "RLIMIT_RTTIME",
	[TJ_RLIMIT_COUNT] = NULL,
};
_Static_assert(RLIMIT_NLIMITS == TJ_RLIMIT_COUNT, "one name per rlimit");

int tj_rlimit_from_name(const char *name)
{
	const char *n = strncasecmp(name, "RLIMIT_", 7) == 0 ? name + 7 : name;
	for (int i = 0; i < TJ_RLIMIT_COUNT; i++)
		if (strcasecmp(rlimit_names[i] + 7, n) == 0)
			return i;
	return -1;
}

const char *tj_rlimit_name(int resource)
{
	return resource >= 0 && resource < TJ_RLIMIT_COUNT ? rlimit_names[resource] : "RLIMIT_?";
}

const char *const *tj_rlimit_names(void)
{
	return rlimit_names;
}

static bool parse_limit_value(const char *s, uint64_t *ret)
{
	if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
		*ret = TJ_LIMIT_UNLIMITED;
		return true;
	}
	return tj_parse_size(s, ret);
}

int tj_limits_parse_rlimit(struct tj_limits *l, const char *arg, struct tj_err **err)
{
	const char *eq = strchr(arg, '=');
	if (!eq)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--rlimit '%s': expected NAME=SOFT[:HARD], e.g. nofile=256",
				  arg);
	char *name = tj_xstrndup(arg, (size_t)(eq - arg));
	int r = tj_rlimit_from_name(name);
	if (r < 0) {
		const char *hint = tj_suggest(name, (const char *const[]){"cpu", "fsize", "data", "stack", "core",
									  "rss", "nproc", "nofile", "memlock", "as",
									  "locks", "sigpending", "msgqueue", "nice",
									  "rtprio", "rttime", NULL});
		if (hint)
			tj_err_set(err, TJ_ERR_USAGE, 0, "--rlimit: unknown limit '%s' (did you mean '%s'?)", name,
				   hint);
		else
			tj_err_set(err, TJ_ERR_USAGE, 0, "--rlimit: unknown limit '%s'", name);
		free(name);
		return -1;
	}
	free(name);
	char *values = tj_xstrdup(eq + 1);
	char *colon = strchr(values, ':');
	if (colon)
		*colon = '\0';
	uint64_t soft, hard;
	bool ok = parse_limit_value(values, &soft) && (!colon || parse_limit_value(colon + 1, &hard));
	free(values);
	if (!ok)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--rlimit '%s': values are numbers with an optional K/M/G/T suffix, or 'unlimited'",
				  arg);
	if (!colon)
		hard = soft;
	if (soft > hard)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--rlimit '%s': the soft limit is above the hard limit", arg);
	l->rlimits[r] = (struct tj_rlimit){.set = true, .soft = soft, .hard = hard};
	return 0;
}

int tj_limits_parse_cpu(struct tj_limits *l, const char *arg, struct tj_err **err)
{
	/* A share of one CPU: "50%" or "0.5".  Parsed by hand so that
	 * exponents, signs and hex never sneak in. */
	size_t n = strlen(arg);
	bool pct = n && arg[n - 1] == '%';
	char buf[32];
	if (n == 0 || n - pct >= sizeof(buf))
		goto bad;
	memcpy(buf, arg, n - pct);
	buf[n - pct] = '\0';
	size_t i = strspn(buf, "0123456789");
	if (buf[i] == '.' && isdigit((unsigned char)buf[i + 1]))
		i += 1 + strspn(buf + i + 1, "0123456789");
	if (i == 0 || buf[i])
		goto bad;
	double share = strtod(buf, NULL) / (pct ? 100.0 : 1.0);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (share < (double)TJ_CPU_QUOTA_MIN / TJ_CPU_PERIOD_DEFAULT || share > (double)(cpus > 0 ? cpus : 1))
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--cpu '%s': give between 1%% and %ld00%% (this host has %ld CPUs)", arg, cpus, cpus);
	l->has_cpu = true;
	l->cpu_period = TJ_CPU_PERIOD_DEFAULT;
	l->cpu_quota = (uint64_t)(share * TJ_CPU_PERIOD_DEFAULT + 0.5);
	return 0;
bad:
	return tj_err_set(err, TJ_ERR_USAGE, 0, "--cpu '%s': expected a share of one CPU such as 50%% or 0.5", arg);
}

int tj_limits_parse_degrade(struct tj_limits *l, const char *arg, struct tj_err **err)
{
	char *copy = tj_xstrdup(arg), *save = NULL;
	int ret = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok && ret == 0; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "memory") == 0)
			l->degrade |= TJ_DEGRADE_MEMORY;
		else if (strcmp(tok, "cpu") == 0)
			l->degrade |= TJ_DEGRADE_CPU;
		else if (strcmp(tok, "pids") == 0)
			l->degrade |= TJ_DEGRADE_PIDS;
		else if (strcmp(tok, "cgroup") == 0)
			l->degrade |= TJ_DEGRADE_MEMORY | TJ_DEGRADE_CPU | TJ_DEGRADE_PIDS;
		else
			ret = tj_err_set(err, TJ_ERR_USAGE, 0,
					 "--allow-degraded: unknown layer '%s' (memory, cpu, pids or cgroup)", tok);
	}
	free(copy);
	return ret;
}

void tj_limits_merge(struct tj_limits *base, const struct tj_limits *over)
{
	if (over->has_memory) {
		base->has_memory = true;
		base->memory = over->memory;
	}
	if (over->has_cpu) {
		base->has_cpu = true;
		base->cpu_quota = over->cpu_quota;
		base->cpu_period = over->cpu_period;
	}
	if (over->has_pids) {
		base->has_pids = true;
		base->pids = over->pids;
	}
	for (int i = 0; i < TJ_RLIMIT_COUNT; i++)
		if (over->rlimits[i].set)
			base->rlimits[i] = over->rlimits[i];
	if (over->timeout_ms)
		base->timeout_ms = over->timeout_ms;
	if (over->kill_after_ms)
		base->kill_after_ms = over->kill_after_ms;
	base->degrade |= over->degrade;
}

bool tj_limits_want_cgroup(const struct tj_limits *l)
{
	return l->has_memory || l->has_cpu || l->has_pids;
}

void tj_format_bytes(uint64_t bytes, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	/* Exact when the number is a whole count of a unit ("100M"), else
	 * one decimal of the largest unit that keeps it at least 1. */
	int u = -1;
	uint64_t whole = bytes;
	while (u < 3 && whole >= 1024 && whole % 1024 == 0) {
		whole /= 1024;
		u++;
	}
	if (whole < 1024) {
		if (u < 0)
			snprintf(buf, size, "%llu", (unsigned long long)whole);
		else
			snprintf(buf, size, "%llu%c", (unsigned long long)whole, units[u]);
		return;
	}
	double v = (double)bytes;
	for (u = -1; u < 3 && v >= 1024; u++)
		v /= 1024;
	snprintf(buf, size, "%.1f%c", v, units[u]);
}

void tj_format_ms(uint64_t ms, char *buf, size_t size)
{
	if (ms % 1000 == 0)
		snprintf(buf, size, "%llus", (unsigned long long)(ms / 1000));
	else if (ms >= 1000)
		snprintf(buf, size, "%.3gs", (double)ms / 1000.0);
	else
		snprintf(buf, size, "%llums", (unsigned long long)ms);
}
