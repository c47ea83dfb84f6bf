/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The profile linter.  Three views of the profile are used:
 *   - the rules as written (p->seccomp): actions, architectures, names;
 *   - the rules that apply here with groups expanded but before the
 *     compiler settles conflicts: shadowing and argument checks;
 *   - the compiled truth program, run in the BPF simulator: what a call
 *     really meets, and explain.c for the rule that decides it.
 */
#include <linux/audit.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tj/filter/bpfsim.h"
#include "tj/filter/expand.h"
#include "tj/filter/explain.h"
#include "tj/filter/lint.h"
#include "tj/model/sysgroups.h"

#define NR_LIMIT 1024
#define SHORT_DENYLIST 50 /* denied syscalls below which a default-allow profile is "short" */

struct ctx {
	const struct tj_profile *p;
	const struct tj_seccomp *s; /* as written */
	const struct tj_filter *f;
	struct tj_seccomp *x; /* applicable here, groups expanded */
	const struct sock_filter *truth;
	size_t truth_len;
	struct tj_findings *out;
};

/* --- findings --- */

const char *tj_severity_name(enum tj_severity s)
{
	switch (s) {
	case TJ_SEV_HIGH: return "high";
	case TJ_SEV_MEDIUM: return "medium";
	default: return "low";
	}
}

