/* SPDX-License-Identifier: Apache-2.0 */
/* Building the command's environment: allowlist, deny patterns, settings. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tj/model/env.h"

/* What most programs need to behave: where to find things, who and where
 * they are, how to talk to the terminal, which language and time zone; and
 * what builds and CI jobs are steered by (compilers and their flags, make's
 * jobserver in MAKEFLAGS, library and module paths, a Python venv, a JDK).
 * None of these holds a secret. */
static const char *const default_keep[] = {
	"PATH",
	"HOME",
	"USER",
	"LOGNAME",
	"SHELL",
	"TERM",
	"COLORTERM",
	"NO_COLOR",
	"LANG",
	"LANGUAGE",
	"LC_*",
	"TZ",
	"TMPDIR",
	"PWD",
	/* builds */
	"CC",
	"CXX",
	"CPP",
	"AR",
	"AS",
	"LD",
	"NM",
	"RANLIB",
	"STRIP",
	"CFLAGS",
	"CXXFLAGS",
	"CPPFLAGS",
	"LDFLAGS",
	"LDLIBS",
	"MAKEFLAGS",
	"MFLAGS",
	"MAKELEVEL",
	"GNUMAKEFLAGS",
	"PKG_CONFIG_PATH",
	"LD_LIBRARY_PATH",
	"SOURCE_DATE_EPOCH",
	"PYTHONPATH",
	"VIRTUAL_ENV",
	"JAVA_HOME",
	"GOPATH",
	"GOFLAGS",
	"CARGO_HOME",
	"RUSTUP_HOME",
	"RUSTFLAGS",
	"NODE_PATH",
	/* CI systems set it to say so */
	"CI",
	NULL,
};

/* Names that are secrets: never passed by the allowlist, a keep glob or
 * --env-all; only --env-keep with the exact name or --setenv passes one.
 * Narrow on purpose (GITHUB_SHA, AWS_REGION, SESSION_MANAGER are no
 * secrets); a deny glob of one's own (--env-deny) adds more. */
static const char *const default_deny[] = {
	"*TOKEN",		    /* GITHUB_TOKEN, GH_TOKEN, NPM_TOKEN, CI_JOB_TOKEN, AWS_SESSION_TOKEN */
	"*_TOKEN_*",		    /* ..._TOKEN_FILE, ..._TOKEN_VALUE */
	"*SECRET*",		    /* AWS_SECRET_ACCESS_KEY, AZURE_CLIENT_SECRET */
	"*PASSWORD*",		    /* DB_PASSWORD, PGPASSWORD */
	"*PASSWD*",		    /* */
	"*PASSPHRASE*",		    /* */
	"*_PASS",		    /* SMTP_PASS */
	"*_KEY",		    /* STRIPE_KEY, SIGNING_KEY */
	"*API_KEY*",		    /* OPENAI_API_KEY */
	"*APIKEY*",		    /* */
	"*ACCESS_KEY*",		    /* AWS_ACCESS_KEY_ID */
	"*PRIVATE_KEY*",	    /* */
	"*CREDENTIAL*",		    /* GOOGLE_APPLICATION_CREDENTIALS */
	"*_AUTH",		    /* NPM_CONFIG__AUTH */
	"*COOKIE*",		    /* */
	"*_DSN",		    /* SENTRY_DSN holds its key */
	"*DATABASE_URL",	    /* URLs with the password in them */
	"SSH_AUTH_SOCK",	    /* the ssh agent: every key it holds */
	"SSH_AGENT_PID",	    /* */
	"GPG_AGENT_INFO",	    /* */
	"KRB5CCNAME",		    /* Kerberos tickets */
	"DBUS_SESSION_BUS_ADDRESS", /* the session bus reaches everything the user runs */
	NULL,
};

const char *const *tj_env_default_keep(void)
{
	return default_keep;
}

const char *const *tj_env_default_deny(void)
{
	return default_deny;
}

/* Matches the first len bytes of name: the names come straight from an
 * environment entry ("NAME=value"), of any length, never copied into a
 * fixed buffer (a deny pattern must not fail open on a long name). */
