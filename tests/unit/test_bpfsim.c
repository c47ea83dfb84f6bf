/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The classic-BPF evaluator (src/filter/bpfsim.c): every instruction seccomp
 * accepts, jumps, scratch memory, the fields of struct seccomp_data, and
 * the validator's refusals.  The ALU results are also checked against the
 * kernel itself, which runs the same programs in forked children.
 */
#include "unit.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tj/base/util.h"
#include "tj/filter/bpfsim.h"

#define RET_K(k) BPF_STMT(BPF_RET | BPF_K, (k))
#define LD_ABS(k) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (k))

static const struct seccomp_data sample = {
	.nr = 0x11223344,
	.arch = 0xc000003e,
	.instruction_pointer = 0x8877665544332211ULL,
	.args = {0x0000000100000002ULL, 0xa0a0a0a0b0b0b0b0ULL, 3, 4, 5, 0xfedcba9876543210ULL},
};

static uint32_t run_valid(const struct sock_filter *prog, size_t len, const struct seccomp_data *d)
{
	char why[128] = "";
	if (tj_bpf_validate(prog, len, why, sizeof(why)) < 0)
		fail_msg("program does not validate: %s", why);
	return tj_bpf_run(prog, len, d);
}
#define RUN(prog) run_valid(prog, TJ_ARRAY_SIZE(prog), &sample)

static void test_loads(void **state)
{
	(void)state;
	/* Every 32-bit word of seccomp_data, little-endian halves. */
	static const uint32_t want[16] = {
		0x11223344, 0xc000003e, 0x44332211, 0x88776655, 0x00000002, 0x00000001, 0xb0b0b0b0, 0xa0a0a0a0,
		3,	    0,		4,	    0,		5,	    0,		0x76543210, 0xfedcba98,
	};
	for (uint32_t k = 0; k < 64; k += 4) {
		struct sock_filter p[] = {LD_ABS(k), BPF_STMT(BPF_RET | BPF_A, 0)};
		assert_int_equal(RUN(p), want[k / 4]);
	}
	struct sock_filter len[] = {BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0), BPF_STMT(BPF_RET | BPF_A, 0)};
	assert_int_equal(RUN(len), 64);
	struct sock_filter xlen[] = {BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0), BPF_STMT(BPF_MISC | BPF_TXA, 0),
				     BPF_STMT(BPF_RET | BPF_A, 0)};
	assert_int_equal(RUN(xlen), 64);
	struct sock_filter imm[] = {BPF_STMT(BPF_LD | BPF_IMM, 0xdeadbeef), BPF_STMT(BPF_RET | BPF_A, 0)};
	assert_int_equal(RUN(imm), 0xdeadbeef);
	struct sock_filter ximm[] = {BPF_STMT(BPF_LDX | BPF_IMM, 77), BPF_STMT(BPF_MISC | BPF_TXA, 0),
				     BPF_STMT(BPF_RET | BPF_A, 0)};
	assert_int_equal(RUN(ximm), 77);
	struct sock_filter tax[] = {BPF_STMT(BPF_LD | BPF_IMM, 5), BPF_STMT(BPF_MISC | BPF_TAX, 0),
				    BPF_STMT(BPF_LD | BPF_IMM, 9), BPF_STMT(BPF_MISC | BPF_TXA, 0),
				    BPF_STMT(BPF_RET | BPF_A, 0)};
	assert_int_equal(RUN(tax), 5);
	struct sock_filter retk[] = {RET_K(SECCOMP_RET_ERRNO | 13)};
	assert_int_equal(RUN(retk), SECCOMP_RET_ERRNO | 13);
}

