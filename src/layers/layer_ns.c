/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The namespace layer: clone3 creates the user, mount, pid, ipc, uts and
 * network namespaces at once; the parent writes the user namespace's id
 * maps while the child waits; the child then names its host, brings up
 * loopback and enters a cgroup namespace rooted at its own cgroup.  Mounts
 * are layer_mount.c's; the pid namespace's init is launch.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/sys.h"
#include "tj/layers/layer.h"

#define LAYER "namespaces"

struct state {
	char uid_map[64], gid_map[64];
	bool deny_setgroups;
};

static unsigned namespaces(const struct tj_plan *plan)
{
	return tj_isolation_namespaces(plan->iso, tj_sys_privileged());
}

static bool ns_wanted(const struct tj_plan *plan)
{
	return namespaces(plan) != 0;
}

static uint64_t ns_clone_flags(const struct tj_plan *plan)
{
	unsigned ns = namespaces(plan);
	uint64_t f = 0;
	if (ns & TJ_NS_USER)
		f |= CLONE_NEWUSER;
	if (ns & TJ_NS_MOUNT)
		f |= CLONE_NEWNS;
	if (ns & TJ_NS_PID)
		f |= CLONE_NEWPID;
	if (ns & TJ_NS_IPC)
		f |= CLONE_NEWIPC;
	if (ns & TJ_NS_UTS)
		f |= CLONE_NEWUTS;
	if (ns & TJ_NS_NET)
		f |= CLONE_NEWNET;
	/* The cgroup namespace is entered by the child after the parent moved
	 * it into its cgroup, so that its root is the sandbox's own cgroup. */
	return f;
}

static int read_sysctl(const char *path, long *ret)
{
	tj_autofclose FILE *f = fopen(path, "re");
	return f && fscanf(f, "%ld", ret) == 1 ? 0 : -1;
}

/* Whether this user may create a user namespace, and if not, why. */
static int probe_userns(struct tj_err **err)
{
	long v;
	if (read_sysctl("/proc/sys/user/max_user_namespaces", &v) == 0 && v == 0)
		return tj_err_set(err, TJ_ERR_LAYER, 0, "user namespaces are disabled (user.max_user_namespaces = 0)");
	if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone", &v) == 0 && v == 0)
		return tj_err_set(err, TJ_ERR_LAYER, 0,
				  "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)");
	/* The sysctls do not tell everything (AppArmor's restriction on Ubuntu,
	 * a container's seccomp profile): try one, in a child that exits. */
	struct tj_clone_args ca = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
	long pid = tj_sys_clone3(&ca);
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		tj_err_set(err, TJ_ERR_LAYER, (int)-pid, "cannot create a user namespace");
		if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &v) == 0 && v == 1)
			tj_err_hint(err, "AppArmor restricts unprivileged user namespaces here "
					 "(kernel.apparmor_restrict_unprivileged_userns = 1)");
		return -1;
	}
	waitpid((pid_t)pid, NULL, 0);
	return 0;
}

/* uid 0 without CAP_SYS_ADMIN maps itself into a user namespace only with
 * CAP_SETUID and CAP_SETFCAP (Linux 5.12). */
static bool root_can_map(void)
{
	uint64_t need = (1ULL << CAP_SETUID) | (1ULL << CAP_SETFCAP);
	return (tj_sys_cap_effective() & need) == need;
}

bool tj_layer_ns_userns_available(void)
{
	if (geteuid() == 0 && !tj_sys_privileged())
		return root_can_map();
	struct tj_err *err = NULL;
	int r = probe_userns(&err);
	tj_err_free(err);
	return r == 0;
}

