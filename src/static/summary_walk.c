/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The second pass of an object's summary (summary.c has the overview): per
 * syscall site, a backward walk over the instructions that can run before
 * it to the writes of rax; wrappers found on the way, their call sites
 * walked the same way; dlopen calls; which functions callers may enter.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary_internal.h"
#include "tj/base/util.h"

#define MAX_VALUES 32
#define WALK_STEPS 6000
#define WALK_REGIONS 48
#define WALK_SLOTS 16

/* --- the backward walk --- */

struct region {
	uint32_t func;
	struct tj_insn *v;
	size_t n;
};

enum walk_mode {
	WALK_NUMBER,
	WALK_ADDRESS
};

struct walk {
	struct ctx *c;
	enum walk_mode mode;
	struct region regions[WALK_REGIONS];
	size_t nregions;
	uint64_t *seen; /* open addressing, half full at most */
	size_t nseen, nseen_slots;
	struct {
		uint32_t region;
		uint32_t idx;
		uint8_t reg;
	} * stack;
	size_t nstack, capstack;
	int64_t values[MAX_VALUES];
	size_t nvalues;
	int32_t slots[WALK_SLOTS]; /* stack slots followed, as registers 16 + i */
	size_t nslots;
	uint32_t params, reasons;
	unsigned steps;
};

static void decode_region(struct ctx *c, uint32_t f, struct region *r)
{
	r->func = f;
	r->v = NULL;
	r->n = 0;
	size_t cap = 0;
	uint64_t from = c->funcs[f].addr;
	const uint8_t *code = tj_elf_bytes(c->e, from, (size_t)c->funcs[f].size);
	if (!code)
		return;
	size_t size = (size_t)c->funcs[f].size;
	uint64_t addr = from;
	while (size) {
		tj_xreserve((void **)&r->v, &cap, r->n + 1, sizeof(*r->v));
		if (!tj_insn_decode(c->dec, &code, &size, &addr, c->absolute, &r->v[r->n])) {
			code++, size--, addr++;
			continue;
		}
		r->n++;
	}
}

static int region_of(struct walk *w, uint32_t f)
{
	for (size_t i = 0; i < w->nregions; i++)
		if (w->regions[i].func == f)
			return (int)i;
	if (w->nregions == WALK_REGIONS)
		return -1;
	decode_region(w->c, f, &w->regions[w->nregions]);
	return (int)w->nregions++;
}

static long index_of(const struct region *r, uint64_t addr)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->v[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && r->v[lo].addr == addr ? (long)lo : -1;
}

static void walk_done(struct walk *w)
{
	for (size_t i = 0; i < w->nregions; i++)
		free(w->regions[i].v);
	free(w->seen);
	free(w->stack);
}

static void add_value(struct walk *w, int64_t v)
{
	for (size_t i = 0; i < w->nvalues; i++)
		if (w->values[i] == v)
			return;
	if (w->nvalues == MAX_VALUES)
		w->reasons |= TJ_SR_MANY;
	else
		w->values[w->nvalues++] = v;
}

static void push(struct walk *w, uint32_t region, uint32_t idx, unsigned reg)
{
	tj_xreserve((void **)&w->stack, &w->capstack, w->nstack + 1, sizeof(*w->stack));
	w->stack[w->nstack].region = region;
	w->stack[w->nstack].idx = idx;
	w->stack[w->nstack++].reg = (uint8_t)reg;
}

static bool seen_insert(uint64_t *v, size_t mask, uint64_t key)
{
	for (size_t i = (key * 0x9e3779b97f4a7c15ull >> 20) & mask;; i = (i + 1) & mask) {
		if (v[i] == key)
			return true;
		if (!v[i]) {
			v[i] = key;
			return false;
		}
	}
}

/* Most walks take a few dozen steps: the table starts small and doubles
 * (a fixed 16384 slots, 128 kB zeroed for every walk, was most of the
 * elf fuzz target's time under ASan). */