static void test_scratch_memory(void **state)
{
	(void)state;
	/* ST/STX write, LD/LDX MEM read back; the 16 words are distinct. */
	struct sock_filter p[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 111),	BPF_STMT(BPF_ST, 0),
		BPF_STMT(BPF_LDX | BPF_IMM, 222),	BPF_STMT(BPF_STX, 15),
		BPF_STMT(BPF_LD | BPF_IMM, 0),		BPF_STMT(BPF_LDX | BPF_IMM, 0),
		BPF_STMT(BPF_LD | BPF_MEM, 15),		BPF_STMT(BPF_LDX | BPF_MEM, 0),
		BPF_STMT(BPF_ALU | BPF_SUB | BPF_X, 0), /* 222 - 111 */
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	assert_int_equal(RUN(p), 111);
	struct sock_filter all[2 * 16 + 2 * 16 + 1];
	size_t n = 0;
	for (uint32_t i = 0; i < 16; i++) {
		all[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, 1u << i);
		all[n++] = (struct sock_filter)BPF_STMT(BPF_ST, i);
	}
	all[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, 0);
	for (uint32_t i = 0; i < 15; i++) {
		all[n++] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_MEM, i);
		all[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_OR | BPF_X, 0);
	}
	all[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	assert_int_equal(run_valid(all, n, &sample), 0x7fff);
}

struct alu_case {
	uint16_t op;
	uint32_t a, x;
	uint32_t want;
};

/* The kernel's semantics, 32-bit unsigned; shifts by X use X & 31 (the
 * interpreter and the JITs do), division by X == 0 ends the program with 0. */
static const struct alu_case alu_cases[] = {
	{BPF_ADD, 0xffffffff, 2, 1},
	{BPF_ADD, 40, 2, 42},
	{BPF_SUB, 1, 2, 0xffffffff},
	{BPF_SUB, 50, 8, 42},
	{BPF_MUL, 0x10000, 0x10000, 0},
	{BPF_MUL, 6, 7, 42},
	{BPF_MUL, 0xffffffff, 3, 0xfffffffd},
	{BPF_DIV, 85, 2, 42},
	{BPF_DIV, 0xffffffff, 0x10000, 0xffff},
	{BPF_AND, 0xf0f0, 0xff00, 0xf000},
	{BPF_OR, 0xf0f0, 0x0f0f, 0xffff},
	{BPF_XOR, 0xff00ff00, 0xffffffff, 0x00ff00ff},
	{BPF_LSH, 1, 31, 0x80000000},
	{BPF_LSH, 0x12345678, 4, 0x23456780},
	{BPF_LSH, 3, 33, 6},
	{BPF_LSH, 3, 32, 3},
	{BPF_RSH, 0x80000000, 31, 1},
	{BPF_RSH, 0x12345678, 8, 0x123456},
	{BPF_RSH, 0x300, 36, 0x30},
};

static struct sock_filter *alu_program(const struct alu_case *c, bool use_x, size_t *len)
{
	static struct sock_filter p[8];
	size_t n = 0;
	p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, c->a);
	if (use_x) {
		p[n++] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_IMM, c->x);
		p[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | c->op | BPF_X, 0);
	} else {
		p[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | c->op | BPF_K, c->x);
	}
	p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	*len = n;
	return p;
}

static void test_alu(void **state)
{
	(void)state;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(alu_cases); i++) {
		const struct alu_case *c = &alu_cases[i];
		size_t len;
		struct sock_filter *p = alu_program(c, true, &len);
		assert_int_equal(run_valid(p, len, &sample), c->want);
		/* The K form, where the validator allows the constant. */
		bool k_ok = !((c->op == BPF_LSH || c->op == BPF_RSH) && c->x >= 32);
		p = alu_program(c, false, &len);
		char why[128];
		assert_int_equal(tj_bpf_validate(p, len, why, sizeof(why)), k_ok ? 0 : -1);
		if (k_ok)
			assert_int_equal(tj_bpf_run(p, len, &sample), c->want);
	}
	struct sock_filter neg[] = {BPF_STMT(BPF_LD | BPF_IMM, 1), BPF_STMT(BPF_ALU | BPF_NEG, 0),
				    BPF_STMT(BPF_RET | BPF_A, 0)};
	assert_int_equal(RUN(neg), 0xffffffff);
	/* Division by X == 0 ends the program with 0 (SECCOMP_RET_KILL_THREAD). */
	struct sock_filter div0[] = {BPF_STMT(BPF_LD | BPF_IMM, 5), BPF_STMT(BPF_LDX | BPF_IMM, 0),
				     BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0), RET_K(SECCOMP_RET_ALLOW)};
	assert_int_equal(RUN(div0), 0);
}