__attribute__((format(printf, 6, 7))) static struct tj_finding *add(struct ctx *c, enum tj_severity sev,
								    const char *check, char *path, char *where,
								    const char *fmt, ...)
{
	struct tj_findings *out = c->out;
	tj_xreserve((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	struct tj_finding *f = &out->v[out->n++];
	va_list ap;
	va_start(ap, fmt);
	*f = (struct tj_finding){.severity = sev,
				 .check = check,
				 .json_path = path,
				 .where = where ? where : tj_xstrdup(path),
				 .what = tj_xvasprintf(fmt, ap)};
	va_end(ap);
	return f;
}

/* "linux.seccomp.defaultAction" and the like. */
static char *key_path(const struct tj_seccomp *s, const char *key)
{
	return s->json_path[0] ? tj_xasprintf("%s.%s", s->json_path, key) : tj_xstrdup(key);
}

static bool allowish(uint32_t action)
{
	uint32_t a = action & SECCOMP_RET_ACTION_FULL;
	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG;
}

static bool action_allowish(enum tj_action a)
{
	return a == TJ_ACT_ALLOW || a == TJ_ACT_LOG;
}

static uint32_t sim(const struct ctx *c, int nr, const uint64_t args[6], struct seccomp_data *d)
{
	*d = (struct seccomp_data){.nr = nr, .arch = AUDIT_ARCH_X86_64};
	memcpy(d->args, args, sizeof(d->args));
	return tj_bpf_run(c->truth, c->truth_len, d);
}

/* "syscalls[0].names[2] (@system-service > @ipc)", or just the path. */
static char *entry_where(const struct tj_rule *r, size_t k)
{
	char *path = tj_rule_name_path(r, k);
	const char *via = tj_rule_name_via(r, k);
	if (!via)
		return path;
	char *where = tj_xasprintf("%s (%s)", path, via);
	free(path);
	return where;
}

/* Where a simulated call is decided: the rule entry (and group), or the default. */
static void decided_at(const struct ctx *c, const struct seccomp_data *d, uint32_t action, char **path, char **where)
{
	size_t k = 0;
	const struct tj_rule *r = tj_explain_find(c->f->resolved, d, action, &k);
	if (!r) {
		*path = key_path(c->s, "defaultAction");
		*where = tj_xstrdup(*path);
		return;
	}
	*path = tj_rule_name_path(r, k);
	*where = entry_where(r, k);
}

static int native_nr(const char *name)
{
	int nr;
	if (tj_syscall_resolve(name, &nr) != TJ_SYSCALL_NATIVE || nr < 0 || nr >= NR_LIMIT)
		return -1;
	return nr;
}

/* --- default-allow --- */

static size_t count_denied(const struct tj_seccomp *s)
{
	bool seen[NR_LIMIT] = {0};
	size_t n = 0;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		if (tj_action_rank(r->action) <= tj_action_rank(s->default_action))
			continue;
		for (size_t k = 0; k < r->names.n; k++) {
			int nr = native_nr(r->names.v[k]);
			if (nr >= 0 && !seen[nr]) {
				seen[nr] = true;
				n++;
			}
		}
	}
	return n;
}

static void check_default_allow(struct ctx *c)
{
	if (!action_allowish(c->s->default_action))
		return;
	size_t denied = count_denied(c->f->resolved);
	struct tj_finding *f = add(c, denied < SHORT_DENYLIST ? TJ_SEV_HIGH : TJ_SEV_MEDIUM, "default-allow",
				   key_path(c->s, "defaultAction"), NULL,
				   "the default action allows every syscall no rule names; the rules deny only %zu",
				   denied);
	f->why = tj_xstrdup("a denylist protects only against what its author thought of: every other syscall, "
			    "including those future kernels add, is allowed");
	f->fix = tj_xstrdup(
		"deny by default (\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\" or \"SCMP_ACT_ERRNO\") and "
		"allow what the program needs, e.g. {\"names\": [\"@default\", \"@basic-io\", \"@file-system\"], "
		"\"action\": \"SCMP_ACT_ALLOW\"}; 'tinyjail --complain' shows what it uses");
}

/* --- dangerous syscalls without argument checks --- */

static const struct danger {
	const char *name;
	enum tj_severity severity;
	const char *why;
} dangers[] = {
	{"ptrace", TJ_SEV_HIGH, "it reads and writes the memory and registers of other processes of the same user"},
	{"process_vm_readv", TJ_SEV_HIGH, "it reads the memory of other processes of the same user"},
	{"process_vm_writev", TJ_SEV_HIGH, "it writes the memory of other processes of the same user"},
	{"bpf", TJ_SEV_HIGH, "it loads programs into the kernel, whose verifier has a long record of exploits"},
	{"perf_event_open", TJ_SEV_HIGH,
	 "a large kernel interface with a record of exploits, which also leaks "
	 "kernel addresses"},
	{"keyctl", TJ_SEV_HIGH, "the kernel keyrings are shared state (not namespaced) with a record of exploits"},
	{"add_key", TJ_SEV_HIGH, "the kernel keyrings are shared state (not namespaced) with a record of exploits"},
	{"userfaultfd", TJ_SEV_HIGH,
	 "it lets a program stall the kernel in the middle of a copy, the usual way to win "
	 "races in kernel exploits"},
	{"kexec_load", TJ_SEV_HIGH, "it replaces the running kernel"},
	{"kexec_file_load", TJ_SEV_HIGH, "it replaces the running kernel"},
	{"init_module", TJ_SEV_HIGH, "it loads code into the kernel"},
	{"finit_module", TJ_SEV_HIGH, "it loads code into the kernel"},
	{"open_by_handle_at", TJ_SEV_HIGH,
	 "it opens files by handle, around path checks and mounts (the 'shocker' "
	 "container escape)"},
	{"io_uring_setup", TJ_SEV_HIGH,
	 "io_uring performs opens, reads and connects that seccomp never sees, and is "
	 "a large exploit surface"},
	{"io_uring_enter", TJ_SEV_HIGH,
	 "io_uring performs opens, reads and connects that seccomp never sees, and is "
	 "a large exploit surface"},
	{"io_uring_register", TJ_SEV_HIGH,
	 "io_uring performs opens, reads and connects that seccomp never sees, and "
	 "is a large exploit surface"},
	{"unshare", TJ_SEV_HIGH,
	 "new namespaces (a user namespace above all) open much of the kernel to an "
	 "unprivileged process; most local root exploits start here"},
	{"setns", TJ_SEV_HIGH, "it joins other namespaces, leaving the ones the sandbox set up"},
	{"mount", TJ_SEV_HIGH, "it changes what the file system looks like (possible inside a user namespace)"},
	{"personality", TJ_SEV_MEDIUM,
	 "it can turn off address-space randomisation (ADDR_NO_RANDOMIZE) and make "
	 "readable memory executable (READ_IMPLIES_EXEC)"},
	{"clone", TJ_SEV_MEDIUM, "with CLONE_NEW* flags it creates namespaces, as unshare does"},
	{"clone3", TJ_SEV_MEDIUM, "its flags are in memory seccomp cannot read, so it can create namespaces"},
};

static const char *danger_fix(const char *name)
{
	if (strcmp(name, "personality") == 0)
		return "allow only the values programs use: {\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"} (PER_LINUX) "
		       "and 4294967295 (the query), as Docker does";
	if (strcmp(name, "clone") == 0)
		return "use @spawn (clone without CLONE_NEW* flags) or @threads instead of plain clone";
	if (strcmp(name, "clone3") == 0)
		return "answer it ENOSYS, so that libc falls back to clone: {\"names\": [\"clone3\"], \"action\": "
		       "\"SCMP_ACT_ERRNO\", \"errnoRet\": 38}";
	return "remove it from the allowed names (a group entry can stay: add \"!NAME\" to the rule), or allow it only "
	       "with argument checks";
}