static bool seen(struct walk *w, uint64_t addr, unsigned reg)
{
	if (2 * (w->nseen + 1) > w->nseen_slots) {
		size_t n = w->nseen_slots ? 2 * w->nseen_slots : 64;
		uint64_t *v = tj_xcalloc(n, sizeof(uint64_t));
		for (size_t i = 0; i < w->nseen_slots; i++)
			if (w->seen[i])
				seen_insert(v, n - 1, w->seen[i]);
		free(w->seen);
		w->seen = v;
		w->nseen_slots = n;
	}
	bool found = seen_insert(w->seen, w->nseen_slots - 1, (addr << 6 | reg) + 1);
	w->nseen += !found;
	return found;
}

static uint32_t arg_regs(const struct ctx *c)
{
	if (c->go) /* Go's ABIInternal: RAX, RBX, RCX, RDI, RSI, R8-R11 */
		return 1u << TJ_RAX | 1u << TJ_RBX | 1u << TJ_RCX | 1u << TJ_RDI | 1u << TJ_RSI | 1u << TJ_R8 |
		       1u << TJ_R9 | 1u << TJ_R10 | 1u << TJ_R11;
	return 1u << TJ_RDI | 1u << TJ_RSI | 1u << TJ_RDX | 1u << TJ_RCX | 1u << TJ_R8 | 1u << TJ_R9;
}

static uint32_t call_clobbers(const struct ctx *c)
{
	if (c->go)
		return 0xffffu & ~(1u << TJ_RSP | 1u << TJ_R14 | 1u << TJ_R15);
	return 1u << TJ_RAX | 1u << TJ_RCX | 1u << TJ_RDX | 1u << TJ_RSI | 1u << TJ_RDI | 1u << TJ_R8 | 1u << TJ_R9 |
	       1u << TJ_R10 | 1u << TJ_R11;
}

/* The register number standing for stack slot [rsp+disp], or -1. */
static int slot_reg(struct walk *w, int32_t disp)
{
	for (size_t i = 0; i < w->nslots; i++)
		if (w->slots[i] == disp)
			return 16 + (int)i;
	if (w->nslots == WALK_SLOTS)
		return -1;
	w->slots[w->nslots] = disp;
	return 16 + (int)w->nslots++;
}

/* Following stack slot [rsp+disp] back through p: a store of a register or
 * constant into it, anything else writing it, or the stack pointer moving.
 * Callees are assumed not to write their caller's frame (Go spills a
 * register argument around runtime.entersyscall and reloads it). */
static void transfer_slot(struct walk *w, uint32_t r, uint32_t j, unsigned reg)
{
	const struct tj_insn *p = &w->regions[r].v[j];
	int32_t disp = w->slots[reg - 16];
	bool here = (p->mflags & MF_RSP) && p->mdisp == disp;
	if (p->kind == K_STORE && here) {
		if (p->src != 0xff)
			push(w, r, j, p->src);
		else
			add_value(w, w->mode == WALK_NUMBER ? (int64_t)(uint32_t)p->imm : p->imm);
		return;
	}
	bool call = p->kind == K_CALL || p->kind == K_CALLMEM || p->kind == K_CALLIND;
	if ((here && (p->mflags & MF_WRITE)) || (!call && (p->wmask >> TJ_RSP & 1))) {
		w->reasons |= TJ_SR_WRITE;
		return;
	}
	push(w, r, j, reg);
}

/* A load from a variable of the file (Go keeps some syscall numbers in
 * package variables): read-only data is the value; writable data gives its
 * initial value as a candidate, and the number stays unknown. */
static void load_value(struct walk *w, const struct tj_insn *p)
{
	const struct tj_elf *e = w->c->e;
	const struct tj_elf_sec *sec = p->refkind == REF_MEM ? tj_elf_section_at(e, p->ref) : NULL;
	uint64_t v = 0;
	if (!sec || sec->type == SHT_NOBITS || (p->msize != 4 && p->msize != 8) || tj_sc_reloc_at(w->c, p->ref) ||
	    !tj_elf_read(e, p->ref, &v, p->msize)) {
		w->reasons |= TJ_SR_LOAD;
		return;
	}
	add_value(w, w->mode == WALK_NUMBER ? (int64_t)(uint32_t)v : (int64_t)v);
	if (sec->flags & SHF_WRITE)
		w->reasons |= TJ_SR_LOAD;
}

