/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host-rules layer ("net-rules"): --net host with port, address and DNS
 * rules, enforced by the kernel for every process of the sandbox.
 *
 * Normally cgroup sock_addr BPF programs (src/net/bpf/netrules.bpf.c, loaded
 * through the skeleton bpftool generates): loaded and given their maps in
 * prepare, attached to the sandbox's cgroup v2 by launch.c before the
 * command exists (tj_layer_net_attach), and never detached: they go with the
 * cgroup, so a process that outlives tinyjail stays confined.  Refusals
 * come back on a ring buffer the monitor polls (net_source.c).
 *
 * Without cgroup BPF (not root, no cgroup v2) the rules cannot be enforced,
 * and the run is refused unless --allow-degraded net-rules; then, when the
 * rules are ports only, Landlock (ABI 4) still limits TCP connect to them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "netrules.skel.h"
#include "tj/base/cleanup.h"
#include "tj/base/sys.h"
#include "tj/layers/cgroup.h"
#include "tj/layers/layer.h"
#include "tj/net/netrules.h"

#define LAYER "net-rules"
#define LL_NET_CONNECT_TCP (1ULL << 1)

enum how {
	HOW_BPF,
	HOW_LANDLOCK, /* degraded: TCP ports only */
	HOW_NONE,     /* degraded: nothing */
};

struct state {
	enum how how;
	struct tj_net_rules rules;
	struct tj_netrules *skel;
	struct ring_buffer *rb;
	void (*on_record)(void *ctx, const struct tj_nr_event *e);
	void *record_ctx;
	int ruleset; /* Landlock */
	const uint16_t *ports;
	size_t nports;
};

/* libbpf writes to stderr by default; only cmd_* print.  Its last warning
 * goes into the error message instead. */
static char libbpf_last[256];

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, ap);
	libbpf_last[strcspn(libbpf_last, "\n")] = '\0';
	return 0;
}

static bool net_wanted(const struct tj_plan *plan)
{
	return tj_net_host_rules(plan->net);
}

/* --- the BPF programs and their maps --- */

struct counts {
	size_t v4, v6;
};

static struct counts count(const struct tj_cidr_list *l)
{
	struct counts c = {0};
	for (size_t i = 0; i < l->n; i++)
		*(l->v[i].family == AF_INET ? &c.v4 : &c.v6) += 1;
	return c;
}

static size_t at_least_one(size_t n)
{
	return n ? n : 1;
}

static int fill(struct bpf_map *m4, struct bpf_map *m6, const struct tj_cidr_list *l, const char *what,
		struct tj_err **err)
{
	uint8_t one = 1;
	for (size_t i = 0; i < l->n; i++) {
		const struct tj_cidr *c = &l->v[i];
		int r;
		if (c->family == AF_INET) {
			struct tj_nr_key4 k = {.prefixlen = c->prefix};
			memcpy(k.addr, c->addr, 4);
			r = bpf_map_update_elem(bpf_map__fd(m4), &k, &one, BPF_ANY);
		} else {
			struct tj_nr_key6 k = {.prefixlen = c->prefix};
			memcpy(k.addr, c->addr, 16);
			r = bpf_map_update_elem(bpf_map__fd(m6), &k, &one, BPF_ANY);
		}
		if (r < 0)
			return tj_err_set(err, TJ_ERR_LAYER, -r, "cannot fill the BPF map of %s", what);
	}
	return 0;
}

static const char *load_failure(int e)
{
	switch (e) {
	case EPERM:
	case EACCES: return "loading BPF programs needs CAP_BPF and CAP_NET_ADMIN (root)";
	case ENOSYS:
		return "the bpf() system call is not available (the kernel lacks it, or a seccomp filter "
		       "denies it)";
	default: return "the kernel refused the BPF programs";
	}
}

