/* SPDX-License-Identifier: Apache-2.0 */
/*
 * learn's model (src/learn/): argument classes, generalisation, group
 * folding, reading a written profile back, and the merge laws on the
 * written files (A+B = B+A, (A+B)+C = A+(B+C), A+A = A, byte for byte).
 * What a rendered profile lets through is checked on the compiled program
 * with the BPF simulator.
 */
#include "unit.h"

#include <errno.h>
#include <linux/audit.h>
#include <sys/syscall.h>

#include "tj/filter/bpfsim.h"
#include "tj/filter/filter.h"
#include "tj/json/profile_json.h"
#include "tj/json/profile_write.h"
#include "tj/learn/diff.h"
#include "tj/learn/model.h"

#define ALLOW 0x7fff0000u
#define KILL 0x80000000u

/* Records one call as the recorder would: the class of its arguments. */
static void see(struct tj_learn_model *m, const char *run, const char *prog, int nr, uint64_t a0, uint64_t a1,
		uint64_t a2, uint64_t a3, uint64_t calls)
{
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64, .args = {a0, a1, a2, a3}};
	char name[64];
	tj_syscall_name(d.arch, nr, name, sizeof(name));
	const struct tj_syscall_argspec *sp = tj_argspec_find(nr);
	uint64_t key[TJ_LEARN_MAX_ARGS] = {0}, flags[TJ_LEARN_MAX_ARGS] = {0};
	if (sp) {
		tj_argspec_classify(sp, &d, key);
		for (size_t i = 0; i < sp->nargs; i++)
			if (sp->args[i].kind == TJ_AK_FLAGS) {
				flags[i] = key[i];
				key[i] = 0;
			}
	}
	enum tj_action act = nr == SYS_clone3 ? TJ_ACT_ERRNO : TJ_ACT_ALLOW;
	tj_learn_model_add(m, name, act, act == TJ_ACT_ERRNO ? ENOSYS : 0, sp, key, flags, run, calls, prog);
}

static char *render_text(const struct tj_learn_model *m, const struct tj_learn_render_opts *o,
			 struct tj_learn_stats *st)
{
	struct tj_learn_render_opts dflt = {0};
	struct tj_seccomp *s = NULL;
	char *comment = NULL, *text = NULL;
	struct tj_err *err = NULL;
	if (tj_learn_render(m, o ? o : &dflt, &s, &comment, st, &err) < 0)
		fail_msg("render: %s", err->msg);
	struct tj_profile_write_opts wo = {.flags = TJ_WRITE_SORT, .comment = comment};
	if (tj_profile_write_json(s, &wo, "learned.json", &text, &err) < 0)
		fail_msg("write: %s", err->msg);
	tj_seccomp_free(s);
	free(comment);
	return text;
}

/* The top-level comment of a written profile (test-side: the first
 * "comment" key at two spaces of indentation). */
static char *top_comment(const char *text)
{
	const char *p = strstr(text, "\n  \"comment\": \"");
	if (!p)
		return NULL;
	p += strlen("\n  \"comment\": \"");
	struct tj_buf b = {0};
	for (; *p && *p != '"'; p++) {
		if (*p == '\\')
			p++;
		tj_buf_addn(&b, p, 1);
	}
	return tj_buf_steal(&b);
}

static void read_back(const char *text, struct tj_learn_model *m)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer("learned.json", text, strlen(text), &p, &err) < 0)
		fail_msg("load: %s\n%s", err->msg, text);
	char *c = top_comment(text);
	if (tj_learn_model_from_profile(p, c, m, &err) < 0)
		fail_msg("from profile: %s", err->msg);
	free(c);
	tj_profile_free(p);
}

/* The merge of two written profiles, as `learn --merge` does it. */
static char *merge_texts(const char *a, const char *b)
{
	struct tj_learn_model ma = {0}, mb = {0};
	read_back(a, &ma);
	read_back(b, &mb);
	tj_learn_model_merge(&ma, &mb);
	char *t = render_text(&ma, NULL, NULL);
	tj_learn_model_done(&ma);
	tj_learn_model_done(&mb);
	return t;
}