static bool glob_n(const char *pattern, const char *name, size_t len)
{
	/* Backtracking over the last '*' is enough for patterns of stars and
	 * letters. */
	const char *star = NULL;
	size_t i = 0, resume = 0;
	while (i < len) {
		if (*pattern == '*') {
			star = pattern++;
			resume = i;
		} else if (*pattern && toupper((unsigned char)*pattern) == toupper((unsigned char)name[i])) {
			pattern++;
			i++;
		} else if (star) {
			pattern = star + 1;
			i = ++resume;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

bool tj_env_glob(const char *pattern, const char *name)
{
	return glob_n(pattern, name, strlen(name));
}

static bool valid_name(const char *s, size_t n, bool glob)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!(isalnum((unsigned char)c) || c == '_' || (glob && c == '*')))
			return false;
	}
	return !isdigit((unsigned char)s[0]);
}

int tj_env_add_list(struct tj_strv *to, const char *list, struct tj_err **err)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		if (!valid_name(p, n, true))
			return tj_err_set(err, TJ_ERR_USAGE, 0,
					  "'%.*s' is not a variable name or pattern (letters, digits, _ and *)", (int)n,
					  p);
		char *name = tj_xstrndup(p, n);
		tj_strv_add_owned(to, name);
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* A later setting of the same name replaces the earlier one. */
static void put_setting(struct tj_strv *set, const char *setting)
{
	size_t len = strcspn(setting, "=");
	for (size_t i = 0; i < set->n; i++) {
		if (strncmp(set->v[i], setting, len) == 0 && set->v[i][len] == '=') {
			free(set->v[i]);
			set->v[i] = tj_xstrdup(setting);
			return;
		}
	}
	tj_strv_add(set, setting);
}

int tj_env_add_setting(struct tj_env_policy *p, const char *setting, struct tj_err **err)
{
	const char *eq = strchr(setting, '=');
	if (!eq || !valid_name(setting, (size_t)(eq - setting), false))
		return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': expected NAME=VALUE", setting);
	put_setting(&p->set, setting);
	return 0;
}

void tj_env_merge(struct tj_env_policy *base, const struct tj_env_policy *over)
{
	base->inherit_all |= over->inherit_all;
	for (size_t i = 0; i < over->keep.n; i++)
		tj_strv_add(&base->keep, over->keep.v[i]);
	for (size_t i = 0; i < over->deny.n; i++)
		tj_strv_add(&base->deny, over->deny.v[i]);
	for (size_t i = 0; i < over->set.n; i++)
		put_setting(&base->set, over->set.v[i]);
}

void tj_env_done(struct tj_env_policy *p)
{
	tj_strv_done(&p->keep);
	tj_strv_done(&p->deny);
	tj_strv_done(&p->set);
}

/* patterns: a NULL-terminated array (tj_strv keeps one), or NULL. */
static bool matches_any(const char *const *patterns, const char *name, size_t len)
{
	for (size_t i = 0; patterns && patterns[i]; i++)
		if (glob_n(patterns[i], name, len))
			return true;
	return false;
}

static bool is_set(const struct tj_strv *set, const char *entry)
{
	size_t len = strcspn(entry, "=");
	for (size_t i = 0; i < set->n; i++)
		if (strncmp(set->v[i], entry, len) == 0 && set->v[i][len] == '=')
			return true;
	return false;
}

/* A keep entry without '*' names one variable exactly. */
static bool kept_exactly(const struct tj_strv *keep, const char *name, size_t len)
{
	for (size_t i = 0; i < keep->n; i++)
		if (!strchr(keep->v[i], '*') && glob_n(keep->v[i], name, len))
			return true;
	return false;
}

/* Why a variable of the caller's environment is not passed, or PASS. */
enum verdict {
	PASS,
	DENIED,
	SECRET,
	NOT_KEPT
};

static enum verdict judge(const struct tj_env_policy *p, const char *name, size_t len)
{
	if (matches_any((const char *const *)p->deny.v, name, len))
		return DENIED; /* one's own deny wins over every keep */
	if (kept_exactly(&p->keep, name, len))
		return PASS; /* named exactly: passes, even a secret */
	if (matches_any(default_deny, name, len))
		return SECRET;
	if (p->inherit_all || matches_any(default_keep, name, len) ||
	    matches_any((const char *const *)p->keep.v, name, len))
		return PASS;
	return NOT_KEPT;
}