/* The unconditional rule of s naming nr (the first, which decides), or NULL;
 * *conditional says whether any rule names it with argument checks. */
static const struct tj_rule *unconditional_rule(const struct tj_seccomp *s, const char *name, size_t *name_k,
						bool *conditional)
{
	*conditional = false;
	const struct tj_rule *found = NULL;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		for (size_t k = 0; k < r->names.n; k++) {
			if (strcmp(r->names.v[k], name) != 0)
				continue;
			if (r->nargs)
				*conditional = true;
			else if (!found && !tj_rule_equals_default(s, r)) {
				found = r;
				*name_k = k;
			}
		}
	}
	return found;
}

static void check_dangerous(struct ctx *c)
{
	const struct tj_seccomp *s = c->f->resolved;
	struct tj_buf by_default = {0};
	enum tj_severity worst = TJ_SEV_LOW;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(dangers); i++) {
		const struct danger *d = &dangers[i];
		size_t k = 0;
		bool conditional;
		const struct tj_rule *r = unconditional_rule(s, d->name, &k, &conditional);
		if (r && action_allowish(r->action)) {
			struct tj_finding *f = add(c, d->severity, "dangerous-unconstrained", tj_rule_name_path(r, k),
						   entry_where(r, k), "'%s' is allowed without argument checks",
						   d->name);
			f->why = tj_xstrdup(d->why);
			f->fix = tj_xstrdup(danger_fix(d->name));
		} else if (!r && !conditional && action_allowish(s->default_action)) {
			tj_buf_addf(&by_default, "%s%s", by_default.len ? ", " : "", d->name);
			if (d->severity > worst)
				worst = d->severity;
		}
	}
	if (by_default.len) {
		struct tj_finding *f = add(c, worst, "dangerous-by-default", key_path(c->s, "defaultAction"), NULL,
					   "the default action allows these dangerous syscalls: %s", by_default.s);
		f->why = tj_xstrdup("each reaches other processes, loads code into the kernel, escapes namespaces or "
				    "hides work from seccomp (notes/profile-format.md, Lint)");
		f->fix = tj_xstrdup(
			"deny them, e.g. {\"names\": [\"@debug\", \"@kernel-surface\", \"@namespaces\", "
			"\"@module\", \"@reboot\", \"@mount\", \"process_vm_readv\", \"process_vm_writev\", "
			"\"open_by_handle_at\", \"personality\"], \"action\": \"SCMP_ACT_ERRNO\"}, or better, "
			"deny by default");
	}
	tj_buf_done(&by_default);
}

/* --- memory that is writable and executable --- */

static void check_wx(struct ctx *c)
{
	static const struct {
		const char *name;
		uint64_t args[6];
	} calls[] = {
		/* PROT_READ|PROT_WRITE|PROT_EXEC, anonymous private memory */
		{"mmap", {0, 4096, 7, 0x22, (uint64_t)-1, 0}},
		{"mprotect", {0x10000, 4096, 7, 0, 0, 0}},
		{"pkey_mprotect", {0x10000, 4096, 7, 0, 0, 0}},
	};
	struct tj_buf names = {0};
	char *path = NULL, *where = NULL;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(calls); i++) {
		struct seccomp_data d;
		uint32_t a = sim(c, native_nr(calls[i].name), calls[i].args, &d);
		if (!allowish(a))
			continue;
		tj_buf_addf(&names, "%s%s", names.len ? ", " : "", calls[i].name);
		if (!path)
			decided_at(c, &d, a, &path, &where);
	}
	if (names.len) {
		struct tj_finding *f = add(c, TJ_SEV_MEDIUM, "write-exec-memory", path, where,
					   "memory can be made writable and executable at once (%s with "
					   "PROT_WRITE|PROT_EXEC)",
					   names.s);
		f->why = tj_xstrdup("an attacker who can write bytes into the process can then run them as code; "
				    "programs without a JIT never need this");
		f->fix = tj_xstrdup(
			"allow @memory instead of mmap and mprotect (or instead of @default's, with @baseline): "
			"it forbids PROT_WRITE|PROT_EXEC and executable anonymous memory; or deny "
			"{\"index\": 2, \"value\": 6, \"valueTwo\": 6, \"op\": \"SCMP_CMP_MASKED_EQ\"}");
	}
	tj_buf_done(&names);
}

/* --- clone3 answered with something else than ENOSYS --- */