/* Three runs of different programs. */
static void model_a(struct tj_learn_model *m)
{
	tj_learn_model_add_run(m, "6752e3af0001", "ls -l /usr", "exited 0, complete");
	see(m, "6752e3af0001", "/usr/bin/ls", SYS_openat, (uint64_t)-100, 0, 0x80000 /* O_CLOEXEC */, 0, 12);
	see(m, "6752e3af0001", "/usr/bin/ls", SYS_openat, (uint64_t)-100, 0, 0x90800, 0, 3);
	see(m, "6752e3af0001", "/usr/bin/ls", SYS_read, 3, 0, 832, 0, 40);
	see(m, "6752e3af0001", "/usr/bin/ls", SYS_mmap, 0, 8192, 3, 0x22, 5);
	see(m, "6752e3af0001", "/usr/bin/ls", SYS_mmap, 0, 8192, 5, 0x802, 2);
	see(m, "6752e3af0001", "/usr/bin/ls", SYS_newfstatat, 3, 0, 0, 0x1000, 9);
	see(m, "6752e3af0001", "/usr/bin/ls", SYS_ioctl, 1, 0x5401, 0, 0, 1);
}

static void model_b(struct tj_learn_model *m)
{
	tj_learn_model_add_run(m, "6752e3b00002", "sh -c \"ls | sort\"", "exited 1, complete");
	see(m, "6752e3b00002", "/usr/bin/dash", SYS_clone, 0x1200011, 0, 0, 0, 2);
	see(m, "6752e3b00002", "/usr/bin/dash", SYS_clone3, 0, 88, 0, 0, 1);
	see(m, "6752e3b00002", "/usr/bin/sort", SYS_openat, (uint64_t)-100, 0, 0x80241 /* WRONLY|CREAT|TRUNC */, 0, 1);
	see(m, "6752e3b00002", "/usr/bin/sort", SYS_read, 0, 0, 4096, 0, 7);
	see(m, "6752e3b00002", "/usr/bin/sort", SYS_socket, 1, 0x80001, 0, 0, 1);
}

static void model_c(struct tj_learn_model *m)
{
	tj_learn_model_add_run(m, "6752e3c00003", "curl http://127.0.0.1/",
			       "exited 0, incomplete: up to 1 call may be missing");
	see(m, "6752e3c00003", "/usr/bin/curl", SYS_socket, 2, 1, 6, 0, 1);
	see(m, "6752e3c00003", "/usr/bin/curl", SYS_openat, (uint64_t)-100, 0, 0x80000, 0, 30);
	see(m, "6752e3c00003", "/usr/bin/curl", SYS_clone, 0x3d0f00, 0, 0, 0, 1);
	see(m, "6752e3c00003", "/usr/bin/curl", SYS_futex, 0, 129, 1, 0, 10);
}

static char *text_of(void (*fill)(struct tj_learn_model *))
{
	struct tj_learn_model m = {0};
	fill(&m);
	char *t = render_text(&m, NULL, NULL);
	tj_learn_model_done(&m);
	return t;
}