/* Loads the programs with maps that hold the rules. */
static int load(const struct tj_net_rules *r, struct tj_netrules **ret, struct tj_err **err)
{
	const struct tj_net_policy *p = r->p;
	libbpf_set_print(libbpf_quiet);
	libbpf_last[0] = '\0';
	struct tj_netrules *skel = tj_netrules__open();
	if (!skel) {
		int e = errno;
		return tj_err_set(err, TJ_ERR_LAYER, e, "cannot open the BPF object: %s", load_failure(e));
	}
	skel->rodata->deny_private = p->deny_private;
	skel->rodata->limit_ports = p->has_ports;
	struct tj_cidr_list special4 = {0}, special6 = {0};
	tj_net_special_cidrs(&special4, &special6);
	struct counts deny = count(&p->deny_cidrs), allow = count(&p->allow_cidrs), dns = count(&r->resolvers);
	bpf_map__set_max_entries(skel->maps.deny4, at_least_one(deny.v4));
	bpf_map__set_max_entries(skel->maps.deny6, at_least_one(deny.v6));
	bpf_map__set_max_entries(skel->maps.allow4, at_least_one(allow.v4));
	bpf_map__set_max_entries(skel->maps.allow6, at_least_one(allow.v6));
	bpf_map__set_max_entries(skel->maps.dns4, at_least_one(dns.v4));
	bpf_map__set_max_entries(skel->maps.dns6, at_least_one(dns.v6));
	bpf_map__set_max_entries(skel->maps.special4, at_least_one(special4.n));
	bpf_map__set_max_entries(skel->maps.special6, at_least_one(special6.n));
	bpf_map__set_max_entries(skel->maps.ports, at_least_one(p->ports.n));
	int ret_code = 0;
	int rc = tj_netrules__load(skel);
	if (rc < 0) {
		int e = -rc;
		tj_err_set(err, TJ_ERR_LAYER, e, "cannot load the BPF programs: %s", load_failure(e));
		if (libbpf_last[0] && e != EPERM && e != ENOSYS)
			tj_err_hint(err, "libbpf: %s", libbpf_last);
		ret_code = -1;
	}
	if (ret_code == 0)
		ret_code = fill(skel->maps.deny4, skel->maps.deny6, &p->deny_cidrs, "denied ranges", err);
	if (ret_code == 0)
		ret_code = fill(skel->maps.allow4, skel->maps.allow6, &p->allow_cidrs, "allowed ranges", err);
	if (ret_code == 0)
		ret_code = fill(skel->maps.dns4, skel->maps.dns6, &r->resolvers, "DNS resolvers", err);
	if (ret_code == 0)
		ret_code = fill(skel->maps.special4, skel->maps.special6, &special4, "special ranges", err);
	if (ret_code == 0)
		ret_code = fill(skel->maps.special4, skel->maps.special6, &special6, "special ranges", err);
	for (size_t i = 0; ret_code == 0 && i < p->ports.n; i++) {
		uint16_t port = p->ports.v[i];
		uint8_t one = 1;
		int r2 = bpf_map_update_elem(bpf_map__fd(skel->maps.ports), &port, &one, BPF_ANY);
		if (r2 < 0)
			ret_code = tj_err_set(err, TJ_ERR_LAYER, -r2, "cannot fill the BPF map of ports");
	}
	free(special4.v);
	free(special6.v);
	if (ret_code < 0) {
		tj_netrules__destroy(skel);
		return -1;
	}
	*ret = skel;
	return 0;
}

/* --- choosing how --- */

/* Where the rules can be enforced from: BPF (with the loaded programs in
 * *skel), or not, with why in *why (caller frees). */
static enum how choose(const struct tj_plan *plan, const struct tj_net_rules *r, struct tj_netrules **skel, char **why)
{
	*why = NULL;
	*skel = NULL;
	struct tj_cg_system sys;
	struct tj_err *e = NULL;
	/* Loading first: without the privileges, that is the reason to give. */
	if (load(r, skel, &e) < 0) {
		*why = tj_err_format(e);
		tj_err_free(e);
	} else if (tj_cg_discover("/proc/self", geteuid(), &sys, &e) < 0) {
		*why = tj_err_format(e);
		tj_err_free(e);
	} else {
		if (sys.v2 < 0)
			*why = tj_xstrdup("cgroup v2 is not mounted, and the programs attach to a cgroup v2");
		else if (!sys.v2_base)
			*why = tj_xasprintf("no cgroup v2 for the sandbox to attach the programs to: %s",
					    sys.v2_base_why);
		tj_cg_system_done(&sys);
	}
	if (*why && *skel) {
		tj_netrules__destroy(*skel);
		*skel = NULL;
	}
	if (!*why)
		return HOW_BPF;
	if (!(plan->iso && (plan->iso->degrade & TJ_DEGRADE_NET_RULES)))
		return HOW_NONE; /* the caller refuses */
	return tj_net_rules_ports_only(r->p) && tj_sys_landlock_abi() >= 4 ? HOW_LANDLOCK : HOW_NONE;
}

static void add_ports(struct tj_buf *b, const struct tj_port_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		tj_buf_addf(b, "%s%u", i ? ", " : "", (unsigned)l->v[i]);
	if (!l->n)
		tj_buf_add(b, "none");
}

