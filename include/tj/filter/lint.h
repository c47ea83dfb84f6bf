/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tinyjail check --lint`: risky but valid profiles.  Each finding has a
 * severity, the JSON path it is about, why it matters and how to fix it
 * (the checks are listed in notes/profile-format.md, "Lint").  Semantic
 * questions ("can memory become writable and executable?") are answered by
 * running the compiled program in the BPF simulator, so they are exact.
 */
#ifndef TJ_LINT_H
#define TJ_LINT_H

#include <stddef.h>

#include "tj/filter/filter.h"
#include "tj/model/profile.h"

enum tj_severity {
	TJ_SEV_LOW,    /* no effect, or a portability trap */
	TJ_SEV_MEDIUM, /* weaker or more fragile than it looks */
	TJ_SEV_HIGH,   /* a way around the filter, or a door left open: `--lint` exits 1 */
};

struct tj_finding {
	enum tj_severity severity;
	const char *check; /* a short stable name: "default-allow", "int-arg-bypass", ... */
	char *json_path;   /* full path in the file: "linux.seccomp.syscalls[2].names[1]" */
	char *where;	   /* json_path with the group it came through, for messages */
	char *what;	   /* the finding, one line */
	char *why;	   /* why it matters */
	char *fix;	   /* what to change */
};

struct tj_findings {
	struct tj_finding *v;
	size_t n, cap;
};

/* Lints p's seccomp section, which f is the compiled form of (compiled for
 * host, NULL = this machine, as the rules that apply depend on it).
 * Findings are sorted, most severe first. */
void tj_lint(const struct tj_profile *p, const struct tj_filter *f, const struct tj_host *host,
	     struct tj_findings *out);
void tj_findings_done(struct tj_findings *f);
const char *tj_severity_name(enum tj_severity s);
/* The number of findings of severity s. */
size_t tj_findings_count(const struct tj_findings *f, enum tj_severity s);

#endif