static void test_merge_laws(void **state)
{
	(void)state;
	char *a = text_of(model_a), *b = text_of(model_b), *c = text_of(model_c);
	/* Reading back and writing again changes nothing. */
	char *aa0 = merge_texts(a, "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\"}");
	assert_string_equal(aa0, a);
	char *ab = merge_texts(a, b), *ba = merge_texts(b, a);
	assert_string_equal(ab, ba);
	char *ab_c = merge_texts(ab, c), *bc = merge_texts(b, c), *a_bc = merge_texts(a, bc);
	assert_string_equal(ab_c, a_bc);
	char *aa = merge_texts(a, a);
	assert_string_equal(aa, a);
	/* A profile merged with something it already holds stays the same. */
	char *ab_a = merge_texts(ab, a);
	assert_string_equal(ab_a, ab);
	/* The merge has both runs and sums a syscall's calls across them. */
	assert_contains(ab, "2 runs: 6752e3af0001 \\\"ls -l /usr\\\" (exited 0, complete); 6752e3b00002 "
			    "\\\"sh -c \\\\\\\"ls | sort\\\\\\\"\\\" (exited 1, complete)");
	assert_contains(ab, "\"comment\": \"learned in 2 runs (6752e3af0001: 40 calls, 6752e3b00002: 7 calls), "
			    "first by \\\"/usr/bin/ls\\\"\"");
	free(a);
	free(b);
	free(c);
	free(aa0);
	free(ab);
	free(ba);
	free(ab_c);
	free(bc);
	free(a_bc);
	free(aa);
	free(ab_a);
}

/* Compiles text and answers one call with the BPF simulator. */
static uint32_t verdict(const char *text, int nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer("l.json", text, strlen(text), &p, &err) < 0)
		fail_msg("load: %s", err->msg);
	struct tj_host host = {.go_arch = "amd64", .kernel_major = 6, .kernel_minor = 1};
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE, .host = &host};
	struct tj_filter *f = NULL;
	if (tj_filter_compile(p, &fo, &f, &err) < 0)
		fail_msg("compile: %s", err->msg);
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64, .args = {a0, a1, a2, a3}};
	uint32_t r = tj_bpf_run(f->prog, f->len, &d);
	tj_filter_free(f);
	tj_profile_free(p);
	return r;
}

static void test_enforced_classes(void **state)
{
	(void)state;
	struct tj_learn_model m = {0};
	model_a(&m);
	model_b(&m);
	model_c(&m);
	char *t = render_text(&m, NULL, NULL);
	/* The open classes seen, in openat and (generalised) open. */
	assert_int_equal(verdict(t, SYS_openat, -100, 0, 0x80000, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_openat, -100, 0, 0x98800 /* + NONBLOCK|DIRECTORY */, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_open, 0, 0x80241, 0, 0), ALLOW);
	/* High bits of an int change nothing, as in the kernel. */
	assert_int_equal(verdict(t, SYS_openat, -100, 0, 0x100080000ull, 0), ALLOW);
	/* A class never seen: read-write. */
	assert_int_equal(verdict(t, SYS_openat, -100, 0, 0x80002, 0) & 0xffff0000u, KILL);
	/* clone: the flags seen, not a namespace. */
	assert_int_equal(verdict(t, SYS_clone, 0x1200011, 0, 0, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_clone, 0x3d0f00, 0, 0, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_clone, 0x1200011 | 0x10000000 /* CLONE_NEWUSER */, 0, 0, 0) & 0xffff0000u,
			 KILL);
	assert_int_equal(verdict(t, SYS_clone3, 0, 88, 0, 0), 0x00050000u | ENOSYS);
	/* socket: the families seen; TCP's protocol 0 as 6; no raw sockets. */
	assert_int_equal(verdict(t, SYS_socket, 2, 1, 6, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_socket, 2, 0x80801, 0, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_socket, 1, 1, 0, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_socket, 2, 3 /* SOCK_RAW */, 0, 0) & 0xffff0000u, KILL);
	assert_int_equal(verdict(t, SYS_socket, 17 /* AF_PACKET */, 3, 0, 0) & 0xffff0000u, KILL);
	/* mmap: within the protections seen, never writable and executable. */
	assert_int_equal(verdict(t, SYS_mmap, 0, 4096, 1, 0x802), ALLOW);
	assert_int_equal(verdict(t, SYS_mmap, 0, 4096, 0, 0x22), ALLOW);
	assert_int_equal(verdict(t, SYS_mmap, 0, 4096, 7, 0x22) & 0xffff0000u, KILL);
	/* Executable memory stays file-backed: no anonymous PROT_EXEC. */
	assert_int_equal(verdict(t, SYS_mmap, 0, 4096, 5, 0x22) & 0xffff0000u, KILL);
	/* futex: private operations only. */
	assert_int_equal(verdict(t, SYS_futex, 0, 128 | 9, 0, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_futex, 0, 1, 0, 0) & 0xffff0000u, KILL);
	/* The ioctl classes: isatty's TCGETS brings the window size. */
	assert_int_equal(verdict(t, SYS_ioctl, 1, 0x5413, 0, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_ioctl, 1, 0x5412 /* TIOCSTI */, 0, 0) & 0xffff0000u, KILL);
	/* libc drift: the stat family, and always the exits. */
	assert_int_equal(verdict(t, SYS_statx, 0, 0, 0, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_exit_group, 0, 0, 0, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_ptrace, 0, 0, 0, 0) & 0xffff0000u, KILL);
	free(t);

	/* --exact: only what was made (and clone3's ENOSYS). */
	struct tj_learn_render_opts exact = {.exact = true};
	t = render_text(&m, &exact, NULL);
	assert_int_equal(verdict(t, SYS_openat, -100, 0, 0x80000, 0), ALLOW);
	assert_int_equal(verdict(t, SYS_open, 0, 0x80000, 0, 0) & 0xffff0000u, KILL);
	assert_int_equal(verdict(t, SYS_statx, 0, 0, 0, 0) & 0xffff0000u, KILL);
	assert_int_equal(verdict(t, SYS_ioctl, 1, 0x5413, 0, 0) & 0xffff0000u, KILL);
	assert_int_equal(verdict(t, SYS_clone3, 0, 88, 0, 0), 0x00050000u | ENOSYS);
	assert_null(strstr(t, "generalised: libc"));
	free(t);
	tj_learn_model_done(&m);
}

