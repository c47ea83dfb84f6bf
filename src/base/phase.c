/* SPDX-License-Identifier: Apache-2.0 */
/* Launch phase timestamps (phase.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/phase.h"

/* -1: not looked up yet.  Read once in the parent; the child inherits it. */
static int enabled = -1;

static char *put_str(char *p, const char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

static char *put_num(char *p, const char *end, unsigned long long v)
{
	char tmp[24];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < sizeof(tmp));
	while (n && p < end)
		*p++ = tmp[--n];
	return p;
}

void tj_phase2(const char *what, const char *name)
{
	if (enabled < 0) {
		const char *v = getenv("TINYJAIL_PHASES");
		enabled = v && *v && strcmp(v, "0") != 0;
	}
	if (!enabled)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	char line[160];
	char *p = line, *end = line + sizeof(line) - 1;
	p = put_str(p, end, "tinyjail-phase ");
	p = put_num(p, end, (unsigned long long)getpid());
	p = put_str(p, end, " ");
	p = put_str(p, end, what);
	if (name) {
		p = put_str(p, end, ":");
		p = put_str(p, end, name);
	}
	p = put_str(p, end, " ");
	p = put_num(p, end, (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec);
	*p++ = '\n';
	/* One write: lines of the parent and the child do not interleave. */
	ssize_t r = write(2, line, (size_t)(p - line));
	(void)r;
}

void tj_phase(const char *name)
{
	tj_phase2(name, NULL);
}