/* The effect on `reg` of predecessor instruction p (region r, index j). */
static void transfer(struct walk *w, uint32_t r, uint32_t j, unsigned reg)
{
	const struct tj_insn *p = &w->regions[r].v[j];
	if (reg >= 16) {
		transfer_slot(w, r, j, reg);
		return;
	}
	bool dst = p->dst == reg;
	switch (p->kind) {
	case K_MOVIMM:
		if (dst) {
			add_value(w, w->mode == WALK_NUMBER ? (int64_t)(uint32_t)p->imm : p->imm);
			return;
		}
		break;
	case K_ZERO:
		if (dst) {
			add_value(w, 0);
			return;
		}
		break;
	case K_MOVREG:
		if (dst) {
			push(w, r, j, p->src);
			return;
		}
		break;
	case K_CMOVREG:
		if (dst) {
			push(w, r, j, reg);
			push(w, r, j, p->src);
			return;
		}
		break;
	case K_LOAD:
		if (dst) {
			int slot = (p->mflags & MF_RSP) && !(p->mflags & MF_WRITE) ? slot_reg(w, p->mdisp) : -1;
			if (slot >= 0)
				push(w, r, j, (unsigned)slot);
			else
				load_value(w, p);
			return;
		}
		break;
	case K_LEA:
		if (dst) {
			if (w->mode == WALK_ADDRESS && p->ref)
				add_value(w, (int64_t)p->ref);
			else
				w->reasons |= p->ref ? TJ_SR_ADDRESS : TJ_SR_WRITE;
			return;
		}
		break;
	case K_CALL:
	case K_CALLMEM:
	case K_CALLIND:
		if (call_clobbers(w->c) >> reg & 1) {
			w->reasons |= TJ_SR_CALL;
			return;
		}
		push(w, r, j, reg);
		return;
	case K_SYSCALL:
		if (reg == TJ_RAX || reg == TJ_RCX || reg == TJ_R11) {
			w->reasons |= TJ_SR_CALL;
			return;
		}
		break;
	default: break;
	}
	if (p->wmask >> reg & 1) {
		w->reasons |= TJ_SR_WRITE;
		return;
	}
	push(w, r, j, reg);
}

/* Visits the predecessors of instruction (r, i) for `reg`. */
static void step(struct walk *w, uint32_t r, uint32_t i, unsigned reg)
{
	struct ctx *c = w->c;
	const struct tj_insn *in = &w->regions[r].v[i];
	bool any = false;
	if (i > 0 && tj_insn_falls_through(&w->regions[r].v[i - 1]) &&
	    w->regions[r].v[i - 1].addr + w->regions[r].v[i - 1].size == in->addr) {
		transfer(w, r, i - 1, reg);
		any = true;
	}
	uint32_t f = w->regions[r].func;
	bool start = in->addr == c->funcs[f].addr;
	/* A start that is only a label (or a misplaced boundary): the code
	 * before it may run into it. */
	if (start && f > 0 && c->funcs[f - 1].addr + c->funcs[f - 1].size == in->addr) {
		int pr = region_of(w, f - 1);
		if (pr >= 0 && w->regions[pr].n) {
			uint32_t last = (uint32_t)w->regions[pr].n - 1;
			const struct tj_insn *p = &w->regions[pr].v[last];
			if (p->addr + p->size == in->addr && tj_insn_falls_through(p) && p->kind != K_CALL &&
			    p->kind != K_CALLMEM && p->kind != K_CALLIND && p->kind != K_NOP) {
				transfer(w, (uint32_t)pr, last, reg);
				any = true;
			}
		}
	}
	if (start && c->entry_like[f]) {
		int32_t disp = reg >= 16 ? w->slots[reg - 16] : 0;
		if (reg < 16 && (arg_regs(c) >> reg & 1))
			w->params |= 1u << reg;
		else if (reg >= 16 && disp >= 8 && disp % 8 == 0 && disp < 8 + 8 * 16)
			w->params |= 1u << (16 + (disp - 8) / 8); /* a stack argument (Go's ABI0 assembly) */
		else
			w->reasons |= TJ_SR_ENTRY;
		any = true;
	}
	uint64_t addr = in->addr;
	for (size_t k = tj_sc_pairs_lower(&c->jumps, addr); k < c->jumps.n && c->jumps.v[k].key == addr; k++) {
		uint32_t from = tj_sc_func_at(c, c->jumps.v[k].val);
		if (from == NONE)
			continue;
		int rr = region_of(w, from);
		long jj = rr < 0 ? -1 : index_of(&w->regions[rr], c->jumps.v[k].val);
		if (jj < 0) {
			w->reasons |= TJ_SR_LIMIT;
			continue;
		}
		transfer(w, (uint32_t)rr, (uint32_t)jj, reg);
		any = true;
	}
	/* Alignment padding nothing jumps to is dead code, not a mystery. */
	if (!any && in->kind != K_NOP) {
		w->reasons |= TJ_SR_NO_PRED;
		if (getenv("TJ_STATIC_DEBUG"))
			fprintf(stderr, "no pred: %llx reg %u (func %llx)\n", (unsigned long long)in->addr, reg,
				(unsigned long long)c->funcs[f].addr);
	}
}