static int refuse(const struct tj_net_policy *p, const char *why, struct tj_err **err)
{
	tj_err_set(err, TJ_ERR_LAYER, 0, "cannot enforce the --net host rules: %s", why);
	bool ports = tj_net_rules_ports_only(p);
	tj_err_hint(err, "%s--allow-degraded net-rules runs without them%s",
		    geteuid() != 0 ? "the rules are cgroup BPF programs, which need root (CAP_BPF and CAP_NET_ADMIN) "
				     "and a cgroup v2; "
				   : "",
		    ports ? " (Landlock then still limits TCP connect to the ports); for TCP alone, --tcp-connect "
			    "PORTS needs no privileges"
			  : "");
	return tj_err_layer(err, LAYER);
}

static int net_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	struct tj_net_rules r;
	if (tj_net_rules_init(&r, plan->net, TJ_RESOLV_CONF, err) < 0)
		return tj_err_layer(err, LAYER);
	struct tj_netrules *skel;
	tj_autofree char *why = NULL;
	enum how how = choose(plan, &r, &skel, &why);
	if (skel)
		tj_netrules__destroy(skel); /* a probe only: prepare loads its own */
	int ret = 0;
	struct tj_buf b = {0};
	if (how == HOW_BPF) {
		tj_buf_add(&b,
			   "cgroup BPF on TCP and UDP connect and UDP send (IPv4, IPv6) in the sandbox's cgroup v2: ");
		tj_net_rules_describe(&r, &b);
		tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "%s", b.s);
	} else if (why && !(plan->iso && (plan->iso->degrade & TJ_DEGRADE_NET_RULES))) {
		ret = refuse(plan->net, why, err);
	} else if (how == HOW_LANDLOCK) {
		tj_buf_add(&b, "TCP connect only to ports ");
		add_ports(&b, &plan->net->ports);
		tj_buf_addf(&b, " (Landlock ABI %d); UDP and DNS NOT restricted (--allow-degraded net-rules): %s",
			    tj_sys_landlock_abi(), why);
		tj_manifest_add(m, LAYER, TJ_LAYER_DEGRADED, "%s", b.s);
	} else {
		tj_manifest_add(m, LAYER, TJ_LAYER_DEGRADED,
				"the --net host rules are NOT enforced (--allow-degraded "
				"net-rules): %s",
				why);
	}
	tj_buf_done(&b);
	tj_net_rules_done(&r);
	return ret;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct state *s = ctx;
	if (size >= sizeof(struct tj_nr_event) && s->on_record)
		s->on_record(s->record_ctx, data);
	return 0;
}

static int net_prepare(const struct tj_plan *plan, void **ret_state, struct tj_err **err)
{
	struct state *s = tj_xcalloc(1, sizeof(*s));
	s->ruleset = -1;
	*ret_state = s;
	if (tj_net_rules_init(&s->rules, plan->net, TJ_RESOLV_CONF, err) < 0)
		return -1;
	tj_autofree char *why = NULL;
	s->how = choose(plan, &s->rules, &s->skel, &why);
	if (why && !(plan->iso && (plan->iso->degrade & TJ_DEGRADE_NET_RULES)))
		return refuse(plan->net, why, err);
	if (s->how == HOW_BPF) {
		s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_sample, s, NULL);
		if (!s->rb)
			return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot read the BPF ring buffer of refusals");
	} else if (s->how == HOW_LANDLOCK) {
		struct tj_landlock_ruleset_attr attr = {.handled_access_net = LL_NET_CONNECT_TCP};
		s->ruleset = tj_sys_landlock_create_ruleset(&attr, offsetof(struct tj_landlock_ruleset_attr, scoped));
		if (s->ruleset < 0) {
			int e = -s->ruleset;
			s->ruleset = -1;
			return tj_err_set(err, TJ_ERR_LAYER, e, "cannot create a Landlock ruleset for the ports");
		}
		s->ports = plan->net->ports.v;
		s->nports = plan->net->ports.n;
	}
	return 0;
}

/* Landlock only: the BPF programs act from the cgroup, outside the child. */
static int net_enter(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)
{
	(void)plan;
	struct state *s = state;
	if (s->ruleset < 0)
		return 0;
	for (size_t i = 0; i < s->nports; i++) {
		struct tj_landlock_net_port_attr np = {.allowed_access = LL_NET_CONNECT_TCP, .port = s->ports[i]};
		int rc = tj_sys_landlock_add_rule(s->ruleset, TJ_LANDLOCK_RULE_NET_PORT, &np);
		if (rc < 0)
			return tj_child_fail(cerr, TJ_ERR_LAYER, -rc, LAYER, "cannot add a Landlock port rule");
	}
	int rc = tj_sys_landlock_restrict_self(s->ruleset);
	if (rc < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, -rc, LAYER, "cannot enforce the Landlock port rules");
	return 0;
}

