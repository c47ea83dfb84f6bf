/* SPDX-License-Identifier: Apache-2.0 */
/* What execve opens besides the program (exefile), and the tree copy behind
 * size-limited directories (copytree), on real files in a temporary
 * directory. */
#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/copytree.h"
#include "tj/base/exefile.h"
#include "tj/base/util.h"

static char dir[] = "/tmp/tj-unit-files-XXXXXX";
static const struct tj_copy_opts plain = {0};

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = tj_xasprintf("rm -rf '%s'", dir);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static char *path(const char *name)
{
	return tj_xasprintf("%s/%s", dir, name);
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	char *p = path(name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	free(p);
}

/* The dynamic loader of this system, as the kernel would find it. */
static const char *loader(void)
{
	return access("/lib64/ld-linux-x86-64.so.2", F_OK) == 0 ? "/lib64/ld-linux-x86-64.so.2" : NULL;
}

static void test_exe_dynamic_elf(void **state)
{
	(void)state;
	if (!loader())
		skip();
	struct tj_strv v = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_exe_dependencies("/bin/sh", &v, &err), 0);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0], loader());
	tj_strv_done(&v);
}

static void test_exe_script(void **state)
{
	(void)state;
	if (!loader())
		skip();
	write_file("script", "#!/bin/sh -e\necho hi\n", 0755);
	write_file("spaced", "#!   /bin/sh\n", 0755);
	char *p = path("script");
	struct tj_strv v = {0};
	struct tj_err *err = NULL;
	assert_int_equal(tj_exe_dependencies(p, &v, &err), 0);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[0], "/bin/sh");
	assert_string_equal(v.v[1], loader());
	tj_strv_done(&v);
	free(p);
	p = path("spaced");
	assert_int_equal(tj_exe_dependencies(p, &v, &err), 0);
	assert_string_equal(v.v[0], "/bin/sh");
	tj_strv_done(&v);
	free(p);
}

static void test_exe_static_and_odd(void **state)
{
	(void)state;
	struct tj_strv v = {0};
	struct tj_err *err = NULL;
	/* A static binary needs nothing else (busybox-static is a test dependency). */
	if (access("/bin/busybox", F_OK) == 0) {
		assert_int_equal(tj_exe_dependencies("/bin/busybox", &v, &err), 0);
		assert_int_equal(v.n, 0);
	}
	/* Not ELF and not a script: nothing to add; the kernel judges it. */
	write_file("text", "just text\n", 0755);
	char *p = path("text");
	assert_int_equal(tj_exe_dependencies(p, &v, &err), 0);
	assert_int_equal(v.n, 0);
	free(p);
	write_file("empty-shebang", "#!\n", 0755);
	p = path("empty-shebang");
	assert_int_equal(tj_exe_dependencies(p, &v, &err), -1);
	assert_contains(err->msg, "empty #! line");
	tj_err_free(err);
	err = NULL;
	free(p);
	write_file("missing-interp", "#!/no/such/interpreter\n", 0755);
	p = path("missing-interp");
	assert_int_equal(tj_exe_dependencies(p, &v, &err), -1);
	assert_contains(err->msg, "'/no/such/interpreter', the interpreter of");
	tj_err_free(err);
	free(p);
	tj_strv_done(&v);
}

static int open_dir(const char *name)
{
	char *p = path(name);
	mkdir(p, 0755);
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(p);
	assert_true(fd >= 0);
	return fd;
}

static char *read_text(const char *name)
{
	char *p = path(name);
	FILE *f = fopen(p, "r");
	free(p);
	if (!f)
		return NULL;
	char buf[256] = {0};
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	return tj_xstrndup(buf, n);
}

static mode_t mode_of(const char *name)
{
	char *p = path(name);
	struct stat st;
	int r = lstat(p, &st);
	free(p);
	return r == 0 ? st.st_mode : 0;
}