static void check_clone3(struct ctx *c)
{
	static const uint64_t thread_flags[6] = {0x3d0f00}, fork_flags[6] = {0x1200011}, none[6] = {0};
	struct seccomp_data d;
	/* Only a profile that lets the program create threads or processes
	 * cares how clone3 fails. */
	if (!allowish(sim(c, native_nr("clone"), thread_flags, &d)) &&
	    !allowish(sim(c, native_nr("clone"), fork_flags, &d)))
		return;
	uint32_t a = sim(c, native_nr("clone3"), none, &d);
	if (allowish(a) || a == (SECCOMP_RET_ERRNO | 38u))
		return;
	char desc[64], *path, *where;
	tj_filter_describe_action(a, desc, sizeof(desc));
	decided_at(c, &d, a, &path, &where);
	struct tj_finding *f = add(c, TJ_SEV_MEDIUM, "clone3-not-enosys", path, where,
				   "clone3 is answered %s, not ENOSYS, while clone is allowed", desc);
	f->why = tj_xstrdup("glibc 2.34 and later try clone3 first for threads and posix_spawn and fall back to clone "
			    "only on ENOSYS: with any other answer, creating a thread or a process fails");
	f->fix = tj_xstrdup("{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}");
}

/* --- architectures --- */

static void check_arches(struct ctx *c)
{
	const struct tj_seccomp *s = c->s;
	const char *key = s->arches_from_archmap ? "archMap" : "architectures";
	if (s->arches.n == 0) {
		struct tj_finding *f = add(c, TJ_SEV_LOW, "arch-missing", tj_xstrdup(s->json_path),
					   key_path(s, "architectures"), "the profile does not name its architecture");
		f->why = tj_xstrdup(
			"syscall names mean different numbers on each ABI; readers and other tools cannot "
			"tell which the profile was written for (tinyjail filters x86_64 and kills other ABIs)");
		f->fix = tj_xstrdup("\"architectures\": [\"SCMP_ARCH_X86_64\"]");
		return;
	}
	for (size_t i = 0; i < s->arches.n; i++) {
		const char *a = s->arches.v[i];
		char *path = key_path(s, key);
		if (!s->arches_from_archmap) {
			char *indexed = tj_xasprintf("%s[%zu]", path, i);
			free(path);
			path = indexed;
		}
		struct tj_finding *f = NULL;
		if (!strcmp(a, "SCMP_ARCH_X86") || !strcmp(a, "SCMP_ARCH_X32")) {
			bool x86 = !strcmp(a, "SCMP_ARCH_X86");
			f = add(c, TJ_SEV_LOW, "arch-compat", path, NULL,
				"%s is listed: syscalls through the %s ABI are "
				"filtered by the same rules instead of being killed",
				a, x86 ? "i386" : "x32");
			f->why = tj_xstrdup(
				x86 ? "the i386 ABI (int 0x80) is a second door into the kernel with other "
				      "numbers and 32-bit arguments; only 32-bit programs need it"
				    : "x32 is disabled in most distribution kernels; listing it only adds a way in");
			f->fix = tj_xasprintf("remove %s unless the program is a %s binary", a, x86 ? "32-bit" : "x32");
		} else if (strcmp(a, "SCMP_ARCH_X86_64") && strcmp(a, "SCMP_ARCH_NATIVE")) {
			f = add(c, TJ_SEV_LOW, "arch-foreign", path, NULL, "%s is listed, which cannot run on x86_64",
				a);
			f->why = tj_xstrdup(
				"tinyjail ignores it; runtimes on other machines will apply these rules there, "
				"where the names may mean other calls");
			f->fix = tj_xasprintf("remove %s, or keep separate profiles per architecture", a);
		} else {
			free(path);
		}
	}
}

/* On x86 the socket and System V IPC calls also go through socketcall(2)
 * and ipc(2), which pass their arguments in memory; libseccomp compiles a
 * rule for them into one for the multiplexer that checks which call it is
 * and compares the multiplexer's own registers for the rest. */
static const char *multiplexer(const char *name)
{
	static const char *const socketcall[] = {"socket",	"bind",	       "connect",    "listen",	   "accept",
						 "getsockname", "getpeername", "socketpair", "send",	   "recv",
						 "sendto",	"recvfrom",    "shutdown",   "setsockopt", "getsockopt",
						 "sendmsg",	"recvmsg",     "accept4",    "recvmmsg",   "sendmmsg",
						 NULL};
	static const char *const ipc[] = {"semop",  "semget", "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget",
					  "msgctl", "shmat",  "shmdt",	"shmget",     "shmctl", NULL};
	for (size_t j = 0; socketcall[j]; j++)
		if (strcmp(socketcall[j], name) == 0)
			return "socketcall";
	for (size_t j = 0; ipc[j]; j++)
		if (strcmp(ipc[j], name) == 0)
			return "ipc";
	return NULL;
}