static void net_release(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	/* The programs stay attached to the cgroup until it is removed. */
	ring_buffer__free(s->rb);
	tj_netrules__destroy(s->skel);
	tj_closep(&s->ruleset);
	tj_net_rules_done(&s->rules);
	free(s);
}

/* --- attaching, and what the monitor reads --- */

static unsigned effective(int cgroup_fd, enum bpf_attach_type type)
{
	__u32 n = 0;
	if (bpf_prog_query(cgroup_fd, type, BPF_F_QUERY_EFFECTIVE, NULL, NULL, &n) < 0)
		return 0;
	return n;
}

int tj_layer_net_attach(void *state, int cgroup_fd, const char *cgroup_path, struct tj_err **err)
{
	struct state *s = state;
	if (!s || s->how != HOW_BPF)
		return 0;
	if (cgroup_fd < 0)
		return tj_err_set(err, TJ_ERR_LAYER, 0, "the sandbox has no cgroup v2 to attach the rules to");
	const struct {
		struct bpf_program *prog;
		enum bpf_attach_type type;
		const char *name;
	} hooks[] = {
		{s->skel->progs.tj_connect4, BPF_CGROUP_INET4_CONNECT, "connect4"},
		{s->skel->progs.tj_connect6, BPF_CGROUP_INET6_CONNECT, "connect6"},
		{s->skel->progs.tj_sendmsg4, BPF_CGROUP_UDP4_SENDMSG, "sendmsg4"},
		{s->skel->progs.tj_sendmsg6, BPF_CGROUP_UDP6_SENDMSG, "sendmsg6"},
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(hooks); i++) {
		int fd = bpf_program__fd(hooks[i].prog);
		unsigned before = effective(cgroup_fd, hooks[i].type);
		/* ALLOW_MULTI: added to what the system attached above, which
		 * keeps running for the sandbox too. */
		int r = bpf_prog_attach(fd, cgroup_fd, hooks[i].type, BPF_F_ALLOW_MULTI);
		if (r < 0) {
			tj_err_set(err, TJ_ERR_LAYER, -r, "cannot attach the %s program to cgroup '%s'", hooks[i].name,
				   cgroup_path);
			if (-r == EPERM)
				tj_err_hint(err, "a program attached to a cgroup above it without BPF_F_ALLOW_MULTI "
						 "forbids more (see bpftool cgroup tree)");
			return -1;
		}
		unsigned after = effective(cgroup_fd, hooks[i].type);
		if (after != before + 1) {
			/* A program attached above with ALLOW_OVERRIDE would no
			 * longer run for the sandbox: never weaken the host. */
			bpf_prog_detach2(fd, cgroup_fd, hooks[i].type);
			tj_err_set(err, TJ_ERR_LAYER, 0,
				   "attaching the %s program to cgroup '%s' would set aside %u program(s) the system "
				   "attached above it with BPF_F_ALLOW_OVERRIDE",
				   hooks[i].name, cgroup_path, before + 1 > after ? before + 1 - after : 0);
			return tj_err_hint(err, "see bpftool cgroup tree");
		}
	}
	return 0;
}

int tj_layer_net_events_fd(void *state)
{
	struct state *s = state;
	return s && s->rb ? ring_buffer__epoll_fd(s->rb) : -1;
}

void tj_layer_net_drain(void *state, void (*cb)(void *ctx, const struct tj_nr_event *e), void *ctx)
{
	struct state *s = state;
	if (!s || !s->rb)
		return;
	s->on_record = cb;
	s->record_ctx = ctx;
	ring_buffer__consume(s->rb);
}

const struct tj_net_rules *tj_layer_net_rules(void *state)
{
	struct state *s = state;
	return s ? &s->rules : NULL;
}

void tj_layer_net_counts(void *state, uint64_t *refused, uint64_t *unrecorded)
{
	struct state *s = state;
	*refused = *unrecorded = 0;
	if (!s || !s->skel || !s->skel->bss)
		return;
	*refused = __atomic_load_n(&s->skel->bss->refused, __ATOMIC_RELAXED);
	*unrecorded = __atomic_load_n(&s->skel->bss->unrecorded, __ATOMIC_RELAXED);
}

const struct tj_layer tj_layer_net = {
	.name = LAYER,
	.wanted = net_wanted,
	.probe = net_probe,
	.prepare = net_prepare,
	.enter = net_enter,
	.release = net_release,
};
