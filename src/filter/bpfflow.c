/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Path consistency of the accumulator (bpfflow.h).  Classic BPF jumps only
 * forward, so one pass in program order sees every predecessor of an
 * instruction before the instruction itself.  Each instruction collects the
 * states its predecessors leave: what the accumulator holds ("word k of
 * seccomp_data" or "the value made at instruction i", ANDed with a mask
 * since) and what the path has learnt of each word (an interval, from the
 * comparisons it passed), so that a branch no call can take (libseccomp lays
 * out some: "a1.hi > 0" false, then "a1.hi == 0" false) is not followed.
 * States with the same accumulator are merged by widening the intervals,
 * which can only keep more branches, never lose one.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tj/base/util.h"
#include "tj/filter/bpfflow.h"

#define WORDS 16     /* seccomp_data is 64 bytes */
#define STATES_MAX 8 /* distinct accumulators at one instruction: inconsistent anyway */

enum {
	FROM_WORD,
	FROM_OTHER
};

struct path_state {
	uint8_t kind;
	uint32_t key;  /* FROM_WORD: the offset; FROM_OTHER: the instruction that made it */
	uint32_t mask; /* ANDed since */
	uint32_t lo[WORDS], hi[WORDS];
};

struct incoming {
	struct path_state v[STATES_MAX];
	uint8_t n;
	bool overflow;
};

static bool same_value(const struct path_state *a, const struct path_state *b)
{
	return a->kind == b->kind && a->key == b->key && a->mask == b->mask;
}

static void add_state(struct incoming *in, const struct path_state *s)
{
	for (uint8_t i = 0; i < in->n; i++) {
		struct path_state *t = &in->v[i];
		if (!same_value(t, s))
			continue;
		for (int w = 0; w < WORDS; w++) {
			t->lo[w] = t->lo[w] < s->lo[w] ? t->lo[w] : s->lo[w];
			t->hi[w] = t->hi[w] > s->hi[w] ? t->hi[w] : s->hi[w];
		}
		return;
	}
	if (in->n < STATES_MAX)
		in->v[in->n++] = *s;
	else
		in->overflow = true;
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

/* Narrows s for one branch of a comparison of the accumulator with k;
 * false when no call can take that branch.  Only a whole word compared
 * with a constant teaches anything. */
static bool take_branch(struct path_state *s, const struct sock_filter *f, bool taken)
{
	if (s->kind != FROM_WORD || s->mask != UINT32_MAX || BPF_SRC(f->code) != BPF_K || s->key % 4 ||
	    s->key / 4 >= WORDS)
		return true;
	uint32_t *lo = &s->lo[s->key / 4], *hi = &s->hi[s->key / 4], k = f->k;
	switch (BPF_OP(f->code)) {
	case BPF_JEQ:
		if (taken) {
			if (k < *lo || k > *hi)
				return false;
			*lo = *hi = k;
		} else {
			if (*lo == k && *hi == k)
				return false;
			if (*lo == k)
				(*lo)++;
			else if (*hi == k)
				(*hi)--;
		}
		return true;
	case BPF_JGT:
		if (taken) {
			if (k >= *hi)
				return false;
			if (*lo <= k)
				*lo = k + 1;
		} else {
			if (*lo > k)
				return false;
			if (*hi > k)
				*hi = k;
		}
		return true;
	case BPF_JGE:
		if (taken) {
			if (k > *hi)
				return false;
			if (*lo < k)
				*lo = k;
		} else {
			if (k == 0 || *lo >= k)
				return false;
			if (*hi >= k)
				*hi = k - 1;
		}
		return true;
	default: return true; /* JSET: a mask, not an interval */
	}
}

/* What instruction f at pc leaves, from state s. */
static struct path_state step(const struct sock_filter *f, size_t pc, struct path_state s)
{
	if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
		s.kind = FROM_WORD;
		s.key = f->k;
		s.mask = UINT32_MAX;
	} else if (f->code == (BPF_ALU | BPF_AND | BPF_K)) {
		s.mask &= f->k;
	} else if (BPF_CLASS(f->code) == BPF_LD || BPF_CLASS(f->code) == BPF_ALU || f->code == (BPF_MISC | BPF_TXA)) {
		s.kind = FROM_OTHER;
		s.key = (uint32_t)pc;
		s.mask = UINT32_MAX;
	}
	return s; /* jumps, returns, LDX, ST, TAX leave it */
}

bool tj_bpf_accumulator_consistent(const struct sock_filter *prog, size_t len, size_t *at)
{
	struct incoming *in = tj_xcalloc(len ? len : 1, sizeof(*in));
	/* The kernel starts a filter with A = 0; every word can be anything. */
	struct path_state start = {.kind = FROM_OTHER, .key = UINT32_MAX, .mask = UINT32_MAX};
	for (int w = 0; w < WORDS; w++)
		start.hi[w] = UINT32_MAX;
	add_state(&in[0], &start);
	bool ok = true;
	for (size_t pc = 0; pc < len && ok; pc++) {
		const struct sock_filter *f = &prog[pc];
		struct incoming *here = &in[pc];
		if (here->n == 0)
			continue; /* no call gets here */
		bool and_k = f->code == (BPF_ALU | BPF_AND | BPF_K);
		if (reads_accumulator(f->code) && !and_k && (here->n > 1 || here->overflow)) {
			*at = pc;
			ok = false;
			break;
		}
		for (uint8_t i = 0; i < here->n; i++) {
			struct path_state s = step(f, pc, here->v[i]);
			switch (BPF_CLASS(f->code)) {
			case BPF_RET: break;
			case BPF_JMP:
				if (BPF_OP(f->code) == BPF_JA) {
					add_state(&in[pc + 1 + f->k], &s);
					break;
				}
				for (int taken = 1; taken >= 0; taken--) {
					struct path_state b = s;
					if (take_branch(&b, f, taken))
						add_state(&in[pc + 1 + (taken ? f->jt : f->jf)], &b);
				}
				break;
			default:
				if (pc + 1 < len)
					add_state(&in[pc + 1], &s);
			}
		}
		if (here->overflow && BPF_CLASS(f->code) != BPF_RET) {
			/* States were lost here: what follows cannot be trusted. */
			*at = pc;
			ok = false;
		}
	}
	free(in);
	return ok;
}