static void check_multiplexed(struct ctx *c)
{
	const struct tj_seccomp *x = c->x;
	if (!tj_strv_contains(&c->s->arches, "SCMP_ARCH_X86"))
		return;
	for (size_t i = 0; i < x->nrules; i++) {
		const struct tj_rule *r = &x->rules[i];
		if (!r->nargs || tj_rule_equals_default(x, r))
			continue;
		for (size_t k = 0; k < r->names.n; k++) {
			const char *via = multiplexer(r->names.v[k]);
			if (!via)
				continue;
			struct tj_finding *f =
				add(c, TJ_SEV_MEDIUM, "x86-multiplexed", tj_xstrdup(r->json_path), NULL,
				    "on the x86 ABI '%s' can also be called through %s(2), where this rule's "
				    "argument checks do not hold as written",
				    r->names.v[k], via);
			f->why =
				tj_xasprintf("%s(2) passes the arguments in memory, which seccomp cannot read: libseccomp "
					     "checks only which call it is and compares %s's own registers for the rest, so "
					     "the rule may apply to every such call or to none",
					     via, via);
			f->fix = tj_xstrdup(
				"remove SCMP_ARCH_X86 unless 32-bit programs must run (then calls through the "
				"multiplexer are decided by which call they are, not by their arguments)");
			break;
		}
	}
}

/* --- rules as written --- */

static void check_action(struct ctx *c, enum tj_action action, char *path)
{
	struct tj_finding *f;
	if (action == TJ_ACT_KILL_THREAD) {
		f = add(c, TJ_SEV_MEDIUM, "kill-thread", path, NULL,
			"SCMP_ACT_KILL_THREAD kills only the calling thread");
		f->why = tj_xstrdup(
			"the other threads run on without it, perhaps holding its locks or its half-done work; "
			"tinyjail cannot name the call either");
		f->fix = tj_xstrdup("SCMP_ACT_KILL_PROCESS");
	} else if (action == TJ_ACT_KILL) {
		f = add(c, TJ_SEV_LOW, "kill-ambiguous", path, NULL,
			"SCMP_ACT_KILL means KILL_THREAD to runc, crun and Docker (tinyjail kills the process)");
		f->why = tj_xstrdup("the same profile would kill one thread elsewhere");
		f->fix = tj_xstrdup("SCMP_ACT_KILL_PROCESS");
	} else {
		free(path);
	}
}

static void check_actions(struct ctx *c)
{
	check_action(c, c->s->default_action, key_path(c->s, "defaultAction"));
	for (size_t i = 0; i < c->s->nrules; i++)
		check_action(c, c->s->rules[i].action, tj_xasprintf("%s.action", c->s->rules[i].json_path));
}

static bool lists_arch(const struct tj_seccomp *s, const char *arch)
{
	return tj_strv_contains(&s->arches, arch);
}

