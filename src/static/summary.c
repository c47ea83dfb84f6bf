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

#include "insn.h"
#include "strmap.h"
#include "tj/static/summary.h"

#define MAX_VALUES 32
#define WALK_STEPS 6000
#define WALK_REGIONS 48
#define WALK_SLOTS 16
#define NONE UINT32_MAX

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

struct pair {
	uint64_t key, val;
};

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

struct pairs {
	struct pair *v;
	size_t n, cap;
};

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
static size_t pairs_lower(const struct pairs *p, uint64_t k)
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

static bool in_code(const struct ctx *c, uint64_t a)
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

static const struct tj_elf_sec *plt_section(const struct ctx *c, uint64_t a)
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

static const struct tj_elf_rel *reloc_at(const struct ctx *c, uint64_t off)
{
	size_t i = pairs_lower(&c->relocs, off);
	return i < c->relocs.n && c->relocs.v[i].key == off ? &c->e->rels[c->relocs.v[i].val] : NULL;
}

static uint32_t func_at(const struct ctx *c, uint64_t a)
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

static const char *sym_name(const struct ctx *c, const struct tj_elf_rel *r)
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
		if (in_code(c, c->starts[i]) && (!k || c->starts[k - 1] != c->starts[i]))
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
		if (in_code(c, c->calls.v[i].key) && !plt_section(c, c->calls.v[i].key))
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
			uint32_t f = func_at(c, v[i].value);
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
	const struct tj_elf_rel *r = reloc_at(c, slot);
	uint64_t target;
	if (r) {
		if (r->type == R_X86_64_IRELATIVE) {
			target = (uint64_t)r->addend; /* the resolver: it names the candidates */
		} else if (r->type == R_X86_64_RELATIVE) {
			target = (uint64_t)r->addend;
		} else if (sym_name(c, r)[0]) {
			*ret = (struct tj_sedge){call ? TJ_SE_IMPORT : TJ_SE_IMPORT_ADDR,
						 tj_strpool_intern(&c->pool, sym_name(c, r))};
			return true;
		} else {
			return false;
		}
	} else if (!tj_elf_read(c->e, slot, &target, 8)) {
		return false;
	}
	if (in_code(c, target)) {
		uint32_t f = func_at(c, target);
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
static bool plt_slot(const struct ctx *c, uint64_t a, uint64_t *slot)
{
	size_t i = pairs_lower(&c->plt, a);
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
	if (plt_section(c, t))
		return plt_slot(c, t, &slot) && slot_target(c, slot, true, ret);
	uint32_t f = func_at(c, t);
	if (f == NONE)
		return false;
	*ret = (struct tj_sedge){TJ_SE_CALL, f};
	return true;
}

/* What naming address a in code reaches (its address taken, or a load). */
static bool ref_target(struct ctx *c, uint64_t a, uint8_t kind, struct tj_sedge *ret)
{
	uint64_t slot;
	if (plt_section(c, a)) {
		/* a non-PIE program's canonical PLT address: the import's address */
		if (!plt_slot(c, a, &slot) || !slot_target(c, slot, false, ret))
			return false;
		return true;
	}
	if (in_code(c, a)) {
		uint32_t f = func_at(c, a);
		if (f == NONE)
			return false;
		*ret = (struct tj_sedge){TJ_SE_ADDR, f};
		return true;
	}
	if (kind == REF_MEM && (reloc_at(c, a) || is_got(c, a)))
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
			add_fedge(c, func_at(c, c->calls.v[i].val), t.kind, t.target);
	for (size_t i = 0; i < c->jumps.n; i++) {
		uint32_t from = func_at(c, c->jumps.v[i].val);
		if (branch_target(c, c->jumps.v[i].key, &t) && !(t.kind == TJ_SE_CALL && t.target == from))
			add_fedge(c, from, t.kind, t.target);
	}
	for (size_t i = 0; i < c->memcalls.n; i++)
		if (slot_target(c, c->memcalls.v[i].val, true, &t))
			add_fedge(c, func_at(c, c->memcalls.v[i].key & ~(1ull << 63)), t.kind, t.target);
	for (size_t i = 0; i < c->nrefs; i++)
		if (ref_target(c, c->refs[i].addr, c->refs[i].kind, &t))
			add_fedge(c, func_at(c, c->refs[i].src), t.kind, t.target);
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
			if (!v[i].defined || v[i].kind != TJ_SYM_OBJECT || !v[i].size || in_code(c, v[i].value))
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
	uint32_t f = in_code(c, a) ? func_at(c, a) : NONE;
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
	if (in_code(c, v)) {
		uint32_t f = func_at(c, v);
		if (f == NONE)
			return false;
		*t = (struct tj_sedge){TJ_SE_ADDR, f};
		return true;
	}
	if (plt_section(c, v))
		return ref_target(c, v, REF_ADDR, t);
	uint32_t d = data_at(c, v);
	if (d == NONE)
		return false;
	*t = (struct tj_sedge){TJ_SE_OBJ, d};
	return true;
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
	for (size_t i = 0; i < narrays; i++) {
		for (uint64_t at = arrays[i][0]; at + 8 <= arrays[i][0] + arrays[i][1]; at += 8) {
			const struct tj_elf_rel *r = reloc_at(c, at);
			uint64_t v = 0;
			if (r && (r->type == R_X86_64_RELATIVE || r->type == R_X86_64_IRELATIVE))
				v = (uint64_t)r->addend;
			else if (!r)
				tj_elf_read(e, at, &v, 8);
			add_init(c, v);
		}
	}
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
			   sym_name(c, r)[0]) {
			data_pointer(c, r->offset,
				     (struct tj_sedge){TJ_SE_IMPORT_ADDR, tj_strpool_intern(&c->pool, sym_name(c, r))});
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
	uint64_t *seen;
	size_t nseen_slots;
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

static bool seen(struct walk *w, uint64_t addr, unsigned reg)
{
	uint64_t key = (addr << 6 | reg) + 1;
	size_t mask = w->nseen_slots - 1;
	for (size_t i = (key * 0x9e3779b97f4a7c15ull >> 20) & mask;; i = (i + 1) & mask) {
		if (w->seen[i] == key)
			return true;
		if (!w->seen[i]) {
			w->seen[i] = key;
			return false;
		}
	}
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
	if (!sec || sec->type == SHT_NOBITS || (p->msize != 4 && p->msize != 8) || reloc_at(w->c, p->ref) ||
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
	for (size_t k = pairs_lower(&c->jumps, addr); k < c->jumps.n && c->jumps.v[k].key == addr; k++) {
		uint32_t from = func_at(c, c->jumps.v[k].val);
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
	w->nseen_slots = 16384;
	w->seen = tj_xcalloc(w->nseen_slots, sizeof(uint64_t));
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
	for (size_t k = pairs_lower(&c->jumps, lo); k < c->jumps.n && c->jumps.v[k].key < hi; k++) {
		long i = func_at(c, c->jumps.v[k].val) != f ? index_of(&r, c->jumps.v[k].key) : -1;
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

static void resolve_sites(struct ctx *c, uint32_t *wrap)
{
	for (size_t i = 0; i < c->nsites; i++) {
		uint32_t f = func_at(c, c->sites[i]);
		if (f == NONE || !site_runs(c, f, c->sites[i]))
			continue;
		struct walk w;
		walk_run(&w, c, WALK_NUMBER, f, c->sites[i], TJ_RAX);
		uint32_t params;
		record_number(c, &w, f, c->sites[i], TJ_SU_SITE, 0, &params);
		walk_done(&w);
		wrap[f] |= params;
	}
	for (size_t i = 0; i < c->ni386; i++)
		add_unres(c, c->i386[i], func_at(c, c->i386[i]), TJ_SU_I386, 0, 0);
}

/* Walks each register of regs at the call or jump `site` (bit 63 set for
 * a jmp through memory), which calls wrapper `via`. */
static void resolve_call(struct ctx *c, uint64_t site, bool jump, unsigned regs, uint32_t via, uint32_t *wrap,
			 bool *changed)
{
	uint32_t f = func_at(c, site & ~(1ull << 63));
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
	const struct tj_elf_rel *r = reloc_at(c, slot);
	return r && r->type != R_X86_64_RELATIVE && r->type != R_X86_64_IRELATIVE && sym_name(c, r)[0] ? sym_name(c, r)
												       : NULL;
}

static const char *import_of_target(const struct ctx *c, uint64_t t)
{
	uint64_t slot;
	return plt_section(c, t) && plt_slot(c, t, &slot) ? import_of_slot(c, slot) : NULL;
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
				for (size_t k = pairs_lower(lists[l], a); k < lists[l]->n && lists[l]->v[k].key == a;
				     k++)
					resolve_call(c, lists[l]->v[k].val, l == 1, fresh, c->funcs[f].name, wrap,
						     &ignored);
		}
	}
}

static void resolve_wrappers(struct ctx *c, uint32_t *wrap)
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
static void find_dlopens(struct ctx *c)
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
					uint32_t t = func_at(c, p->v[k].key);
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
			uint32_t f = func_at(c, site);
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
static void mark_entries(struct ctx *c)
{
	c->entry_like = tj_xcalloc(c->nfuncs ? c->nfuncs : 1, 1);
	for (size_t i = 0; i < c->calls.n; i++) {
		uint32_t f = func_at(c, c->calls.v[i].key);
		if (f != NONE && c->funcs[f].addr == c->calls.v[i].key)
			c->entry_like[f] = 1;
	}
	for (size_t i = 0; i < c->nrefs; i++) {
		uint32_t f = in_code(c, c->refs[i].addr) ? func_at(c, c->refs[i].addr) : NONE;
		if (f != NONE)
			c->entry_like[f] = 1;
	}
	for (uint32_t f = 0; f < c->nfuncs; f++) {
		uint64_t a = c->funcs[f].addr;
		size_t k = pairs_lower(&c->jumps, a);
		bool jumped = k < c->jumps.n && c->jumps.v[k].key == a;
		if (!jumped || (c->funcs[f].flags & TJ_SF_EXPORTED))
			c->entry_like[f] = 1;
	}
	/* Anything a pointer in data or an entry array names. */
	for (size_t i = 0; i < c->e->nrels; i++) {
		uint64_t v = (uint64_t)c->e->rels[i].addend;
		uint32_t f = in_code(c, v) ? func_at(c, v) : NONE;
		if (f != NONE)
			c->entry_like[f] = 1;
	}
	uint32_t f = in_code(c, c->e->entry) ? func_at(c, c->e->entry) : NONE;
	if (f != NONE)
		c->entry_like[f] = 1;
	if (c->absolute) /* plain addresses in data: be conservative */
		memset(c->entry_like, 1, c->nfuncs);
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
	s->entry = in_code(c, e->entry) ? func_at(c, e->entry) : NONE;
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
		} else if (in_code(c, y->value)) {
			idx = func_at(c, y->value);
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
			if (in_code(&c, (uint64_t)e->rels[i].addend))
				add_start(&c, (uint64_t)e->rels[i].addend);

	sweep(&c);
	pairs_sort(&c.calls);
	pairs_sort(&c.jumps);
	pairs_sort(&c.memcalls);
	build_functions(&c);
	build_data_objects(&c);
	code_edges(&c);
	data_edges(&c);
	mark_entries(&c);
	uint32_t *wrap = tj_xcalloc(c.nfuncs ? c.nfuncs : 1, sizeof(uint32_t));
	resolve_sites(&c, wrap);
	resolve_wrappers(&c, wrap);
	find_dlopens(&c);
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
