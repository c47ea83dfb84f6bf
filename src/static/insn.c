/* SPDX-License-Identifier: Apache-2.0 */
/* x86-64 instructions through capstone (insn.h). */
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"
#include "tj/base/util.h"
#include "tj/static/summary.h"

static int gpr(unsigned r, int *width)
{
	static const struct {
		uint16_t reg;
		uint8_t gpr, width;
	} t[] = {
		{X86_REG_RAX, 0, 64},  {X86_REG_EAX, 0, 32},   {X86_REG_AX, 0, 16},    {X86_REG_AL, 0, 8},
		{X86_REG_AH, 0, 8},    {X86_REG_RCX, 1, 64},   {X86_REG_ECX, 1, 32},   {X86_REG_CX, 1, 16},
		{X86_REG_CL, 1, 8},    {X86_REG_CH, 1, 8},     {X86_REG_RDX, 2, 64},   {X86_REG_EDX, 2, 32},
		{X86_REG_DX, 2, 16},   {X86_REG_DL, 2, 8},     {X86_REG_DH, 2, 8},     {X86_REG_RBX, 3, 64},
		{X86_REG_EBX, 3, 32},  {X86_REG_BX, 3, 16},    {X86_REG_BL, 3, 8},     {X86_REG_BH, 3, 8},
		{X86_REG_RSP, 4, 64},  {X86_REG_ESP, 4, 32},   {X86_REG_SP, 4, 16},    {X86_REG_SPL, 4, 8},
		{X86_REG_RBP, 5, 64},  {X86_REG_EBP, 5, 32},   {X86_REG_BP, 5, 16},    {X86_REG_BPL, 5, 8},
		{X86_REG_RSI, 6, 64},  {X86_REG_ESI, 6, 32},   {X86_REG_SI, 6, 16},    {X86_REG_SIL, 6, 8},
		{X86_REG_RDI, 7, 64},  {X86_REG_EDI, 7, 32},   {X86_REG_DI, 7, 16},    {X86_REG_DIL, 7, 8},
		{X86_REG_R8, 8, 64},   {X86_REG_R8D, 8, 32},   {X86_REG_R8W, 8, 16},   {X86_REG_R8B, 8, 8},
		{X86_REG_R9, 9, 64},   {X86_REG_R9D, 9, 32},   {X86_REG_R9W, 9, 16},   {X86_REG_R9B, 9, 8},
		{X86_REG_R10, 10, 64}, {X86_REG_R10D, 10, 32}, {X86_REG_R10W, 10, 16}, {X86_REG_R10B, 10, 8},
		{X86_REG_R11, 11, 64}, {X86_REG_R11D, 11, 32}, {X86_REG_R11W, 11, 16}, {X86_REG_R11B, 11, 8},
		{X86_REG_R12, 12, 64}, {X86_REG_R12D, 12, 32}, {X86_REG_R12W, 12, 16}, {X86_REG_R12B, 12, 8},
		{X86_REG_R13, 13, 64}, {X86_REG_R13D, 13, 32}, {X86_REG_R13W, 13, 16}, {X86_REG_R13B, 13, 8},
		{X86_REG_R14, 14, 64}, {X86_REG_R14D, 14, 32}, {X86_REG_R14W, 14, 16}, {X86_REG_R14B, 14, 8},
		{X86_REG_R15, 15, 64}, {X86_REG_R15D, 15, 32}, {X86_REG_R15W, 15, 16}, {X86_REG_R15B, 15, 8},
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(t); i++) {
		if (t[i].reg == r) {
			*width = t[i].width;
			return t[i].gpr;
		}
	}
	return -1;
}

/* A register operand written whole (32-bit writes zero the upper half). */
/* Capstone is loaded on first use, not linked: its 77,000 relocations
 * cost every launch of tinyjail about 3 ms in ld.so and the copy-on-write
 * faults of the pages they write (notes/performance.md), and only static
 * analysis needs it.  The soname is the one the build's headers belong to
 * (the Makefile reads it from the library). */
#ifndef TJ_CAPSTONE_SONAME
#define TJ_CAPSTONE_SONAME "libcapstone.so"
#endif
static struct {
	cs_err (*open)(cs_arch, cs_mode, csh *);
	cs_err (*close)(csh *);
	cs_err (*option)(csh, cs_opt_type, size_t);
	cs_insn *(*malloc)(csh);
	void (*free)(cs_insn *, size_t);
	bool (*disasm_iter)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *);
	bool (*insn_group)(csh, const cs_insn *, unsigned int);
	cs_err (*regs_access)(csh, const cs_insn *, cs_regs, uint8_t *, cs_regs, uint8_t *);
} capstone;
static char cs_error[256];