static void test_stats_and_comments(void **state)
{
	(void)state;
	struct tj_learn_model m = {0};
	model_a(&m);
	struct tj_learn_stats st;
	struct tj_learn_render_opts exact = {.exact = true};
	char *t = render_text(&m, &exact, &st);
	/* openat, read, mmap, newfstatat, ioctl: 3 in the argument table,
	 * each constrained. */
	assert_int_equal(st.allowed, 5);
	assert_int_equal(st.observed, 5);
	assert_int_equal(st.generalised, 0);
	assert_int_equal(st.arg_capable, 3);
	assert_int_equal(st.arg_constrained, 3);
	assert_int_equal(st.runs, 1);
	assert_contains(t, "\"comment\": \"learned in 1 run (6752e3af0001: 12 calls), first by \\\"/usr/bin/ls\\\"; "
			   "open flag class O_RDONLY\"");
	assert_contains(t, "mapping flags within MAP_PRIVATE|MAP_ANONYMOUS");
	free(t);
	t = render_text(&m, NULL, &st);
	assert_true(st.generalised > 5);
	assert_int_equal(st.observed, 5);
	assert_true(st.allowed == st.observed + st.generalised);
	free(t);
	tj_learn_model_done(&m);
}

static void test_groups(void **state)
{
	(void)state;
	struct tj_learn_model m = {0};
	tj_learn_model_add_run(&m, "6752e3af0001", "sync-all", "exited 0, complete");
	/* Every member of @sync. */
	int sync_calls[] = {SYS_fdatasync, SYS_fsync, SYS_msync, SYS_sync, SYS_sync_file_range, SYS_syncfs};
	for (size_t i = 0; i < 6; i++)
		see(&m, "6752e3af0001", "/usr/bin/sync", sync_calls[i], 0, 0, 0, 0, 1);
	see(&m, "6752e3af0001", "/usr/bin/sync", SYS_getpid, 0, 0, 0, 0, 1);
	struct tj_learn_stats st;
	struct tj_learn_render_opts o = {.exact = true};
	char *t = render_text(&m, &o, &st);
	assert_contains(t, "\"names\": [\"@sync\"]");
	assert_contains(t, "group @sync, every member allowed | fdatasync: learned in 1 run");
	assert_null(strstr(t, "\"names\": [\"fsync\"]"));
	assert_int_equal(st.groups, 1);
	assert_int_equal(st.allowed, 7);
	assert_int_equal(verdict(t, SYS_syncfs, 0, 0, 0, 0), ALLOW);
	/* Read back, the group's members are entries again. */
	struct tj_learn_model back = {0};
	read_back(t, &back);
	char *again = render_text(&back, &o, NULL);
	assert_string_equal(again, t);
	free(again);
	tj_learn_model_done(&back);
	free(t);
	/* Below 100%, a group never takes in a syscall the profile answers
	 * otherwise (openat2 and clone3: ENOSYS): it compiles, and openat2
	 * still gets ENOSYS. */
	struct tj_learn_model m2 = {0};
	model_a(&m2);
	model_b(&m2);
	int io[] = {SYS_close, SYS_write, SYS_lseek, SYS_dup};
	for (size_t i = 0; i < 4; i++)
		see(&m2, "6752e3b00002", "/usr/bin/sort", io[i], 0, 0, 0, 0, 1);
	struct tj_learn_render_opts low = {.group_share = 10};
	char *t2 = render_text(&m2, &low, &st);
	assert_contains(t2, "\"names\": [\"@basic-io\"]");
	assert_contains(t2, "group @basic-io, 5 of 16 members allowed");
	assert_int_equal(verdict(t2, SYS_openat2, 0, 0, 0, 0), 0x00050000u | ENOSYS);
	assert_int_equal(verdict(t2, SYS_clone3, 0, 0, 0, 0), 0x00050000u | ENOSYS);
	free(t2);
	tj_learn_model_done(&m2);
	/* The share counts what the runs made: generalised members alone
	 * (the exits, rseq...) fold nothing; and no group with a member learn
	 * checks the arguments of (@default holds mmap: W+X). */
	struct tj_learn_model empty = {0};
	t2 = render_text(&empty, &low, &st);
	assert_int_equal(st.groups, 0);
	free(t2);
	struct tj_learn_model one = {0};
	model_a(&one);
	t2 = render_text(&one, &low, &st);
	assert_null(strstr(t2, "\"@default\""));
	assert_int_equal(verdict(t2, SYS_mmap, 0, 4096, 7, 0x22), KILL);
	free(t2);
	tj_learn_model_done(&one);
	o.plain_names = true;
	t = render_text(&m, &o, &st);
	assert_null(strstr(t, "@sync"));
	assert_contains(t, "\"names\": [\"fsync\"]");
	assert_int_equal(st.groups, 0);
	free(t);
	tj_learn_model_done(&m);
}