static void test_copytree(void **state)
{
	(void)state;
	int src = open_dir("src"), dst = open_dir("dst");
	write_file("src/a", "alpha", 0640);
	write_file("src/setuid", "x", 04755);
	assert_int_equal(mkdirat(src, "sub", 0750), 0);
	write_file("src/sub/b", "beta", 0600);
	assert_int_equal(symlinkat("a", src, "rel-link"), 0);
	assert_int_equal(symlinkat("/etc/passwd", src, "abs-link"), 0);
	assert_int_equal(mkfifoat(src, "fifo", 0600), 0);
	struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
	assert_int_equal(utimensat(src, "a", old, AT_SYMLINK_NOFOLLOW), 0);
	write_file("dst/a", "old contents that are longer", 0644);
	write_file("dst/keep", "kept", 0644);

	struct tj_copy_stats st;
	char why[256] = "";
	assert_int_equal(tj_copytree(src, dst, &plain, &st, why, sizeof(why)), 0);
	assert_int_equal(st.files, 3);
	assert_int_equal(st.dirs, 1);
	assert_int_equal(st.links, 2);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(st.bytes, 5 + 1 + 4);

	char *t = read_text("dst/a");
	assert_string_equal(t, "alpha"); /* replaced, not appended */
	free(t);
	t = read_text("dst/sub/b");
	assert_string_equal(t, "beta");
	free(t);
	t = read_text("dst/keep");
	assert_string_equal(t, "kept"); /* nothing in dst is deleted */
	free(t);
	assert_int_equal(mode_of("dst/a") & 07777, 0640);
	assert_int_equal(mode_of("dst/sub") & 07777, 0750);
	assert_int_equal(mode_of("dst/setuid") & 07777, 0755); /* never set-user-ID */
	assert_true(S_ISLNK(mode_of("dst/rel-link")));
	assert_true(S_ISLNK(mode_of("dst/abs-link"))); /* copied as a link, not followed */
	assert_int_equal(mode_of("dst/fifo"), 0);
	struct stat sa;
	assert_int_equal(fstatat(dst, "a", &sa, 0), 0);
	assert_int_equal(sa.st_mtim.tv_sec, 1000000000);
	close(src);
	close(dst);
}

/* A symbolic link already in the destination is never written through. */
static void test_copytree_does_not_follow(void **state)
{
	(void)state;
	int src = open_dir("src2"), dst = open_dir("dst2");
	write_file("outside", "untouched", 0644);
	write_file("src2/trap", "attack", 0644);
	char *outside = path("outside");
	assert_int_equal(symlinkat(outside, dst, "trap"), 0);
	struct tj_copy_stats st;
	char why[256] = "";
	assert_true(tj_copytree(src, dst, &plain, &st, why, sizeof(why)) < 0);
	assert_contains(why, "trap");
	char *t = read_text("outside");
	assert_string_equal(t, "untouched");
	free(t);
	free(outside);

	/* Nor is a directory link: a directory in src meets a link in dst. */
	int src3 = open_dir("src3"), dst3 = open_dir("dst3");
	assert_int_equal(mkdirat(src3, "d", 0755), 0);
	write_file("src3/d/f", "attack", 0644);
	char *target = path("dst2");
	assert_int_equal(symlinkat(target, dst3, "d"), 0);
	assert_true(tj_copytree(src3, dst3, &plain, &st, why, sizeof(why)) < 0);
	assert_int_equal(mode_of("dst2/f"), 0);
	free(target);
	close(src);
	close(dst);
	close(src3);
	close(dst3);
}

/* Holes stay holes, files over the size cap are counted and left out, and
 * an existing file is replaced rather than written through (hard links). */
static void test_copytree_sparse_and_links(void **state)
{
	(void)state;
	int src = open_dir("src4"), dst = open_dir("dst4");
	int fd = openat(src, "holes", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "x", 1, 3 << 20), 1);
	assert_int_equal(ftruncate(fd, 8 << 20), 0);
	close(fd);
	fd = openat(src, "huge", O_WRONLY | O_CREAT, 0644);
	assert_int_equal(ftruncate(fd, 64 << 20), 0);
	close(fd);
	write_file("src4/linked", "new", 0644);
	write_file("victim", "precious", 0644);
	char *victim = path("victim"), *linked = path("dst4/linked");
	assert_int_equal(link(victim, linked), 0);

	struct tj_copy_opts opts = {.max_file_size = 16 << 20};
	struct tj_copy_stats st;
	char why[256] = "";
	assert_int_equal(tj_copytree(src, dst, &opts, &st, why, sizeof(why)), 0);
	assert_int_equal(st.too_big, 1);
	assert_string_equal(st.first_too_big, "huge");
	assert_int_equal(st.files, 2);
	struct stat sb;
	assert_int_equal(fstatat(dst, "holes", &sb, 0), 0);
	assert_int_equal(sb.st_size, 8 << 20);
	assert_true(sb.st_blocks * 512 < (1 << 20)); /* not 8 MiB of zeros */
	assert_true(st.bytes < (1 << 20));
	assert_int_equal(fstatat(dst, "huge", &sb, 0), -1);
	char *t = read_text("dst4/linked");
	assert_string_equal(t, "new");
	free(t);
	t = read_text("victim");
	assert_string_equal(t, "precious"); /* the other name kept its content */
	free(t);
	free(victim);
	free(linked);
	close(src);
	close(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exe_dynamic_elf),		 cmocka_unit_test(test_exe_script),
		cmocka_unit_test(test_exe_static_and_odd),	 cmocka_unit_test(test_copytree),
		cmocka_unit_test(test_copytree_does_not_follow), cmocka_unit_test(test_copytree_sparse_and_links),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