static void load_capstone(void)
{
	void *h = dlopen(TJ_CAPSTONE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(cs_error, sizeof(cs_error), "%s", e ? e : "cannot load " TJ_CAPSTONE_SONAME);
		return;
	}
	void *f[8];
	static const char *const names[8] = {"cs_open", "cs_close",	  "cs_option",	   "cs_malloc",
					     "cs_free", "cs_disasm_iter", "cs_insn_group", "cs_regs_access"};
	for (size_t i = 0; i < 8; i++) {
		if (!(f[i] = dlsym(h, names[i]))) {
			snprintf(cs_error, sizeof(cs_error), "%s has no %s", TJ_CAPSTONE_SONAME, names[i]);
			return;
		}
	}
	/* POSIX lets a function pointer go through void *; memcpy says so to C. */
	memcpy(&capstone.open, &f[0], sizeof(f[0]));
	memcpy(&capstone.close, &f[1], sizeof(f[1]));
	memcpy(&capstone.option, &f[2], sizeof(f[2]));
	memcpy(&capstone.malloc, &f[3], sizeof(f[3]));
	memcpy(&capstone.free, &f[4], sizeof(f[4]));
	memcpy(&capstone.disasm_iter, &f[5], sizeof(f[5]));
	memcpy(&capstone.insn_group, &f[6], sizeof(f[6]));
	memcpy(&capstone.regs_access, &f[7], sizeof(f[7]));
}

bool tj_summary_load_capstone(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, load_capstone);
	return capstone.open != NULL;
}

static int full_reg(const cs_x86_op *op)
{
	int w;
	if (op->type != X86_OP_REG)
		return -1;
	int g = gpr(op->reg, &w);
	return g >= 0 && w >= 32 ? g : -1;
}

static bool is_cmov(unsigned id)
{
	switch (id) {
	case X86_INS_CMOVA:
	case X86_INS_CMOVAE:
	case X86_INS_CMOVB:
	case X86_INS_CMOVBE:
	case X86_INS_CMOVE:
	case X86_INS_CMOVG:
	case X86_INS_CMOVGE:
	case X86_INS_CMOVL:
	case X86_INS_CMOVLE:
	case X86_INS_CMOVNE:
	case X86_INS_CMOVNO:
	case X86_INS_CMOVNP:
	case X86_INS_CMOVNS:
	case X86_INS_CMOVO:
	case X86_INS_CMOVP:
	case X86_INS_CMOVS: return true;
	default: return false;
	}
}

/* Converts capstone's view of one instruction.  absolute: a non-PIE
 * executable, where immediates and absolute operands can be addresses. */
