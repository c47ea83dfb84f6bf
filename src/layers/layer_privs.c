/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The privilege layer: the command runs as the user and group asked for
 * (--user), with no supplementary groups, and with every capability set
 * emptied (bounding, ambient, inheritable, permitted, effective) unless the
 * profile keeps some.  With no_new_privs (always set) setuid and file
 * capabilities cannot bring anything back at exec; SECBIT_NOROOT makes sure
 * a uid-0 command does not get capabilities back from exec either.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "tj/base/caps.h"
#include "tj/base/sys.h"
#include "tj/layers/layer.h"

#define LAYER "privileges"
#define LAST_CAP 63

static bool privs_wanted(const struct tj_plan *plan)
{
	(void)plan;
	return true; /* capabilities are dropped in every run */
}

static bool in_userns(const struct tj_plan *plan)
{
	return tj_isolation_namespaces(plan->iso, tj_sys_privileged()) & TJ_NS_USER;
}

static int privs_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	bool user_switch = plan->uid != geteuid() || plan->gid != getegid();
	if (user_switch && geteuid() != 0 && !in_userns(plan)) {
		tj_err_set(err, TJ_ERR_LAYER, EPERM, "running as uid %u needs root", (unsigned)plan->uid);
		tj_err_hint(err, "as another user, --unshare user maps uid %u inside a user namespace to you",
			    (unsigned)plan->uid);
		return tj_err_layer(err, LAYER);
	}
	uint64_t keep = plan->iso ? plan->iso->keep_caps : 0;
	struct tj_buf b = {0};
	tj_buf_addf(&b, "uid %u, gid %u, no supplementary groups", (unsigned)plan->uid, (unsigned)plan->gid);
	if (!keep) {
		tj_buf_add(&b, ", no capabilities (all five sets empty)");
	} else {
		tj_buf_add(&b, ", keeps only ");
		tj_caps_describe(keep, &b);
	}
	tj_buf_add(&b, ", no_new_privs");
	tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "%s", b.s);
	tj_buf_done(&b);
	return 0;
}

static int privs_enter(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)
{
	(void)state;
	uint64_t keep = plan->iso ? plan->iso->keep_caps : 0;
	pid_t parent = getppid();
	bool new_ids = plan->uid != geteuid() || plan->gid != getegid();
	/* Without CAP_SETPCAP (an unprivileged caller outside a user
	 * namespace) there is nothing in the bounding set to fear: with
	 * no_new_privs, exec cannot raise capabilities through it. */
	bool can_setpcap = tj_sys_cap_effective() & ((uint64_t)1 << CAP_SETPCAP);

	/* While we still hold CAP_SETPCAP: uid 0 gains nothing from exec, and
	 * the bounding set loses what is not kept. */
	if (can_setpcap) {
		if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED, 0, 0, 0) < 0 && errno != EPERM)
			return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot set securebits");
		int r = tj_sys_capbset_drop(keep);
		if (r < 0)
			return tj_child_fail(cerr, TJ_ERR_LAYER, -r, LAYER, "cannot drop a bounding capability");
	}
	if (keep && plan->uid != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot keep capabilities across setuid");

	/* Supplementary groups: cleared where the kernel lets us (an
	 * unprivileged user namespace forbids setgroups; its groups are then
	 * the unmapped overflow group and grant nothing). */
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot clear supplementary groups");
	if (setresgid(plan->gid, plan->gid, plan->gid) < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot change group");
	if (setresuid(plan->uid, plan->uid, plan->uid) < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot change user");

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot clear ambient capabilities");
	if (tj_sys_capset(keep, keep, keep) < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot drop capabilities");
	/* Kept capabilities survive exec only as ambient ones: for a non-root
	 * command by definition, for uid 0 because SECBIT_NOROOT is set. */
	for (int c = 0; keep && c <= LAST_CAP; c++)
		if ((keep & ((uint64_t)1 << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot keep an ambient capability");
	/* A change of identity clears the parent-death signal: the command
	 * would outlive tinyjail.  Set it again, then check the parent did not
	 * die in between (its death would have gone unnoticed). */
	if (new_ids) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot set the parent-death signal");
		if (getppid() != parent)
			_exit(TJ_EXIT_ERROR); /* tinyjail is gone: nobody to report to */
	}
	return 0;
}

const struct tj_layer tj_layer_privs = {
	.name = LAYER,
	.wanted = privs_wanted,
	.probe = privs_probe,
	.enter = privs_enter,
};
