/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-syscall filter cost: compiles a profile with tinyjail's own compiler
 * (libtj.a, tj_filter_compile, the profile's own actions as the kernel
 * enforces them), loads it, then times blocks of the measured syscall
 * against blocks of getpid, which every filter here lets through the
 * kernel's action cache.  One configuration per process (a filter cannot be
 * removed); bench/syscall.sh runs them interleaved and takes medians.
 *
 *   sysbench [-p PROFILE | -s synth-args] [-O 0|1|2] [-c CALL] [-n N] [-r R] [-l LABEL]
 *   sysbench -I -p PROFILE -O N     prints the instruction count only
 *
 * CALL: getppid (no argument checks in any profile used here), personality
 * (personality(0xffffffff): argument-checked in Docker/Podman profiles),
 * getppid0 (getppid with every argument 0, for synth-args).
 * Prints one JSON object: medians over R rounds of N calls each.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/sys.h"
#include "tj/filter/filter.h"
#include "tj/json/profile_json.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* 350 syscalls allowed without argument checks, then getppid allowed only
 * when its first argument is 0: the argument-checked rule comes last in a
 * linear (optimize 1) program, so every call walks the whole list. */
static char *synth_args_profile(void)
{
	size_t cap = 64 * 1024, len = 0;
	char *s = malloc(cap);
	len += (size_t)
		snprintf(s + len, cap - len,
			 "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"action\": \"SCMP_ACT_ALLOW\", "
			 "\"names\": [");
	int n = 0;
	for (int nr = 0; nr < 460 && n < 350; nr++) {
		char name[64];
		tj_syscall_name(0xc000003e /* AUDIT_ARCH_X86_64 */, nr, name, sizeof(name));
		if (strncmp(name, "syscall_", 8) == 0 || nr == SYS_getppid)
			continue;
		len += (size_t)snprintf(s + len, cap - len, "%s\"%s\"", n ? ", " : "", name);
		n++;
	}
	snprintf(s + len, cap - len,
		 "]}, {\"action\": \"SCMP_ACT_ALLOW\", \"names\": [\"getppid\"], "
		 "\"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}");
	return s;
}

static struct tj_filter *compile(const char *profile, int optimize)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	int rc;
	if (strcmp(profile, "synth-args") == 0) {
		char *text = synth_args_profile();
		rc = tj_profile_load_buffer("synth-args", text, strlen(text), &p, &err);
		free(text);
	} else {
		rc = tj_profile_load_file(profile, profile, &p, &err);
	}
	struct tj_filter *f = NULL;
	/* The profile's own actions, as the kernel enforces them. */
	struct tj_filter_opts o = {.mode = TJ_MODE_ENFORCE, .optimize = optimize};
	if (rc < 0 || tj_filter_compile(p, &o, &f, &err) < 0) {
		char *m = tj_err_format(err);
		fprintf(stderr, "sysbench: %s: %s\n", profile, m);
		exit(2);
	}
	tj_profile_free(p);
	return f;
}

static long measured(const char *call)
{
	if (strcmp(call, "personality") == 0)
		return syscall(SYS_personality, 0xffffffffUL, 0, 0, 0, 0, 0);
	return syscall(SYS_getppid, 0, 0, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
	const char *profile = NULL, *call = "getppid", *label = "";
	int optimize = 0, rounds = 21, only_insns = 0;
	long iters = 100000;
	int c;
	while ((c = getopt(argc, argv, "p:s:O:c:n:r:l:I")) != -1) {
		switch (c) {
		case 'p':
		case 's': profile = optarg; break;
		case 'O': optimize = atoi(optarg); break;
		case 'c': call = optarg; break;
		case 'n': iters = atol(optarg); break;
		case 'r': rounds = atoi(optarg); break;
		case 'l': label = optarg; break;
		case 'I': only_insns = 1; break;
		default: fprintf(stderr, "usage: see bench/sysbench.c\n"); return 2;
		}
	}
	if (rounds < 1 || rounds > 1000 || iters < 1)
		return 2;
	struct tj_filter *f = profile ? compile(profile, optimize) : NULL;
	size_t insns = f ? f->len : 0;
	if (only_insns) {
		printf("%zu\n", insns);
		return 0;
	}
	/* The last CPU, away from interrupts that often land on CPU 0. */
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(ncpu > 1 ? ncpu - 1 : 0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	if (f) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    tj_sys_seccomp_load(0, f->prog, (unsigned short)f->len) < 0) {
			fprintf(stderr, "sysbench: cannot load the filter: %s\n", strerror(errno));
			return 2;
		}
	}
	/* The measured call must be allowed, or we would time a denial. */
	errno = 0;
	long r = measured(call);
	if (r < 0 && errno != EBADF) {
		fprintf(stderr, "sysbench: %s is denied under %s: %s\n", call, profile ? profile : "no filter",
			strerror(errno));
		return 3;
	}
	double *m = calloc((size_t)rounds, sizeof(double)), *ref = calloc((size_t)rounds, sizeof(double));
	double *diff = calloc((size_t)rounds, sizeof(double));
	for (long i = 0; i < iters / 10 + 1; i++) /* warm up */
		measured(call);
	for (int k = 0; k < rounds; k++) {
		double t0 = now_ns();
		for (long i = 0; i < iters; i++)
			measured(call);
		double t1 = now_ns();
		for (long i = 0; i < iters; i++)
			syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
		double t2 = now_ns();
		m[k] = (t1 - t0) / (double)iters;
		ref[k] = (t2 - t1) / (double)iters;
		diff[k] = m[k] - ref[k];
	}
	double mm = median(m, rounds), mr = median(ref, rounds), md = median(diff, rounds);
	printf("{\"label\": \"%s\", \"profile\": \"%s\", \"optimize\": %d, \"call\": \"%s\", \"insns\": %zu, "
	       "\"ns_call\": %.1f, \"ns_getpid\": %.1f, \"ns_diff\": %.1f, \"iters\": %ld, \"rounds\": %d}\n",
	       label, profile ? profile : "none", optimize, call, insns, mm, mr, md, iters, rounds);
	/* _exit: the filter is still loaded, and a sanitizer's exit-time work
	 * (the leak checker) makes calls the profile may kill. */
	fflush(stdout);
	_exit(0);
}
