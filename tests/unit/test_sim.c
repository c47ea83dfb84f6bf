/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table tests for the seccomp compiler, in the spirit of libseccomp's
 * tests/NN-*.tests: every tests/sim/NAME.tests file names a profile and lists
 * system calls with the action the compiled program must return for them.
 *
 *   # comment
 *   profile: tests/sim/profiles/args.json   (relative to the repository root)
 *   mode: truth | complain | supervise       (optional; default truth)
 *   ARCH  SYSCALL  ARG0 ARG1 ARG2 ARG3 ARG4 ARG5  RESULT
 *
 * ARCH is x86_64, x86 or x32.  SYSCALL is a name (resolved for that ABI with
 * libseccomp's own table, never tinyjail's), a number, or a range N-M of
 * numbers, each of which is checked; x32 numbers are given without the x32
 * bit.  An argument is a number (decimal, 0x hex, or negative decimal, which
 * is two's complement) or '-' for "any": the row is then tried with several
 * values for it (0, 1, 0xffffffff, 0xffffffffffffffff and pseudo-random
 * ones).  x86 arguments are 32 bits wide, as the kernel passes them.
 * RESULT is ALLOW, KILL_PROCESS, KILL_THREAD, TRAP, LOG, NOTIFY, TRACE(n)
 * or ERRNO(n).
 *
 * A file may hold several sections: each profile: or mode: line applies to
 * the rows after it.  "truth" evaluates the profile's own actions; "complain"
 * and "supervise" evaluate the program that would be loaded in complain mode
 * or in enforce mode with kills routed through the supervisor.
 *
 * Every row is evaluated on programs compiled with --optimize 0 (chosen by
 * size), 1 (linear) and 2 (binary tree), and every program must pass
 * tj_bpf_validate.  In complain and supervise sections the program kept as
 * the truth must also agree with the profile's own program.
 */
#include "unit.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "tj/filter/bpfsim.h"
#include "tj/filter/filter.h"
#include "tj/json/profile_json.h"

#define X32_BIT 0x40000000u
#define NOPT 3 /* optimize 0, 1, 2 */
#define MAX_REPORTS_PER_ROW 3

/* The driver's self-test runs bad tables on purpose: keep them quiet. */
static bool quiet;
#define report(...)                               \
	do {                                      \
		if (!quiet)                       \
			print_error(__VA_ARGS__); \
	} while (0)

static const struct tj_host sim_host = {.go_arch = "amd64", .kernel_major = 6, .kernel_minor = 1, .caps = 0};

enum sim_mode {
	MODE_TRUTH,
	MODE_COMPLAIN,
	MODE_SUPERVISE
};

/* Totals over all files, checked by the last test. */
static struct {
	size_t files, rows, evaluations;
	bool kind_seen[8];
	bool arch_seen[3];
	bool range_seen, any_seen, complain_seen, supervise_seen;
} totals;

/* --- actions --- */

static const struct {
	const char *name;
	uint32_t value;
	bool takes_data;
} kinds[] = {
	{"ALLOW", SECCOMP_RET_ALLOW, false},
	{"KILL_PROCESS", SECCOMP_RET_KILL_PROCESS, false},
	{"KILL_THREAD", SECCOMP_RET_KILL_THREAD, false},
	{"TRAP", SECCOMP_RET_TRAP, false},
	{"LOG", SECCOMP_RET_LOG, false},
	{"NOTIFY", SECCOMP_RET_USER_NOTIF, false},
	{"TRACE", SECCOMP_RET_TRACE, true},
	{"ERRNO", SECCOMP_RET_ERRNO, true},
};

static bool parse_number(const char *s, uint64_t *ret)
{
	bool neg = false;
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (!isdigit((unsigned char)*s))
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	if (neg && strncmp(s, "0x", 2) == 0)
		return false;
	*ret = neg ? (uint64_t)(-(int64_t)v) : (uint64_t)v;
	return true;
}

static int parse_result(const char *s, uint32_t *ret)
{
	for (size_t i = 0; i < TJ_ARRAY_SIZE(kinds); i++) {
		size_t n = strlen(kinds[i].name);
		if (strncmp(s, kinds[i].name, n) != 0)
			continue;
		if (!kinds[i].takes_data) {
			if (s[n])
				continue;
			*ret = kinds[i].value;
			return (int)i;
		}
		if (s[n] != '(' || s[strlen(s) - 1] != ')')
			continue;
		char num[32];
		size_t len = strlen(s) - n - 2;
		if (len == 0 || len >= sizeof(num))
			return -1;
		memcpy(num, s + n + 1, len);
		num[len] = '\0';
		uint64_t v;
		if (!parse_number(num, &v) || v > SECCOMP_RET_DATA)
			return -1;
		*ret = kinds[i].value | (uint32_t)v;
		return (int)i;
	}
	return -1;
}

static void format_result(uint32_t v, char *buf, size_t size)
{
	uint32_t action = v & SECCOMP_RET_ACTION_FULL;
	for (size_t i = 0; i < TJ_ARRAY_SIZE(kinds); i++) {
		if (kinds[i].value != action)
			continue;
		if (kinds[i].takes_data)
			snprintf(buf, size, "%s(%u)", kinds[i].name, v & SECCOMP_RET_DATA);
		else if (v & SECCOMP_RET_DATA)
			snprintf(buf, size, "%s+0x%x", kinds[i].name, v & SECCOMP_RET_DATA);
		else
			snprintf(buf, size, "%s", kinds[i].name);
		return;
	}
	snprintf(buf, size, "0x%08x", v);
}

/* --- one section: a profile compiled for one mode --- */

struct section {
	char *profile;
	enum sim_mode mode;
	struct tj_filter *f[NOPT]; /* the program for the mode, per optimize level */
	struct tj_filter *truth;   /* the profile's own program (truth mode, optimize 0) */
	bool failed;		   /* compile failed: rows are not evaluated */
};

static void section_reset(struct section *s)
{
	for (int i = 0; i < NOPT; i++) {
		tj_filter_free(s->f[i]);
		s->f[i] = NULL;
	}
	tj_filter_free(s->truth);
	s->truth = NULL;
	s->failed = false;
}

static int compile(const char *path, enum sim_mode mode, int optimize, struct tj_filter **ret, char **msg)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_file(path, path, &p, &err) < 0) {
		*msg = tj_err_format(err);
		tj_err_free(err);
		return -1;
	}
	struct tj_filter_opts o = {
		.mode = mode == MODE_COMPLAIN ? TJ_MODE_COMPLAIN : TJ_MODE_ENFORCE,
		.supervise_kills = mode == MODE_SUPERVISE,
		.optimize = optimize,
		.host = &sim_host,
	};
	int rc = tj_filter_compile(p, &o, ret, &err);
	if (rc < 0) {
		*msg = tj_err_format(err);
		tj_err_free(err);
	}
	tj_profile_free(p);
	return rc;
}

