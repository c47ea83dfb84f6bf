/* SPDX-License-Identifier: Apache-2.0 */
/* Classic BPF interpreter for seccomp filters (kernel semantics). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tj/filter/bpfsim.h"

/* Instruction classes and fields, as in linux/bpf_common.h. */
static bool load_abs_ok(uint32_t k, char *why, size_t n)
{
	/* seccomp allows 32-bit loads from struct seccomp_data, 4-aligned. */
	if (k >= sizeof(struct seccomp_data) || (k & 3)) {
		snprintf(why, n, "load offset %u is outside struct seccomp_data or unaligned", k);
		return false;
	}
	return true;
}

int tj_bpf_validate(const struct sock_filter *prog, size_t len, char *why, size_t why_size)
{
	if (len == 0 || len > BPF_MAXINSNS) {
		snprintf(why, why_size, "program length %zu is not between 1 and %d", len, BPF_MAXINSNS);
		return -1;
	}
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		uint16_t code = f->code;
		switch (code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (!load_abs_ok(f->k, why, why_size))
				return -1;
			break;
		case BPF_LD | BPF_W | BPF_LEN:
		case BPF_LDX | BPF_W | BPF_LEN:
		case BPF_LD | BPF_IMM:
		case BPF_LDX | BPF_IMM:
		case BPF_MISC | BPF_TAX:
		case BPF_MISC | BPF_TXA:
		case BPF_RET | BPF_K:
		case BPF_RET | BPF_A:
		case BPF_ALU | BPF_ADD | BPF_K:
		case BPF_ALU | BPF_ADD | BPF_X:
		case BPF_ALU | BPF_SUB | BPF_K:
		case BPF_ALU | BPF_SUB | BPF_X:
		case BPF_ALU | BPF_MUL | BPF_K:
		case BPF_ALU | BPF_MUL | BPF_X:
		case BPF_ALU | BPF_DIV | BPF_X:
		case BPF_ALU | BPF_AND | BPF_K:
		case BPF_ALU | BPF_AND | BPF_X:
		case BPF_ALU | BPF_OR | BPF_K:
		case BPF_ALU | BPF_OR | BPF_X:
		case BPF_ALU | BPF_XOR | BPF_K:
		case BPF_ALU | BPF_XOR | BPF_X:
		case BPF_ALU | BPF_LSH | BPF_X:
		case BPF_ALU | BPF_RSH | BPF_X:
		case BPF_ALU | BPF_NEG: break;
		case BPF_ALU | BPF_LSH | BPF_K:
		case BPF_ALU | BPF_RSH | BPF_K:
			if (f->k >= 32) {
				snprintf(why, why_size, "shift by %u at %zu", f->k, pc);
				return -1;
			}
			break;
		case BPF_ALU | BPF_DIV | BPF_K:
			if (f->k == 0) {
				snprintf(why, why_size, "division by constant zero at %zu", pc);
				return -1;
			}
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS) {
				snprintf(why, why_size, "scratch memory index %u out of range at %zu", f->k, pc);
				return -1;
			}
			break;
		case BPF_JMP | BPF_JA:
			if (f->k >= len - pc - 1) {
				snprintf(why, why_size, "jump out of the program at %zu", pc);
				return -1;
			}
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JEQ | BPF_X:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_X:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_X:
		case BPF_JMP | BPF_JSET | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_X:
			if ((size_t)f->jt >= len - pc - 1 || (size_t)f->jf >= len - pc - 1) {
				snprintf(why, why_size, "conditional jump out of the program at %zu", pc);
				return -1;
			}
			break;
		default:
			snprintf(why, why_size, "instruction 0x%04x at %zu is not allowed in seccomp filters", code,
				 pc);
			return -1;
		}
	}
	uint16_t last = prog[len - 1].code;
	if (BPF_CLASS(last) != BPF_RET) {
		snprintf(why, why_size, "the program does not end with a return");
		return -1;
	}
	return 0;
}

uint32_t tj_bpf_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *data)
{
	uint32_t A = 0, X = 0, mem[BPF_MEMWORDS] = {0};
	uint32_t words[sizeof(struct seccomp_data) / 4];
	memcpy(words, data, sizeof(words));

	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS: A = words[f->k / 4]; break;
		case BPF_LD | BPF_W | BPF_LEN: A = sizeof(struct seccomp_data); break;
		case BPF_LDX | BPF_W | BPF_LEN: X = sizeof(struct seccomp_data); break;
		case BPF_LD | BPF_IMM: A = f->k; break;
		case BPF_LDX | BPF_IMM: X = f->k; break;
		case BPF_LD | BPF_MEM: A = mem[f->k]; break;
		case BPF_LDX | BPF_MEM: X = mem[f->k]; break;
		case BPF_ST: mem[f->k] = A; break;
		case BPF_STX: mem[f->k] = X; break;
		case BPF_MISC | BPF_TAX: X = A; break;
		case BPF_MISC | BPF_TXA: A = X; break;
		case BPF_ALU | BPF_ADD | BPF_K: A += f->k; break;
		case BPF_ALU | BPF_ADD | BPF_X: A += X; break;
		case BPF_ALU | BPF_SUB | BPF_K: A -= f->k; break;
		case BPF_ALU | BPF_SUB | BPF_X: A -= X; break;
		case BPF_ALU | BPF_MUL | BPF_K: A *= f->k; break;
		case BPF_ALU | BPF_MUL | BPF_X: A *= X; break;
		case BPF_ALU | BPF_DIV | BPF_K: A /= f->k; break;
		case BPF_ALU | BPF_DIV | BPF_X:
			if (X == 0)
				return 0;
			A /= X;
			break;
		case BPF_ALU | BPF_AND | BPF_K: A &= f->k; break;
		case BPF_ALU | BPF_AND | BPF_X: A &= X; break;
		case BPF_ALU | BPF_OR | BPF_K: A |= f->k; break;
		case BPF_ALU | BPF_OR | BPF_X: A |= X; break;
		case BPF_ALU | BPF_XOR | BPF_K: A ^= f->k; break;
		case BPF_ALU | BPF_XOR | BPF_X: A ^= X; break;
		case BPF_ALU | BPF_LSH | BPF_K: A = f->k < 32 ? A << f->k : 0; break;
		/* The kernel shifts by X & 31 (its interpreter masks, and so
		 * do the x86 shift instructions its JIT emits). */
		case BPF_ALU | BPF_LSH | BPF_X: A <<= X & 31; break;
		case BPF_ALU | BPF_RSH | BPF_K: A = f->k < 32 ? A >> f->k : 0; break;
		case BPF_ALU | BPF_RSH | BPF_X: A >>= X & 31; break;
		case BPF_ALU | BPF_NEG: A = -A; break;
		case BPF_JMP | BPF_JA: pc += f->k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += A == f->k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JEQ | BPF_X: pc += A == X ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += A >= f->k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGE | BPF_X: pc += A >= X ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGT | BPF_K: pc += A > f->k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGT | BPF_X: pc += A > X ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += (A & f->k) ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JSET | BPF_X: pc += (A & X) ? f->jt : f->jf; break;
		case BPF_RET | BPF_K: return f->k;
		case BPF_RET | BPF_A: return A;
		default: return 0; /* unreachable for validated programs: kill */
		}
	}
	return 0;
}