static void test_jumps(void **state)
{
	(void)state;
	/* JA skips k instructions. */
	struct sock_filter ja[] = {BPF_JUMP(BPF_JMP | BPF_JA, 2, 0, 0), RET_K(1), RET_K(2), RET_K(3)};
	assert_int_equal(RUN(ja), 3);
	struct sock_filter ja0[] = {BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0), RET_K(1), RET_K(2)};
	assert_int_equal(RUN(ja0), 1);

	/* Conditional jumps, K and X forms: jt when true, jf when false. */
	struct {
		uint16_t op;
		uint32_t a, k;
		bool taken;
	} cases[] = {
		{BPF_JEQ, 5, 5, true},	      {BPF_JEQ, 5, 6, false},	      {BPF_JGE, 5, 5, true},
		{BPF_JGE, 4, 5, false},	      {BPF_JGE, 0xffffffff, 1, true}, /* unsigned */
		{BPF_JGT, 6, 5, true},	      {BPF_JGT, 5, 5, false},	      {BPF_JGT, 0x80000000, 0x7fffffff, true},
		{BPF_JSET, 0x10, 0x30, true}, {BPF_JSET, 0x10, 0x20, false},
	};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(cases); i++) {
		struct sock_filter k[] = {
			BPF_STMT(BPF_LD | BPF_IMM, cases[i].a),
			BPF_JUMP(BPF_JMP | cases[i].op | BPF_K, cases[i].k, 1, 2),
			RET_K(100), /* not reached */
			RET_K(200), /* jt */
			RET_K(300), /* jf */
		};
		assert_int_equal(RUN(k), cases[i].taken ? 200 : 300);
		struct sock_filter x[] = {
			BPF_STMT(BPF_LD | BPF_IMM, cases[i].a),
			BPF_STMT(BPF_LDX | BPF_IMM, cases[i].k),
			BPF_JUMP(BPF_JMP | cases[i].op | BPF_X, 0, 0, 1),
			RET_K(200),
			RET_K(300),
		};
		assert_int_equal(RUN(x), cases[i].taken ? 200 : 300);
	}
	/* A syscall-number dispatch like libseccomp's. */
	struct sock_filter dispatch[] = {
		LD_ABS(offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		RET_K(SECCOMP_RET_KILL_PROCESS),
		LD_ABS(offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 1),
		RET_K(SECCOMP_RET_ALLOW),
		RET_K(SECCOMP_RET_ERRNO | 1),
	};
	struct seccomp_data d = {.nr = 39, .arch = AUDIT_ARCH_X86_64};
	assert_int_equal(run_valid(dispatch, TJ_ARRAY_SIZE(dispatch), &d), SECCOMP_RET_ALLOW);
	d.nr = 40;
	assert_int_equal(run_valid(dispatch, TJ_ARRAY_SIZE(dispatch), &d), SECCOMP_RET_ERRNO | 1);
	d.arch = AUDIT_ARCH_I386;
	assert_int_equal(run_valid(dispatch, TJ_ARRAY_SIZE(dispatch), &d), SECCOMP_RET_KILL_PROCESS);
}

static void expect_invalid(const struct sock_filter *p, size_t len, const char *reason)
{
	char why[160] = "";
	assert_int_equal(tj_bpf_validate(p, len, why, sizeof(why)), -1);
	assert_string_equal(why, reason);
}