static void classify(csh cs_, const cs_insn *ci, bool absolute, struct tj_insn *o)
{
	memset(o, 0, sizeof(*o));
	o->addr = ci->address;
	o->size = (uint8_t)ci->size;
	o->dst = o->src = 0xff;
	const cs_x86 *x = &ci->detail->x86;
	uint64_t next = ci->address + ci->size;

	/* Registers written, for everything the cases below do not model. */
	cs_regs rr, rw;
	uint8_t nr = 0, nw = 0;
	if (capstone.regs_access(cs_, ci, rr, &nr, rw, &nw) == CS_ERR_OK) {
		for (unsigned i = 0; i < nw; i++) {
			int w, g = gpr(rw[i], &w);
			if (g >= 0)
				o->wmask |= (uint16_t)(1u << g);
		}
	}
	/* The address an operand names. */
	const cs_x86_op *mem = NULL;
	for (unsigned i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		if (op->type == X86_OP_MEM && op->mem.base == X86_REG_RSP && op->mem.index == X86_REG_INVALID &&
		    op->mem.segment == X86_REG_INVALID && op->mem.disp >= INT32_MIN && op->mem.disp <= INT32_MAX) {
			o->mflags |= MF_RSP | ((op->access & CS_AC_WRITE) ? MF_WRITE : 0);
			o->mdisp = (int32_t)op->mem.disp;
		}
		if (op->type == X86_OP_MEM && op->mem.segment == X86_REG_INVALID) {
			if (op->mem.base == X86_REG_RIP && op->mem.index == X86_REG_INVALID) {
				o->ref = next + (uint64_t)op->mem.disp;
				o->refkind = REF_MEM;
				mem = op;
			} else if (absolute && op->mem.disp > 0x1000 &&
				   (op->mem.base == X86_REG_INVALID || op->mem.index != X86_REG_INVALID)) {
				/* table[i] in a non-PIE executable */
				o->ref = (uint64_t)op->mem.disp;
				o->refkind = REF_MEM;
				mem = op;
			}
		} else if (op->type == X86_OP_IMM && absolute && op->imm > 0x1000 &&
			   (ci->id == X86_INS_MOV || ci->id == X86_INS_MOVABS || ci->id == X86_INS_PUSH)) {
			o->ref = (uint64_t)op->imm;
			o->refkind = REF_ADDR;
		}
	}
	const cs_x86_op *a = x->op_count > 0 ? &x->operands[0] : NULL;
	const cs_x86_op *b = x->op_count > 1 ? &x->operands[1] : NULL;
	switch (ci->id) {
	case X86_INS_SYSCALL: o->kind = K_SYSCALL; return;
	case X86_INS_SYSENTER: o->kind = K_I386; return;
	case X86_INS_INT:
		if (a && a->type == X86_OP_IMM && a->imm == 0x80)
			o->kind = K_I386;
		return;
	case X86_INS_CALL:
	case X86_INS_JMP: {
		bool call = ci->id == X86_INS_CALL;
		if (a && a->type == X86_OP_IMM) {
			o->kind = call ? K_CALL : K_JMP;
			o->ref = (uint64_t)a->imm;
			o->refkind = REF_NONE;
		} else if (mem && a == mem && mem->mem.base == X86_REG_RIP) {
			o->kind = call ? K_CALLMEM : K_JMPMEM;
		} else {
			o->kind = call ? K_CALLIND : K_JMPIND;
		}
		return;
	}
	case X86_INS_RET:
	case X86_INS_RETF:
	case X86_INS_RETFQ:
	case X86_INS_IRET:
	case X86_INS_IRETD:
	case X86_INS_IRETQ: o->kind = K_RET; return;
	case X86_INS_HLT:
	case X86_INS_INT3: /* a trap, and the padding between functions */
	case X86_INS_UD2: o->kind = K_HALT; return;
	case X86_INS_NOP: o->kind = K_NOP; return;
	case X86_INS_MOV:
	case X86_INS_MOVABS:
		if (a && b && a->type == X86_OP_MEM && (o->mflags & MF_RSP) && a->size >= 4 &&
		    (full_reg(b) >= 0 || b->type == X86_OP_IMM)) {
			o->kind = K_STORE;
			if (b->type == X86_OP_IMM)
				o->imm = b->imm;
			else
				o->src = (uint8_t)full_reg(b);
			return;
		}
		if (a && b && full_reg(a) >= 0) {
			o->dst = (uint8_t)full_reg(a);
			if (b->type == X86_OP_IMM) {
				o->kind = K_MOVIMM;
				o->imm = b->imm;
			} else if (full_reg(b) >= 0) {
				o->kind = K_MOVREG;
				o->src = (uint8_t)full_reg(b);
			} else if (b->type == X86_OP_MEM) {
				o->kind = K_LOAD;
				o->msize = b->size;
			}
		}
		return;
	case X86_INS_MOVSXD:
		if (a && b && full_reg(a) >= 0 && full_reg(b) >= 0) {
			o->kind = K_MOVREG;
			o->dst = (uint8_t)full_reg(a);
			o->src = (uint8_t)full_reg(b);
		}
		return;
	case X86_INS_XOR:
	case X86_INS_SUB:
		if (a && b && full_reg(a) >= 0 && a->type == X86_OP_REG && b->type == X86_OP_REG && a->reg == b->reg) {
			o->kind = K_ZERO;
			o->dst = (uint8_t)full_reg(a);
		}
		return;
	case X86_INS_OR:
		if (a && b && full_reg(a) >= 0 && b->type == X86_OP_IMM && b->imm == -1) {
			o->kind = K_MOVIMM;
			o->dst = (uint8_t)full_reg(a);
			o->imm = -1;
		}
		return;
	case X86_INS_LEA:
		if (a && full_reg(a) >= 0) {
			o->kind = K_LEA;
			o->dst = (uint8_t)full_reg(a);
			if (o->refkind == REF_MEM)
				o->refkind = REF_ADDR;
			else
				o->ref = 0;
		}
		return;
	default: break;
	}
	if (is_cmov(ci->id) && a && b && full_reg(a) >= 0) {
		o->dst = (uint8_t)full_reg(a);
		if (full_reg(b) >= 0) {
			o->kind = K_CMOVREG;
			o->src = (uint8_t)full_reg(b);
		} else {
			o->kind = K_LOAD;
		}
		return;
	}
	if (capstone.insn_group(cs_, ci, X86_GRP_JUMP) && a && a->type == X86_OP_IMM) {
		o->kind = K_JCC;
		o->ref = (uint64_t)a->imm;
		o->refkind = REF_NONE;
	}
}

struct tj_insn_decoder {
	csh cs;
	cs_insn *ci;
};

struct tj_insn_decoder *tj_insn_decoder_open(char *err, size_t size)
{
	if (!tj_summary_load_capstone()) {
		snprintf(err, size, "capstone cannot be loaded: %s", cs_error);
		return NULL;
	}
	struct tj_insn_decoder *d = tj_xcalloc(1, sizeof(*d));
	if (capstone.open(CS_ARCH_X86, CS_MODE_64, &d->cs) != CS_ERR_OK) {
		free(d);
		snprintf(err, size, "capstone cannot disassemble x86-64");
		return NULL;
	}
	capstone.option(d->cs, CS_OPT_DETAIL, CS_OPT_ON);
	d->ci = capstone.malloc(d->cs);
	return d;
}

void tj_insn_decoder_close(struct tj_insn_decoder *d)
{
	if (!d)
		return;
	if (d->ci)
		capstone.free(d->ci, 1);
	if (d->cs)
		capstone.close(&d->cs);
	free(d);
}

bool tj_insn_decode(struct tj_insn_decoder *d, const uint8_t **code, size_t *size, uint64_t *addr, bool absolute,
		    struct tj_insn *out)
{
	if (!capstone.disasm_iter(d->cs, code, size, addr, d->ci))
		return false;
	classify(d->cs, d->ci, absolute, out);
	return true;
}
