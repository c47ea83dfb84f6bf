/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The profile model: name tables, ownership, and the evaluation of
 * Docker/Podman conditional rules against a host.  Knows nothing of JSON or
 * libseccomp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "tj/base/caps.h"
#include "tj/model/profile.h"

static const char *const action_names[_TJ_ACT_MAX + 1] = {
	[TJ_ACT_KILL] = "SCMP_ACT_KILL",
	[TJ_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[TJ_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[TJ_ACT_TRAP] = "SCMP_ACT_TRAP",
	[TJ_ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[TJ_ACT_TRACE] = "SCMP_ACT_TRACE",
	[TJ_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
	[TJ_ACT_LOG] = "SCMP_ACT_LOG",
	[TJ_ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[_TJ_ACT_MAX] = NULL,
};

static const char *const cmp_names[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",	    "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};
_Static_assert(TJ_ARRAY_SIZE(cmp_names) == _TJ_CMP_MAX, "one name per operator");

static const struct {
	const char *name;
	enum tj_seccomp_flag flag;
} flag_table[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", TJ_FLAG_TSYNC},
	{"SECCOMP_FILTER_FLAG_LOG", TJ_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", TJ_FLAG_SPEC_ALLOW},
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", TJ_FLAG_WAIT_KILLABLE_RECV},
};
static const char *const flag_names[] = {
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	NULL,
};

/* Every architecture the OCI runtime-spec (1.2) defines, plus NATIVE, which
 * Podman and the Security Profiles Operator accept. */
static const char *const arch_names[] = {
	"SCMP_ARCH_NATIVE",
	"SCMP_ARCH_X86",
	"SCMP_ARCH_X86_64",
	"SCMP_ARCH_X32",
	"SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64",
	"SCMP_ARCH_MIPS",
	"SCMP_ARCH_MIPS64",
	"SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL",
	"SCMP_ARCH_MIPSEL64",
	"SCMP_ARCH_MIPSEL64N32",
	"SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",
	"SCMP_ARCH_PPC64LE",
	"SCMP_ARCH_S390",
	"SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC",
	"SCMP_ARCH_PARISC64",
	"SCMP_ARCH_RISCV64",
	"SCMP_ARCH_LOONGARCH64",
	"SCMP_ARCH_M68K",
	"SCMP_ARCH_SH",
	"SCMP_ARCH_SHEB",
	NULL,
};

const char *tj_action_name(enum tj_action a)
{
	return (unsigned)a < _TJ_ACT_MAX ? action_names[a] : "SCMP_ACT_?";
}

int tj_action_from_name(const char *name)
{
	for (int i = 0; i < _TJ_ACT_MAX; i++)
		if (strcmp(action_names[i], name) == 0)
			return i;
	return -1;
}

const char *const *tj_action_names(void)
{
	return action_names;
}

const char *tj_cmp_name(enum tj_cmp op)
{
	return op >= TJ_CMP_NE && op < _TJ_CMP_MAX ? cmp_names[op - 1] : "SCMP_CMP_?";
}

int tj_cmp_from_name(const char *name)
{
	for (int i = 0; cmp_names[i]; i++)
		if (strcmp(cmp_names[i], name) == 0)
			return i + 1;
	return -1;
}

const char *const *tj_cmp_names(void)
{
	return cmp_names;
}

const char *tj_flag_name(enum tj_seccomp_flag f)
{
	for (size_t i = 0; i < TJ_ARRAY_SIZE(flag_table); i++)
		if (flag_table[i].flag == f)
			return flag_table[i].name;
	return "SECCOMP_FILTER_FLAG_?";
}

int tj_flag_from_name(const char *name)
{
	for (size_t i = 0; i < TJ_ARRAY_SIZE(flag_table); i++)
		if (strcmp(flag_table[i].name, name) == 0)
			return (int)flag_table[i].flag;
	return -1;
}

const char *const *tj_flag_names(void)
{
	return flag_names;
}

bool tj_arch_name_valid(const char *name)
{
	for (size_t i = 0; arch_names[i]; i++)
		if (strcmp(arch_names[i], name) == 0)
			return true;
	return false;
}

bool tj_arch_big_endian(const char *name)
{
	/* The SCMP_ARCH_* names of big-endian ABIs: libseccomp refuses to add
	 * them to a filter for a little-endian host (EDOM). */
	static const char *const big[] = {"SCMP_ARCH_MIPS",  "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
					  "SCMP_ARCH_PPC",   "SCMP_ARCH_PPC64",	 "SCMP_ARCH_S390",
					  "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
					  "SCMP_ARCH_M68K",  "SCMP_ARCH_SHEB",	 NULL};
	for (size_t i = 0; big[i]; i++)
		if (strcmp(big[i], name) == 0)
			return true;
	return false;
}

const char *const *tj_arch_names(void)
{
	return arch_names;
}

bool tj_action_takes_errno(enum tj_action a)
{
	return a == TJ_ACT_ERRNO || a == TJ_ACT_TRACE;
}

int tj_action_rank(enum tj_action a)
{
	/* seccomp(2): KILL_PROCESS > KILL_THREAD > TRAP > ERRNO > USER_NOTIF >
	 * TRACE > LOG > ALLOW.  SCMP_ACT_KILL ranks with KILL_PROCESS because
	 * tinyjail enforces it that way. */
	switch (a) {
	case TJ_ACT_KILL:
	case TJ_ACT_KILL_PROCESS: return 7;
	case TJ_ACT_KILL_THREAD: return 6;
	case TJ_ACT_TRAP: return 5;
	case TJ_ACT_ERRNO: return 4;
	case TJ_ACT_NOTIFY: return 3;
	case TJ_ACT_TRACE: return 2;
	case TJ_ACT_LOG: return 1;
	case TJ_ACT_ALLOW: return 0;
	default: return 7;
	}
}

bool tj_action_is_kill(enum tj_action a)
{
	return a == TJ_ACT_KILL || a == TJ_ACT_KILL_PROCESS || a == TJ_ACT_KILL_THREAD;
}

enum tj_action tj_action_canonical(enum tj_action a)
{
	return a == TJ_ACT_KILL ? TJ_ACT_KILL_PROCESS : a;
}

bool tj_rule_equals_default(const struct tj_seccomp *s, const struct tj_rule *r)
{
	return tj_action_canonical(r->action) == tj_action_canonical(s->default_action) &&
	       tj_rule_effective_errno(r) == tj_seccomp_effective_default_errno(s);
}

bool tj_rule_has_repeated_index(const struct tj_rule *r)
{
	unsigned seen = 0;
	for (size_t i = 0; i < r->nargs; i++) {
		unsigned bit = 1u << r->args[i].index;
		if (seen & bit)
			return true;
		seen |= bit;
	}
	return false;
}

unsigned tj_rule_effective_errno(const struct tj_rule *r)
{
	if (!tj_action_takes_errno(r->action))
		return 0;
	return r->has_errno ? r->errno_ret : 1;
}

unsigned tj_seccomp_effective_default_errno(const struct tj_seccomp *s)
{
	if (!tj_action_takes_errno(s->default_action))
		return 0;
	return s->has_default_errno ? s->default_errno : 1;
}

/* --- ownership --- */

static void cond_done(struct tj_cond *c)
{
	tj_strv_done(&c->caps);
	tj_strv_done(&c->arches);
	free(c->min_kernel);
	memset(c, 0, sizeof(*c));
}

static void cond_copy(struct tj_cond *dst, const struct tj_cond *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->caps.n; i++)
		tj_strv_add(&dst->caps, src->caps.v[i]);
	for (size_t i = 0; i < src->arches.n; i++)
		tj_strv_add(&dst->arches, src->arches.v[i]);
	dst->min_kernel = src->min_kernel ? tj_xstrdup(src->min_kernel) : NULL;
	dst->min_major = src->min_major;
	dst->min_minor = src->min_minor;
}

void tj_rule_done(struct tj_rule *r)
{
	free(r->json_path);
	for (size_t i = 0; r->origins && i < r->names.n; i++)
		free(r->origins[i].via);
	free(r->origins);
	tj_strv_done(&r->names);
	free(r->args);
	cond_done(&r->includes);
	cond_done(&r->excludes);
	free(r->comment);
	memset(r, 0, sizeof(*r));
}

void tj_rule_copy(struct tj_rule *dst, const struct tj_rule *src)
{
	*dst = *src;
	dst->json_path = tj_xstrdup(src->json_path);
	memset(&dst->names, 0, sizeof(dst->names));
	for (size_t i = 0; i < src->names.n; i++)
		tj_strv_add(&dst->names, src->names.v[i]);
	dst->origins = NULL;
	if (src->origins) {
		dst->origins = tj_xcalloc(src->names.n ? src->names.n : 1, sizeof(*dst->origins));
		for (size_t i = 0; i < src->names.n; i++) {
			dst->origins[i].index = src->origins[i].index;
			dst->origins[i].via = src->origins[i].via ? tj_xstrdup(src->origins[i].via) : NULL;
		}
	}
	dst->args = NULL;
	if (src->nargs) {
		dst->args = tj_xcalloc(src->nargs, sizeof(*dst->args));
		memcpy(dst->args, src->args, src->nargs * sizeof(*dst->args));
	}
	cond_copy(&dst->includes, &src->includes);
	cond_copy(&dst->excludes, &src->excludes);
	dst->comment = src->comment ? tj_xstrdup(src->comment) : NULL;
}

void tj_rule_drop_name(struct tj_rule *r, size_t k)
{
	free(r->names.v[k]);
	memmove(&r->names.v[k], &r->names.v[k + 1], (r->names.n - k) * sizeof(char *));
	if (r->origins) {
		free(r->origins[k].via);
		memmove(&r->origins[k], &r->origins[k + 1], (r->names.n - k - 1) * sizeof(*r->origins));
	}
	r->names.n--;
}

char *tj_rule_name_path(const struct tj_rule *r, size_t k)
{
	if (r->json_path[0] == '-') /* a rule from the command line (--allow-syscall) */
		return tj_xstrdup(r->json_path);
	if (r->singular_name)
		return tj_xasprintf("%s.name", r->json_path);
	return tj_xasprintf("%s.names[%zu]", r->json_path, r->origins ? r->origins[k].index : k);
}

const char *tj_rule_name_via(const struct tj_rule *r, size_t k)
{
	return r->origins ? r->origins[k].via : NULL;
}

char *tj_rule_name_where(const struct tj_rule *r, size_t k)
{
	if (!r->origins)
		return tj_xstrdup(r->json_path);
	char *path = tj_rule_name_path(r, k);
	if (!r->origins[k].via)
		return path;
	char *where = tj_xasprintf("%s (%s)", path, r->origins[k].via);
	free(path);
	return where;
}

void tj_seccomp_free(struct tj_seccomp *s)
{
	if (!s)
		return;
	free(s->json_path);
	tj_strv_done(&s->arches);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->nrules; i++)
		tj_rule_done(&s->rules[i]);
	free(s->rules);
	free(s);
}

struct tj_seccomp *tj_seccomp_copy(const struct tj_seccomp *s)
{
	struct tj_seccomp *c = tj_xcalloc(1, sizeof(*c));
	*c = *s;
	c->json_path = tj_xstrdup(s->json_path);
	memset(&c->arches, 0, sizeof(c->arches));
	for (size_t i = 0; i < s->arches.n; i++)
		tj_strv_add(&c->arches, s->arches.v[i]);
	c->listener_path = s->listener_path ? tj_xstrdup(s->listener_path) : NULL;
	c->listener_metadata = s->listener_metadata ? tj_xstrdup(s->listener_metadata) : NULL;
	c->rules = tj_xcalloc(s->nrules ? s->nrules : 1, sizeof(*c->rules));
	for (size_t i = 0; i < s->nrules; i++)
		tj_rule_copy(&c->rules[i], &s->rules[i]);
	return c;
}

static unsigned top_layer(const struct tj_seccomp *s)
{
	unsigned top = 0;
	for (size_t i = 0; s && i < s->nrules; i++)
		if (s->rules[i].layer > top)
			top = s->rules[i].layer;
	return top;
}

static void extend_seccomp(struct tj_seccomp *sc, struct tj_seccomp *base, const char *base_name)
{
	unsigned above = top_layer(base) + 1;
	struct tj_rule *rules = tj_xcalloc(base->nrules + sc->nrules + 1, sizeof(*rules));
	size_t n = 0;
	for (size_t i = 0; i < base->nrules; i++) {
		rules[n] = base->rules[i]; /* moved */
		char *path = tj_xasprintf("extends %s: %s", base_name, rules[n].json_path);
		free(rules[n].json_path);
		rules[n++].json_path = path;
	}
	for (size_t i = 0; i < sc->nrules; i++) {
		rules[n] = sc->rules[i];
		rules[n++].layer += above;
	}
	free(base->rules);
	free(sc->rules);
	base->rules = NULL;
	base->nrules = 0;
	sc->rules = rules;
	sc->nrules = n;
	if (sc->default_inherited) {
		sc->default_action = base->default_action;
		sc->has_default_errno = base->has_default_errno;
		sc->default_errno = base->default_errno;
		sc->default_inherited = false;
	}
	for (size_t i = 0; i < base->arches.n; i++)
		if (!tj_strv_contains(&sc->arches, base->arches.v[i]))
			tj_strv_add(&sc->arches, base->arches.v[i]);
	if (!sc->has_flags) {
		sc->has_flags = base->has_flags;
		sc->flags = base->flags;
	}
	if (!sc->listener_path && base->listener_path) {
		sc->listener_path = base->listener_path;
		base->listener_path = NULL;
	}
	if (!sc->listener_metadata && base->listener_metadata) {
		sc->listener_metadata = base->listener_metadata;
		base->listener_metadata = NULL;
	}
}

void tj_profile_extend(struct tj_profile *p, struct tj_profile *base)
{
	const char *name = p->extends ? p->extends : base->file;
	if (p->seccomp && base->seccomp)
		extend_seccomp(p->seccomp, base->seccomp, name);
	else if (!p->seccomp) {
		p->seccomp = base->seccomp;
		base->seccomp = NULL;
		for (size_t i = 0; p->seccomp && i < p->seccomp->nrules; i++) {
			char *path = tj_xasprintf("extends %s: %s", name, p->seccomp->rules[i].json_path);
			free(p->seccomp->rules[i].json_path);
			p->seccomp->rules[i].json_path = path;
		}
	}
	/* The option models: the base's, then this profile's over them. */
	struct tj_limits limits = base->limits;
	tj_limits_merge(&limits, &p->limits);
	p->limits = limits;
	tj_env_merge(&base->env, &p->env);
	tj_env_done(&p->env);
	p->env = base->env;
	memset(&base->env, 0, sizeof(base->env));
	struct tj_isolation iso = {0};
	tj_isolation_merge(&iso, &base->iso);
	tj_isolation_merge(&iso, &p->iso);
	tj_isolation_done(&p->iso);
	p->iso = iso;
	struct tj_net_policy net = {0};
	tj_net_policy_merge(&net, &base->net);
	tj_net_policy_merge(&net, &p->net);
	tj_net_policy_done(&p->net);
	p->net = net;
	if (!p->description && base->description) {
		p->description = base->description;
		base->description = NULL;
	}
	for (size_t i = 0; i < base->warnings.n; i++)
		tj_notes_add(&p->warnings, base->warnings.v[i].json_path, "%s: %s", base->file,
			     base->warnings.v[i].msg);
	/* What the filter cache keys on: every text the profile is made of. */
	struct tj_buf b = {0};
	tj_buf_addf(&b, "%s\n", base->file);
	if (base->base_text)
		tj_buf_addn(&b, base->base_text, base->base_text_len);
	tj_buf_addn(&b, base->text, base->text_len);
	p->base_text = tj_buf_steal(&b);
	p->base_text_len = strlen(p->base_text);
	tj_profile_free(base);
}

void tj_profile_free(struct tj_profile *p)
{
	if (!p)
		return;
	free(p->file);
	free(p->text);
	free(p->extends);
	free(p->base_text);
	free(p->description);
	tj_seccomp_free(p->seccomp);
	tj_env_done(&p->env);
	tj_isolation_done(&p->iso);
	tj_net_policy_done(&p->net);
	tj_notes_done(&p->warnings);
	free(p);
}

/* --- hosts and conditional rules --- */

void tj_host_detect(struct tj_host *host)
{
	memset(host, 0, sizeof(*host));
	host->go_arch = "amd64";
	struct utsname u;
	if (uname(&u) == 0)
		sscanf(u.release, "%u.%u", &host->kernel_major, &host->kernel_minor);
	host->caps = tj_caps_permitted();
}

static bool holds_cap(const struct tj_host *host, const char *name)
{
	int v = tj_cap_from_name(name);
	return v >= 0 && (host->caps & ((uint64_t)1 << v));
}

static bool kernel_at_least(const struct tj_host *host, unsigned major, unsigned minor)
{
	return host->kernel_major > major || (host->kernel_major == major && host->kernel_minor >= minor);
}

bool tj_rule_applies(const struct tj_rule *r, const struct tj_host *host, const char **why)
{
	/* The order and meaning follow moby's setupSeccomp: any excluded
	 * arch or held cap, or a new enough kernel, skips the rule; includes
	 * need the native arch, every listed cap, and a new enough kernel. */
	if (r->has_excludes) {
		const struct tj_cond *c = &r->excludes;
		if (tj_strv_contains(&c->arches, host->go_arch)) {
			*why = "excludes.arches lists this architecture";
			return false;
		}
		for (size_t i = 0; i < c->caps.n; i++) {
			if (holds_cap(host, c->caps.v[i])) {
				*why = "excludes.caps lists a capability the target holds";
				return false;
			}
		}
		if (c->min_kernel && kernel_at_least(host, c->min_major, c->min_minor)) {
			*why = *c->min_kernel ? "excludes.minKernel is not above this kernel"
					      : "excludes.minKernel is \"\", which moby reads as 0.0: every kernel";
			return false;
		}
	}
	if (r->has_includes) {
		const struct tj_cond *c = &r->includes;
		if (c->arches.n && !tj_strv_contains(&c->arches, host->go_arch)) {
			*why = "includes.arches does not list this architecture";
			return false;
		}
		for (size_t i = 0; i < c->caps.n; i++) {
			if (!holds_cap(host, c->caps.v[i])) {
				*why = "includes.caps lists a capability the target lacks";
				return false;
			}
		}
		if (c->min_kernel && !kernel_at_least(host, c->min_major, c->min_minor)) {
			*why = "includes.minKernel is above this kernel";
			return false;
		}
	}
	return true;
}
