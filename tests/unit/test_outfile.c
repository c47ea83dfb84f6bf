/* SPDX-License-Identifier: Apache-2.0 */
/* Output files (outfile.h) and the path walk under them (safepath.h) on
 * real files: links and special files planted at the path are refused or
 * replaced, never written through; links of other users are not followed. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/outfile.h"
#include "tj/base/safepath.h"
#include "tj/base/util.h"

static char dir[] = "/tmp/tj-unit-outfile-XXXXXX";

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

static void put(const char *name, const char *text)
{
	char *p = path(name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static char *get(const char *name)
{
	char *p = path(name);
	static char buf[256];
	FILE *f = fopen(p, "r");
	free(p);
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_refusals(void **state)
{
	(void)state;
	struct tj_outfile f = TJ_OUTFILE_INIT;
	struct tj_err *err = NULL;
	char *link = path("link"), *fifo = path("fifo"), *victim = path("victim");
	put("victim", "precious");
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(tj_outfile_prepare(&f, link, "the status file", &err), -1);
	assert_contains(err->msg, "is a symbolic link, not a regular file");
	tj_err_free(err);
	err = NULL;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(tj_outfile_prepare(&f, fifo, "the log file", &err), -1);
	assert_contains(err->msg, "the log file");
	assert_contains(err->msg, "is a special file");
	tj_err_free(err);
	err = NULL;
	assert_int_equal(tj_outfile_prepare(&f, dir, "the log file", &err), -1);
	assert_contains(err->msg, "is a directory");
	tj_err_free(err);
	err = NULL;
	char *slash = tj_xasprintf("%s/", dir);
	assert_int_equal(tj_outfile_prepare(&f, slash, "the log file", &err), -1);
	assert_contains(err->msg, "names a directory");
	tj_err_free(err);
	err = NULL;
	char *missing = path("no/such/file");
	assert_int_equal(tj_outfile_prepare(&f, missing, "the log file", &err), -1);
	assert_contains(err->msg, "cannot open the log file");
	tj_err_free(err);
	assert_string_equal(get("victim"), "precious");
	free(link), free(fifo), free(victim), free(slash), free(missing);
}

static void test_replace_not_through_links(void **state)
{
	(void)state;
	struct tj_outfile f = TJ_OUTFILE_INIT;
	struct tj_err *err = NULL;
	char *out = path("status.json"), *victim = path("victim2"), *hard = path("hard.json");
	put("victim2", "precious");
	assert_int_equal(tj_outfile_prepare(&f, out, "the status file", &err), 0);
	/* After the check, the command plants a link at the name: replaced,
	 * never followed. */
	assert_int_equal(symlink(victim, out), 0);
	assert_int_equal(tj_outfile_replace(&f, "{}\n", 3, &err), 0);
	tj_outfile_done(&f);
	struct stat st;
	assert_int_equal(lstat(out, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal(get("status.json"), "{}\n");
	assert_string_equal(get("victim2"), "precious");

	/* A hard link at the name: the new file replaces the entry. */
	assert_int_equal(link(victim, hard), 0);
	assert_int_equal(tj_outfile_prepare(&f, hard, "the log file", &err), 0);
	int fd = tj_outfile_create(&f, &err);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "log\n", 4), 4);
	close(fd);
	tj_outfile_done(&f);
	assert_string_equal(get("hard.json"), "log\n");
	assert_string_equal(get("victim2"), "precious");

	/* A name without a directory is in the current one. */
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(tj_outfile_prepare(&f, "plain", "the status file", &err), 0);
	assert_int_equal(tj_outfile_replace(&f, "x", 1, &err), 0);
	tj_outfile_done(&f);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(get("plain"), "x");
	free(out), free(victim), free(hard);
}

static int fill_pieces(int fd, void *ctx)
{
	int fail = *(int *)ctx;
	if (tj_outfile_write_all(fd, "part one, ", 10) != 0)
		return EIO;
	if (fail)
		return fail;
	return tj_outfile_write_all(fd, "part two", 8);
}

