/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp user notifications through libseccomp's notify API. */
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tj/base/proc.h"
#include "tj/base/sys.h"
#include "tj/base/util.h"
#include "tj/filter/notify.h"

struct tj_notify {
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size; /* the kernel's sizes, which may exceed the headers' */
};

bool tj_notify_available(void)
{
	/* libseccomp's notify API is API level 5; the kernel reports the
	 * action itself (Linux 5.0). */
	return seccomp_api_get() >= 5 && tj_sys_seccomp_action_available(SECCOMP_RET_USER_NOTIF) == 0;
}

int tj_notify_new(struct tj_notify **ret, struct tj_err **err)
{
	struct tj_notify *n = tj_xcalloc(1, sizeof(*n));
	int rc = seccomp_notify_alloc(&n->req, &n->resp);
	if (rc < 0) {
		free(n);
		return tj_err_set(err, TJ_ERR_LAYER, -rc, "cannot allocate seccomp notification buffers");
	}
	struct seccomp_notif_sizes sizes;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		int e = errno;
		tj_notify_free(n);
		return tj_err_set(err, TJ_ERR_LAYER, e, "cannot read the seccomp notification sizes");
	}
	n->req_size = sizes.seccomp_notif;
	n->resp_size = sizes.seccomp_notif_resp;
	*ret = n;
	return 0;
}

void tj_notify_free(struct tj_notify *n)
{
	if (!n)
		return;
	seccomp_notify_free(n->req, n->resp);
	free(n);
}

int tj_notify_receive(struct tj_notify *n, int fd, struct tj_notification *out)
{
	/* The kernel refuses a buffer that is not zeroed (EINVAL), and
	 * libseccomp 2.5.4 does not clear it between calls. */
	memset(n->req, 0, n->req_size);
	int rc = seccomp_notify_receive(fd, n->req);
	if (rc < 0)
		return rc == -ECANCELED ? -errno : rc;
	out->id = n->req->id;
	out->pid = (pid_t)n->req->pid;
	out->data.nr = n->req->data.nr;
	out->data.arch = n->req->data.arch;
	out->data.instruction_pointer = n->req->data.instruction_pointer;
	memcpy(out->data.args, n->req->data.args, sizeof(out->data.args));
	return 0;
}

static int respond(struct tj_notify *n, int fd, uint64_t id, int error, uint32_t flags)
{
	memset(n->resp, 0, n->resp_size);
	n->resp->id = id;
	n->resp->error = error;
	n->resp->val = 0;
	n->resp->flags = flags;
	/* The kernel takes a lock interruptibly: a signal (tinyjail's are
	 * blocked, but a debugger's are not) is not a reason to give up. */
	int rc;
	do {
		rc = seccomp_notify_respond(fd, n->resp);
		if (rc == -ECANCELED)
			rc = -errno;
	} while (rc == -EINTR);
	return rc < 0 ? rc : 0;
}

/* Not in the headers of older distributions (uapi since Linux 6.6). */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

int tj_notify_sync_wakeup(int fd)
{
	/* The flags travel by value, not through a pointer. */
	return ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0 ? -errno
													       : 0;
}

int tj_notify_continue(struct tj_notify *n, int fd, uint64_t id)
{
	return respond(n, fd, id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

int tj_notify_deny(struct tj_notify *n, int fd, uint64_t id, int errnum)
{
	return respond(n, fd, id, -errnum, 0);
}

int tj_notify_id_valid(int fd, uint64_t id)
{
	return seccomp_notify_id_valid(fd, id);
}

bool tj_notify_kill_caller(int fd, uint64_t id, pid_t tid, void (*pending)(void *ctx, pid_t tgid), void *ctx)
{
	pid_t tgid = tj_proc_tgid(tid);
	if (tgid <= 0)
		return false;
	int pidfd = tj_sys_pidfd_open(tgid, 0);
	if (pidfd < 0)
		return false;
	bool killed = false;
	if (tj_notify_id_valid(fd, id) == 0) {
		if (pending)
			pending(ctx, tgid);
		killed = tj_sys_pidfd_send_signal(pidfd, SIGKILL, NULL, 0) == 0;
	}
	close(pidfd);
	return killed;
}
