/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One object's summary (include/tj/static/summary.h), from its code with
 * capstone.  Two passes over every executable section:
 *
 *  1. a sweep from every known function start (symbols, .eh_frame_hdr,
 *     entry points) to the next, collecting syscall instructions, direct
 *     calls and jumps, calls through the GOT, and every address an
 *     instruction names (RIP-relative operands; absolute ones in non-PIE
 *     executables).  Direct call targets become function starts too.  A
 *     function runs from its start to the next start, so code after a gap in
 *     the unwind tables (glibc's __clone3) still belongs to a function.
 *  2. per syscall site, a backward walk over the instructions that can run
 *     before it (fallthrough and every direct jump, across functions) to the
 *     writes of rax: constants, register copies (followed), anything else
 *     (a reason).  Reaching a function's entry while following an argument
 *     register makes the function a wrapper on that register; its call
 *     sites are then walked the same way, in this object and (through the
 *     wrapper table) in objects that import it.
 *
 * Only the function being walked is decoded in pass 2, so memory follows the
 * number of branches and references, never the number of instructions.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary_internal.h"
#include "tj/static/summary.h"

/* --- small things --- */

const char *tj_reg_name(unsigned reg)
{
	static const char *const n[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
	return reg < 16 ? n[reg] : "?";
}

void tj_sreason_text(uint32_t r, char *buf, size_t size)
{
	static const char *const names[] = {"loaded from memory",
					    "a call's result or clobbered by a call",
					    "computed",
					    "code reached from an unknown place",
					    "a value from the caller",
					    "search limit",
					    "too many values",
					    "an address",
					    "a wrapper reached through a function pointer"};
	size_t len = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < TJ_ARRAY_SIZE(names); i++) {
		if (!(r >> i & 1))
			continue;
		int k = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", names[i]);
		if (k < 0 || (size_t)k >= size - len)
			break;
		len += (size_t)k;
	}
}

void tj_wrapper_table_add(struct tj_wrapper_table *t, const char *name, uint32_t regs)
{
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].name, name) == 0) {
			t->v[i].regs |= regs;
			return;
		}
	}
	tj_xreserve((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n].name = tj_xstrdup(name);
	t->v[t->n++].regs = regs;
}

uint32_t tj_wrapper_table_get(const struct tj_wrapper_table *t, const char *name)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return t->v[i].regs;
	return 0;
}