static void test_validation(void **state)
{
	(void)state;
	struct sock_filter ok[] = {RET_K(SECCOMP_RET_ALLOW)};
	char why[160];
	assert_int_equal(tj_bpf_validate(ok, 1, why, sizeof(why)), 0);
	expect_invalid(ok, 0, "program length 0 is not between 1 and 4096");
	struct sock_filter *big = tj_xcalloc(BPF_MAXINSNS + 1, sizeof(*big));
	for (size_t i = 0; i <= BPF_MAXINSNS; i++)
		big[i] = (struct sock_filter)RET_K(SECCOMP_RET_ALLOW);
	assert_int_equal(tj_bpf_validate(big, BPF_MAXINSNS, why, sizeof(why)), 0);
	expect_invalid(big, BPF_MAXINSNS + 1, "program length 4097 is not between 1 and 4096");
	free(big);

	struct sock_filter off64[] = {LD_ABS(64), RET_K(0)};
	expect_invalid(off64, 2, "load offset 64 is outside struct seccomp_data or unaligned");
	struct sock_filter unaligned[] = {LD_ABS(2), RET_K(0)};
	expect_invalid(unaligned, 2, "load offset 2 is outside struct seccomp_data or unaligned");
	struct sock_filter last_word[] = {LD_ABS(60), RET_K(0)};
	assert_int_equal(tj_bpf_validate(last_word, 2, why, sizeof(why)), 0);

	/* Instructions seccomp does not accept. */
	struct sock_filter byte_load[] = {BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), RET_K(0)};
	expect_invalid(byte_load, 2, "instruction 0x0030 at 0 is not allowed in seccomp filters");
	struct sock_filter half_load[] = {BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), RET_K(0)};
	expect_invalid(half_load, 2, "instruction 0x0028 at 0 is not allowed in seccomp filters");
	struct sock_filter ind[] = {RET_K(0), BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), RET_K(0)};
	expect_invalid(ind, 3, "instruction 0x0040 at 1 is not allowed in seccomp filters");
	struct sock_filter mod[] = {BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), RET_K(0)};
	expect_invalid(mod, 2, "instruction 0x0094 at 0 is not allowed in seccomp filters");
	struct sock_filter ldx_msh[] = {BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), RET_K(0)};
	expect_invalid(ldx_msh, 2, "instruction 0x00b1 at 0 is not allowed in seccomp filters");

	struct sock_filter div0[] = {BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), RET_K(0)};
	expect_invalid(div0, 2, "division by constant zero at 0");
	struct sock_filter lsh[] = {RET_K(0), BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), RET_K(0)};
	expect_invalid(lsh, 3, "shift by 32 at 1");
	struct sock_filter rsh[] = {BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 40), RET_K(0)};
	expect_invalid(rsh, 2, "shift by 40 at 0");
	struct sock_filter rsh31[] = {BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 31), RET_K(0)};
	assert_int_equal(tj_bpf_validate(rsh31, 2, why, sizeof(why)), 0);
	struct sock_filter mem[] = {BPF_STMT(BPF_ST, 16), RET_K(0)};
	expect_invalid(mem, 2, "scratch memory index 16 out of range at 0");
	struct sock_filter memld[] = {BPF_STMT(BPF_LDX | BPF_MEM, 100), RET_K(0)};
	expect_invalid(memld, 2, "scratch memory index 100 out of range at 0");

	struct sock_filter ja[] = {BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0), RET_K(0)};
	expect_invalid(ja, 2, "jump out of the program at 0");
	struct sock_filter ja_ok[] = {BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0), RET_K(0), RET_K(1)};
	assert_int_equal(tj_bpf_validate(ja_ok, 3, why, sizeof(why)), 0);
	struct sock_filter jt[] = {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0), RET_K(0), RET_K(1)};
	expect_invalid(jt, 3, "conditional jump out of the program at 0");
	struct sock_filter jf[] = {BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 2), RET_K(0), RET_K(1)};
	expect_invalid(jf, 3, "conditional jump out of the program at 0");
	struct sock_filter jmax[] = {BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 0, 1, 1), RET_K(0), RET_K(1)};
	assert_int_equal(tj_bpf_validate(jmax, 3, why, sizeof(why)), 0);

	struct sock_filter no_ret[] = {RET_K(0), BPF_STMT(BPF_LD | BPF_IMM, 0)};
	expect_invalid(no_ret, 2, "the program does not end with a return");
	/* A short buffer still gets a terminated (truncated) reason. */
	char small[8];
	assert_int_equal(tj_bpf_validate(no_ret, 2, small, sizeof(small)), -1);
	assert_string_equal(small, "the pro");
}

/* --- the kernel agrees --- */

/* Loads prog in a child and makes getpid(); the program must return an
 * action for every other call too.  Returns what getpid returned: the
 * errno for ERRNO actions (the kernel clamps data to 4095), or -SIGSYS
 * when the child was killed. */
