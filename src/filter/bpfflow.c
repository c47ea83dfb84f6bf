/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Path consistency of the accumulator (bpfflow.h).  Classic BPF jumps only
 * forward, so one pass in program order sees every predecessor of an
 * instruction before the instruction itself.  Each instruction collects the
 * accumulator states its predecessors leave: "word k of seccomp_data" or
 * "the value made at instruction i", ANDed with a mask since.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tj/base/util.h"
#include "tj/filter/bpfflow.h"

#define STATES_MAX 8 /* more distinct states than this at one instruction: inconsistent anyway */

enum {
	FROM_WORD,
	FROM_OTHER
};

struct acc_state {
	uint8_t kind;
	uint32_t key;  /* FROM_WORD: the offset; FROM_OTHER: the instruction that made it */
	uint32_t mask; /* ANDed since */
};

struct incoming {
	struct acc_state v[STATES_MAX];
	uint8_t n;
	bool overflow;
};

static bool same_state(struct acc_state a, struct acc_state b)
{
	return a.kind == b.kind && a.key == b.key && a.mask == b.mask;
}

static void add_state(struct incoming *in, struct acc_state s)
{
	for (uint8_t i = 0; i < in->n; i++)
		if (same_state(in->v[i], s))
			return;
	if (in->n < STATES_MAX)
		in->v[in->n++] = s;
	else
		in->overflow = true;
}

static void add_all(struct incoming *to, const struct incoming *from)
{
	for (uint8_t i = 0; i < from->n; i++)
		add_state(to, from->v[i]);
	to->overflow |= from->overflow;
}

/* True when the instruction's result depends on the accumulator's value. */
static bool reads_accumulator(uint16_t code)
{
	switch (BPF_CLASS(code)) {
	case BPF_JMP: return BPF_OP(code) != BPF_JA;
	case BPF_ALU: return true;
	case BPF_RET: return BPF_RVAL(code) == BPF_A;
	case BPF_MISC: return BPF_MISCOP(code) == BPF_TAX;
	case BPF_ST: return true;
	default: return false;
	}
}

bool tj_bpf_accumulator_consistent(const struct sock_filter *prog, size_t len, size_t *at)
{
	struct incoming *in = tj_xcalloc(len ? len : 1, sizeof(*in));
	/* The kernel starts a filter with A = 0. */
	add_state(&in[0], (struct acc_state){.kind = FROM_OTHER, .key = UINT32_MAX, .mask = UINT32_MAX});
	bool ok = true;
	for (size_t pc = 0; pc < len && ok; pc++) {
		const struct sock_filter *f = &prog[pc];
		struct incoming *here = &in[pc];
		if (here->n == 0)
			continue; /* unreachable */
		bool and_k = f->code == (BPF_ALU | BPF_AND | BPF_K);
		if (reads_accumulator(f->code) && !and_k && (here->n > 1 || here->overflow)) {
			*at = pc;
			ok = false;
			break;
		}
		/* What this instruction leaves in the accumulator. */
		struct incoming out = {.n = 0};
		if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
			add_state(&out, (struct acc_state){.kind = FROM_WORD, .key = f->k, .mask = UINT32_MAX});
		} else if (and_k) {
			for (uint8_t i = 0; i < here->n; i++) {
				struct acc_state s = here->v[i];
				s.mask &= f->k;
				add_state(&out, s);
			}
			out.overflow = here->overflow;
		} else if (BPF_CLASS(f->code) == BPF_LD || BPF_CLASS(f->code) == BPF_ALU ||
			   f->code == (BPF_MISC | BPF_TXA)) {
			add_state(&out,
				  (struct acc_state){.kind = FROM_OTHER, .key = (uint32_t)pc, .mask = UINT32_MAX});
		} else {
			out = *here; /* jumps, returns, LDX, ST, TAX leave it */
		}
		switch (BPF_CLASS(f->code)) {
		case BPF_RET: break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				add_all(&in[pc + 1 + f->k], &out);
			} else {
				add_all(&in[pc + 1 + f->jt], &out);
				add_all(&in[pc + 1 + f->jf], &out);
			}
			break;
		default:
			if (pc + 1 < len)
				add_all(&in[pc + 1], &out);
		}
	}
	free(in);
	return ok;
}