static int ns_probe(const struct tj_plan *plan, struct tj_manifest *m, struct tj_err **err)
{
	unsigned ns = namespaces(plan);
	/* Namespaces wanted only to cover the host's sockets: the mount
	 * layer says why (and how to run without them). */
	struct tj_isolation without = *plan->iso;
	without.hide_sockets = false;
	bool for_sockets = !(tj_isolation_namespaces(&without, tj_sys_privileged()) & TJ_NS_USER);
	if ((ns & TJ_NS_USER) && !for_sockets && geteuid() == 0 && !tj_sys_privileged() && !root_can_map()) {
		/* Root without capabilities: tinyjail inside tinyjail, or a
		 * container's root stripped of them. */
		tj_err_set(err, TJ_ERR_LAYER, EPERM,
			   "running as uid 0 without CAP_SYS_ADMIN, the namespaces asked for need a user namespace, "
			   "and Linux maps uid 0 into one only with CAP_SETUID and CAP_SETFCAP");
		tj_err_hint(err,
			    "inside another tinyjail, run that one as another user (--user USER) so that this one "
			    "takes the path of ordinary users, or let it keep them (--cap-keep setuid,setgid,setfcap)");
		return tj_err_layer(err, LAYER);
	}
	if ((ns & TJ_NS_USER) && geteuid() != 0 && probe_userns(err) < 0) {
		tj_err_hint(err,
			    "the namespaces, mounts or identity asked for need a user namespace when not run as root");
		return tj_err_layer(err, LAYER);
	}
	struct tj_buf b = {0};
	if (ns & TJ_NS_USER)
		tj_buf_addf(&b, "user (uid %u inside is %u outside)", (unsigned)plan->uid,
			    (unsigned)(geteuid() == 0 ? plan->uid : geteuid())); /* the maps in ns_prepare */
	if (ns & TJ_NS_MOUNT)
		tj_buf_addf(&b, "%smount (private)", b.len ? ", " : "");
	if (ns & TJ_NS_PID)
		tj_buf_addf(&b, "%spid (tinyjail's init is pid 1)", b.len ? ", " : "");
	if (ns & TJ_NS_IPC)
		tj_buf_addf(&b, "%sipc", b.len ? ", " : "");
	if (ns & TJ_NS_UTS)
		tj_buf_addf(&b, "%suts (hostname '%s')", b.len ? ", " : "",
			    plan->iso->hostname ? plan->iso->hostname : "tinyjail");
	if (ns & TJ_NS_NET)
		tj_buf_addf(&b, "%snet (loopback only)", b.len ? ", " : "");
	if (ns & TJ_NS_CGROUP)
		tj_buf_addf(&b, "%scgroup", b.len ? ", " : "");
	tj_manifest_add(m, LAYER, TJ_LAYER_APPLIED, "%s", b.s);
	tj_buf_done(&b);
	return 0;
}

static int ns_prepare(const struct tj_plan *plan, void **ret_state, struct tj_err **err)
{
	(void)err;
	struct state *s = tj_xcalloc(1, sizeof(*s));
	*ret_state = s;
	if (!(namespaces(plan) & TJ_NS_USER))
		return 0;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (uid == 0) {
		/* root maps root, and the command's own ids when they differ. */
		snprintf(s->uid_map, sizeof(s->uid_map), "0 0 1\n");
		snprintf(s->gid_map, sizeof(s->gid_map), "0 0 1\n");
		if (plan->uid != 0)
			snprintf(s->uid_map + strlen(s->uid_map), sizeof(s->uid_map) - strlen(s->uid_map), "%u %u 1\n",
				 (unsigned)plan->uid, (unsigned)plan->uid);
		if (plan->gid != 0)
			snprintf(s->gid_map + strlen(s->gid_map), sizeof(s->gid_map) - strlen(s->gid_map), "%u %u 1\n",
				 (unsigned)plan->gid, (unsigned)plan->gid);
	} else {
		/* A user may map exactly one id: its own, seen inside as the
		 * command's (itself, or --user's). */
		snprintf(s->uid_map, sizeof(s->uid_map), "%u %u 1\n", (unsigned)plan->uid, (unsigned)uid);
		snprintf(s->gid_map, sizeof(s->gid_map), "%u %u 1\n", (unsigned)plan->gid, (unsigned)gid);
		s->deny_setgroups = true; /* the kernel insists, before gid_map */
	}
	return 0;
}

static int write_proc(pid_t pid, const char *file, const char *text, struct tj_err **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	tj_autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot write the user namespace's %s", file);
	return 0;
}

static int ns_started(const struct tj_plan *plan, void *state, pid_t child, struct tj_err **err)
{
	(void)plan;
	struct state *s = state;
	if (!s->uid_map[0])
		return 0;
	if (s->deny_setgroups && write_proc(child, "setgroups", "deny", err) < 0)
		return -1;
	if (write_proc(child, "uid_map", s->uid_map, err) < 0 || write_proc(child, "gid_map", s->gid_map, err) < 0)
		return -1;
	return 0;
}

static int loopback_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	int r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

static int ns_enter(const struct tj_plan *plan, void *state, struct tj_child_error *cerr)
{
	(void)state;
	unsigned ns = namespaces(plan);
	if (ns & TJ_NS_UTS) {
		const char *name = plan->iso->hostname ? plan->iso->hostname : "tinyjail";
		if (sethostname(name, strlen(name)) < 0)
			return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot set the hostname");
	}
	if ((ns & TJ_NS_NET) && loopback_up() < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot bring up the loopback interface");
	if ((ns & TJ_NS_CGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return tj_child_fail(cerr, TJ_ERR_LAYER, errno, LAYER, "cannot create a cgroup namespace");
	return 0;
}

static void ns_release(void *state)
{
	free(state);
}

const struct tj_layer tj_layer_ns = {
	.name = LAYER,
	.sync_after_started = true,
	.wanted = ns_wanted,
	.clone_flags = ns_clone_flags,
	.probe = ns_probe,
	.prepare = ns_prepare,
	.enter = ns_enter,
	.started = ns_started,
	.release = ns_release,
};
