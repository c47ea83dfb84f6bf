/* SPDX-License-Identifier: Apache-2.0 */
/* Facts about other processes from /proc (pids in this pid namespace). */
#ifndef TJ_PROC_H
#define TJ_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The command name of pid ("" when it is gone). */
void tj_proc_comm(pid_t pid, char *buf, size_t size);
/* The same, keeping /proc/PID/comm open for the next call about pid: one
 * pread instead of open, read and close on a notification's path.  A
 * descriptor outlives its process only to fail (ESRCH), and is then opened
 * again, so a reused pid is read afresh. */
#define TJ_COMM_CACHE_SIZE 32
struct tj_comm_cache {
	pid_t pid[TJ_COMM_CACHE_SIZE];
	int fd[TJ_COMM_CACHE_SIZE]; /* 0: none (descriptor 0 is never one) */
};
void tj_proc_comm_cached(struct tj_comm_cache *c, pid_t pid, char *buf, size_t size);
void tj_comm_cache_done(struct tj_comm_cache *c);
/* The thread group (process) of a thread, or -1 when it is gone. */
pid_t tj_proc_tgid(pid_t tid);
/* The thread group and thread ids of a thread as it sees them itself (in
 * its innermost pid namespace); -1 when it is gone. */
int tj_proc_own_ids(pid_t tid, pid_t *ret_tgid, pid_t *ret_tid);
/* The parent of a process, or -1 when it is gone. */
pid_t tj_proc_ppid(pid_t pid);
/* True when pid is root or one of its descendants, judged now by walking
 * the parent links (a process that has exited and been reaped is not). */
bool tj_proc_descends_from(pid_t pid, pid_t root);

#endif
