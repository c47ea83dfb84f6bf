/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seccomp user notifications (seccomp_unotify(2)) through libseccomp, which
 * sizes the buffers from the running kernel.
 */
#ifndef TJ_NOTIFY_H
#define TJ_NOTIFY_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/base/err.h"

struct tj_notify;

struct tj_notification {
	uint64_t id;
	pid_t pid; /* the calling thread, in tinyjail's pid namespace */
	struct seccomp_data data;
};

/* True when this kernel and libseccomp offer seccomp user notification
 * (the source tinyjail names kills and records complaints from). */
bool tj_notify_available(void);

int tj_notify_new(struct tj_notify **ret, struct tj_err **err);
void tj_notify_free(struct tj_notify *n);

/* Blocks for the next notification.  Returns 0, -ENOENT when the task went
 * away before it could be read, or another -errno. */
int tj_notify_receive(struct tj_notify *n, int fd, struct tj_notification *out);
/* Asks the kernel to switch straight between a notifying thread and the
 * supervisor on one CPU (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6),
 * which shortens each notified call's round trip.  Only a speed-up: 0, or
 * -errno where the kernel lacks it (nothing changes then). */
int tj_notify_sync_wakeup(int fd);
/* Lets the syscall run (SECCOMP_USER_NOTIF_FLAG_CONTINUE). */
int tj_notify_continue(struct tj_notify *n, int fd, uint64_t id);
/* Fails the syscall with errnum without running it. */
int tj_notify_deny(struct tj_notify *n, int fd, uint64_t id, int errnum);
/* 0 while the notification is still pending (the task is still blocked). */
int tj_notify_id_valid(int fd, uint64_t id);
/* Kills the process (thread group) of the notified thread tid, the one
 * safe way: the pidfd is opened first and the notification then checked to
 * be still pending, so a recycled pid is never hit (seccomp_unotify(2)).
 * While it is pending, pending(ctx, tgid) (may be NULL) is called, when
 * /proc still shows the caller.  True when the kill was sent.  Shared by
 * the monitor and the supervisor. */
bool tj_notify_kill_caller(int fd, uint64_t id, pid_t tid, void (*pending)(void *ctx, pid_t tgid), void *ctx);

#endif
