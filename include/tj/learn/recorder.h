/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The recorder of one `learn` run: the monitor hands it every notification
 * (launch.h, on_notify) while the caller waits; it keeps each new
 * (syscall, argument class) with the program that made it and counts the
 * rest, and says how to answer: run the call, except clone3, which gets
 * ENOSYS so that libc uses clone, whose flags can be checked.
 *
 * The filter of a learn run notifies only what the profile of the earlier
 * runs does not allow (tinyjail compiles it as complain mode), so a repeat
 * run costs little: known pairs are allowed by the kernel, new ones trap.
 * The first notification is the command's own execve (tinyjail's start
 * call before it is the supervisor's, never the learner's), so none of
 * tinyjail's set-up calls can be recorded.
 */
#ifndef TJ_LEARN_RECORDER_H
#define TJ_LEARN_RECORDER_H

#include <stdint.h>

#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/events/events.h"
#include "tj/filter/notify.h"
#include "tj/learn/model.h"

struct tj_learn_recorder;

struct tj_learn_recorder_stats {
	uint64_t notifications;	 /* calls the recorder saw */
	uint64_t pairs;		 /* distinct (syscall, class) among them */
	uint64_t other_abi;	 /* calls through the x86 or x32 ABI: no x86_64 profile allows them */
	uint64_t unnamed;	 /* calls of numbers libseccomp cannot name: no profile can allow them */
	struct tj_strv setuid;	 /* set-user-ID or set-group-ID programs executed (no_new_privs: without privileges) */
	struct tj_strv programs; /* the programs that made calls, in the order first seen */
};

/* exec_path: the command as tinyjail starts it (the command's own execve
 * is made by tinyjail's child, and is recorded as the command's).  events
 * may be NULL. */
int tj_learn_recorder_new(const char *exec_path, struct tj_events *events, struct tj_learn_recorder **ret,
			  struct tj_err **err);
void tj_learn_recorder_free(struct tj_learn_recorder *r);

/* The monitor's hook (ctx is the recorder): 0 to let the call run, or the
 * errno to fail it with. */
int tj_learn_recorder_notify(void *recorder, const struct tj_notification *n, int listener);

/* What the run learnt, added to m as run `run`. */
void tj_learn_recorder_collect(const struct tj_learn_recorder *r, struct tj_learn_model *m, const char *run);

/* The journal (learn --journal, learn --fuzz): each new pair is appended
 * to fd at once, one line, so that what a run learnt survives its
 * tinyjail being killed (afl-fuzz ends its target with SIGKILL).  The
 * caller owns fd (opened O_APPEND). */
void tj_learn_recorder_journal(struct tj_learn_recorder *r, int fd);
/* Whether a journal line could not be written (the journal is short). */
bool tj_learn_recorder_journal_failed(const struct tj_learn_recorder *r);
/* Feeds a journal's pairs into r as if its run had made them; a last
 * line cut short (the run killed while writing) is ignored. */
int tj_learn_recorder_read_journal(struct tj_learn_recorder *r, const char *path, struct tj_err **err);

const struct tj_learn_recorder_stats *tj_learn_recorder_stats(const struct tj_learn_recorder *r);

#endif
