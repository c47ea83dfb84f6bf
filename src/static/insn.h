/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86-64 instructions as static analysis needs them (private to
 * src/static/): capstone's view reduced to a kind, the registers it moves
 * and the address it names.  insn.c is the only capstone user; capstone is
 * loaded on first use (tj_summary_load_capstone), not linked.
 */
#ifndef TJ_STATIC_INSN_H
#define TJ_STATIC_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kind {
	K_OTHER,
	K_MOVIMM,
	K_MOVREG,
	K_CMOVREG,
	K_LOAD,
	K_LEA,
	K_ZERO,
	K_CALL,
	K_CALLMEM,
	K_CALLIND,
	K_JMP,
	K_JMPMEM,
	K_JMPIND,
	K_JCC,
	K_RET,
	K_HALT,
	K_SYSCALL,
	K_I386,
	K_NOP,
	K_STORE, /* mov [rsp+mdisp], a register (src) or a constant (imm) */
};
/* An operand [rsp+mdisp] without index: a stack slot the walk can follow. */
enum {
	MF_RSP = 1,
	MF_WRITE = 2
};
enum refkind {
	REF_NONE,
	REF_ADDR,
	REF_MEM
};

struct tj_insn {
	uint64_t addr;
	uint64_t ref; /* branch target, or the address an operand names */
	int64_t imm;
	int32_t mdisp; /* the stack slot of an [rsp+mdisp] operand (mflags) */
	uint16_t wmask;
	uint8_t size, kind, dst, src, refkind, mflags, msize;
};

static inline bool tj_insn_falls_through(const struct tj_insn *i)
{
	return i->kind != K_JMP && i->kind != K_JMPMEM && i->kind != K_JMPIND && i->kind != K_RET && i->kind != K_HALT;
}

struct tj_insn_decoder;

/* A decoder for x86-64 with details on; NULL with the reason in err. */
struct tj_insn_decoder *tj_insn_decoder_open(char *err, size_t size);
void tj_insn_decoder_close(struct tj_insn_decoder *d);
/* Decodes the instruction at *code, advancing code, size and addr past it
 * (as cs_disasm_iter); false where no instruction decodes (the caller skips
 * a byte).  absolute: a non-PIE executable, where immediates and absolute
 * operands can be addresses. */
bool tj_insn_decode(struct tj_insn_decoder *d, const uint8_t **code, size_t *size, uint64_t *addr, bool absolute,
		    struct tj_insn *out);

#endif
