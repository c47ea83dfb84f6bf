/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What one ELF object can do, computed once from its code (capstone) and
 * cached by build id: its functions with the syscall numbers each executes
 * directly, what each calls or takes the address of (inside the object, or
 * by imported name), the data objects that hold function pointers, the
 * wrappers that take a syscall number in a register, the entry points, and
 * every syscall site whose number could not be determined.
 *
 * Composition (analyze.h) joins the summaries of a program and its
 * libraries; nothing here depends on the other objects except the table of
 * wrappers the object imports (tj_summary_build's `wrappers`).
 */
#ifndef TJ_STATIC_SUMMARY_H
#define TJ_STATIC_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/cleanup.h"
#include "tj/base/err.h"
#include "tj/static/elf.h"

/* Register numbers (the hardware's): the bits of wrapper register masks. */
enum tj_reg {
	TJ_RAX,
	TJ_RCX,
	TJ_RDX,
	TJ_RBX,
	TJ_RSP,
	TJ_RBP,
	TJ_RSI,
	TJ_RDI,
	TJ_R8,
	TJ_R9,
	TJ_R10,
	TJ_R11,
	TJ_R12,
	TJ_R13,
	TJ_R14,
	TJ_R15,
};
const char *tj_reg_name(unsigned reg);

/* Syscall numbers the analysis keeps (x86-64 numbers are below 512). */
#define TJ_STATIC_MAX_NR 1024

enum tj_sedge_kind {
	TJ_SE_CALL,	   /* calls or jumps to function `target` of this object */
	TJ_SE_ADDR,	   /* takes the address of function `target` */
	TJ_SE_OBJ,	   /* refers to data object `target` */
	TJ_SE_IMPORT,	   /* calls the function named by string `target` */
	TJ_SE_IMPORT_ADDR, /* takes the address of the symbol named `target` */
};

struct tj_sedge {
	uint32_t kind;
	uint32_t target;
};

/* A syscall number a function executes: at a syscall instruction, or at a
 * call of a wrapper (via names it). */
struct tj_ssys {
	uint32_t nr;
	uint32_t via;  /* string id of the wrapper called, 0 for a syscall instruction */
	uint64_t addr; /* the instruction */
};

enum tj_sfunc_flag {
	TJ_SF_EXPORTED = 1u << 0, /* a dynamic symbol names it */
	TJ_SF_NAMED = 1u << 1,	  /* its name comes from a symbol (else "sub_ADDR") */
};

struct tj_sfunc {
	uint64_t addr, size;
	uint32_t name; /* string id */
	uint32_t flags;
	uint32_t edges, nedges; /* range of edges[] */
	uint32_t sys, nsys;	/* range of sys[] */
	uint32_t wrapper_regs;	/* the number comes from these registers (1 << enum tj_reg) */
	uint32_t pad;
};

struct tj_sdata {
	uint64_t addr, size;
	uint32_t name;
	uint32_t edges, nedges; /* range of edges[]: pointers stored in it */
};

struct tj_sexport {
	uint32_t name;
	uint32_t is_data; /* index is into data[] rather than funcs[] */
	uint32_t index;
};

enum tj_sunres_kind {
	TJ_SU_SITE,	    /* a syscall instruction */
	TJ_SU_WRAPPER_CALL, /* a call of a wrapper (via) whose number argument is unknown */
	TJ_SU_DLOPEN,	    /* dlopen of a name not known statically */
	TJ_SU_I386,	    /* int 0x80 / sysenter: the i386 ABI, which the profile denies */
};

/* Why a number is unknown (bits). */
enum tj_sreason {
	TJ_SR_LOAD = 1u << 0,	 /* loaded from memory */
	TJ_SR_CALL = 1u << 1,	 /* a call's return value or clobbered by a call */
	TJ_SR_WRITE = 1u << 2,	 /* computed (arithmetic, partial write, pop, ...) */
	TJ_SR_NO_PRED = 1u << 3, /* code reached from an unknown place (jump table, pointer) */
	TJ_SR_ENTRY = 1u << 4,	 /* a value from the caller in a non-argument register */
	TJ_SR_LIMIT = 1u << 5,	 /* the search was too long */
	TJ_SR_MANY = 1u << 6,	 /* too many possible values */
	TJ_SR_ADDRESS = 1u << 7, /* an address, not a number */
	TJ_SR_POINTER = 1u << 8, /* a wrapper reached through a function pointer */
};
/* "memory load, call return" for a reason mask; buf of 160 bytes. */
void tj_sreason_text(uint32_t reasons, char *buf, size_t size);

struct tj_sunres {
	uint64_t addr;
	uint32_t func;
	uint32_t kind;
	uint32_t reasons;
	uint32_t via; /* the wrapper's name for TJ_SU_WRAPPER_CALL */
};

/* A constant library name passed to dlopen by a function. */
struct tj_sdlopen {
	uint32_t func;
	uint32_t name;
};

struct tj_swrapper {
	uint32_t name;
	uint32_t regs;
};

enum tj_summary_flag {
	TJ_SUM_SYMBOLS = 1u << 0, /* a full symbol table (own or debug file): data objects known */
	TJ_SUM_GO = 1u << 1,
	TJ_SUM_STATIC = 1u << 2, /* no dynamic section */
	TJ_SUM_PIE = 1u << 3,
};

struct tj_summary {
	uint32_t flags;
	uint32_t entry; /* function of e_entry, UINT32_MAX when none */
	char *strings;	/* string pool: ids are offsets; strings[0] == '\0' */
	size_t strings_len;
	struct tj_sfunc *funcs;
	size_t nfuncs;
	struct tj_sedge *edges;
	size_t nedges;
	struct tj_ssys *sys;
	size_t nsys;
	struct tj_sdata *data;
	size_t ndata;
	struct tj_sexport *exports; /* sorted by name id */
	size_t nexports;
	struct tj_sunres *unres;
	size_t nunres;
	struct tj_sdlopen *dlopens;
	size_t ndlopens;
	struct tj_swrapper *wrappers; /* exported wrappers */
	size_t nwrappers;
	uint32_t *inits; /* DT_INIT(_ARRAY), DT_FINI(_ARRAY), preinit, IFUNC resolvers */
	size_t ninits;
	struct tj_sedge *live; /* pointers in data no known object owns: always live */
	size_t nlive;
	/* statistics */
	uint64_t ninsns, nsites, nsites_resolved;
};

void tj_summary_free(struct tj_summary *s);
TJ_DEFINE_CLEANUP(struct tj_summary, tj_summary_free)

static inline const char *tj_summary_str(const struct tj_summary *s, uint32_t id)
{
	return s->strings + id;
}

/* Wrappers the object may import: name -> registers holding the number. */
struct tj_wrapper_table {
	struct tj_swrapper_named {
		char *name;
		uint32_t regs;
	} * v;
	size_t n, cap;
};
void tj_wrapper_table_add(struct tj_wrapper_table *t, const char *name, uint32_t regs);
uint32_t tj_wrapper_table_get(const struct tj_wrapper_table *t, const char *name);
void tj_wrapper_table_done(struct tj_wrapper_table *t);

/* Loads capstone, once (it is not linked: notes/performance.md); false
 * when it cannot be.  The summary cache's keys name its build id, so they
 * load it first. */
bool tj_summary_load_capstone(void);
/* Analyses e.  wrappers may be NULL. */
int tj_summary_build(const struct tj_elf *e, const struct tj_wrapper_table *wrappers, struct tj_summary **ret,
		     struct tj_err **err);

/* The function containing addr, or UINT32_MAX. */
uint32_t tj_summary_func_at(const struct tj_summary *s, uint64_t addr);
/* The names an object imports that are in wrappers, for the cache key:
 * "name:regs" lines in name order.  Caller frees. */
char *tj_summary_wrapper_context(const struct tj_elf *e, const struct tj_wrapper_table *wrappers);

#endif