void tj_env_build_report(const struct tj_env_policy *p, char *const *from, struct tj_strv *out,
			 struct tj_env_report *rep)
{
	for (size_t i = 0; from && from[i]; i++) {
		const char *e = from[i];
		size_t len = strcspn(e, "=");
		if (!e[len] || is_set(&p->set, e))
			continue; /* malformed, or replaced by an explicit setting */
		enum verdict v = judge(p, e, len);
		if (v == PASS) {
			tj_strv_add(out, e);
			continue;
		}
		if (rep)
			tj_strv_add_owned(v == DENIED	? &rep->denied
					  : v == SECRET ? &rep->secrets
							: &rep->not_kept,
					  tj_xstrndup(e, len));
	}
	for (size_t i = 0; i < p->set.n; i++)
		tj_strv_add(out, p->set.v[i]);
	if (!out->v) { /* an empty environment is still a NULL-terminated array */
		out->v = tj_xcalloc(1, sizeof(char *));
		out->cap = 1;
	}
}

void tj_env_report_done(struct tj_env_report *rep)
{
	tj_strv_done(&rep->secrets);
	tj_strv_done(&rep->denied);
	tj_strv_done(&rep->not_kept);
}

void tj_env_build(const struct tj_env_policy *p, char *const *from, struct tj_strv *out, struct tj_strv *denied)
{
	struct tj_env_report rep = {0};
	tj_env_build_report(p, from, out, &rep);
	for (size_t i = 0; denied && i < rep.secrets.n; i++)
		tj_strv_add(denied, rep.secrets.v[i]);
	for (size_t i = 0; denied && i < rep.denied.n; i++)
		tj_strv_add(denied, rep.denied.v[i]);
	tj_env_report_done(&rep);
}

void tj_env_set_proxy(struct tj_strv *env, const char *url)
{
	static const char *const names[] = {"http_proxy", "https_proxy", "all_proxy",
					    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"};
	size_t kept = 0;
	for (size_t i = 0; i < env->n; i++) {
		const char *eq = strchr(env->v[i], '=');
		size_t n = eq ? (size_t)(eq - env->v[i]) : strlen(env->v[i]);
		/* Any *_proxy (ftp_proxy, no_proxy, ...), in either case. */
		if (n >= 6 && strncasecmp(env->v[i] + n - 6, "_proxy", 6) == 0) {
			free(env->v[i]);
			continue;
		}
		env->v[kept++] = env->v[i];
	}
	env->n = kept;
	if (env->v)
		env->v[kept] = NULL;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(names); i++) {
		char *s = tj_xasprintf("%s=%s", names[i], url);
		tj_strv_add_owned(env, s);
	}
}

int tj_env_jobserver_fds(char *const *env, int fds[2])
{
	const char *flags = NULL;
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], "MAKEFLAGS=", 10) == 0)
			flags = env[i] + 10;
	if (!flags)
		return -1;
	/* The last one counts, as for make; make 4.4's "fifo:PATH" needs no
	 * descriptor. */
	int found = -1;
	static const char *const keys[] = {"--jobserver-auth=", "--jobserver-fds="};
	for (size_t k = 0; k < TJ_ARRAY_SIZE(keys); k++) {
		for (const char *p = strstr(flags, keys[k]); p; p = strstr(p + 1, keys[k])) {
			int r, w, n = 0;
			if (sscanf(p + strlen(keys[k]), "%d,%d%n", &r, &w, &n) == 2 && n > 0 && r >= 0 && w >= 0) {
				fds[0] = r;
				fds[1] = w;
				found = 0;
			}
		}
	}
	return found;
}

size_t tj_env_scrub(char **env, const struct tj_strv *given, const char *keep_prefix)
{
	size_t kept = 0, removed = 0;
	for (size_t i = 0; env && env[i]; i++) {
		char *e = env[i];
		bool keep = (keep_prefix && strncmp(e, keep_prefix, strlen(keep_prefix)) == 0) ||
			    tj_strv_contains(given, e);
		if (keep) {
			env[kept++] = e;
			continue;
		}
		char *eq = strchr(e, '=');
		char *value = eq ? eq + 1 : e;
		explicit_bzero(value, strlen(value));
		removed++;
	}
	if (env)
		env[kept] = NULL;
	return removed;
}