static void test_foreign_rules_kept(void **state)
{
	(void)state;
	const char *hand = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
			   "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"by hand\"},"
			   "{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}";
	char *a = text_of(model_a);
	char *merged = merge_texts(a, hand);
	assert_contains(merged, "\"names\": [\"getppid\"],\n      \"action\": \"SCMP_ACT_ALLOW\",\n      "
				"\"comment\": \"by hand\"");
	assert_contains(merged, "\"names\": [\"ptrace\"],\n      \"action\": \"SCMP_ACT_ERRNO\"");
	/* Merging it again changes nothing. */
	char *twice = merge_texts(merged, hand);
	assert_string_equal(twice, merged);
	free(twice);
	free(merged);
	free(a);
}

static void test_rule_for_call(void **state)
{
	(void)state;
	struct tj_rule r;
	struct seccomp_data d = {.nr = SYS_socket, .arch = AUDIT_ARCH_X86_64, .args = {10, 0x80002, 17}};
	tj_learn_rule_for_call(&d, &r);
	assert_string_equal(r.names.v[0], "socket");
	assert_int_equal(r.nargs, 3);
	assert_int_equal(r.args[0].value_two, 10);
	assert_int_equal(r.args[1].value_two, 2);
	assert_contains(r.comment, "socket domain AF_INET6, socket type SOCK_DGRAM, socket protocol 17");
	tj_rule_done(&r);
}

