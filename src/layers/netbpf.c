/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host network rules' BPF programs through libbpf and the skeleton
 * bpftool generates (src/net/bpf/netrules.bpf.c): load them with maps that
 * hold the rules, attach them to a cgroup v2, read their ring buffer of
 * refusals and their counters.  The only user of libbpf; layer_net.c
 * decides when.  `make NET_BPF=0` builds netbpf_none.c instead.
 *
 * libbpf is loaded when host rules are first asked for (always in the
 * parent, before the command starts), not linked: most launches have none,
 * and linking it cost every launch its symbol bindings (base/dynlib.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tj/base/dynlib.h"
#include "tj/layers/netbpf.h"

#define LIBBPF_SYMS(X)                  \
	X(bpf_map__fd)                  \
	X(bpf_map__set_max_entries)     \
	X(bpf_map_update_elem)          \
	X(bpf_object__attach_skeleton)  \
	X(bpf_object__destroy_skeleton) \
	X(bpf_object__detach_skeleton)  \
	X(bpf_object__load_skeleton)    \
	X(bpf_object__open_skeleton)    \
	X(bpf_prog_attach)              \
	X(bpf_prog_detach2)             \
	X(bpf_prog_query)               \
	X(bpf_program__fd)              \
	X(libbpf_set_print)             \
	X(ring_buffer__consume)         \
	X(ring_buffer__epoll_fd)        \
	X(ring_buffer__free)            \
	X(ring_buffer__new)
TJ_DYNLIB_TABLE(libbpf, LIBBPF_SYMS);
/* The calls below, and the skeleton's, go through the table. */
#define bpf_map__fd (*libbpf.bpf_map__fd)
#define bpf_map__set_max_entries (*libbpf.bpf_map__set_max_entries)
#define bpf_map_update_elem (*libbpf.bpf_map_update_elem)
#define bpf_object__attach_skeleton (*libbpf.bpf_object__attach_skeleton)
#define bpf_object__destroy_skeleton (*libbpf.bpf_object__destroy_skeleton)
#define bpf_object__detach_skeleton (*libbpf.bpf_object__detach_skeleton)
#define bpf_object__load_skeleton (*libbpf.bpf_object__load_skeleton)
#define bpf_object__open_skeleton (*libbpf.bpf_object__open_skeleton)
#define bpf_prog_attach (*libbpf.bpf_prog_attach)
#define bpf_prog_detach2 (*libbpf.bpf_prog_detach2)
#define bpf_prog_query (*libbpf.bpf_prog_query)
#define bpf_program__fd (*libbpf.bpf_program__fd)
#define libbpf_set_print (*libbpf.libbpf_set_print)
#define ring_buffer__consume (*libbpf.ring_buffer__consume)
#define ring_buffer__epoll_fd (*libbpf.ring_buffer__epoll_fd)
#define ring_buffer__free (*libbpf.ring_buffer__free)
#define ring_buffer__new (*libbpf.ring_buffer__new)

#include "netrules.skel.h"

#ifndef TJ_SONAME_LIBBPF
#define TJ_SONAME_LIBBPF "libbpf.so.1"
#endif

struct tj_netbpf {
	struct tj_netrules *skel;
	struct ring_buffer *rb;
	void (*on_record)(void *ctx, const struct tj_nr_event *e);
	void *record_ctx;
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
	char why[256];
	if (TJ_DYNLIB_LOAD(libbpf, TJ_SONAME_LIBBPF, why, sizeof(why)) < 0)
		return tj_err_set(err, TJ_ERR_LAYER, 0, "cannot load libbpf for the host network rules: %s", why);
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

int tj_netbpf_load(const struct tj_net_rules *r, struct tj_netbpf **ret, struct tj_err **err)
{
	struct tj_netrules *skel = NULL;
	*ret = NULL;
	if (load(r, &skel, err) < 0)
		return -1;
	*ret = tj_xcalloc(1, sizeof(**ret));
	(*ret)->skel = skel;
	return 0;
}

void tj_netbpf_free(struct tj_netbpf *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	tj_netrules__destroy(b->skel);
	free(b);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct tj_netbpf *b = ctx;
	if (size >= sizeof(struct tj_nr_event) && b->on_record)
		b->on_record(b->record_ctx, data);
	return 0;
}

int tj_netbpf_open_events(struct tj_netbpf *b, struct tj_err **err)
{
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_sample, b, NULL);
	if (!b->rb)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot read the BPF ring buffer of refusals");
	return 0;
}

int tj_netbpf_events_fd(const struct tj_netbpf *b)
{
	return b && b->rb ? ring_buffer__epoll_fd(b->rb) : -1;
}

void tj_netbpf_drain(struct tj_netbpf *b, void (*cb)(void *ctx, const struct tj_nr_event *e), void *ctx)
{
	if (!b || !b->rb)
		return;
	b->on_record = cb;
	b->record_ctx = ctx;
	ring_buffer__consume(b->rb);
}

void tj_netbpf_counts(const struct tj_netbpf *b, uint64_t *refused, uint64_t *unrecorded)
{
	*refused = *unrecorded = 0;
	if (!b || !b->skel || !b->skel->bss)
		return;
	*refused = __atomic_load_n(&b->skel->bss->refused, __ATOMIC_RELAXED);
	*unrecorded = __atomic_load_n(&b->skel->bss->unrecorded, __ATOMIC_RELAXED);
}

/* --- attaching --- */

static unsigned effective(int cgroup_fd, enum bpf_attach_type type)
{
	__u32 n = 0;
	if (bpf_prog_query(cgroup_fd, type, BPF_F_QUERY_EFFECTIVE, NULL, NULL, &n) < 0)
		return 0;
	return n;
}

int tj_netbpf_attach(struct tj_netbpf *b, int cgroup_fd, const char *cgroup_path, struct tj_err **err)
{
	const struct tj_netrules *skel = b->skel;
	const struct {
		struct bpf_program *prog;
		enum bpf_attach_type type;
		const char *name;
	} hooks[] = {
		{skel->progs.tj_connect4, BPF_CGROUP_INET4_CONNECT, "connect4"},
		{skel->progs.tj_connect6, BPF_CGROUP_INET6_CONNECT, "connect6"},
		{skel->progs.tj_sendmsg4, BPF_CGROUP_UDP4_SENDMSG, "sendmsg4"},
		{skel->progs.tj_sendmsg6, BPF_CGROUP_UDP6_SENDMSG, "sendmsg6"},
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
