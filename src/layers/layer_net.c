/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host-rules layer ("net-rules"): --net host with port, address and DNS
 * rules, enforced by the kernel for every process of the sandbox.
 *
 * Normally cgroup sock_addr BPF programs (src/net/bpf/netrules.bpf.c, loaded
 * through libbpf in netbpf.c): loaded and given their maps in prepare,
 * attached to the sandbox's cgroup v2 (the cgroup layer's service) in link,
 * before the command exists, and never detached: they go with the cgroup,
 * so a process that outlives tinyjail stays confined.  Refusals come back
 * on a ring buffer, the layer's monitor source (net_source.c); at the end
 * the kernel's counts (collect).
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

#include "tj/base/cleanup.h"
#include "tj/base/sys.h"
#include "tj/layers/cgroup.h"
#include "tj/layers/layer.h"
#include "tj/layers/net_source.h"
#include "tj/layers/netbpf.h"
#include "tj/net/netrules.h"

#define LAYER "net-rules"

enum how {
	HOW_BPF,
	HOW_LANDLOCK, /* degraded: TCP ports only */
	HOW_NONE,     /* degraded: nothing */
};

struct state {
	enum how how;
	struct tj_net_rules rules;
	struct tj_netbpf *bpf;
	int ruleset; /* Landlock */
	const uint16_t *ports;
	size_t nports;
	struct tj_net_source source;
};

static bool net_wanted(const struct tj_plan *plan)
{
	return tj_net_host_rules(plan->net);
}

/* The rules see where sockets connect and send, not who connects in: no
 * listening sockets under them (the hardening rules, hardening.c). */
static void net_compose(const struct tj_plan *plan, struct tj_isolation *iso)
{
	if (tj_net_host_rules(plan->net))
		iso->deny_listen = true;
}

/* --- choosing how --- */

/* Where the rules can be enforced from: BPF (with the loaded programs in
 * *bpf), or not, with why in *why (caller frees). */
static enum how choose(const struct tj_plan *plan, const struct tj_net_rules *r, struct tj_netbpf **bpf, char **why)
{
	*why = NULL;
	*bpf = NULL;
	struct tj_cg_system sys;
	struct tj_err *e = NULL;
	/* Loading first: without the privileges, that is the reason to give. */
	if (tj_netbpf_load(r, bpf, &e) < 0) {
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
	if (*why && *bpf) {
		tj_netbpf_free(*bpf);
		*bpf = NULL;
	}
	if (!*why)
		return HOW_BPF;
	if (!(plan->iso && (plan->iso->degrade & TJ_DEGRADE_NET_RULES)))
		return HOW_NONE; /* the caller refuses */
	return tj_net_rules_ports_only(r->p) && tj_sys_landlock_abi() >= TJ_LANDLOCK_ABI_NET ? HOW_LANDLOCK : HOW_NONE;
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
	tj_err_degradable(err, "net-rules");
	return tj_err_layer(err, LAYER);
}

static int net_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	struct tj_net_rules r;
	if (tj_net_rules_init(&r, plan->net, TJ_RESOLV_CONF, err) < 0)
		return tj_err_layer(err, LAYER);
	struct tj_netbpf *bpf;
	tj_autofree char *why = NULL;
	enum how how = choose(plan, &r, &bpf, &why);
	tj_netbpf_free(bpf); /* a probe only: prepare loads its own */
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
		tj_ports_format(&b, &plan->net->ports);
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

static int net_prepare(const struct tj_plan *plan, void **ret_state, struct tj_err **err)
{
	struct state *s = tj_xcalloc(1, sizeof(*s));
	s->ruleset = -1;
	*ret_state = s;
	if (tj_net_rules_init(&s->rules, plan->net, TJ_RESOLV_CONF, err) < 0)
		return -1;
	tj_autofree char *why = NULL;
	s->how = choose(plan, &s->rules, &s->bpf, &why);
	if (why && !(plan->iso && (plan->iso->degrade & TJ_DEGRADE_NET_RULES)))
		return refuse(plan->net, why, err);
	if (s->how == HOW_BPF) {
		if (tj_netbpf_open_events(s->bpf, err) < 0)
			return -1;
	} else if (s->how == HOW_LANDLOCK) {
		struct tj_landlock_ruleset_attr attr = {.handled_access_net = TJ_LANDLOCK_NET_CONNECT_TCP};
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
		struct tj_landlock_net_port_attr np = {.allowed_access = TJ_LANDLOCK_NET_CONNECT_TCP,
						       .port = s->ports[i]};
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
	tj_netbpf_free(s->bpf);
	tj_closep(&s->ruleset);
	tj_net_rules_done(&s->rules);
	free(s);
}

/* --- attaching (link), the records (source), the counts (collect) --- */

/* The programs go onto the sandbox's cgroup v2 (the cgroup layer, above,
 * offers it) before the command exists: nothing it does escapes them. */
static int net_link(void *state, struct tj_services *svc, struct tj_err **err)
{
	struct state *s = state;
	if (s->how != HOW_BPF)
		return 0;
	int cgroup_fd = svc->cgroup ? svc->cgroup->v2_fd : -1;
	const char *cgroup_path = svc->cgroup ? svc->cgroup->v2_path : NULL;
	if (cgroup_fd < 0)
		return tj_err_set(err, TJ_ERR_LAYER, 0, "the sandbox has no cgroup v2 to attach the rules to");
	return tj_netbpf_attach(s->bpf, cgroup_fd, cgroup_path, err);
}

int tj_layer_net_events_fd(void *state)
{
	struct state *s = state;
	return s ? tj_netbpf_events_fd(s->bpf) : -1;
}

void tj_layer_net_drain(void *state, void (*cb)(void *ctx, const struct tj_nr_event *e), void *ctx)
{
	struct state *s = state;
	if (s)
		tj_netbpf_drain(s->bpf, cb, ctx);
}

const struct tj_net_rules *tj_layer_net_rules(void *state)
{
	struct state *s = state;
	return s ? &s->rules : NULL;
}

/* The refusals as events while the command runs (net_source.c). */
static const struct tj_monitor_source *net_source(void *state, struct tj_events *events)
{
	struct state *s = state;
	tj_net_source_init(&s->source, s, events);
	return s->source.src.fd >= 0 ? &s->source.src : NULL;
}

/* The kernel's counts: every refusal, and those the ring buffer had no
 * room for. */
static void net_collect(void *state, struct tj_layer_results *out)
{
	struct state *s = state;
	tj_netbpf_counts(s->bpf, &out->net_refused, &out->net_unrecorded);
}

const struct tj_layer tj_layer_net = {
	.name = LAYER,
	.wanted = net_wanted,
	.compose = net_compose,
	.probe = net_probe,
	.prepare = net_prepare,
	.link = net_link,
	.enter = net_enter,
	.source = net_source,
	.collect = net_collect,
	.release = net_release,
};