static int check_program(const char *file, int line, const char *what, const struct sock_filter *prog, size_t len)
{
	char why[256];
	if (tj_bpf_validate(prog, len, why, sizeof(why)) < 0) {
		report("%s:%d: %s does not validate: %s\n", file, line, what, why);
		return -1;
	}
	return 0;
}

/* Compiles the section's programs before its first row; returns -1 (after
 * reporting) when that fails. */
static int section_prepare(struct section *s, const char *file, int line)
{
	if (s->failed)
		return -1;
	if (s->f[0])
		return 0;
	if (!s->profile) {
		report("%s:%d: a row before any 'profile:' line\n", file, line);
		s->failed = true;
		return -1;
	}
	char *msg = NULL;
	for (int o = 0; o < NOPT; o++) {
		if (compile(s->profile, s->mode, o, &s->f[o], &msg) < 0)
			goto fail;
		char what[64];
		snprintf(what, sizeof(what), "the program (optimize %d)", o);
		if (check_program(file, line, what, s->f[o]->prog, s->f[o]->len) < 0)
			goto fail;
		if (s->f[o]->truth &&
		    check_program(file, line, "the truth program", s->f[o]->truth, s->f[o]->truth_len) < 0)
			goto fail;
		if (s->mode == MODE_TRUTH && s->f[o]->truth) {
			report("%s:%d: a truth-mode compile kept a separate truth program\n", file, line);
			goto fail;
		}
	}
	if (compile(s->profile, MODE_TRUTH, 0, &s->truth, &msg) < 0)
		goto fail;
	return 0;
fail:
	if (msg)
		report("%s:%d: cannot compile %s: %s\n", file, line, s->profile, msg);
	free(msg);
	s->failed = true;
	return -1;
}