static long kernel_getpid(const struct sock_filter *prog, size_t len)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		struct sock_fprog fp = {.len = (unsigned short)len, .filter = (struct sock_filter *)prog};
		long v = -1000;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == 0) {
			errno = 0;
			long r = syscall(SYS_getpid);
			v = r == -1 ? errno : r;
		}
		ssize_t unused = write(fds[1], &v, sizeof(v));
		(void)unused;
		_exit(0);
	}
	close(fds[1]);
	long v = 0;
	ssize_t n = read(fds[0], &v, sizeof(v));
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (n != sizeof(v)) {
		assert_true(WIFSIGNALED(status));
		return -WTERMSIG(status);
	}
	assert_true(v != -1000);
	return v;
}

/* Wraps a computation so that getpid gets ERRNO(A & 0xfff) (after a right
 * shift to pick the window) and everything else is allowed. */
static size_t wrap(struct sock_filter *out, const struct sock_filter *body, size_t n, uint32_t shift)
{
	size_t k = 0;
	out[k++] = (struct sock_filter)LD_ABS(offsetof(struct seccomp_data, nr));
	out[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 1, 0);
	out[k++] = (struct sock_filter)RET_K(SECCOMP_RET_ALLOW);
	for (size_t i = 0; i < n - 1; i++) /* the body without its RET A */
		out[k++] = body[i];
	if (shift)
		out[k++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, shift);
	out[k++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xfff);
	out[k++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO);
	out[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	return k;
}

static void test_alu_against_kernel(void **state)
{
	(void)state;
	size_t checked = 0;
	struct seccomp_data d = {.nr = SYS_getpid, .arch = AUDIT_ARCH_X86_64};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(alu_cases); i++) {
		for (int use_x = 0; use_x < 2; use_x++) {
			const struct alu_case *c = &alu_cases[i];
			if (!use_x && (c->op == BPF_LSH || c->op == BPF_RSH) && c->x >= 32)
				continue;
			size_t blen;
			const struct sock_filter *body = alu_program(c, use_x, &blen);
			for (uint32_t shift = 0; shift < 32; shift += 12) {
				struct sock_filter prog[16];
				size_t len = wrap(prog, body, blen, shift);
				uint32_t sim = run_valid(prog, len, &d);
				assert_int_equal(sim & SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ERRNO);
				long want = (long)(sim & SECCOMP_RET_DATA);
				assert_int_equal(want, (c->want >> shift) & 0xfff);
				long got = kernel_getpid(prog, len);
				if (got != want)
					fail_msg("ALU op 0x%x %s: A=0x%x X=0x%x, bits %u..: the kernel gives 0x%lx, the simulator 0x%lx",
						 c->op, use_x ? "X" : "K", c->a, c->x, shift, got, want);
				checked++;
			}
		}
	}
	/* LEN, NEG, scratch memory and division by X == 0 in the kernel too. */
	struct sock_filter len_neg[] = {BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
					BPF_STMT(BPF_ALU | BPF_NEG, 0),
					BPF_STMT(BPF_ST, 3),
					BPF_STMT(BPF_LD | BPF_IMM, 0),
					BPF_STMT(BPF_LD | BPF_MEM, 3),
					BPF_STMT(BPF_RET | BPF_A, 0)};
	struct sock_filter prog[16];
	size_t len = wrap(prog, len_neg, TJ_ARRAY_SIZE(len_neg), 0);
	assert_int_equal(run_valid(prog, len, &d), SECCOMP_RET_ERRNO | ((uint32_t)-64 & 0xfff));
	assert_int_equal(kernel_getpid(prog, len), (long)((uint32_t)-64 & 0xfff));
	struct sock_filter div0[] = {BPF_STMT(BPF_LD | BPF_IMM, 5), BPF_STMT(BPF_LDX | BPF_IMM, 0),
				     BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0), BPF_STMT(BPF_RET | BPF_A, 0)};
	len = wrap(prog, div0, TJ_ARRAY_SIZE(div0), 0);
	assert_int_equal(run_valid(prog, len, &d), SECCOMP_RET_KILL_THREAD);
	assert_int_equal(kernel_getpid(prog, len), -SIGSYS);
	assert_true(checked >= 90);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads),	   cmocka_unit_test(test_scratch_memory),
		cmocka_unit_test(test_alu),	   cmocka_unit_test(test_jumps),
		cmocka_unit_test(test_validation), cmocka_unit_test(test_alu_against_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