/* Content written in pieces: all of it or, when the writer fails, the old
 * file untouched and no temporary file left behind. */
static void test_replace_in_pieces(void **state)
{
	(void)state;
	struct tj_outfile f = TJ_OUTFILE_INIT;
	struct tj_err *err = NULL;
	char *out = path("page.html");
	put("page.html", "old page");
	int fail = 0;
	assert_int_equal(tj_outfile_prepare(&f, out, "the report", &err), 0);
	assert_int_equal(tj_outfile_replace_with(&f, fill_pieces, &fail, &err), 0);
	tj_outfile_done(&f);
	assert_string_equal(get("page.html"), "part one, part two");
	fail = ENOSPC;
	assert_int_equal(tj_outfile_prepare(&f, out, "the report", &err), 0);
	assert_int_equal(tj_outfile_replace_with(&f, fill_pieces, &fail, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->errnum, ENOSPC);
	tj_err_free(err);
	tj_outfile_done(&f);
	assert_string_equal(get("page.html"), "part one, part two");
	char *cmd = tj_xasprintf("ls -A '%s' | grep -c '\\.tmp$' >/dev/null", dir);
	assert_int_not_equal(system(cmd), 0); /* grep found no temporary file */
	free(cmd);
	free(out);
}

static void test_safepath(void **state)
{
	(void)state;
	struct tj_err *err = NULL;
	char *real = path("real"), *mine = path("mine"), *theirs = path("theirs"), *made = path("real/made");
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, mine), 0);
	assert_int_equal(symlink(real, theirs), 0);
	/* Links another user owns are refused wherever they are on the path;
	 * links of root and of the trusted user are followed. */
	uid_t me = getuid(), other = me == 65534 ? 65533 : 65534;
	bool can_chown = lchown(theirs, other, other) == 0;
	int fd = tj_safepath_open_dir(mine, me, NULL, 0, "--rw-limit", &err);
	assert_true(fd >= 0);
	struct stat a, b;
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(real, &b), 0);
	assert_true(a.st_ino == b.st_ino);
	close(fd);
	if (can_chown) {
		assert_int_equal(tj_safepath_open_dir(theirs, me, NULL, 0, "--rw-limit", &err), -1);
		assert_contains(err->msg, "'theirs' on the way is a symbolic link owned by uid");
		tj_err_free(err);
		err = NULL;
		char *via = tj_xasprintf("%s/sub", theirs);
		bool created = true;
		assert_int_equal(tj_safepath_open_dir(via, me, &created, 0755, "--rw-limit", &err), -1);
		assert_false(created);
		tj_err_free(err);
		err = NULL;
		free(via);
	}
	/* Creation of the last component only, and only when asked. */
	bool created = false;
	assert_int_equal(tj_safepath_open_dir(made, me, NULL, 0, "x", &err), -1);
	assert_contains(err->msg, "cannot find it");
	tj_err_free(err);
	err = NULL;
	fd = tj_safepath_open_dir(made, me, &created, 0700, "x", &err);
	assert_true(fd >= 0 && created);
	close(fd);
	fd = tj_safepath_open_dir(made, me, &created, 0700, "x", &err);
	assert_true(fd >= 0 && !created);
	close(fd);
	/* Relative paths, "." and ".." walk like the kernel's. */
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	fd = tj_safepath_open_dir("./mine/made/../made", me, NULL, 0, "x", &err);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(tj_safepath_open_dir("real/nothing/x", me, NULL, 0, "x", &err), -1);
	tj_err_free(err);
	err = NULL;
	put("file", "x");
	assert_int_equal(tj_safepath_open_dir("file", me, NULL, 0, "x", &err), -1);
	assert_contains(err->msg, "not a directory");
	tj_err_free(err);
	assert_int_equal(chdir(cwd), 0);
	free(real), free(mine), free(theirs), free(made);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_replace_not_through_links),
		cmocka_unit_test(test_replace_in_pieces),
		cmocka_unit_test(test_safepath),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