static void test_argspec_table(void **state)
{
	(void)state;
	size_t n;
	const struct tj_syscall_argspec *t = tj_argspec_table(&n);
	for (size_t i = 0; i < n; i++) {
		int nr;
		assert_int_equal(tj_syscall_resolve(t[i].name, &nr), TJ_SYSCALL_NATIVE);
		assert_int_equal(nr, t[i].nr);
		if (i)
			assert_true(t[i - 1].nr < t[i].nr);
		assert_ptr_equal(tj_argspec_find(t[i].nr), &t[i]);
		for (size_t k = 0; k < t[i].nargs; k++) {
			const struct tj_argspec *a = &t[i].args[k];
			assert_true(a->mask <= 0xffffffffull);
			/* Every comparison reads back as the class it came from. */
			uint64_t v = a->kind == TJ_AK_NULLNESS ? 1 : (0x5a5a & a->mask);
			struct tj_arg cmp;
			uint64_t back;
			assert_true(tj_argspec_comparison(a, v, &cmp));
			assert_true(tj_argspec_from_comparison(a, &cmp, &back));
			assert_int_equal(back, v);
		}
	}
	assert_null(tj_argspec_find(SYS_read));
}

/* The resolved (group-expanded) seccomp section of a profile text. */
static struct tj_filter *resolved(const char *text)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_buffer("d.json", text, strlen(text), &p, &err) < 0)
		fail_msg("load: %s", err->msg);
	struct tj_host host = {.go_arch = "amd64", .kernel_major = 6, .kernel_minor = 1};
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE, .host = &host};
	struct tj_filter *f = NULL;
	if (tj_filter_compile(p, &fo, &f, &err) < 0)
		fail_msg("compile: %s", err->msg);
	tj_profile_free(p);
	return f;
}

static void diff_texts(const char *a, const char *b, struct tj_diff *d)
{
	struct tj_filter *fa = resolved(a), *fb = resolved(b);
	tj_profile_diff(fa->resolved, fb->resolved, d);
	tj_filter_free(fa);
	tj_filter_free(fb);
}

static const struct tj_diff_line *line_for(const struct tj_diff *d, const char *syscall)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].syscall && strcmp(d->v[i].syscall, syscall) == 0)
			return &d->v[i];
	return NULL;
}

#define OPENAT_CLASS(v) "{\"index\": 2, \"value\": 4194883, \"valueTwo\": " #v ", \"op\": \"SCMP_CMP_MASKED_EQ\"}"