/* The values of `reg` just before the instruction at addr in function f. */
static void walk_run_from(struct walk *w, struct ctx *c, enum walk_mode mode, uint32_t f, uint64_t addr, unsigned reg)
{
	w->c = c;
	w->mode = mode;
	int r = region_of(w, f);
	long i = r < 0 ? -1 : index_of(&w->regions[r], addr);
	if (i < 0) {
		w->reasons |= TJ_SR_NO_PRED;
		return;
	}
	push(w, (uint32_t)r, (uint32_t)i, reg);
	while (w->nstack) {
		w->nstack--;
		uint32_t rr = w->stack[w->nstack].region, ii = w->stack[w->nstack].idx;
		unsigned g = w->stack[w->nstack].reg;
		if (seen(w, w->regions[rr].v[ii].addr, g))
			continue;
		if (++w->steps > WALK_STEPS) {
			w->reasons |= TJ_SR_LIMIT;
			break;
		}
		step(w, rr, ii, g);
	}
}

static void walk_run_slot(struct walk *w, struct ctx *c, uint32_t f, uint64_t addr, int32_t disp)
{
	/* walk_run with the slot as the first "register" */
	memset(w, 0, sizeof(*w));
	w->slots[0] = disp;
	w->nslots = 1;
	walk_run_from(w, c, WALK_NUMBER, f, addr, 16);
}

static void walk_run(struct walk *w, struct ctx *c, enum walk_mode mode, uint32_t f, uint64_t addr, unsigned reg)
{
	memset(w, 0, sizeof(*w));
	walk_run_from(w, c, mode, f, addr, reg);
}

/* --- sites and wrappers --- */

static void add_sys(struct ctx *c, uint32_t f, uint32_t nr, uint32_t via, uint64_t addr)
{
	tj_xreserve((void **)&c->sys, &c->capsys, c->nsys + 1, sizeof(*c->sys));
	c->sys[c->nsys].func = f;
	c->sys[c->nsys++].s = (struct tj_ssys){nr, via, addr};
}

static void add_unres(struct ctx *c, uint64_t addr, uint32_t f, uint32_t kind, uint32_t reasons, uint32_t via)
{
	tj_xreserve((void **)&c->unres, &c->capunres, c->nunres + 1, sizeof(*c->unres));
	c->unres[c->nunres++] = (struct tj_sunres){addr, f, kind, reasons, via};
}

/* Records what a walk found for a number used at addr in function f. */
static void record_number(struct ctx *c, const struct walk *w, uint32_t f, uint64_t addr, uint32_t kind, uint32_t via,
			  uint32_t *new_params)
{
	for (size_t i = 0; i < w->nvalues; i++) {
		uint64_t v = (uint64_t)w->values[i];
		if (v < TJ_STATIC_MAX_NR)
			add_sys(c, f, (uint32_t)v, via, addr);
		/* other values (-1 sentinels, x32 numbers) execute no x86-64 syscall */
	}
	if (w->reasons)
		add_unres(c, addr, f, kind, w->reasons, via);
	else if (!w->params)
		c->nresolved += kind == TJ_SU_SITE;
	*new_params = w->params;
}

/* Whether the instruction at addr can run: reached inside its function
 * from the start, from a jump into the function, or from an address taken
 * of a place in it, by fallthrough and direct jumps.  A function with an
 * indirect jump (a jump table) counts as entirely reachable.  Bytes that
 * only decode as a syscall instruction inside data kept in .text (OpenSSL's
 * assembly tables) are not. */
