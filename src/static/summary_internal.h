/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to src/static/: the analysis context of one object's summary,
 * shared by summary.c (the first pass, functions, edges, data, the output)
 * and summary_walk.c (the backward walks from syscall sites, wrappers,
 * dlopen calls).
 */
#ifndef TJ_STATIC_SUMMARY_INTERNAL_H
#define TJ_STATIC_SUMMARY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn.h"
#include "strmap.h"
#include "tj/static/summary.h"

#define NONE UINT32_MAX

struct pair {
	uint64_t key, val;
};

struct pairs {
	struct pair *v;
	size_t n, cap;
};

struct ref {
	uint64_t src, addr;
	uint8_t kind; /* REF_ADDR or REF_MEM */
};

struct fact {
	uint32_t owner; /* data object, or NONE */
	struct tj_sedge edge;
};

struct sysrec {
	uint32_t func;
	struct tj_ssys s;
};

struct ctx {
	const struct tj_elf *e;
	const struct tj_wrapper_table *wrappers;
	struct tj_insn_decoder *dec;
	bool absolute; /* non-PIE executable */
	bool go;
	struct tj_strpool pool;
	/* code */
	struct {
		uint64_t start, end;
	} code[64];
	size_t ncode;
	struct pairs plt;    /* jmp [slot] address in a PLT section -> slot */
	struct pairs relocs; /* offset -> index in e->rels */
	/* functions */
	uint64_t *starts;
	size_t nstarts, capstarts;
	struct tj_sfunc *funcs;
	size_t nfuncs;
	uint8_t *entry_like; /* per function: callers may enter it (see walk) */
	/* pass 1 facts */
	struct pairs calls;    /* target -> call site (direct) */
	struct pairs jumps;    /* target -> jump site (direct jmp/jcc) */
	struct pairs memcalls; /* call/jmp [slot] site -> slot (bit 63 of the site: a jmp) */
	struct ref *refs;
	size_t nrefs, caprefs;
	uint64_t *sites, *i386;
	size_t nsites, capsites, ni386, capi386;
	uint64_t ninsns;
	/* data objects */
	struct tj_sdata *data;
	size_t ndata, capdata;
	/* results being built */
	struct pairs fedges; /* func -> packed edge (kind << 32 | target) */
	struct pairs dedges; /* data object -> packed edge */
	struct tj_sedge *live;
	size_t nlive, caplive;
	struct sysrec *sys;
	size_t nsys, capsys;
	struct tj_sunres *unres;
	size_t nunres, capunres;
	struct tj_sdlopen *dlopens;
	size_t ndlopens, capdlopens;
	uint32_t *inits;
	size_t ninits, capinits;
	uint64_t nresolved;
};

/* Context helpers (summary.c). */
uint32_t tj_sc_func_at(const struct ctx *c, uint64_t a);
bool tj_sc_in_code(const struct ctx *c, uint64_t a);
size_t tj_sc_pairs_lower(const struct pairs *p, uint64_t k);
const struct tj_elf_sec *tj_sc_plt_section(const struct ctx *c, uint64_t a);
bool tj_sc_plt_slot(const struct ctx *c, uint64_t a, uint64_t *slot);
const struct tj_elf_rel *tj_sc_reloc_at(const struct ctx *c, uint64_t off);
const char *tj_sc_sym_name(const struct ctx *c, const struct tj_elf_rel *r);

/* The second pass (summary_walk.c). */
void tj_sc_find_dlopens(struct ctx *c);
void tj_sc_mark_entries(struct ctx *c);
void tj_sc_resolve_sites(struct ctx *c, uint32_t *wrap);
void tj_sc_resolve_wrappers(struct ctx *c, uint32_t *wrap);

#endif