static void test_diff(void **state)
{
	(void)state;
	const char *a =
		"{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
		"{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"openat\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [" OPENAT_CLASS(
			0) "]},"
			   "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
			   " {\"index\": 0, \"value\": 4294967278, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
			   "{\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
			   " {\"index\": 2, \"value\": 4294967295, \"valueTwo\": 3, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
			   "{\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
			   " {\"index\": 2, \"value\": 4294967295, \"valueTwo\": 7, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}";
	/* Written differently, the same meaning: groups and another order. */
	const char *a2 =
		"{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"syscalls\": ["
		"{\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		" {\"index\": 2, \"value\": 4294967295, \"valueTwo\": 7, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
		"{\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		" {\"index\": 2, \"value\": 4294967295, \"valueTwo\": 3, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
		"{\"names\": [\"write\", \"read\", \"ptrace\", \"kill\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"openat\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [" OPENAT_CLASS(
			0) "]},"
			   "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
			   " {\"index\": 0, \"value\": 4294967278, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}";
	struct tj_diff d;
	diff_texts(a, a2, &d);
	assert_int_equal(d.n, 0);
	tj_diff_done(&d);

	const char *b =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{\"names\": [\"read\", \"write\", \"socket\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
		"{\"names\": [\"openat\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [" OPENAT_CLASS(
			0) "]},"
			   "{\"names\": [\"openat\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [" OPENAT_CLASS(
				   577) "]},"
					"{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
					" {\"index\": 0, \"value\": 4294967295, \"valueTwo\": 17, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
					"{\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
					" {\"index\": 2, \"value\": 4294967295, \"valueTwo\": 3, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
					"{\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
					" {\"index\": 2, \"value\": 4294967295, \"valueTwo\": 5, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}";
	diff_texts(a, b, &d);
	assert_int_equal(d.v[0].kind, TJ_DIFF_DEFAULT);
	assert_string_equal(d.v[0].text, "SCMP_ACT_KILL_PROCESS -> SCMP_ACT_ERRNO(EPERM)");
	const struct tj_diff_line *l = line_for(&d, "socket");
	assert_non_null(l);
	assert_int_equal(l->kind, TJ_DIFF_ADDED);
	l = line_for(&d, "ptrace");
	assert_int_equal(l->kind, TJ_DIFF_REMOVED);
	assert_contains(l->text, "now the default, SCMP_ACT_ERRNO(EPERM)");
	l = line_for(&d, "kill");
	assert_int_equal(l->kind, TJ_DIFF_ACTION);
	assert_contains(l->text, "SCMP_ACT_ALLOW for any arguments -> SCMP_ACT_ERRNO(EACCES) for any arguments");
	l = line_for(&d, "openat");
	assert_int_equal(l->kind, TJ_DIFF_WIDENED);
	assert_contains(l->text, "+ open flag class O_WRONLY|O_CREAT|O_TRUNC");
	/* Flags within SIGCHLD only: fewer than "anything but 0x11". */
	l = line_for(&d, "clone");
	assert_int_equal(l->kind, TJ_DIFF_NARROWED);
	l = line_for(&d, "mmap");
	assert_int_equal(l->kind, TJ_DIFF_CHANGED);
	assert_contains(l->text, "+ memory protection PROT_READ|PROT_EXEC");
	assert_contains(l->text, "- memory protection PROT_READ|PROT_WRITE|PROT_EXEC");
	assert_null(line_for(&d, "read"));
	tj_diff_done(&d);

	/* The other way round, widened and narrowed swap. */
	diff_texts(b, a, &d);
	assert_int_equal(line_for(&d, "openat")->kind, TJ_DIFF_NARROWED);
	assert_int_equal(line_for(&d, "clone")->kind, TJ_DIFF_WIDENED);
	assert_int_equal(line_for(&d, "socket")->kind, TJ_DIFF_REMOVED);
	tj_diff_done(&d);
}

/* notes/learn.md's argument table names every syscall of the code's table. */
static void test_notes_table(void **state)
{
	(void)state;
	FILE *f = fopen("notes/learn.md", "re");
	if (!f)
		skip(); /* run from the repository's root (make check does) */
	struct tj_buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		tj_buf_addn(&b, chunk, n);
	fclose(f);
	size_t count;
	const struct tj_syscall_argspec *t = tj_argspec_table(&count);
	for (size_t i = 0; i < count; i++) {
		char want[64];
		snprintf(want, sizeof(want), "`%s`", t[i].name);
		if (!strstr(b.s, want))
			fail_msg("notes/learn.md does not name %s in its argument table", want);
	}
	tj_buf_done(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argspec_table),	 cmocka_unit_test(test_merge_laws),
		cmocka_unit_test(test_enforced_classes), cmocka_unit_test(test_stats_and_comments),
		cmocka_unit_test(test_groups),		 cmocka_unit_test(test_foreign_rules_kept),
		cmocka_unit_test(test_rule_for_call),	 cmocka_unit_test(test_diff),
		cmocka_unit_test(test_notes_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
