/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command's environment: an allowlist of names (with * globs), deny
 * patterns that win even over the allowlist (secrets), and explicit
 * settings, which win over both.  Pure: builds a new envp from an old one.
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

/* Builds the command's environment from `from` (NULL-terminated); the
 * names that were dropped because a deny pattern matched are added to
 * `denied` when it is not NULL.  Caller frees with tj_strv_done. */
void tj_env_build(const struct tj_env_policy *p, char *const *from, struct tj_strv *out, struct tj_strv *denied);

/* Points every proxy variable at url: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY
 * and their lower-case forms (curl reads http_proxy only in lower case),
 * and removes NO_PROXY/no_proxy and any other *_proxy variable. */
void tj_env_set_proxy(struct tj_strv *env, const char *url);

/* Takes out of env (tinyjail's own environment, NULL-terminated, changed in
 * place) every variable the command does not get exactly as it is in
 * `given`, its value's bytes zeroed first: the initial environment is what
 * /proc/PID/environ shows.  Names starting with keep_prefix (tinyjail's own
 * settings) stay.  Returns how many were taken out. */
size_t tj_env_scrub(char **env, const struct tj_strv *given, const char *keep_prefix);

/* Case-insensitive glob match with '*' only (enough for variable names). */
bool tj_env_glob(const char *pattern, const char *name);

#endif