/* --- rows --- */

static uint64_t rng_next(uint64_t *state)
{
	/* xorshift64*: deterministic, so a failing row fails the same way again. */
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

struct row {
	int arch_index; /* 0 x86_64, 1 x86, 2 x32 */
	uint32_t audit_arch;
	uint32_t first, last; /* syscall numbers, x32 bit not included */
	const char *syscall_text;
	bool any[6];
	uint64_t args[6];
	uint32_t expect;
};

static const struct {
	const char *name;
	uint32_t audit;
	uint32_t token;
} arches[] = {
	{"x86_64", AUDIT_ARCH_X86_64, SCMP_ARCH_X86_64},
	{"x86", AUDIT_ARCH_I386, SCMP_ARCH_X86},
	{"x32", AUDIT_ARCH_X86_64, SCMP_ARCH_X32},
};

/* Parses a row; returns -1 with a message in why. */
static int parse_row(char **tok, int ntok, struct row *r, char *why, size_t why_size)
{
	memset(r, 0, sizeof(*r));
	if (ntok != 9) {
		snprintf(why, why_size, "expected 9 fields (ARCH SYSCALL ARG0..ARG5 RESULT), got %d", ntok);
		return -1;
	}
	r->arch_index = -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(tok[0], arches[i].name) == 0)
			r->arch_index = i;
	if (r->arch_index < 0) {
		snprintf(why, why_size, "unknown architecture '%s' (x86_64, x86 or x32)", tok[0]);
		return -1;
	}
	r->audit_arch = arches[r->arch_index].audit;
	r->syscall_text = tok[1];
	if (isdigit((unsigned char)tok[1][0])) {
		char *dash = strchr(tok[1], '-');
		uint64_t a, b;
		if (dash) {
			*dash = '\0';
			bool ok = parse_number(tok[1], &a) && parse_number(dash + 1, &b);
			*dash = '-';
			if (!ok || a > b || b >= X32_BIT) {
				snprintf(why, why_size, "bad syscall range '%s'", tok[1]);
				return -1;
			}
			totals.range_seen = true;
		} else {
			if (!parse_number(tok[1], &a) || a >= X32_BIT) {
				snprintf(why, why_size, "bad syscall number '%s'", tok[1]);
				return -1;
			}
			b = a;
		}
		r->first = (uint32_t)a;
		r->last = (uint32_t)b;
	} else {
		int nr = seccomp_syscall_resolve_name_arch(arches[r->arch_index].token, tok[1]);
		if (nr < 0) {
			snprintf(why, why_size,
				 "'%s' has no number of its own on %s in libseccomp's table; give the number", tok[1],
				 tok[0]);
			return -1;
		}
		r->first = r->last = (uint32_t)nr & ~X32_BIT;
	}
	for (int i = 0; i < 6; i++) {
		const char *t = tok[2 + i];
		if (strcmp(t, "-") == 0) {
			r->any[i] = true;
			totals.any_seen = true;
		} else if (!parse_number(t, &r->args[i])) {
			snprintf(why, why_size, "bad argument %d '%s'", i, t);
			return -1;
		}
	}
	int kind = parse_result(tok[8], &r->expect);
	if (kind < 0) {
		snprintf(why, why_size, "bad result '%s'", tok[8]);
		return -1;
	}
	totals.kind_seen[kind] = true;
	totals.arch_seen[r->arch_index] = true;
	return 0;
}

/* The argument vectors a row is tried with: one when no argument is "any";
 * otherwise every "any" argument takes each value in turn, all together and
 * staggered, with fresh random values for the last slot. */
#define NCOMBOS 10
static void row_args(const struct row *r, int combo, uint64_t *rng, uint64_t out[6])
{
	static const uint64_t values[4] = {0, 1, 0xffffffffu, 0xffffffffffffffffu};
	for (int i = 0; i < 6; i++) {
		if (!r->any[i]) {
			out[i] = r->args[i];
			continue;
		}
		int k = combo < 5 ? combo : (combo - 5 + i) % 5;
		out[i] = k < 4 ? values[k] : rng_next(rng);
	}
	if (r->arch_index == 1)
		for (int i = 0; i < 6; i++)
			out[i] &= 0xffffffffu;
}