static void push_index(size_t **stack, size_t *n, size_t *cap, size_t i)
{
	tj_xreserve((void **)stack, cap, *n + 1, sizeof(size_t));
	(*stack)[(*n)++] = i;
}

static bool site_runs(struct ctx *c, uint32_t f, uint64_t addr)
{
	struct region r;
	decode_region(c, f, &r);
	uint8_t *seen = tj_xcalloc(r.n + 1, 1);
	size_t *stack = NULL, n = 0, cap = 0;
	bool ind = false;
	uint64_t lo = c->funcs[f].addr, hi = lo + c->funcs[f].size;
	for (size_t i = 0; i < r.n; i++)
		ind |= r.v[i].kind == K_JMPIND;
	if (r.n)
		push_index(&stack, &n, &cap, 0);
	for (size_t k = tj_sc_pairs_lower(&c->jumps, lo); k < c->jumps.n && c->jumps.v[k].key < hi; k++) {
		long i = tj_sc_func_at(c, c->jumps.v[k].val) != f ? index_of(&r, c->jumps.v[k].key) : -1;
		if (i >= 0)
			push_index(&stack, &n, &cap, (size_t)i);
	}
	for (size_t k = 0; k < c->nrefs; k++) {
		long i = c->refs[k].addr >= lo && c->refs[k].addr < hi ? index_of(&r, c->refs[k].addr) : -1;
		if (i >= 0)
			push_index(&stack, &n, &cap, (size_t)i);
	}
	bool runs = ind || !r.n;
	while (n && !runs) {
		size_t i = stack[--n];
		if (seen[i])
			continue;
		seen[i] = 1;
		const struct tj_insn *in = &r.v[i];
		if (in->addr == addr) {
			runs = true;
			break;
		}
		if (tj_insn_falls_through(in) && i + 1 < r.n && !seen[i + 1])
			push_index(&stack, &n, &cap, i + 1);
		if (in->kind == K_JMP || in->kind == K_JCC) {
			long t = index_of(&r, in->ref);
			if (t >= 0 && !seen[t])
				push_index(&stack, &n, &cap, (size_t)t);
		}
	}
	free(seen);
	free(stack);
	free(r.v);
	return runs;
}

void tj_sc_resolve_sites(struct ctx *c, uint32_t *wrap)
{
	for (size_t i = 0; i < c->nsites; i++) {
		uint32_t f = tj_sc_func_at(c, c->sites[i]);
		if (f == NONE || !site_runs(c, f, c->sites[i]))
			continue;
		struct walk w;
		walk_run(&w, c, WALK_NUMBER, f, c->sites[i], TJ_RAX);
		uint32_t params;
		record_number(c, &w, f, c->sites[i], TJ_SU_SITE, 0, &params);
		walk_done(&w);
		wrap[f] |= params;
	}
	/* As the sites above: one outside every function is never reached
	 * (and its record would name no function, which the summary cache
	 * refuses: the elf fuzz target's first finds, session 5). */
	for (size_t i = 0; i < c->ni386; i++) {
		uint32_t f = tj_sc_func_at(c, c->i386[i]);
		if (f != NONE)
			add_unres(c, c->i386[i], f, TJ_SU_I386, 0, 0);
	}
}

/* Walks each register of regs at the call or jump `site` (bit 63 set for
 * a jmp through memory), which calls wrapper `via`. */
static void resolve_call(struct ctx *c, uint64_t site, bool jump, unsigned regs, uint32_t via, uint32_t *wrap,
			 bool *changed)
{
	uint32_t f = tj_sc_func_at(c, site & ~(1ull << 63));
	if (f == NONE)
		return;
	jump |= site >> 63;
	site &= ~(1ull << 63);
	for (unsigned reg = 0; reg < 32; reg++) {
		if (!(regs >> reg & 1))
			continue;
		struct walk w;
		if (reg < 16) {
			walk_run(&w, c, WALK_NUMBER, f, site, reg);
		} else {
			/* Stack argument k: [rsp+8k] before a call, [rsp+8k+8]
			 * before a tail jump (the return address is below). */
			int32_t disp = (int32_t)(8 * (reg - 16) + (jump ? 8 : 0));
			walk_run_slot(&w, c, f, site, disp);
		}
		uint32_t params;
		record_number(c, &w, f, site, TJ_SU_WRAPPER_CALL, via, &params);
		walk_done(&w);
		if (params & ~wrap[f]) {
			wrap[f] |= params;
			*changed = true;
		}
	}
}

