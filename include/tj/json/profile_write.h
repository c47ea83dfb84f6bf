/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The profile writer: a seccomp model -> a profile document people review
 * and tools read.  Every generator writes through it (`learn`, the static
 * analysis, the reports' tightened profiles, the editor, `supervise
 * --write-back` of whole rules), so that every profile tinyjail produces
 * looks the same and diffs cleanly.  notes/learn.md shows the output.
 *
 * The JSON document is a plain OCI linux.seccomp object (the format of
 * Docker, Podman, runc, crun and the SPO's JSON profiles), written:
 *   - with keys in a fixed order: defaultAction, defaultErrnoRet,
 *     architectures, flags, listenerPath, listenerMetadata, comment,
 *     syscalls; in a rule: names, action, errnoRet, args, includes,
 *     excludes, comment;
 *   - with its rules in a canonical order (TJ_WRITE_SORT): by first name,
 *     then action, then arguments; names sorted inside a rule; so the same
 *     model always gives the same bytes, and a change shows as a change of
 *     the rules it concerns;
 *   - one rule per block, the names on one line, one argument per line,
 *     each rule's `comment` kept (generators put the rule's provenance
 *     there: Docker's profiles carry "comment" too, runc, crun and the OCI
 *     schema accept it);
 *   - actions as tinyjail enforces them (SCMP_ACT_KILL is written
 *     SCMP_ACT_KILL_PROCESS, which runc would otherwise read as
 *     KILL_THREAD), and errnoRet written out wherever an action takes one.
 * The result is loaded back with the project's loader before it is
 * returned, so a document tinyjail could not read is never produced.
 *
 * The same model can be written as a Kubernetes SeccompProfile object of
 * the security-profiles-operator (apiVersion
 * security-profiles-operator.x-k8s.io/v1beta1), in YAML, comments as YAML
 * comments, so a learned profile deploys to a cluster unchanged.
 *
 * The model must name plain syscalls or groups ("@basic-io") as the
 * generator chose; groups are written as they are (the loader reads them,
 * runtimes do not: `compile --oci` expands them).
 */
#ifndef TJ_JSON_PROFILE_WRITE_H
#define TJ_JSON_PROFILE_WRITE_H

#include <stdbool.h>

#include "tj/base/err.h"
#include "tj/model/profile.h"

enum {
	TJ_WRITE_SORT = 1u << 0, /* canonical rule and name order (else the model's) */
};

struct tj_profile_write_opts {
	unsigned flags;	     /* TJ_WRITE_* */
	const char *comment; /* the top-level "comment": where the profile came from; NULL: none */
};

/* Renders s as a seccomp profile document (above).  display names the
 * document in the error when the result would not load.  Caller frees
 * *ret. */
int tj_profile_write_json(const struct tj_seccomp *s, const struct tj_profile_write_opts *o, const char *display,
			  char **ret, struct tj_err **err);

/* Renders s as a SeccompProfile object named `name` (a DNS subdomain:
 * lower-case letters, digits, '-' and '.'; others are replaced by '-'), in
 * `ns` when not NULL.  Fails with TJ_ERR_PROFILE (and the rule's JSON path)
 * for what the CRD cannot hold: a defaultErrnoRet other than EPERM, a
 * comparison value above 2^63-1, more than 6 arguments in a rule,
 * includes/excludes (resolve them first: the model `compile` resolves for
 * this host has none).  Caller frees *ret. */
int tj_profile_write_spo(const struct tj_seccomp *s, const struct tj_profile_write_opts *o, const char *name,
			 const char *ns, char **ret, struct tj_err **err);

/* One rule as a single line of JSON ({"names": [...], "action": ..., "args":
 * [...]}, comment left out), for messages that propose a rule.  Caller
 * frees. */
char *tj_profile_write_rule(const struct tj_rule *r);

/* The top-level "comment" of a seccomp profile document (where a generator
 * keeps the profile's provenance), or NULL when there is none or the text
 * is not a JSON object.  Caller frees. */
char *tj_profile_read_comment(const char *text, size_t len);

/* The canonical order of rules, for generators that compare models: <0, 0,
 * >0 as strcmp.  Names inside each rule must already be sorted. */
int tj_profile_rule_cmp(const struct tj_rule *a, const struct tj_rule *b);

#endif