static bool row_has_any(const struct row *r)
{
	for (int i = 0; i < 6; i++)
		if (r->any[i])
			return true;
	return false;
}

static const char *mode_name(enum sim_mode m)
{
	return m == MODE_COMPLAIN ? "complain" : m == MODE_SUPERVISE ? "supervise" : "truth";
}

/* Evaluates one row; returns the number of mismatching evaluations. */
static size_t run_row(struct section *s, const struct row *r, const char *file, int line)
{
	size_t bad = 0, reports = 0;
	uint64_t rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)line << 32) ^ r->first;
	int ncombos = row_has_any(r) ? NCOMBOS : 1;
	for (uint32_t nr = r->first; nr <= r->last; nr++) {
		for (int c = 0; c < ncombos; c++) {
			struct seccomp_data d = {
				.nr = (int)(r->arch_index == 2 ? nr | X32_BIT : nr),
				.arch = r->audit_arch,
				.instruction_pointer = 0x7f0000001000ULL,
			};
			uint64_t args[6];
			row_args(r, c, &rng, args);
			for (int i = 0; i < 6; i++)
				d.args[i] = args[i];
			uint32_t want_truth = tj_bpf_run(s->truth->prog, s->truth->len, &d);
			for (int o = 0; o < NOPT; o++) {
				const struct tj_filter *f = s->f[o];
				uint32_t got = tj_bpf_run(f->prog, f->len, &d);
				totals.evaluations++;
				const char *problem = NULL;
				uint32_t want = r->expect;
				if (got != r->expect) {
					problem = "program";
				} else if (s->mode != MODE_TRUTH) {
					/* The truth kept beside the loaded program must
					 * be the profile's own program. */
					const struct sock_filter *tp = f->truth ? f->truth : f->prog;
					size_t tl = f->truth ? f->truth_len : f->len;
					got = tj_bpf_run(tp, tl, &d);
					want = want_truth;
					if (got != want)
						problem = "kept truth program";
				}
				if (!problem)
					continue;
				bad++;
				if (reports++ >= MAX_REPORTS_PER_ROW)
					continue;
				char w[48], g[48];
				format_result(want, w, sizeof(w));
				format_result(got, g, sizeof(g));
				report("%s:%d: %s %s (nr %d) args 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx [%s, "
				       "optimize %d]: %s returns %s, expected %s\n",
				       file, line, arches[r->arch_index].name, r->syscall_text, d.nr,
				       (unsigned long long)d.args[0], (unsigned long long)d.args[1],
				       (unsigned long long)d.args[2], (unsigned long long)d.args[3],
				       (unsigned long long)d.args[4], (unsigned long long)d.args[5], mode_name(s->mode),
				       o, problem, g, w);
			}
		}
	}
	if (reports > MAX_REPORTS_PER_ROW)
		report("%s:%d: ... %zu mismatches in this row\n", file, line, bad);
	return bad;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

struct file_result {
	size_t rows, errors, mismatched_rows;
};