static void check_names(struct ctx *c, const struct tj_rule *r)
{
	bool deny = tj_action_rank(r->action) > tj_action_rank(c->s->default_action);
	bool compat = lists_arch(c->s, "SCMP_ARCH_X86") || lists_arch(c->s, "SCMP_ARCH_X32");
	struct tj_buf foreign = {0};
	size_t nforeign = 0;
	for (size_t k = 0; k < r->names.n; k++) {
		const char *name = r->names.v[k];
		int nr;
		if (tj_name_is_group_syntax(name))
			continue; /* the compiler checked groups and exclusions */
		enum tj_syscall_kind kind = tj_syscall_resolve(name, &nr);
		if (kind == TJ_SYSCALL_FOREIGN && !compat) {
			tj_buf_addf(&foreign, "%s%s", nforeign++ ? ", " : "", name);
		} else if (kind == TJ_SYSCALL_UNKNOWN) {
			const char *hint = tj_suggest(name, tj_known_syscall_names());
			struct tj_finding *f = add(c, deny ? TJ_SEV_MEDIUM : TJ_SEV_LOW, "unknown-name",
						   tj_rule_name_path(r, k), NULL,
						   "unknown syscall '%s' is skipped%s%s%s", name,
						   hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
			f->why = tj_xstrdup(deny ? "the syscall it was meant to deny meets the default action instead"
						 : "if the program needs the syscall meant here, it is denied");
			f->fix = tj_xstrdup(
				"fix the spelling ('tinyjail groups @known' lists every name), or remove it");
		}
	}
	if (nforeign) {
		struct tj_finding *f = add(c, TJ_SEV_LOW, "foreign-name", tj_xasprintf("%s.names", r->json_path), NULL,
					   "%zu name%s only on 32-bit ABIs, which this profile does not filter: %s",
					   nforeign, nforeign > 1 ? "s exist" : " exists", foreign.s);
		f->why = tj_xstrdup("they have no effect on x86_64 (a profile shared with other architectures may keep "
				    "them)");
		f->fix = tj_xstrdup("remove them from an x86_64 profile");
	}
	tj_buf_done(&foreign);
}

static void check_rules(struct ctx *c, const struct tj_host *host)
{
	for (size_t i = 0; i < c->s->nrules; i++) {
		const struct tj_rule *r = &c->s->rules[i];
		const char *why = NULL;
		if (!tj_rule_applies(r, host, &why))
			continue;
		check_names(c, r);
		if (tj_rule_equals_default(c->s, r)) {
			struct tj_finding *f = add(c, TJ_SEV_LOW, "equals-default", tj_xstrdup(r->json_path), NULL,
						   "the rule does what the default action does (%s)",
						   tj_action_name(r->action));
			f->why = tj_xstrdup("it has no effect, and suggests the author expected otherwise");
			f->fix = tj_xstrdup("remove the rule, or give it the action that was meant");
		}
	}
}

/* --- rules shadowed by others (groups expanded, conflicts not yet settled) --- */

struct decider {
	long rule; /* index in c->x, or -1 */
	size_t k;
	uint32_t value;
};

/* One entry of a profile rule ("syscalls[2].names[1]") and how many of its
 * syscalls earlier unconditional rules decide already. */
struct entry {
	const struct tj_rule *rule;
	size_t k; /* a name of the entry, for its path */
	size_t total, shadowed;
	const char *example;
	struct decider by;
	bool other_value;
};

static size_t origin_index(const struct tj_rule *r, size_t k)
{
	return r->origins ? r->origins[k].index : k;
}

static struct entry *entry_for(struct entry **v, size_t *n, size_t *cap, const struct tj_rule *r, size_t k)
{
	for (size_t i = 0; i < *n; i++) {
		const struct tj_rule *o = (*v)[i].rule;
		if (origin_index(o, (*v)[i].k) == origin_index(r, k) && strcmp(o->json_path, r->json_path) == 0)
			return &(*v)[i];
	}
	tj_xreserve((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[*n] = (struct entry){.rule = r, .k = k};
	return &(*v)[(*n)++];
}

static void report_redundant(struct ctx *c, const struct entry *e)
{
	char *by_where = entry_where(&c->x->rules[e->by.rule], e->by.k);
	struct tj_finding *f;
	if (e->total == 1)
		f = add(c, e->other_value ? TJ_SEV_MEDIUM : TJ_SEV_LOW, "shadowed", tj_rule_name_path(e->rule, e->k),
			entry_where(e->rule, e->k), "'%s' is already decided by %s, which comes first", e->example,
			by_where);
	else
		f = add(c, e->other_value ? TJ_SEV_MEDIUM : TJ_SEV_LOW, "shadowed", tj_rule_name_path(e->rule, e->k),
			entry_where(e->rule, e->k),
			"all %zu syscalls of this entry are decided by earlier rules (e.g. '%s' by %s)", e->total,
			e->example, by_where);
	f->why = tj_xstrdup(e->other_value ? "it never takes effect: the first rule for a syscall wins"
					   : "it has no effect");
	f->fix = tj_xstrdup("remove it here, or take it out of the earlier rule (\"!NAME\" after a group)");
	free(by_where);
}

/* Unconditional rules: entries whose every syscall an earlier rule decides. */
static void check_redundant(struct ctx *c, struct decider *first)
{
	const struct tj_seccomp *x = c->x;
	struct entry *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < x->nrules; i++) {
		const struct tj_rule *r = &x->rules[i];
		if (r->nargs || tj_rule_equals_default(x, r))
			continue;
		uint32_t value = tj_filter_action_value(r->action, tj_rule_effective_errno(r));
		for (size_t k = 0; k < r->names.n; k++) {
			int nr = native_nr(r->names.v[k]);
			if (nr < 0)
				continue;
			struct entry *e = entry_for(&v, &n, &cap, r, k);
			e->total++;
			if (first[nr].rule < 0) {
				first[nr] = (struct decider){.rule = (long)i, .k = k, .value = value};
				continue;
			}
			if ((size_t)first[nr].rule == i)
				continue;
			if (e->shadowed++ == 0) {
				e->example = r->names.v[k];
				e->by = first[nr];
			}
			e->other_value |= first[nr].value != value;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].shadowed && v[i].shadowed == v[i].total)
			report_redundant(c, &v[i]);
	free(v);
}

/* Conditional rules for a syscall some rule decides for all arguments:
 * libseccomp drops their checks, wherever the rules stand. */
static void check_dropped_checks(struct ctx *c, const struct decider *first)
{
	const struct tj_seccomp *x = c->x;
	struct tj_strv seen = {0};
	for (size_t i = 0; i < x->nrules; i++) {
		const struct tj_rule *r = &x->rules[i];
		if (!r->nargs || tj_rule_equals_default(x, r))
			continue;
		for (size_t k = 0; k < r->names.n; k++) {
			int nr = native_nr(r->names.v[k]);
			if (nr < 0 || first[nr].rule < 0)
				continue;
			char *key = tj_xasprintf("%s/%zu/%s", r->json_path, origin_index(r, k), r->names.v[k]);
			if (tj_strv_contains(&seen, key)) {
				free(key);
				continue;
			}
			tj_strv_add_owned(&seen, key);
			char *by_where = entry_where(&x->rules[first[nr].rule], first[nr].k);
			struct tj_finding *f =
				add(c, TJ_SEV_MEDIUM, "shadowed", tj_rule_name_path(r, k), entry_where(r, k),
				    "the argument checks for '%s' never apply: %s decides it for all arguments",
				    r->names.v[k], by_where);
			f->why = tj_xstrdup(
				"libseccomp keeps only the rule without argument checks for a syscall, so these "
				"checks are dropped");
			f->fix = tj_xstrdup(
				"take the syscall out of the other rule (\"!NAME\" after a group), or remove "
				"this one");
			free(by_where);
		}
	}
	tj_strv_done(&seen);
}

static void check_shadowed(struct ctx *c)
{
	struct decider *first = tj_xcalloc(NR_LIMIT, sizeof(*first));
	for (size_t n = 0; n < NR_LIMIT; n++)
		first[n].rule = -1;
	check_redundant(c, first);
	check_dropped_checks(c, first);
	free(first);
}

/* --- 64-bit comparisons on arguments the kernel reads as 32-bit ints --- */

static const struct {
	const char *name;
	unsigned args; /* bit i: argument i is a 32-bit int */
} int_args[] = {
	{"accept4", 1u << 3}, {"bpf", 1u << 0},	   {"clone", 1u << 0},	     {"dup3", 1u << 2},
	{"fcntl", 1u << 1},   {"futex", 1u << 1},  {"getsockopt", 3u << 1},  {"ioctl", 1u << 1},
	{"keyctl", 1u << 0},  {"kill", 1u << 1},   {"madvise", 1u << 2},     {"memfd_create", 1u << 1},
	{"open", 1u << 1},    {"openat", 1u << 2}, {"personality", 1u << 0}, {"pipe2", 1u << 1},
	{"prctl", 1u << 0},   {"setns", 1u << 1},  {"setsockopt", 3u << 1},  {"socket", 7u},
	{"socketpair", 7u},   {"tgkill", 1u << 2}, {"tkill", 1u << 1},
};

static bool int_arg(const char *name, unsigned index)
{
	for (size_t i = 0; i < TJ_ARRAY_SIZE(int_args); i++)
		if (strcmp(int_args[i].name, name) == 0)
			return int_args[i].args & (1u << index);
	return false;
}

/* True when setting high bits, which the kernel ignores, changes whether
 * the comparison matches in the direction that weakens the rule. */
static bool bypassable(const struct tj_arg *a, bool deny)
{
	if (a->op == TJ_CMP_MASKED_EQ)
		return deny && (a->value >> 32) != 0;
	if (deny)
		return a->op == TJ_CMP_EQ || a->op == TJ_CMP_LT || a->op == TJ_CMP_LE;
	return a->op == TJ_CMP_NE || a->op == TJ_CMP_GT || a->op == TJ_CMP_GE;
}

static void check_int_args(struct ctx *c)
{
	const struct tj_seccomp *x = c->x;
	for (size_t i = 0; i < x->nrules; i++) {
		const struct tj_rule *r = &x->rules[i];
		bool deny = tj_action_rank(r->action) > tj_action_rank(x->default_action);
		for (size_t j = 0; j < r->nargs; j++) {
			const struct tj_arg *a = &r->args[j];
			const char *name = NULL;
			for (size_t k = 0; k < r->names.n && !name; k++)
				if (int_arg(r->names.v[k], a->index))
					name = r->names.v[k];
			if (!name || !bypassable(a, deny))
				continue;
			struct tj_finding *f =
				add(c, TJ_SEV_HIGH, "int-arg-bypass", tj_xasprintf("%s.args[%zu]", r->json_path, j),
				    NULL,
				    "argument %u of '%s' is an int, but %s compares all 64 bits: a value with "
				    "high bits set (0x1%08llx) %s",
				    a->index, name, tj_cmp_name(a->op),
				    (unsigned long long)(a->op == TJ_CMP_MASKED_EQ ? a->value_two : a->value) &
					    0xffffffffu,
				    deny ? "escapes this denial" : "passes this check");
			f->why = tj_xstrdup(
				"the kernel reads only the low 32 bits, so the check does not enforce what it "
				"says (Docker's AF_VSOCK rule on socket had this hole)");
			f->fix = tj_xstrdup(
				"compare the low 32 bits: {\"value\": 4294967295, \"valueTwo\": V, \"op\": "
				"\"SCMP_CMP_MASKED_EQ\"}; to allow all but some values, list the allowed values "
				"(comparisons on one index are ORed)");
		}
	}
}

/* A MASKED_EQ datum with bits outside its mask: libseccomp (and so runc
 * and crun) compares against datum & mask, which may not be what the
 * author meant; say what is enforced. */
static void check_masked_datum(struct ctx *c)
{
	const struct tj_seccomp *s = c->s;
	for (size_t i = 0; i < s->nrules; i++) {
		const struct tj_rule *r = &s->rules[i];
		for (size_t j = 0; j < r->nargs; j++) {
			const struct tj_arg *a = &r->args[j];
			if (a->op != TJ_CMP_MASKED_EQ || !(a->value_two & ~a->value))
				continue;
			struct tj_finding *f =
				add(c, TJ_SEV_LOW, "masked-datum",
				    tj_xasprintf("%s.args[%zu].valueTwo", r->json_path, j), NULL,
				    "valueTwo 0x%llx has bits outside the mask 0x%llx: the rule matches (arg & 0x%llx) == 0x%llx",
				    (unsigned long long)a->value_two, (unsigned long long)a->value,
				    (unsigned long long)a->value, (unsigned long long)(a->value_two & a->value));
			f->why = tj_xstrdup("libseccomp masks the datum too (as runc and crun enforce it), so the bits "
					    "outside the mask are ignored");
			f->fix = tj_xasprintf("write \"valueTwo\": %llu",
					      (unsigned long long)(a->value_two & a->value));
		}
	}
}

/* --- driver --- */

static struct tj_seccomp *applicable_expanded(const struct tj_seccomp *s, const struct tj_host *host)
{
	struct tj_seccomp *x = tj_xcalloc(1, sizeof(*x));
	x->json_path = tj_xstrdup(s->json_path);
	x->default_action = s->default_action;
	x->has_default_errno = s->has_default_errno;
	x->default_errno = s->default_errno;
	x->rules = tj_xcalloc(s->nrules ? s->nrules : 1, sizeof(*x->rules));
	for (size_t i = 0; i < s->nrules; i++) {
		const char *why = NULL;
		if (tj_rule_applies(&s->rules[i], host, &why))
			tj_rule_copy(&x->rules[x->nrules++], &s->rules[i]);
	}
	/* The compiler has expanded these rules already without error. */
	struct tj_notes ignored = {0};
	struct tj_err *err = NULL;
	if (tj_expand_groups(x, "", &ignored, &err) < 0)
		tj_err_free(err);
	tj_notes_done(&ignored);
	return x;
}

void tj_lint(const struct tj_profile *p, const struct tj_filter *f, const struct tj_host *host, struct tj_findings *out)
{
	struct tj_host detected;
	if (!host) {
		tj_host_detect(&detected);
		host = &detected;
	}
	struct ctx c = {.p = p,
			.s = p->seccomp,
			.f = f,
			.out = out,
			.truth = f->truth ? f->truth : f->prog,
			.truth_len = f->truth ? f->truth_len : f->len};
	c.x = applicable_expanded(p->seccomp, host);
	check_default_allow(&c);
	check_dangerous(&c);
	check_int_args(&c);
	check_masked_datum(&c);
	check_wx(&c);
	check_clone3(&c);
	check_actions(&c);
	check_shadowed(&c);
	check_rules(&c, host);
	check_arches(&c);
	check_multiplexed(&c);
	tj_seccomp_free(c.x);
	/* Most severe first; within a severity, in the order of the checks
	 * (an insertion sort, which is stable). */
	struct tj_finding *v = out->v;
	for (size_t i = 1; i < out->n; i++) {
		struct tj_finding t = v[i];
		size_t j = i;
		while (j > 0 && v[j - 1].severity < t.severity) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
}

size_t tj_findings_count(const struct tj_findings *f, enum tj_severity s)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].severity == s;
	return n;
}

void tj_findings_done(struct tj_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].json_path);
		free(f->v[i].where);
		free(f->v[i].what);
		free(f->v[i].why);
		free(f->v[i].fix);
	}
	free(f->v);
	*f = (struct tj_findings){0};
}
