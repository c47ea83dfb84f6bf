/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The accumulator's path consistency (src/filter/bpfflow.c): programs whose
 * comparisons always see one value pass; a comparison reached with two
 * different words (libseccomp's miscompilation, reduced from a program it
 * produced) is found at its instruction; a branch no call can take is not
 * followed.
 */
#include "unit.h"

#include <linux/filter.h>
#include <stddef.h>

#include "tj/base/util.h"
#include "tj/filter/bpfflow.h"

#define LD(k) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (k))
#define AND(k) BPF_STMT(BPF_ALU | BPF_AND | BPF_K, (k))
#define RET(k) BPF_STMT(BPF_RET | BPF_K, (k))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JGT(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (k), (t), (f))
#define JGE(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))

static void assert_consistent(const struct sock_filter *p, size_t n)
{
	size_t at = 12345;
	assert_true(tj_bpf_accumulator_consistent(p, n, &at));
	assert_int_equal(at, 12345);
}

static void assert_inconsistent_at(const struct sock_filter *p, size_t n, size_t want)
{
	size_t at = 12345;
	assert_false(tj_bpf_accumulator_consistent(p, n, &at));
	assert_int_equal(at, want);
}

static void test_consistent(void **state)
{
	(void)state;
	/* Loads before every comparison. */
	const struct sock_filter a[] = {LD(0), JEQ(1, 0, 3), LD(16), JEQ(5, 0, 1), RET(0), RET(1)};
	assert_consistent(a, TJ_ARRAY_SIZE(a));
	/* Two paths that both leave word 16: no load needed at the join. */
	const struct sock_filter b[] = {LD(16), JEQ(1, 1, 0), JGT(7, 0, 0), JGT(9, 0, 1), RET(0), RET(1)};
	assert_consistent(b, TJ_ARRAY_SIZE(b));
	/* Masked two ways, then the same mask again: one value at the comparison. */
	const struct sock_filter c[] = {LD(24), JEQ(3, 1, 0), AND(5), AND(5), JEQ(5, 0, 1), RET(0), RET(1)};
	assert_consistent(c, TJ_ARRAY_SIZE(c));
	/* libseccomp's "a1.hi > 0" false then "a1.hi == 0" false: no call
	 * takes that branch, so the high word it would bring to 4 does not count. */
	const struct sock_filter e[] = {LD(28), JGT(0, 3, 0), JEQ(0, 0, 1), LD(24), JGT(5, 0, 1), RET(0), RET(1)};
	assert_consistent(e, TJ_ARRAY_SIZE(e));
	/* The same with a branch some call can take ("a1.hi > 1" false, then
	 * "a1.hi == 0" false: a1.hi is 1). */
	const struct sock_filter f[] = {LD(28), JGT(1, 3, 0), JEQ(0, 0, 1), LD(24), JGT(5, 0, 1), RET(0), RET(1)};
	assert_inconsistent_at(f, TJ_ARRAY_SIZE(f), 4);
	/* JGT true with k = the maximum, JGE false with k = 0: impossible. */
	const struct sock_filter g[] = {LD(28), JGT(0xffffffff, 1, 0), LD(24), JGT(5, 0, 1), RET(0), RET(1)};
	assert_consistent(g, TJ_ARRAY_SIZE(g));
	const struct sock_filter h[] = {LD(28), JGE(0, 0, 1), LD(24), JGT(5, 0, 1), RET(0), RET(1)};
	assert_consistent(h, TJ_ARRAY_SIZE(h));
	const struct sock_filter i[] = {LD(28), JGE(1, 0, 1), LD(24), JGT(5, 0, 1), RET(0), RET(1)};
	assert_inconsistent_at(i, TJ_ARRAY_SIZE(i), 3);
	/* An unreachable instruction is not judged. */
	const struct sock_filter d[] = {LD(0), RET(0), JEQ(1, 0, 0), RET(1)};
	assert_consistent(d, TJ_ARRAY_SIZE(d));
}

static void test_inconsistent(void **state)
{
	(void)state;
	/* libseccomp's x86_64 "read" (reduced): after 23 the accumulator
	 * holds a1's high word, after 25 its low word; 27 compares either. */
	const struct sock_filter a[] = {
		LD(28),		 /* 0: a1.hi */
		JGT(0, 2, 0),	 /* 1 */
		LD(24),		 /* 2: a1.lo */
		JGT(1, 0, 1),	 /* 3 -> 4 or 5 */
		JGT(1, 0, 0),	 /* 4: a1.hi or a1.lo */
		RET(0x7fff0000), /* 5 */
	};
	assert_inconsistent_at(a, TJ_ARRAY_SIZE(a), 4);
	/* A mask applied to two different words does not make them one. */
	const struct sock_filter b[] = {LD(16), JEQ(1, 2, 0), LD(24), JEQ(2, 0, 2), AND(5), JEQ(5, 0, 0), RET(0)};
	assert_inconsistent_at(b, TJ_ARRAY_SIZE(b), 5);
	/* Returning the accumulator counts as reading it. */
	const struct sock_filter c[] = {LD(16), JEQ(1, 1, 0), LD(24), BPF_STMT(BPF_RET | BPF_A, 0)};
	assert_inconsistent_at(c, TJ_ARRAY_SIZE(c), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_consistent),
		cmocka_unit_test(test_inconsistent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
