/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall groups: named sets of x86_64 system calls ("@network-io") that a
 * profile can use wherever it names a syscall (notes/groups.md).  The groups
 * systemd defines keep systemd's names and members; tinyjail adds its own,
 * some of whose members carry argument constraints ("mmap, but never
 * writable and executable").  This module is the data and its lookups; it
 * knows no libseccomp (the unit tests check every name with the compiler's
 * resolver) and no profile syntax (expand.c applies groups to rules).
 */
#ifndef TJ_SYSGROUPS_H
#define TJ_SYSGROUPS_H

#include <stdbool.h>
#include <stddef.h>

#include "tj/model/profile.h"

/* How much a group hands a program, lowest first. */
enum tj_risk {
	TJ_RISK_BASELINE,  /* every program needs these */
	TJ_RISK_NORMAL,	   /* work on the program's own files, memory and descriptors */
	TJ_RISK_SENSITIVE, /* reaches other processes, the network, identities or shared state */
	TJ_RISK_DANGEROUS, /* changes the system, escapes confinement, or exposes much kernel surface */
	_TJ_RISK_MAX,
};

/* One permitted way of calling a constrained member: every comparison holds
 * (their indexes differ, so no comparison is OR'ed as in Docker's legacy). */
struct tj_sysgroup_alt {
	const struct tj_arg *args;
	size_t nargs;
};

struct tj_sysgroup_member {
	const char *name;		    /* a syscall, or "@group" */
	const struct tj_sysgroup_alt *alts; /* NULL: any arguments */
	size_t nalts;			    /* the member matches if any alternative does */
	const char *when;		    /* the constraint in words, for listings */
};

struct tj_sysgroup {
	const char *name;    /* "@network-io" */
	const char *meaning; /* one line, lower case */
	enum tj_risk risk;
	bool systemd;				  /* systemd 252 has a set of this name and meaning */
	const struct tj_sysgroup_member *members; /* sorted by name (strcmp), unique */
	size_t nmembers;
};

/* Every group, sorted by name. */
const struct tj_sysgroup *tj_sysgroups(size_t *n);
/* The group called name ("@aio"), or NULL. */
const struct tj_sysgroup *tj_sysgroup_find(const char *name);
/* All group names, NULL-terminated, for "did you mean". */
const char *const *tj_sysgroup_names(void);
/* The members of @known (every x86_64 syscall name), NULL-terminated. */
const char *const *tj_known_syscall_names(void);
/* Calls every process needs though a run may not show them (it was killed,
 * no signal handler returned): learn always allows them and a report never
 * calls them unused.  NULL-terminated. */
extern const char *const tj_sysgroup_always[];
bool tj_sysgroup_always_needed(const char *name);
const char *tj_risk_name(enum tj_risk r);

/* A group flattened: its syscalls with nested groups expanded.  A syscall
 * reached several ways appears once: without constraints if any way has
 * none, otherwise with the alternatives of every way (a union). */
struct tj_sysgroup_syscall {
	const char *name;
	size_t origin; /* caller's tag: which entry of a profile rule brought it */
	char *via;     /* "@system-service > @ipc", or NULL when added by name */
	bool any_args;
	const struct tj_sysgroup_member **constrained; /* when !any_args */
	size_t nconstrained;
	/* For each constrained way: the entry and group path it came through
	 * (clone reaches a rule through both @threads and @spawn, each with
	 * its own condition). */
	size_t *constrained_origin;
	char **constrained_via;
};

struct tj_sysgroup_set {
	struct tj_sysgroup_syscall *v;
	size_t n, cap;
	size_t *slots; /* hash index into v (index + 1; 0 = empty), so that a
			 * rule of thousands of entries expands in linear time */
	size_t nslots;
};

/* Adds the syscalls of g (tagged with origin) to set; returns the number of
 * syscalls g contributes, counting those already in the set. */
size_t tj_sysgroup_set_add_group(struct tj_sysgroup_set *set, const struct tj_sysgroup *g, size_t origin);
/* Adds one syscall named directly, without constraints. */
void tj_sysgroup_set_add_name(struct tj_sysgroup_set *set, const char *name, size_t origin);
/* Removes a syscall; returns false if it was not in the set. */
bool tj_sysgroup_set_remove(struct tj_sysgroup_set *set, const char *name);
/* The entry for name, or NULL. */
const struct tj_sysgroup_syscall *tj_sysgroup_set_find(const struct tj_sysgroup_set *set, const char *name);
void tj_sysgroup_set_done(struct tj_sysgroup_set *set);

/* The number of syscalls in g, nested groups expanded. */
size_t tj_sysgroup_size(const struct tj_sysgroup *g);

#endif
