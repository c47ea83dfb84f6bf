/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Static pre-analysis of a program: which syscalls the ELF and everything it
 * loads can make, from the entry points over a call graph of all objects
 * (sysfilter's and B-Side's approach; notes/static-analysis.md).
 *
 *   roots:  the program's entry and init/fini functions, every library's
 *           init/fini and IFUNC resolvers, all of ld.so, the vDSO's clock
 *           functions, libc's __libc_early_init, the exports of NSS modules
 *           and of libraries dlopen'ed by constant name;
 *   edges:  direct calls and jumps, PLT/GOT imports bound by name to every
 *           object that defines them, and address-taken functions ("vacuum":
 *           a function whose address reachable code or a live data object
 *           holds is reachable; without a symbol table every data pointer is
 *           live).
 *
 * The result is a superset of what any run can call, unless it says it is
 * incomplete: then each syscall site or wrapper call whose number is unknown,
 * and each dlopen of an unknown name, is listed.
 */
#ifndef TJ_STATIC_ANALYZE_H
#define TJ_STATIC_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/cleanup.h"
#include "tj/base/err.h"
#include "tj/base/util.h"
#include "tj/model/profile.h"

struct tj_static_opts {
	const char *debug_dir;	      /* build-id debug files ("/usr/lib/debug"); NULL: none */
	const char *cache_dir;	      /* summaries by build id; NULL: no cache */
	const uint8_t *cache_mac_key; /* TJ_INTEGRITY_KEY_LEN bytes sealing them; NULL: no cache */
	const char *nsswitch;	      /* NULL: /etc/nsswitch.conf */
	const char *ldcache;	      /* NULL: /etc/ld.so.cache */
	bool no_vdso;		      /* leave the running kernel's vDSO out */
};

/* An object of the closure, in load order. */
struct tj_static_object {
	char *path;
	char *how; /* "program", "needed by ls", "interpreter", "vDSO", "NSS module (systemd)", ... */
	char build_id[129];
	bool cached;	  /* its summary came from the cache */
	bool symbols;	  /* a full symbol table (own or debug file) */
	char *debug_file; /* where the symbols came from, or NULL */
	size_t nfuncs, nsites, nresolved;
};

/* One syscall of the result: the first function (in breadth-first order
 * from the roots) that reaches it, and how many functions make it. */
struct tj_static_syscall {
	int nr;
	char *name;
	char *object; /* file name of the object, or NULL for a fixed addition */
	char *function;
	char *via; /* the wrapper it was called through, or NULL */
	uint64_t addr;
	size_t nfuncs;	 /* reachable functions that make it */
	const char *why; /* a fixed addition's reason, else NULL */
};

/* A reachable place whose number (or dlopen name) is unknown. */
struct tj_static_unresolved {
	char *object;
	char *function;
	uint64_t addr;
	uint32_t kind;	  /* enum tj_sunres_kind */
	uint32_t reasons; /* enum tj_sreason bits */
	char *via;	  /* the wrapper or dlopen function, or NULL */
	char *chain;	  /* a call path from a root */
};

struct tj_static_graph;

struct tj_static_result {
	struct tj_static_syscall *sys; /* by name */
	size_t nsys;
	struct tj_static_unresolved *unres;
	size_t nunres;
	struct tj_static_object *objs;
	size_t nobjs;
	struct tj_notes notes;	  /* what the user should know (script interpreter, NSS, missing libraries) */
	struct tj_notes accepted; /* unknown numbers that are known not to matter, with why */
	bool incomplete;	  /* nunres > 0 */
	size_t nfuncs, nreached;
	struct tj_static_graph *graph;
};

void tj_static_result_free(struct tj_static_result *r);
TJ_DEFINE_CLEANUP(struct tj_static_result, tj_static_result_free)

/* Analyses the programs at paths (each an ELF, or a #! script through its
 * interpreter): the result is their union, for a command that runs them all
 * (the filter is inherited across execve). */
int tj_static_analyze(const char *const *paths, size_t npaths, const struct tj_static_opts *opts,
		      struct tj_static_result **ret, struct tj_err **err);

/* The call chains that reach syscall nr: one line per function that makes it,
 * "openat <- __open64 (libc.so.6) <- fopen (libc.so.6) <- main (app) <- [entry] _start (app)".
 * Returns the number of lines added. */
size_t tj_static_explain(const struct tj_static_result *r, int nr, struct tj_strv *out);

/* A deny-by-default profile (SCMP_ACT_KILL_PROCESS) allowing the result's
 * syscalls, one rule per syscall in name order, each rule's comment its
 * provenance.  *comment gets the profile-level note (complete or not). */
int tj_static_to_seccomp(const struct tj_static_result *r, struct tj_seccomp **ret, char **comment,
			 struct tj_err **err);

#endif
