/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp layer: loads tinyjail's hardening program and the compiled
 * profile in the child, last of all layers (they cut off the system calls
 * the others need).  When the program can notify, the listener fd goes out
 * through the listener layer's helper (layer_listener.c): this layer only
 * publishes its number, with a store, and makes no system call after the
 * load but the start call and execve.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tj/base/sys.h"
#include "tj/filter/bpfsim.h"
#include "tj/layers/layer.h"

#define LAYER "seccomp"

struct state {
	bool needs_listener;
	bool start_call;			    /* make the start call (not under another filter) */
	const struct tj_listener_service *listener; /* NULL: the filter needs none */
	unsigned extra_flags;			    /* flags this kernel offers beyond the compiled ones */
};

#define FLAG_WAIT_KILLABLE_RECV (1u << 5)

static bool seccomp_wanted(const struct tj_plan *plan)
{
	return plan->filter || plan->hardening;
}

/* Collects the distinct actions the program can return. */
static size_t program_actions(const struct sock_filter *prog, size_t len, uint32_t *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (prog[i].code != (BPF_RET | BPF_K))
			continue;
		uint32_t action = prog[i].k & SECCOMP_RET_ACTION_FULL;
		bool seen = false;
		for (size_t k = 0; k < n; k++)
			seen |= out[k] == action;
		if (!seen && n < cap)
			out[n++] = action;
	}
	return n;
}

static int seccomp_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	char why[128];
	const struct tj_filter *h = plan->hardening;
	if (h && tj_bpf_validate(h->prog, h->len, why, sizeof(why)) < 0) {
		tj_err_set(err, TJ_ERR_INTERNAL, 0, "the hardening program is invalid: %s", why);
		return tj_err_layer(err, LAYER);
	}
	if (h)
		tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED,
				"tinyjail's hardening filter: %zu BPF instructions (%s%s%s%s)", h->len,
				"no TIOCSTI/TIOCLINUX",
				plan->iso && plan->iso->deny_write_execute ? ", no W+X memory" : "",
				plan->iso && plan->iso->no_new_processes ? ", no new processes" : "",
				plan->iso && plan->iso->has_signals ? ", restricted signals" : "");
	const struct tj_filter *f = plan->filter;
	if (!f)
		return 0;
	if (tj_bpf_validate(f->prog, f->len, why, sizeof(why)) < 0) {
		tj_err_set(err, TJ_ERR_INTERNAL, 0, "the compiled program is invalid: %s", why);
		return tj_err_layer(err, LAYER);
	}
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) {
		tj_err_set(err, TJ_ERR_LAYER, 0, "this kernel has no seccomp support");
		return tj_err_layer(err, LAYER);
	}
	uint32_t actions[16];
	size_t n = program_actions(f->prog, f->len, actions, TJ_ARRAY_SIZE(actions));
	for (size_t i = 0; i < n; i++) {
		int r = tj_sys_seccomp_action_available(actions[i]);
		if (r < 0) {
			char name[64];
			tj_filter_describe_action(actions[i], name, sizeof(name));
			tj_err_set(err, TJ_ERR_LAYER, -r, "the kernel does not support the action %s", name);
			return tj_err_layer(err, LAYER);
		}
	}
	int r = tj_sys_seccomp_flags_supported(f->load_flags);
	if (r < 0) {
		tj_err_set(err, TJ_ERR_LAYER, -r, "the kernel refuses the filter flags 0x%x", f->load_flags);
		return tj_err_layer(err, LAYER);
	}
	bool execve_to_agent = f->uses_listener && !f->has_start_call &&
			       (tj_filter_execve_loaded(f) & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF;
	tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "%zu BPF instructions, %s%s%s, no_new_privs", f->len,
			plan->mode == TJ_MODE_COMPLAIN ? "complain mode (nothing denied)"
			: plan->mode == TJ_MODE_LEARN ? "learn mode (nothing denied; calls not yet learnt are recorded)"
						      : "enforce mode",
			!f->uses_listener   ? ""
			: f->has_start_call ? ", supervised through a seccomp listener"
					    : ", listener handed to a seccomp agent",
			execve_to_agent ? " (the command starts only if the agent allows its execve)" : "");
	return 0;
}

