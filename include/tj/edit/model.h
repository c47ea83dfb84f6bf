/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tinyjail edit`: the profile as the editor shows and changes it, without a
 * terminal (the ncurses view in view.c draws it; the unit tests drive it).
 *
 * The model holds the document as it was read (text and loaded profile),
 * and a working copy of its seccomp section that every edit changes.  Each
 * edit is compiled at once (libseccomp, through filter.h): an edit the
 * compiler refuses (a conflict, an unknown name) is not made, and its
 * error is returned, so the working copy is always a profile tinyjail
 * accepts.  Saving carries the working copy back into the text
 * (tj_profile_json_rewrite): bytes of rules that did not change, comments,
 * Docker conditions and unknown keys are kept.
 */
#ifndef TJ_EDIT_MODEL_H
#define TJ_EDIT_MODEL_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/filter/filter.h"
#include "tj/model/profile.h"
#include "tj/model/sysgroups.h"

/* What a syscall gets under the working profile. */
enum tj_edit_kind {
	TJ_EDIT_DEFAULT,     /* no rule names it: the default action */
	TJ_EDIT_RULE,	     /* one rule decides every call */
	TJ_EDIT_CONDITIONAL, /* rules with argument checks, else the default */
};

struct tj_edit_row {
	const char *name; /* the syscall (static) */
	int nr;
	enum tj_edit_kind kind;
	enum tj_action action; /* RULE: its action; CONDITIONAL: the most permissive rule's; DEFAULT: the default */
	unsigned errnum;       /* for ERRNO */
	size_t nrules;	       /* resolved rules that name it */
	char *where;	       /* the deciding rule's path and group, or NULL */
	uint64_t used;	       /* calls seen in the log, or live */
};

struct tj_edit_snapshot {
	struct tj_seccomp *s;
	char *what; /* "allow ptrace" */
};

struct tj_edit_model {
	char *path;    /* the file edited (written by save) */
	char *display; /* its name in messages */
	char *text;    /* the document as last read or saved */
	size_t len;
	struct tj_profile *base;  /* text, loaded */
	struct tj_seccomp *cur;	  /* the working copy */
	struct tj_filter *filter; /* cur, compiled */
	struct tj_edit_row *rows; /* every x86_64 syscall, by name */
	size_t nrows;
	struct tj_edit_snapshot *undo, *redo;
	size_t nundo, nredo, capundo, capredo;
	size_t saved_depth; /* nundo when the text was last saved; SIZE_MAX: never matches */
	bool new_file;	    /* the path did not exist: save creates it */
	bool backed_up;	    /* PATH.bak was written in this session */
};

/* Loads the document at path (or, when from is given, the bundled profile
 * or file `from`, to be saved at path).  A profile without a seccomp
 * section gets an empty one (default SCMP_ACT_ALLOW) when saved. */
int tj_edit_model_open(struct tj_edit_model *m, const char *path, const char *from, struct tj_err **err);
/* The same, from a document in memory (the unit tests). */
int tj_edit_model_load(struct tj_edit_model *m, const char *path, const char *text, size_t len, struct tj_err **err);
void tj_edit_model_done(struct tj_edit_model *m);

/* Counts the calls of an event log (--log, notes/events.md) into the rows'
 * `used`: syscall events of every verdict, and usage counts.  *ret_bad:
 * lines that were not events (skipped).  -1 when the file cannot be read. */
int tj_edit_model_read_log(struct tj_edit_model *m, const char *path, size_t *ret_bad, struct tj_err **err);

/* The row of a syscall, or NULL. */
struct tj_edit_row *tj_edit_model_row(struct tj_edit_model *m, const char *name);

/* --- edits: each one compiled, undoable; on error nothing changed --- */

/* Every call of the syscall gets action (errnum for ERRNO): rules that name
 * it directly lose it (a rule left empty goes; a rule of this one name is
 * changed in place, keeping its comment), rules that bring it through a
 * group exclude it ("!name"), and a rule is added unless the default does
 * it already. */
int tj_edit_set_action(struct tj_edit_model *m, const char *name, enum tj_action action, unsigned errnum,
		       struct tj_err **err);
/* The syscall goes back to the default: no rule names it any more. */
int tj_edit_clear(struct tj_edit_model *m, const char *name, struct tj_err **err);
/* Adds a rule: name with action when the comparisons hold (a condition
 * chosen by name; several comparisons: all must hold). */
int tj_edit_add_condition(struct tj_edit_model *m, const char *name, enum tj_action action, unsigned errnum,
			  const struct tj_arg *args, size_t nargs, const char *comment, struct tj_err **err);
/* A group's action: a rule of the group alone ("@network-io") is changed,
 * else one is added; the group's members named by other rules keep them. */
int tj_edit_set_group_action(struct tj_edit_model *m, const char *group, enum tj_action action, unsigned errnum,
			     struct tj_err **err);
int tj_edit_set_default(struct tj_edit_model *m, enum tj_action action, unsigned errnum, struct tj_err **err);

bool tj_edit_can_undo(const struct tj_edit_model *m);
bool tj_edit_can_redo(const struct tj_edit_model *m);
/* Returns what was undone or redone (for the status line), or NULL. */
const char *tj_edit_undo(struct tj_edit_model *m);
const char *tj_edit_redo(struct tj_edit_model *m);
/* True when the working copy differs from the text as last saved. */
bool tj_edit_dirty(const struct tj_edit_model *m);

/* --- what the panes show --- */

/* The rule the working profile applies to the call, as `tinyjail why`
 * explains it (lines for people), and the action it takes. */
uint32_t tj_edit_why(const struct tj_edit_model *m, const struct seccomp_data *d, struct tj_strv *out);
/* What the working profile answers for a call: true when a rule decides it
 * (*action, *errnum), false when only the default does. */
bool tj_edit_decide(const struct tj_edit_model *m, const struct seccomp_data *d, enum tj_action *action,
		    unsigned *errnum);
/* The lint findings about the syscall (or, name NULL, all), as lines. */
void tj_edit_lint(const struct tj_edit_model *m, const char *name, struct tj_strv *out);
/* The unsaved changes, per syscall (tinyjail diff's lines). */
void tj_edit_diff(const struct tj_edit_model *m, struct tj_strv *out);
/* A readable action: "SCMP_ACT_ERRNO(EPERM)". */
void tj_edit_action_text(enum tj_action a, unsigned errnum, char *buf, size_t size);

/* --- saving --- */

/* The document with the working copy carried back into it (loaded again to
 * check it).  Caller frees. */
int tj_edit_render(const struct tj_edit_model *m, char **ret, size_t *ret_len, struct tj_err **err);
/* Renders and writes the file atomically (base/outfile.h); the first save
 * of a session over an existing file keeps its old content as PATH.bak.
 * The written text becomes the model's document. */
int tj_edit_save(struct tj_edit_model *m, bool *backed_up, struct tj_err **err);

#endif