/* Runs one .tests file; every problem is printed with file:line. */
static struct file_result run_file(const char *file)
{
	struct file_result res = {0};
	FILE *fp = fopen(file, "r");
	if (!fp) {
		report("%s: cannot open: %s\n", file, strerror(errno));
		res.errors++;
		return res;
	}
	struct section s = {0};
	char buf[1024];
	int line = 0;
	while (fgets(buf, sizeof(buf), fp)) {
		line++;
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		char *t = trim(buf);
		if (!*t)
			continue;
		if (strncmp(t, "profile:", 8) == 0) {
			section_reset(&s);
			free(s.profile);
			s.profile = tj_xstrdup(trim(t + 8));
			continue;
		}
		if (strncmp(t, "mode:", 5) == 0) {
			const char *m = trim(t + 5);
			section_reset(&s);
			if (strcmp(m, "truth") == 0)
				s.mode = MODE_TRUTH;
			else if (strcmp(m, "complain") == 0)
				s.mode = MODE_COMPLAIN;
			else if (strcmp(m, "supervise") == 0)
				s.mode = MODE_SUPERVISE;
			else {
				report("%s:%d: unknown mode '%s' (truth, complain or supervise)\n", file, line, m);
				res.errors++;
			}
			continue;
		}
		char *tok[16];
		int ntok = 0;
		for (char *p = strtok(t, " \t"); p && ntok < 16; p = strtok(NULL, " \t"))
			tok[ntok++] = p;
		struct row r;
		char why[256];
		if (parse_row(tok, ntok, &r, why, sizeof(why)) < 0) {
			report("%s:%d: %s\n", file, line, why);
			res.errors++;
			continue;
		}
		res.rows++;
		if (section_prepare(&s, file, line) < 0) {
			res.errors++;
			continue;
		}
		if (s.mode == MODE_COMPLAIN)
			totals.complain_seen = true;
		if (s.mode == MODE_SUPERVISE)
			totals.supervise_seen = true;
		if (run_row(&s, &r, file, line))
			res.mismatched_rows++;
	}
	fclose(fp);
	section_reset(&s);
	free(s.profile);
	return res;
}

/* --- cmocka --- */

static void test_tests_file(void **state)
{
	const char *file = *state;
	quiet = false;
	struct file_result res = run_file(file);
	totals.files++;
	totals.rows += res.rows;
	if (res.errors || res.mismatched_rows)
		fail_msg("%s: %zu of %zu rows do not match, %zu errors", file, res.mismatched_rows, res.rows,
			 res.errors);
	if (res.rows == 0)
		fail_msg("%s: no rows", file);
}

/* The driver itself: a wrong expectation, a bad line and a range must be
 * caught, so that a table that passes means something. */
static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_driver_catches_mismatches(void **state)
{
	(void)state;
	__typeof__(totals) saved = totals; /* these rows do not count */
	quiet = true;
	char path[] = "/tmp/tj-sim-XXXXXX.tests";
	int fd = mkstemps(path, 6);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "profile: tests/sim/profiles/default_errno.json\n"
			 "x86_64 getpid - - - - - - ALLOW\n"	 /* right */
			 "x86_64 getpid - - - - - - ERRNO(1)\n"	 /* wrong */
			 "x86_64 getppid 0 0 0 0 0 0 ERRNO(1)\n" /* right */
			 "x86_64 0-1000 0 0 0 0 0 0 ERRNO(1)\n"	 /* wrong for getpid (39) only */
			 "x86_64 getppid 0 0 0 0 0 ERRNO(1)\n"	 /* too few fields */
			 "x86_64 getppid 0 0 0 0 0 0 DENY\n"	 /* bad result */
			 "arm64 getppid 0 0 0 0 0 0 ERRNO(1)\n"	 /* bad arch */
			 "mode: sideways\n");
	struct file_result res = run_file(path);
	unlink(path);
	assert_int_equal(res.rows, 4);
	assert_int_equal(res.mismatched_rows, 2);
	assert_int_equal(res.errors, 4);

	/* A profile that does not compile is an error, not a pass. */
	write_file(path, "profile: tests/sim/profiles/does-not-exist.json\n"
			 "x86_64 getpid - - - - - - ALLOW\n");
	res = run_file(path);
	unlink(path);
	quiet = false;
	assert_int_equal(res.errors, 1);
	assert_int_equal(res.mismatched_rows, 0);
	totals = saved;
}