void tj_wrapper_table_done(struct tj_wrapper_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

void tj_summary_free(struct tj_summary *s)
{
	if (!s)
		return;
	free(s->strings);
	free(s->funcs);
	free(s->edges);
	free(s->sys);
	free(s->data);
	free(s->exports);
	free(s->unres);
	free(s->dlopens);
	free(s->wrappers);
	free(s->inits);
	free(s->live);
	free(s);
}

uint32_t tj_summary_func_at(const struct tj_summary *s, uint64_t addr)
{
	size_t lo = 0, hi = s->nfuncs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->funcs[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NONE;
	const struct tj_sfunc *f = &s->funcs[lo - 1];
	return addr - f->addr < f->size ? (uint32_t)(lo - 1) : NONE;
}

/* --- the analysis context --- */

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key ? 1 : x->val < y->val ? -1 : x->val > y->val;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void pairs_add(struct pairs *p, uint64_t key, uint64_t val)
{
	tj_xreserve((void **)&p->v, &p->cap, p->n + 1, sizeof(*p->v));
	p->v[p->n++] = (struct pair){key, val};
}

static void pairs_sort(struct pairs *p)
{
	if (p->n)
		qsort(p->v, p->n, sizeof(*p->v), cmp_pair);
}

/* The first index with key >= k. */
size_t tj_sc_pairs_lower(const struct pairs *p, uint64_t k)
{
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->v[mid].key < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool tj_sc_in_code(const struct ctx *c, uint64_t a)
{
	for (size_t i = 0; i < c->ncode; i++)
		if (a >= c->code[i].start && a < c->code[i].end)
			return true;
	return false;
}

static bool is_plt_name(const char *n)
{
	return !strcmp(n, ".plt") || !strcmp(n, ".plt.sec") || !strcmp(n, ".plt.got") || !strcmp(n, ".iplt") ||
	       !strcmp(n, ".plt.bnd");
}

const struct tj_elf_sec *tj_sc_plt_section(const struct ctx *c, uint64_t a)
{
	const struct tj_elf_sec *s = tj_elf_section_at(c->e, a);
	return s && is_plt_name(s->name) ? s : NULL;
}

static bool is_got(const struct ctx *c, uint64_t a)
{
	const struct tj_elf_sec *s = tj_elf_section_at(c->e, a);
	return s && (!strcmp(s->name, ".got") || !strcmp(s->name, ".got.plt"));
}

static void add_start(struct ctx *c, uint64_t a)
{
	tj_xreserve((void **)&c->starts, &c->capstarts, c->nstarts + 1, sizeof(uint64_t));
	c->starts[c->nstarts++] = a;
}

const struct tj_elf_rel *tj_sc_reloc_at(const struct ctx *c, uint64_t off)
{
	size_t i = tj_sc_pairs_lower(&c->relocs, off);
	return i < c->relocs.n && c->relocs.v[i].key == off ? &c->e->rels[c->relocs.v[i].val] : NULL;
}

uint32_t tj_sc_func_at(const struct ctx *c, uint64_t a)
{
	size_t lo = 0, hi = c->nfuncs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->funcs[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NONE;
	const struct tj_sfunc *f = &c->funcs[lo - 1];
	return a - f->addr < f->size ? (uint32_t)(lo - 1) : NONE;
}

static uint32_t data_at(const struct ctx *c, uint64_t a)
{
	size_t lo = 0, hi = c->ndata;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->data[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NONE;
	const struct tj_sdata *d = &c->data[lo - 1];
	return a - d->addr < d->size ? (uint32_t)(lo - 1) : NONE;
}

const char *tj_sc_sym_name(const struct ctx *c, const struct tj_elf_rel *r)
{
	return r->sym && r->sym < c->e->ndynsyms ? c->e->dynsyms[r->sym].name : "";
}

/* --- pass 1 --- */

static void decode_plt(struct ctx *c, const struct tj_elf_sec *s)
{
	const uint8_t *code = c->e->data + s->offset;
	size_t size = s->size;
	uint64_t addr = s->addr;
	while (size) {
		struct tj_insn in;
		if (!tj_insn_decode(c->dec, &code, &size, &addr, false, &in)) {
			code++, size--, addr++;
			continue;
		}
		if (in.kind == K_JMPMEM)
			pairs_add(&c->plt, in.addr, in.ref);
	}
}

static void sweep_range(struct ctx *c, const struct tj_elf_sec *s, uint64_t from, uint64_t to)
{
	const uint8_t *code = c->e->data + s->offset + (from - s->addr);
	size_t size = (size_t)(to - from);
	uint64_t addr = from;
	while (size) {
		struct tj_insn in;
		if (!tj_insn_decode(c->dec, &code, &size, &addr, c->absolute, &in)) {
			code++, size--, addr++;
			continue;
		}
		c->ninsns++;
		switch (in.kind) {
		case K_SYSCALL:
			tj_xreserve((void **)&c->sites, &c->capsites, c->nsites + 1, sizeof(uint64_t));
			c->sites[c->nsites++] = in.addr;
			break;
		case K_I386:
			tj_xreserve((void **)&c->i386, &c->capi386, c->ni386 + 1, sizeof(uint64_t));
			c->i386[c->ni386++] = in.addr;
			break;
		case K_CALL: pairs_add(&c->calls, in.ref, in.addr); break;
		case K_JMP:
		case K_JCC: pairs_add(&c->jumps, in.ref, in.addr); break;
		case K_CALLMEM: pairs_add(&c->memcalls, in.addr, in.ref); break;
		case K_JMPMEM: pairs_add(&c->memcalls, in.addr | 1ull << 63, in.ref); break;
		default: break;
		}
		if (in.refkind != REF_NONE && in.kind != K_CALLMEM && in.kind != K_JMPMEM) {
			tj_xreserve((void **)&c->refs, &c->caprefs, c->nrefs + 1, sizeof(*c->refs));
			c->refs[c->nrefs++] = (struct ref){in.addr, in.ref, in.refkind};
		}
	}
}

static void sort_unique_starts(struct ctx *c)
{
	qsort(c->starts, c->nstarts, sizeof(uint64_t), cmp_u64);
	size_t k = 0;
	for (size_t i = 0; i < c->nstarts; i++)
		if (tj_sc_in_code(c, c->starts[i]) && (!k || c->starts[k - 1] != c->starts[i]))
			c->starts[k++] = c->starts[i];
	c->nstarts = k;
}

static void sweep(struct ctx *c)
{
	sort_unique_starts(c);
	for (size_t i = 0; i < c->e->nsecs; i++) {
		const struct tj_elf_sec *s = &c->e->secs[i];
		if (!(s->flags & SHF_EXECINSTR) || s->type != SHT_PROGBITS || is_plt_name(s->name))
			continue;
		uint64_t end = s->addr + s->size, at = s->addr;
		size_t k = 0;
		while (k < c->nstarts && c->starts[k] <= at)
			k++;
		while (at < end) {
			uint64_t to = k < c->nstarts && c->starts[k] < end ? c->starts[k++] : end;
			sweep_range(c, s, at, to);
			at = to;
		}
	}
}

/* --- functions --- */

static void build_functions(struct ctx *c)
{
	for (size_t i = 0; i < c->calls.n; i++)
		if (tj_sc_in_code(c, c->calls.v[i].key) && !tj_sc_plt_section(c, c->calls.v[i].key))
			add_start(c, c->calls.v[i].key);
	sort_unique_starts(c);
	c->funcs = tj_xcalloc(c->nstarts ? c->nstarts : 1, sizeof(*c->funcs));
	for (size_t i = 0; i < c->nstarts; i++) {
		uint64_t end = i + 1 < c->nstarts ? c->starts[i + 1] : 0;
		for (size_t k = 0; k < c->ncode; k++)
			if (c->starts[i] >= c->code[k].start && c->starts[i] < c->code[k].end &&
			    (!end || end > c->code[k].end))
				end = c->code[k].end;
		c->funcs[i].addr = c->starts[i];
		c->funcs[i].size = end - c->starts[i];
	}
	c->nfuncs = c->nstarts;
	/* Names: debug or own .symtab first, then the dynamic symbols (which
	 * also mark exports). */
	const struct tj_elf *e = c->e;
	for (int pass = 0; pass < 2; pass++) {
		const struct tj_elf_sym *v = pass ? e->dynsyms : e->syms;
		size_t n = pass ? e->ndynsyms : e->nsyms;
		for (size_t i = 0; i < n; i++) {
			if (!v[i].defined || v[i].kind == TJ_SYM_OBJECT || !v[i].name[0])
				continue;
			uint32_t f = tj_sc_func_at(c, v[i].value);
			if (f == NONE || c->funcs[f].addr != v[i].value)
				continue;
			if (pass && v[i].global)
				c->funcs[f].flags |= TJ_SF_EXPORTED;
			/* A global name reads better than a local alias. */
			if (!(c->funcs[f].flags & TJ_SF_NAMED) || (v[i].global && pass == 0 && v[i].name[0] != '_')) {
				c->funcs[f].name = tj_strpool_intern(&c->pool, v[i].name);
				c->funcs[f].flags |= TJ_SF_NAMED;
			}
		}
	}
	for (size_t i = 0; i < c->nfuncs; i++) {
		if (c->funcs[i].flags & TJ_SF_NAMED)
			continue;
		char buf[32];
		snprintf(buf, sizeof(buf), "sub_%llx", (unsigned long long)c->funcs[i].addr);
		c->funcs[i].name = tj_strpool_intern(&c->pool, buf);
	}
}

/* --- edges --- */

static void add_fedge(struct ctx *c, uint32_t func, uint32_t kind, uint32_t target)
{
	if (func != NONE)
		pairs_add(&c->fedges, func, (uint64_t)kind << 32 | target);
}

/* What calling through GOT slot `slot` reaches; false when unknown. */
static bool slot_target(struct ctx *c, uint64_t slot, bool call, struct tj_sedge *ret)
{
	const struct tj_elf_rel *r = tj_sc_reloc_at(c, slot);
	uint64_t target;
	if (r) {
		if (r->type == R_X86_64_IRELATIVE) {
			target = (uint64_t)r->addend; /* the resolver: it names the candidates */
		} else if (r->type == R_X86_64_RELATIVE) {
			target = (uint64_t)r->addend;
		} else if (tj_sc_sym_name(c, r)[0]) {
			*ret = (struct tj_sedge){call ? TJ_SE_IMPORT : TJ_SE_IMPORT_ADDR,
						 tj_strpool_intern(&c->pool, tj_sc_sym_name(c, r))};
			return true;
		} else {
			return false;
		}
	} else if (!tj_elf_read(c->e, slot, &target, 8)) {
		return false;
	}
	if (tj_sc_in_code(c, target)) {
		uint32_t f = tj_sc_func_at(c, target);
		if (f == NONE)
			return false;
		*ret = (struct tj_sedge){call ? TJ_SE_CALL : TJ_SE_ADDR, f};
		return true;
	}
	uint32_t d = data_at(c, target);
	if (d != NONE) {
		*ret = (struct tj_sedge){TJ_SE_OBJ, d};
		return true;
	}
	return false;
}

/* The slot a PLT entry at (or just before) a jumps through. */
bool tj_sc_plt_slot(const struct ctx *c, uint64_t a, uint64_t *slot)
{
	size_t i = tj_sc_pairs_lower(&c->plt, a);
	if (i < c->plt.n && c->plt.v[i].key - a < 16) {
		*slot = c->plt.v[i].val;
		return true;
	}
	return false;
}

/* What a direct call or jump to t reaches. */
static bool branch_target(struct ctx *c, uint64_t t, struct tj_sedge *ret)
{
	uint64_t slot;
	if (tj_sc_plt_section(c, t))
		return tj_sc_plt_slot(c, t, &slot) && slot_target(c, slot, true, ret);
	uint32_t f = tj_sc_func_at(c, t);
	if (f == NONE)
		return false;
	*ret = (struct tj_sedge){TJ_SE_CALL, f};
	return true;
}

/* What naming address a in code reaches (its address taken, or a load). */
static bool ref_target(struct ctx *c, uint64_t a, uint8_t kind, struct tj_sedge *ret)
{
	uint64_t slot;
	if (tj_sc_plt_section(c, a)) {
		/* a non-PIE program's canonical PLT address: the import's address */
		if (!tj_sc_plt_slot(c, a, &slot) || !slot_target(c, slot, false, ret))
			return false;
		return true;
	}
	if (tj_sc_in_code(c, a)) {
		uint32_t f = tj_sc_func_at(c, a);
		if (f == NONE)
			return false;
		*ret = (struct tj_sedge){TJ_SE_ADDR, f};
		return true;
	}
	if (kind == REF_MEM && (tj_sc_reloc_at(c, a) || is_got(c, a)))
		return slot_target(c, a, false, ret);
	uint32_t d = data_at(c, a);
	if (d != NONE) {
		*ret = (struct tj_sedge){TJ_SE_OBJ, d};
		return true;
	}
	return false;
}

static void code_edges(struct ctx *c)
{
	struct tj_sedge t;
	for (size_t i = 0; i < c->calls.n; i++)
		if (branch_target(c, c->calls.v[i].key, &t))
			add_fedge(c, tj_sc_func_at(c, c->calls.v[i].val), t.kind, t.target);
	for (size_t i = 0; i < c->jumps.n; i++) {
		uint32_t from = tj_sc_func_at(c, c->jumps.v[i].val);
		if (branch_target(c, c->jumps.v[i].key, &t) && !(t.kind == TJ_SE_CALL && t.target == from))
			add_fedge(c, from, t.kind, t.target);
	}
	for (size_t i = 0; i < c->memcalls.n; i++)
		if (slot_target(c, c->memcalls.v[i].val, true, &t))
			add_fedge(c, tj_sc_func_at(c, c->memcalls.v[i].key & ~(1ull << 63)), t.kind, t.target);
	for (size_t i = 0; i < c->nrefs; i++)
		if (ref_target(c, c->refs[i].addr, c->refs[i].kind, &t))
			add_fedge(c, tj_sc_func_at(c, c->refs[i].src), t.kind, t.target);
}

/* --- data --- */

static int cmp_data(const void *a, const void *b)
{
	const struct tj_sdata *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr ? 1 : x->size > y->size ? -1 : x->size < y->size;
}

static void build_data_objects(struct ctx *c)
{
	const struct tj_elf *e = c->e;
	for (int pass = 0; pass < 2; pass++) {
		const struct tj_elf_sym *v = pass ? e->dynsyms : e->syms;
		size_t n = pass ? e->ndynsyms : e->nsyms;
		for (size_t i = 0; i < n; i++) {
			if (!v[i].defined || v[i].kind != TJ_SYM_OBJECT || !v[i].size || tj_sc_in_code(c, v[i].value))
				continue;
			tj_xreserve((void **)&c->data, &c->capdata, c->ndata + 1, sizeof(*c->data));
			c->data[c->ndata++] = (struct tj_sdata){v[i].value, v[i].size,
								tj_strpool_intern(&c->pool, v[i].name), 0, 0};
		}
	}
	if (c->ndata)
		qsort(c->data, c->ndata, sizeof(*c->data), cmp_data);
	/* Overlapping symbols (aliases): the first, largest, owns the range. */
	size_t k = 0;
	for (size_t i = 0; i < c->ndata; i++) {
		if (k && c->data[i].addr < c->data[k - 1].addr + c->data[k - 1].size) {
			uint64_t end = c->data[i].addr + c->data[i].size;
			if (end > c->data[k - 1].addr + c->data[k - 1].size)
				c->data[k - 1].size = end - c->data[k - 1].addr;
			continue;
		}
		c->data[k++] = c->data[i];
	}
	c->ndata = k;
}

static bool in_ranges(uint64_t a, const uint64_t (*r)[2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a >= r[i][0] && a < r[i][0] + r[i][1])
			return true;
	return false;
}

static void add_init(struct ctx *c, uint64_t a)
{
	uint32_t f = tj_sc_in_code(c, a) ? tj_sc_func_at(c, a) : NONE;
	if (f == NONE)
		return;
	tj_xreserve((void **)&c->inits, &c->capinits, c->ninits + 1, sizeof(uint32_t));
	c->inits[c->ninits++] = f;
}

/* A pointer stored at `where` in data. */
static void data_pointer(struct ctx *c, uint64_t where, struct tj_sedge t)
{
	/* Personality routines are found through .eh_frame, not through code:
	 * their DW.ref slots are always live. */
	uint32_t owner = data_at(c, where);
	if (owner != NONE && !strncmp(tj_strpool_get(&c->pool, c->data[owner].name), "DW.ref.", 7))
		owner = NONE;
	if (owner == NONE) {
		tj_xreserve((void **)&c->live, &c->caplive, c->nlive + 1, sizeof(*c->live));
		c->live[c->nlive++] = t;
	} else {
		pairs_add(&c->dedges, owner, (uint64_t)t.kind << 32 | t.target);
	}
}

static bool classify_pointer(struct ctx *c, uint64_t v, struct tj_sedge *t)
{
	if (tj_sc_in_code(c, v)) {
		uint32_t f = tj_sc_func_at(c, v);
		if (f == NONE)
			return false;
		*t = (struct tj_sedge){TJ_SE_ADDR, f};
		return true;
	}
	if (tj_sc_plt_section(c, v))
		return ref_target(c, v, REF_ADDR, t);
	uint32_t d = data_at(c, v);
	if (d == NONE)
		return false;
	*t = (struct tj_sedge){TJ_SE_OBJ, d};
	return true;
}

/* The first slot start + 8k at or above a (a >= start), UINT64_MAX if none. */
static uint64_t slot_up(uint64_t start, uint64_t a)
{
	uint64_t k = (a - start) / 8 + ((a - start) % 8 != 0);
	return k > (UINT64_MAX - start) / 8 ? UINT64_MAX : start + k * 8;
}

/* The first slot at or above `from` that the file backs or a relocation
 * writes, UINT64_MAX if none. */
static uint64_t next_slot(const struct ctx *c, uint64_t start, uint64_t from)
{
	uint64_t best = UINT64_MAX;
	size_t i = tj_sc_pairs_lower(&c->relocs, from);
	if (i < c->relocs.n)
		best = slot_up(start, c->relocs.v[i].key);
	for (size_t k = 0; k < c->e->nsegs; k++) {
		const struct tj_elf_seg *s = &c->e->segs[k];
		if (s->filesz < 8 || s->vaddr > UINT64_MAX - s->filesz)
			continue;
		uint64_t a = slot_up(start, s->vaddr > from ? s->vaddr : from);
		if (a < best && a <= s->vaddr + s->filesz - 8)
			best = a;
	}
	return best;
}

/* The entry points in an array of pointers [start, start + size): its
 * relocated slots and the ones the file holds.  Only those are read: the
 * size comes from the file (DT_INIT_ARRAYSZ, a SHT_NOBITS .init_array) and
 * may claim megabytes or terabytes where the file has a few kilobytes, so
 * the walk jumps over the slots neither backs (they read as zero, which is
 * added once). */
static void array_inits(struct ctx *c, uint64_t start, uint64_t size)
{
	if (size < 8)
		return;
	uint64_t last = size - 8 > UINT64_MAX - start ? UINT64_MAX - 7 : start + (size - 8);
	bool zero = false;
	for (uint64_t at = start; at <= last;) {
		const struct tj_elf_rel *r = tj_sc_reloc_at(c, at);
		uint64_t v = 0;
		if (r && (r->type == R_X86_64_RELATIVE || r->type == R_X86_64_IRELATIVE)) {
			v = (uint64_t)r->addend;
		} else if (!r && !tj_elf_read(c->e, at, &v, 8)) {
			zero = true;
			at = next_slot(c, start, at + 1);
			continue;
		}
		add_init(c, v);
		if (at > last - 8)
			break;
		at += 8;
	}
	if (zero)
		add_init(c, 0);
}

static void data_edges(struct ctx *c)
{
	const struct tj_elf *e = c->e;
	/* The arrays of entry points, from the dynamic section and by name
	 * (static executables have no dynamic section). */
	uint64_t arrays[16][2];
	size_t narrays = 0;
	const uint64_t dyn[][2] = {{e->init_array, e->init_arraysz},
				   {e->fini_array, e->fini_arraysz},
				   {e->preinit_array, e->preinit_arraysz}};
	for (size_t i = 0; i < 3; i++)
		if (dyn[i][0] && dyn[i][1] < (1u << 24))
			arrays[narrays][0] = dyn[i][0], arrays[narrays++][1] = dyn[i][1];
	static const char *const names[] = {".init_array", ".fini_array", ".preinit_array", ".ctors", ".dtors"};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(names); i++) {
		const struct tj_elf_sec *s = tj_elf_section_named(e, names[i]);
		if (s && s->addr && narrays < TJ_ARRAY_SIZE(arrays))
			arrays[narrays][0] = s->addr, arrays[narrays++][1] = s->size;
	}
	for (size_t i = 0; i < narrays; i++)
		array_inits(c, arrays[i][0], arrays[i][1]);
	if (e->init)
		add_init(c, e->init);
	if (e->fini)
		add_init(c, e->fini);
	for (const char *const *n = (const char *const[]){".init", ".fini", NULL}; *n; n++) {
		const struct tj_elf_sec *s = tj_elf_section_named(e, *n);
		if (s && (s->flags & SHF_EXECINSTR))
			add_init(c, s->addr);
	}
	/* Relocated pointers. */
	for (size_t i = 0; i < e->nrels; i++) {
		const struct tj_elf_rel *r = &e->rels[i];
		if (r->type == R_X86_64_IRELATIVE) {
			add_init(c, (uint64_t)r->addend); /* ld.so or the static start-up runs it */
			continue;
		}
		if (is_got(c, r->offset) || in_ranges(r->offset, (const uint64_t(*)[2])arrays, narrays))
			continue;
		struct tj_sedge t;
		if (r->type == R_X86_64_RELATIVE) {
			if (classify_pointer(c, (uint64_t)r->addend, &t))
				data_pointer(c, r->offset, t);
		} else if ((r->type == R_X86_64_64 || r->type == R_X86_64_GLOB_DAT || r->type == R_X86_64_JUMP_SLOT) &&
			   tj_sc_sym_name(c, r)[0]) {
			data_pointer(c, r->offset,
				     (struct tj_sedge){TJ_SE_IMPORT_ADDR,
						       tj_strpool_intern(&c->pool, tj_sc_sym_name(c, r))});
		}
	}
	/* A non-PIE executable stores plain addresses: aligned words that
	 * name code or a data object count as pointers. */
	if (!c->absolute)
		return;
	for (size_t i = 0; i < e->nsecs; i++) {
		const struct tj_elf_sec *s = &e->secs[i];
		if (!(s->flags & SHF_ALLOC) || (s->flags & SHF_EXECINSTR) || s->type != SHT_PROGBITS ||
		    is_got(c, s->addr) || !strncmp(s->name, ".eh_frame", 9) || !strcmp(s->name, ".dynamic") ||
		    in_ranges(s->addr, (const uint64_t(*)[2])arrays, narrays))
			continue;
		for (uint64_t at = (s->addr + 7) & ~7ull; at + 8 <= s->addr + s->size; at += 8) {
			uint64_t v;
			struct tj_sedge t;
			memcpy(&v, e->data + s->offset + (at - s->addr), 8);
			if (v > 0x1000 && classify_pointer(c, v, &t))
				data_pointer(c, at, t);
		}
	}
}

/* --- output --- */

static int cmp_sys(const void *a, const void *b)
{
	const struct sysrec *x = a, *y = b;
	if (x->func != y->func)
		return x->func < y->func ? -1 : 1;
	const struct tj_ssys *p = &x->s, *q = &y->s;
	return p->nr < q->nr ? -1 : p->nr > q->nr ? 1 : p->addr < q->addr ? -1 : p->addr > q->addr;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void pack_edges(struct pairs *p, size_t nowners, struct tj_summary *s, size_t *cap,
		       uint32_t *ranges /* 2 per owner */)
{
	pairs_sort(p);
	for (size_t i = 0; i < p->n; i++) {
		if (i && p->v[i].key == p->v[i - 1].key && p->v[i].val == p->v[i - 1].val)
			continue;
		uint32_t owner = (uint32_t)p->v[i].key;
		if (owner >= nowners)
			continue;
		tj_xreserve((void **)&s->edges, cap, s->nedges + 1, sizeof(*s->edges));
		if (!ranges[2 * owner + 1])
			ranges[2 * owner] = (uint32_t)s->nedges;
		ranges[2 * owner + 1]++;
		s->edges[s->nedges++] = (struct tj_sedge){(uint32_t)(p->v[i].val >> 32), (uint32_t)p->v[i].val};
	}
}

static int cmp_export(const void *a, const void *b)
{
	const struct tj_sexport *x = a, *y = b;
	return x->name < y->name ? -1 : x->name > y->name ? 1 : x->index < y->index ? -1 : x->index > y->index;
}

static void finish(struct ctx *c, const uint32_t *wrap, struct tj_summary *s)
{
	const struct tj_elf *e = c->e;
	s->flags = (e->nsyms ? TJ_SUM_SYMBOLS : 0) | (c->go ? TJ_SUM_GO : 0) | (!e->has_dynamic ? TJ_SUM_STATIC : 0) |
		   (e->type == ET_DYN ? TJ_SUM_PIE : 0);
	s->entry = tj_sc_in_code(c, e->entry) ? tj_sc_func_at(c, e->entry) : NONE;
	s->ninsns = c->ninsns;
	s->nsites = c->nsites;
	s->nsites_resolved = c->nresolved;
	/* edges: one growing array, ranges per function then per data object */
	uint32_t *fr = tj_xcalloc(2 * (c->nfuncs + 1), sizeof(uint32_t));
	uint32_t *dr = tj_xcalloc(2 * (c->ndata + 1), sizeof(uint32_t));
	size_t cap = 0, capx = 0, capw = 0;
	pack_edges(&c->fedges, c->nfuncs, s, &cap, fr);
	pack_edges(&c->dedges, c->ndata, s, &cap, dr);
	for (size_t i = 0; i < c->nfuncs; i++) {
		c->funcs[i].edges = fr[2 * i];
		c->funcs[i].nedges = fr[2 * i + 1];
		c->funcs[i].wrapper_regs = wrap[i];
	}
	for (size_t i = 0; i < c->ndata; i++) {
		c->data[i].edges = dr[2 * i];
		c->data[i].nedges = dr[2 * i + 1];
	}
	free(fr);
	free(dr);
	/* syscalls per function */
	if (c->nsys)
		qsort(c->sys, c->nsys, sizeof(*c->sys), cmp_sys);
	s->sys = tj_xcalloc(c->nsys ? c->nsys : 1, sizeof(*s->sys));
	for (size_t i = 0; i < c->nsys; i++) {
		uint32_t f = c->sys[i].func;
		if (i && f == c->sys[i - 1].func && c->sys[i].s.nr == c->sys[i - 1].s.nr &&
		    c->sys[i].s.addr == c->sys[i - 1].s.addr)
			continue;
		if (!c->funcs[f].nsys)
			c->funcs[f].sys = (uint32_t)s->nsys;
		c->funcs[f].nsys++;
		s->sys[s->nsys++] = c->sys[i].s;
	}
	/* exports */
	for (size_t i = 0; i < e->ndynsyms; i++) {
		const struct tj_elf_sym *y = &e->dynsyms[i];
		if (!y->defined || !y->global || !y->name[0])
			continue;
		uint32_t idx = NONE, is_data = 0;
		if (y->kind == TJ_SYM_OBJECT) {
			idx = data_at(c, y->value);
			is_data = 1;
		} else if (tj_sc_in_code(c, y->value)) {
			idx = tj_sc_func_at(c, y->value);
		}
		if (idx == NONE)
			continue;
		tj_xreserve((void **)&s->exports, &capx, s->nexports + 1, sizeof(*s->exports));
		s->exports[s->nexports++] = (struct tj_sexport){tj_strpool_intern(&c->pool, y->name), is_data, idx};
		if (!is_data && wrap[idx]) {
			tj_xreserve((void **)&s->wrappers, &capw, s->nwrappers + 1, sizeof(*s->wrappers));
			s->wrappers[s->nwrappers++] = (struct tj_swrapper){tj_strpool_intern(&c->pool, y->name),
									   wrap[idx]};
		}
	}
	if (s->nexports)
		qsort(s->exports, s->nexports, sizeof(*s->exports), cmp_export);
	s->funcs = TJ_STEAL(&c->funcs);
	s->nfuncs = c->nfuncs;
	s->data = TJ_STEAL(&c->data);
	s->ndata = c->ndata;
	s->unres = TJ_STEAL(&c->unres);
	s->nunres = c->nunres;
	s->dlopens = TJ_STEAL(&c->dlopens);
	s->ndlopens = c->ndlopens;
	s->inits = TJ_STEAL(&c->inits);
	s->ninits = c->ninits;
	s->live = TJ_STEAL(&c->live);
	s->nlive = c->nlive;
	s->strings = c->pool.s;
	s->strings_len = c->pool.len;
	c->pool.s = NULL;
}

static void ctx_done(struct ctx *c)
{
	tj_insn_decoder_close(c->dec);
	tj_strpool_done(&c->pool);
	free(c->plt.v);
	free(c->relocs.v);
	free(c->starts);
	free(c->funcs);
	free(c->entry_like);
	free(c->calls.v);
	free(c->jumps.v);
	free(c->memcalls.v);
	free(c->refs);
	free(c->sites);
	free(c->i386);
	free(c->data);
	free(c->fedges.v);
	free(c->dedges.v);
	free(c->live);
	free(c->sys);
	free(c->unres);
	free(c->dlopens);
	free(c->inits);
}

int tj_summary_build(const struct tj_elf *e, const struct tj_wrapper_table *wrappers, struct tj_summary **ret,
		     struct tj_err **err)
{
	struct ctx c = {.e = e, .wrappers = wrappers, .absolute = e->type == ET_EXEC, .go = e->is_go};
	tj_strpool_init(&c.pool);
	char why[256];
	if (!(c.dec = tj_insn_decoder_open(why, sizeof(why)))) {
		ctx_done(&c);
		return tj_err_set(err, TJ_ERR_INTERNAL, 0, "%s", why);
	}
	for (size_t i = 0; i < e->nsecs; i++) {
		const struct tj_elf_sec *s = &e->secs[i];
		if (!(s->flags & SHF_EXECINSTR) || s->type != SHT_PROGBITS || !s->size ||
		    !tj_elf_bytes(e, s->addr, s->size))
			continue;
		if (is_plt_name(s->name)) {
			decode_plt(&c, s);
			continue;
		}
		if (c.ncode < TJ_ARRAY_SIZE(c.code)) {
			c.code[c.ncode].start = s->addr;
			c.code[c.ncode++].end = s->addr + s->size;
			add_start(&c, s->addr);
		}
	}
	pairs_sort(&c.plt);
	for (size_t i = 0; i < e->nrels; i++)
		pairs_add(&c.relocs, e->rels[i].offset, i);
	pairs_sort(&c.relocs);
	/* Known starts: symbols, unwind tables, entry points. */
	for (int pass = 0; pass < 2; pass++) {
		const struct tj_elf_sym *v = pass ? e->dynsyms : e->syms;
		size_t n = pass ? e->ndynsyms : e->nsyms;
		for (size_t i = 0; i < n; i++)
			if (v[i].defined && v[i].kind != TJ_SYM_OBJECT)
				add_start(&c, v[i].value);
	}
	uint64_t *fdes;
	size_t nfdes;
	tj_elf_fde_starts(e, &fdes, &nfdes);
	for (size_t i = 0; i < nfdes; i++)
		add_start(&c, fdes[i]);
	free(fdes);
	add_start(&c, e->entry);
	if (e->init)
		add_start(&c, e->init);
	if (e->fini)
		add_start(&c, e->fini);
	for (size_t i = 0; i < e->nrels; i++)
		if (e->rels[i].type == R_X86_64_IRELATIVE || e->rels[i].type == R_X86_64_RELATIVE)
			if (tj_sc_in_code(&c, (uint64_t)e->rels[i].addend))
				add_start(&c, (uint64_t)e->rels[i].addend);

	sweep(&c);
	pairs_sort(&c.calls);
	pairs_sort(&c.jumps);
	pairs_sort(&c.memcalls);
	build_functions(&c);
	build_data_objects(&c);
	code_edges(&c);
	data_edges(&c);
	tj_sc_mark_entries(&c);
	uint32_t *wrap = tj_xcalloc(c.nfuncs ? c.nfuncs : 1, sizeof(uint32_t));
	tj_sc_resolve_sites(&c, wrap);
	tj_sc_resolve_wrappers(&c, wrap);
	tj_sc_find_dlopens(&c);
	struct tj_summary *s = tj_xcalloc(1, sizeof(*s));
	finish(&c, wrap, s);
	free(wrap);
	ctx_done(&c);
	*ret = s;
	return 0;
}

char *tj_summary_wrapper_context(const struct tj_elf *e, const struct tj_wrapper_table *wrappers)
{
	struct tj_strv names = {0};
	for (size_t i = 0; wrappers && i < e->ndynsyms; i++) {
		const struct tj_elf_sym *y = &e->dynsyms[i];
		uint32_t regs;
		if (!y->defined && y->name[0] && (regs = tj_wrapper_table_get(wrappers, y->name)))
			tj_strv_add_owned(&names, tj_xasprintf("%s:%x", y->name, regs));
	}
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	struct tj_buf b = {0};
	tj_buf_add(&b, "");
	for (size_t i = 0; i < names.n; i++)
		if (!i || strcmp(names.v[i], names.v[i - 1]))
			tj_buf_addf(&b, "%s\n", names.v[i]);
	tj_strv_done(&names);
	return tj_buf_steal(&b);
}