/* The name a branch target or slot imports, or NULL. */
static const char *import_of_slot(const struct ctx *c, uint64_t slot)
{
	const struct tj_elf_rel *r = tj_sc_reloc_at(c, slot);
	return r && r->type != R_X86_64_RELATIVE && r->type != R_X86_64_IRELATIVE && tj_sc_sym_name(c, r)[0]
		       ? tj_sc_sym_name(c, r)
		       : NULL;
}

static const char *import_of_target(const struct ctx *c, uint64_t t)
{
	uint64_t slot;
	return tj_sc_plt_section(c, t) && tj_sc_plt_slot(c, t, &slot) ? import_of_slot(c, slot) : NULL;
}

/* Each in-object wrapper's call sites, until no new wrapper appears; done
 * holds the registers already handled per function. */
static void wrapper_fixpoint(struct ctx *c, uint32_t *wrap, uint32_t *done)
{
	bool changed = true;
	while (changed) {
		changed = false;
		for (uint32_t f = 0; f < c->nfuncs; f++) {
			uint32_t fresh = wrap[f] & ~done[f];
			if (!fresh)
				continue;
			done[f] |= fresh;
			changed = true;
			uint64_t a = c->funcs[f].addr;
			const struct pairs *lists[] = {&c->calls, &c->jumps};
			bool ignored = false;
			for (size_t l = 0; l < 2; l++)
				for (size_t k = tj_sc_pairs_lower(lists[l], a);
				     k < lists[l]->n && lists[l]->v[k].key == a; k++)
					resolve_call(c, lists[l]->v[k].val, l == 1, fresh, c->funcs[f].name, wrap,
						     &ignored);
		}
	}
}

void tj_sc_resolve_wrappers(struct ctx *c, uint32_t *wrap)
{
	uint32_t *done = tj_xcalloc(c->nfuncs ? c->nfuncs : 1, sizeof(uint32_t));
	wrapper_fixpoint(c, wrap, done);
	if (c->wrappers && c->wrappers->n) {
		/* Imported wrappers (libc's syscall()), called through the PLT
		 * or the GOT; their callers may become wrappers in turn. */
		bool ignored = false;
		for (size_t l = 0; l < 2; l++) {
			const struct pairs *p = l ? &c->jumps : &c->calls;
			for (size_t k = 0; k < p->n; k++) {
				const char *name = import_of_target(c, p->v[k].key);
				uint32_t regs = name ? tj_wrapper_table_get(c->wrappers, name) : 0;
				if (regs)
					resolve_call(c, p->v[k].val, l == 1, regs, tj_strpool_intern(&c->pool, name),
						     wrap, &ignored);
			}
		}
		for (size_t k = 0; k < c->memcalls.n; k++) {
			const char *name = import_of_slot(c, c->memcalls.v[k].val);
			uint32_t regs = name ? tj_wrapper_table_get(c->wrappers, name) : 0;
			if (regs)
				resolve_call(c, c->memcalls.v[k].key, false, regs, tj_strpool_intern(&c->pool, name),
					     wrap, &ignored);
		}
		wrapper_fixpoint(c, wrap, done);
	}
	free(done);
}