static void test_driver_parsing(void **state)
{
	(void)state;
	__typeof__(totals) saved = totals;
	uint32_t v;
	assert_int_equal(parse_result("ALLOW", &v), 0);
	assert_int_equal(v, 0x7fff0000u);
	assert_int_equal(parse_result("KILL_PROCESS", &v), 1);
	assert_int_equal(v, 0x80000000u);
	assert_int_equal(parse_result("KILL_THREAD", &v), 2);
	assert_int_equal(v, 0);
	assert_int_equal(parse_result("TRAP", &v), 3);
	assert_int_equal(v, 0x00030000u);
	assert_int_equal(parse_result("LOG", &v), 4);
	assert_int_equal(v, 0x7ffc0000u);
	assert_int_equal(parse_result("NOTIFY", &v), 5);
	assert_int_equal(v, 0x7fc00000u);
	assert_int_equal(parse_result("TRACE(7)", &v), 6);
	assert_int_equal(v, 0x7ff00007u);
	assert_int_equal(parse_result("ERRNO(55)", &v), 7);
	assert_int_equal(v, 0x00050037u);
	assert_int_equal(parse_result("ERRNO(0x10000)", &v), -1);
	assert_int_equal(parse_result("ERRNO()", &v), -1);
	assert_int_equal(parse_result("ERRNO", &v), -1);
	assert_int_equal(parse_result("ALLOWX", &v), -1);
	uint64_t u;
	assert_true(parse_number("-100", &u));
	assert_true(u == 0xffffffffffffff9cULL);
	assert_true(parse_number("0xffffffffffffffff", &u));
	assert_true(u == UINT64_MAX);
	assert_false(parse_number("0x1g", &u));
	assert_false(parse_number("-", &u));
	char b[32];
	format_result(0x00050026u, b, sizeof(b));
	assert_string_equal(b, "ERRNO(38)");
	format_result(0x80000000u, b, sizeof(b));
	assert_string_equal(b, "KILL_PROCESS");
	format_result(0x12345678u, b, sizeof(b));
	assert_string_equal(b, "0x12345678");

	/* x32 names resolve to x32 numbers; x86 names to i386 numbers. */
	char s1[] = "x32", s2[] = "getpid", a[] = "-", res[] = "ALLOW";
	char *tok[9] = {s1, s2, a, a, a, a, a, a, res};
	struct row r;
	char why[128];
	assert_int_equal(parse_row(tok, 9, &r, why, sizeof(why)), 0);
	assert_int_equal(r.first, 39);
	assert_int_equal(r.audit_arch, AUDIT_ARCH_X86_64);
	char s3[] = "x86";
	tok[0] = s3;
	assert_int_equal(parse_row(tok, 9, &r, why, sizeof(why)), 0);
	assert_int_equal(r.first, 20);
	assert_int_equal(r.audit_arch, AUDIT_ARCH_I386);
	char s4[] = "socket"; /* only socketcall on i386 in libseccomp's naming */
	tok[1] = s4;
	assert_int_equal(parse_row(tok, 9, &r, why, sizeof(why)), -1);
	totals = saved;
}

static void test_coverage(void **state)
{
	(void)state;
	/* The tables must exercise what the brief of this suite promises. */
	assert_true(totals.files >= 10);
	assert_true(totals.rows >= 400);
	for (size_t i = 0; i < TJ_ARRAY_SIZE(kinds); i++)
		if (!totals.kind_seen[i])
			fail_msg("no row expects %s", kinds[i].name);
	for (int i = 0; i < 3; i++)
		if (!totals.arch_seen[i])
			fail_msg("no %s row", arches[i].name);
	assert_true(totals.range_seen);
	assert_true(totals.any_seen);
	assert_true(totals.complain_seen);
	assert_true(totals.supervise_seen);
	print_message("sim: %zu files, %zu rows, %zu evaluations\n", totals.files, totals.rows, totals.evaluations);
}

int main(void)
{
	glob_t g;
	int rc = glob("tests/sim/*.tests", 0, NULL, &g);
	if (rc != 0) {
		fprintf(stderr, "test_sim: no tests/sim/*.tests (run from the repository root)\n");
		return 1;
	}
	size_t n = g.gl_pathc + 3;
	struct CMUnitTest *tests = tj_xcalloc(n, sizeof(*tests));
	size_t k = 0;
	tests[k++] = (struct CMUnitTest){.name = "driver_parsing", .test_func = test_driver_parsing};
	tests[k++] = (struct CMUnitTest){.name = "driver_catches_mismatches",
					 .test_func = test_driver_catches_mismatches};
	for (size_t i = 0; i < g.gl_pathc; i++)
		tests[k++] = (struct CMUnitTest){.name = g.gl_pathv[i],
						 .test_func = test_tests_file,
						 .initial_state = g.gl_pathv[i]};
	tests[k++] = (struct CMUnitTest){.name = "coverage", .test_func = test_coverage};
	int failed = _cmocka_run_group_tests("sim", tests, k, NULL, NULL);
	free(tests);
	globfree(&g);
	return failed;
}
