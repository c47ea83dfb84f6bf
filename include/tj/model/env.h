/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command's environment: an allowlist of names (with * globs), secret
 * patterns that only an exact --env-keep passes, deny patterns of one's own
 * that win over every keep, and explicit settings, which win over all.
 * Pure: builds a new envp from an old one.
 */
#ifndef TJ_ENV_H
#define TJ_ENV_H

#include <stdbool.h>

#include "tj/base/err.h"
#include "tj/base/util.h"

struct tj_env_policy {
	bool inherit_all;    /* keep everything not denied (--env-all) */
	struct tj_strv keep; /* extra names or globs to keep (--env-keep) */
	struct tj_strv deny; /* extra deny globs (--env-deny) */
	struct tj_strv set;  /* NAME=VALUE (--setenv, process.env) */
};

/* The names kept by default and the patterns always denied. */
const char *const *tj_env_default_keep(void);
const char *const *tj_env_default_deny(void);

/* Adds a comma-separated list to keep/deny; validates globs. */
int tj_env_add_list(struct tj_strv *to, const char *list, struct tj_err **err);
/* Adds "NAME=VALUE"; NAME must be a valid variable name. */
int tj_env_add_setting(struct tj_env_policy *p, const char *setting, struct tj_err **err);
void tj_env_merge(struct tj_env_policy *base, const struct tj_env_policy *over);
void tj_env_done(struct tj_env_policy *p);

/* What was not passed, by name (never by value), and why. */
struct tj_env_report {
	struct tj_strv secrets;	 /* matched a secret pattern (pass one with --env-keep NAME) */
	struct tj_strv denied;	 /* matched a deny pattern of one's own (--env-deny) */
	struct tj_strv not_kept; /* on no allowlist (--env-keep, --env-all) */
};

/* Builds the command's environment from `from` (NULL-terminated).  The
 * order of precedence: an explicit setting (--setenv) always; a deny
 * pattern of one's own (--env-deny) never; a keep entry naming the variable
 * exactly (--env-keep GITHUB_TOKEN), even a secret; a secret pattern
 * never; then the allowlist, keep globs and --env-all.  rep (may be NULL)
 * says what was not passed.  Caller frees out with tj_strv_done and rep
 * with tj_env_report_done. */
void tj_env_build_report(const struct tj_env_policy *p, char *const *from, struct tj_strv *out,
			 struct tj_env_report *rep);
void tj_env_report_done(struct tj_env_report *rep);
/* The same; `denied` (may be NULL) gets the secrets and the denied names. */
void tj_env_build(const struct tj_env_policy *p, char *const *from, struct tj_strv *out, struct tj_strv *denied);

/* Points every proxy variable at url: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY
 * and their lower-case forms (curl reads http_proxy only in lower case),
 * and removes NO_PROXY/no_proxy and any other *_proxy variable. */
void tj_env_set_proxy(struct tj_strv *env, const char *url);

/* make's jobserver descriptors named in the MAKEFLAGS of env
 * (--jobserver-auth=R,W, or make 4.1's --jobserver-fds=R,W): 0 and fds set,
 * or -1 when there are none (no MAKEFLAGS, no jobserver, make 4.4's named
 * pipe "fifo:PATH"). */
int tj_env_jobserver_fds(char *const *env, int fds[2]);
/* Takes out of env (tinyjail's own environment, NULL-terminated, changed in
 * place) every variable the command does not get exactly as it is in
 * `given`, its value's bytes zeroed first: the initial environment is what
 * /proc/PID/environ shows.  Names starting with keep_prefix (tinyjail's own
 * settings) stay.  Returns how many were taken out. */
size_t tj_env_scrub(char **env, const struct tj_strv *given, const char *keep_prefix);

/* Case-insensitive glob match with '*' only (enough for variable names). */
bool tj_env_glob(const char *pattern, const char *name);

#endif
