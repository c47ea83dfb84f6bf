/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seccomp records in the kernel log (/dev/kmsg), the source of
 * --complain=kmsg.  With no audit daemon, the kernel prints every
 * SECCOMP_RET_LOG (and kill) record as
 *
 *   audit: type=1326 audit(1795453056.660:7461): auid=... uid=0 gid=0 ses=...
 *     pid=29602 comm="probe" exe="/bin/probe" sig=0 arch=c000003e syscall=110
 *     compat=0 ip=0x43e5c9 code=0x7ffc0000
 *
 * through printk's rate limit (10 records per 5 s by default) from the
 * kauditd thread, i.e. later than the call.  What was dropped shows up as
 * "kauditd_printk_skb: N callbacks suppressed" (printed only when the next
 * record gets through) and as gaps in the audit serial numbers, which every
 * audit record takes from one counter.  This module parses records, reads
 * the log without blocking, and brackets a run with marker records of its
 * own so that the serials in between can be checked for gaps.
 */
#ifndef TJ_KMSG_H
#define TJ_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tj/base/err.h"

#define TJ_AUDIT_SECCOMP 1326 /* AUDIT_SECCOMP */

enum tj_kmsg_kind {
	TJ_KMSG_OTHER = 0,  /* not an audit line */
	TJ_KMSG_AUDIT,	    /* an audit record of another type */
	TJ_KMSG_SECCOMP,    /* a seccomp record: *rec is filled */
	TJ_KMSG_SUPPRESSED, /* "kauditd_printk_skb: N callbacks suppressed": *count */
	TJ_KMSG_AUDIT_LOST, /* audit itself dropped records (backlog, rate limit) */
};

struct tj_kmsg_record {
	int type;	 /* audit record type */
	uint64_t serial; /* the audit serial, audit(SECONDS.MS:SERIAL) */
	pid_t pid;
	char comm[17];
	uint32_t arch; /* AUDIT_ARCH_* */
	int nr;	       /* the syscall number */
	uint64_t ip;
	uint32_t code; /* the seccomp return value (its action) */
	int sig;       /* the signal a kill sent, or 0 */
};

/* Parses one /dev/kmsg record ("PRI,SEQ,USEC,FLAGS;message\n...") or a
 * bare message line as dmesg prints it.  For audit records rec->type and
 * rec->serial are filled; for seccomp records everything is. */
enum tj_kmsg_kind tj_kmsg_parse(const char *text, size_t len, struct tj_kmsg_record *rec, uint64_t *count);

/* What may have been lost between the two markers of a run. */
struct tj_kmsg_loss {
	uint64_t suppressed;  /* records printk dropped, as the kernel reported them */
	uint64_t serial_gaps; /* audit serials between the markers never seen */
	uint64_t audit_lost;  /* lines saying audit dropped records */
	uint64_t overruns;    /* times the log buffer overwrote unread records */
	bool no_start_marker; /* the first marker never arrived */
	bool no_end_marker;   /* the last marker never arrived */
};

struct tj_kmsg;
typedef void (*tj_kmsg_cb)(void *ctx, const struct tj_kmsg_record *rec);

/* Opens /dev/kmsg at its end (old records are not read).  Fails when the
 * log cannot be read (kernel.dmesg_restrict without CAP_SYSLOG) or the
 * kernel does not log SECCOMP_RET_LOG (kernel.seccomp.actions_logged). */
int tj_kmsg_open(struct tj_kmsg **ret, struct tj_err **err);
void tj_kmsg_free(struct tj_kmsg *k);
int tj_kmsg_fd(const struct tj_kmsg *k);

/* Reads every record available now; cb gets the seccomp records. */
void tj_kmsg_read(struct tj_kmsg *k, tj_kmsg_cb cb, void *ctx);

/* Makes a marker record (a short-lived child of ours makes one logged
 * call) and reads, passing records to cb, until it arrives or timeout_ms
 * pass.  The first call starts the gap accounting, the second ends it.
 * Returns 0 when the marker arrived, -1 otherwise. */
int tj_kmsg_mark(struct tj_kmsg *k, int timeout_ms, tj_kmsg_cb cb, void *ctx);

/* True for the pid of a marker process (its records are not the sandbox's). */
bool tj_kmsg_is_marker(const struct tj_kmsg *k, pid_t pid);

/* The loss accounting so far (final after the second mark). */
void tj_kmsg_loss(const struct tj_kmsg *k, struct tj_kmsg_loss *out);

#endif