static int seccomp_prepare(const struct tj_plan *plan, void **ret_state, struct tj_err **err)
{
	(void)err;
	struct state *s = tj_xcalloc(1, sizeof(*s));
	*ret_state = s;
	if (!plan->filter || !plan->filter->uses_listener)
		return 0;
	s->needs_listener = true;
	/* Under a filter of its own (tinyjail inside tinyjail or a container),
	 * the outer filter judges the start call too, and may kill for a
	 * syscall number it does not know: skip it there.  Notifications
	 * queue on the listener all the same; only a withdrawn first one
	 * would go uncounted (notes/architecture.md). */
	s->start_call = plan->filter->has_start_call && tj_sys_seccomp_mode() != SECCOMP_MODE_FILTER;
	/* Once the supervisor has received a notification, a signal must not
	 * withdraw it (the call would fail with EINTR after being recorded);
	 * kernels since 5.19 can wait killably from then on. */
	unsigned flags = plan->filter->load_flags | FLAG_WAIT_KILLABLE_RECV;
	if (tj_sys_seccomp_flags_supported(flags) == 0)
		s->extra_flags = FLAG_WAIT_KILLABLE_RECV;
	return 0;
}

/* The listener layer (above) started the helper that takes the listener. */
static int seccomp_link(void *state, struct tj_services *svc, struct tj_err **err)
{
	struct state *s = state;
	if (s->needs_listener && !svc->listener)
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "the filter notifies, but no listener helper is prepared");
	s->listener = svc->listener;
	return 0;
}

static int seccomp_enter(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)
{
	struct state *s = state;
	const struct tj_filter *f = plan->filter;
	const struct tj_filter *h = plan->hardening;
	const struct tj_listener_service *l = f && f->uses_listener ? s->listener : NULL;

	if (l)
		l->arm(l->ctx); /* the helper wakes up for the listener (layer_listener.c) */
	/* no_new_privs is set (launch.c): unprivileged loading needs it.
	 * tinyjail's own rules first (hardening.h): the kernel runs every
	 * filter and the stricter answer wins, so the order does not matter
	 * otherwise. */
	if (h) {
		int r = tj_sys_seccomp_load(0, h->prog, (unsigned short)h->len);
		if (r < 0) {
			if (l)
				l->publish(l->ctx, -1);
			return tj_child_fail(cerr, TJ_ERR_LAYER, -r, LAYER, "the kernel refused the hardening filter");
		}
	}
	if (!f)
		return 0;
	int fd = tj_sys_seccomp_load(f->load_flags | s->extra_flags, f->prog, (unsigned short)f->len);
	if (fd < 0) {
		if (l)
			l->publish(l->ctx, -1);
		return tj_child_fail(cerr, TJ_ERR_LAYER, -fd, LAYER, "the kernel refused the filter");
	}
	/* From here on, no system calls but the start call and execve. */
	if (l) {
		l->publish(l->ctx, fd);
		/* The start call (filter.h): it blocks until the supervisor holds
		 * the listener and has seen where notification ids begin.  A
		 * signal may interrupt it; then it is simply made again.  A
		 * filter whose listener goes to an external agent has none. */
		while (s->start_call && syscall(TJ_FILTER_SENTINEL_NR, TJ_FILTER_SENTINEL_MAGIC, 0, 0, 0, 0, 0) < 0 &&
		       errno == EINTR)
			;
	}
	return 0;
}

static void seccomp_release(void *state)
{
	free(state);
}

const struct tj_layer tj_layer_seccomp = {
	.name = LAYER,
	.wanted = seccomp_wanted,
	.probe = seccomp_probe,
	.prepare = seccomp_prepare,
	.link = seccomp_link,
	.enter = seccomp_enter,
	.release = seccomp_release,
};