/* dlopen("constant") calls: the names, so composition can load them. */
void tj_sc_find_dlopens(struct ctx *c)
{
	static const struct {
		const char *name;
		unsigned reg;
	} fns[] = {{"dlopen", TJ_RDI}, {"__libc_dlopen_mode", TJ_RDI}, {"dlmopen", TJ_RSI}};
	for (size_t l = 0; l < 3; l++) {
		const struct pairs *p = l == 0 ? &c->calls : l == 1 ? &c->jumps : &c->memcalls;
		for (size_t k = 0; k < p->n; k++) {
			const char *name;
			uint64_t site;
			if (l == 2) {
				name = import_of_slot(c, p->v[k].val);
				site = p->v[k].key & ~(1ull << 63);
			} else {
				name = import_of_target(c, p->v[k].key);
				if (!name) {
					uint32_t t = tj_sc_func_at(c, p->v[k].key);
					name = t != NONE && c->funcs[t].addr == p->v[k].key &&
							       (c->funcs[t].flags & TJ_SF_NAMED)
						       ? tj_strpool_get(&c->pool, c->funcs[t].name)
						       : NULL;
				}
				site = p->v[k].val;
			}
			size_t which = 0;
			while (name && which < TJ_ARRAY_SIZE(fns) && strcmp(fns[which].name, name))
				which++;
			if (!name || which == TJ_ARRAY_SIZE(fns))
				continue;
			uint32_t f = tj_sc_func_at(c, site);
			if (f == NONE)
				continue;
			struct walk w;
			walk_run(&w, c, WALK_ADDRESS, f, site, fns[which].reg);
			uint32_t reasons = w.reasons | (w.params ? TJ_SR_ENTRY : 0);
			for (size_t i = 0; i < w.nvalues; i++) {
				char buf[256];
				uint64_t a = (uint64_t)w.values[i];
				if (!a)
					continue; /* dlopen(NULL): the program itself */
				const uint8_t *s = tj_elf_bytes(c->e, a, 1);
				size_t n = 0;
				while (s && n < sizeof(buf) - 1 && tj_elf_bytes(c->e, a + n, 1) && s[n] >= 0x20 &&
				       s[n] < 0x7f)
					buf[n] = (char)s[n], n++;
				if (!s || !n || n == sizeof(buf) - 1 || !tj_elf_bytes(c->e, a + n, 1) || s[n]) {
					reasons |= TJ_SR_ADDRESS;
					continue;
				}
				buf[n] = '\0';
				tj_xreserve((void **)&c->dlopens, &c->capdlopens, c->ndlopens + 1, sizeof(*c->dlopens));
				c->dlopens[c->ndlopens++] = (struct tj_sdlopen){f, tj_strpool_intern(&c->pool, buf)};
			}
			if (reasons)
				add_unres(c, site, f, TJ_SU_DLOPEN, reasons, tj_strpool_intern(&c->pool, name));
			walk_done(&w);
		}
	}
}

/* A function callers can enter at its start: for those, a value in an
 * argument register comes from the caller (a wrapper).  A start reached only
 * by jumps (a .cold part, a shared tail) is not such an entry. */
void tj_sc_mark_entries(struct ctx *c)
{
	c->entry_like = tj_xcalloc(c->nfuncs ? c->nfuncs : 1, 1);
	for (size_t i = 0; i < c->calls.n; i++) {
		uint32_t f = tj_sc_func_at(c, c->calls.v[i].key);
		if (f != NONE && c->funcs[f].addr == c->calls.v[i].key)
			c->entry_like[f] = 1;
	}
	for (size_t i = 0; i < c->nrefs; i++) {
		uint32_t f = tj_sc_in_code(c, c->refs[i].addr) ? tj_sc_func_at(c, c->refs[i].addr) : NONE;
		if (f != NONE)
			c->entry_like[f] = 1;
	}
	for (uint32_t f = 0; f < c->nfuncs; f++) {
		uint64_t a = c->funcs[f].addr;
		size_t k = tj_sc_pairs_lower(&c->jumps, a);
		bool jumped = k < c->jumps.n && c->jumps.v[k].key == a;
		if (!jumped || (c->funcs[f].flags & TJ_SF_EXPORTED))
			c->entry_like[f] = 1;
	}
	/* Anything a pointer in data or an entry array names. */
	for (size_t i = 0; i < c->e->nrels; i++) {
		uint64_t v = (uint64_t)c->e->rels[i].addend;
		uint32_t f = tj_sc_in_code(c, v) ? tj_sc_func_at(c, v) : NONE;
		if (f != NONE)
			c->entry_like[f] = 1;
	}
	uint32_t f = tj_sc_in_code(c, c->e->entry) ? tj_sc_func_at(c, c->e->entry) : NONE;
	if (f != NONE)
		c->entry_like[f] = 1;
	if (c->absolute) /* plain addresses in data: be conservative */
		memset(c->entry_like, 1, c->nfuncs);
}
