/* SPDX-License-Identifier: Apache-2.0 */
/* Decisions -> profile file (writeback.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/json/profile_json.h"
#include "tj/json/writeback.h"

static int read_all(const char *path, char **ret, size_t *ret_len, struct tj_err **err)
{
	tj_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_PROFILE, errno, "cannot read the profile '%s'", path);
	struct tj_buf b = {0};
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			tj_buf_done(&b);
			return tj_err_set(err, TJ_ERR_PROFILE, e, "cannot read the profile '%s'", path);
		}
		if (n == 0)
			break;
		tj_buf_addn(&b, chunk, (size_t)n);
	}
	*ret_len = b.len;
	*ret = b.s ? tj_buf_steal(&b) : tj_xstrdup("");
	return 0;
}

/* Replaces path with text: a temporary file in the same directory, then
 * rename, so a reader sees the old or the new profile, never half of one. */
int tj_writeback_replace_file(const char *path, const char *text, size_t len, mode_t mode, struct tj_err **err)
{
	tj_autofree char *tmp = tj_xasprintf("%s.XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot create a file next to '%s'", path);
	size_t off = 0;
	int e = 0;
	while (off < len && !e) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			e = n < 0 ? errno : EIO;
		else
			off += (size_t)n;
	}
	if (!e && fchmod(fd, mode) < 0)
		e = errno;
	if (!e && fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) < 0)
		e = errno;
	if (e) {
		unlink(tmp);
		return tj_err_set(err, TJ_ERR_INTERNAL, e, "cannot write '%s'", path);
	}
	return 0;
}

int tj_writeback(struct tj_writeback *wb, struct tj_memory *mem, size_t *ret_written, struct tj_notes *skipped,
		 struct tj_err **err)
{
	*ret_written = 0;
	bool copy = wb->out != NULL;
	struct tj_added_rule *add = tj_xcalloc(mem->n ? mem->n : 1, sizeof(*add));
	char **comments = tj_xcalloc(mem->n ? mem->n : 1, sizeof(*comments));
	size_t *which = tj_xcalloc(mem->n ? mem->n : 1, sizeof(*which));
	size_t n = 0, fresh = 0;
	for (size_t i = 0; i < mem->n; i++) {
		const struct tj_learned *l = &mem->v[i];
		if (l->skipped || (l->written && !copy))
			continue;
		fresh += !l->written;
		which[n] = i;
		comments[n] = tj_xasprintf("tinyjail supervise: %s, decided by %s", tj_decision_name(l->d.kind),
					   l->why);
		add[n] = (struct tj_added_rule){.name = l->name,
						.action = tj_decision_action(&l->d),
						.errno_ret = (unsigned)l->d.errnum,
						.args = l->args,
						.nargs = l->nargs,
						.comment = comments[n]};
		n++;
	}
	int ret = 0;
	char *text = NULL, *updated = NULL;
	size_t len = 0;
	struct stat st;
	if (fresh == 0)
		goto out;
	if (stat(wb->profile, &st) < 0) {
		ret = tj_err_set(err, TJ_ERR_PROFILE, errno, "cannot read the profile '%s'", wb->profile);
		goto out;
	}
	if ((ret = read_all(wb->profile, &text, &len, err)) < 0)
		goto out;
	if ((ret = tj_profile_json_add_rules(wb->profile, text, len, add, n, &updated, skipped, err)) < 0)
		goto out;
	size_t nskipped = 0;
	for (size_t k = 0; k < n; k++) {
		mem->v[which[k]].skipped = add[k].skipped;
		nskipped += add[k].skipped;
	}
	if (!copy && !wb->backed_up) {
		tj_autofree char *bak = tj_xasprintf("%s.bak", wb->profile);
		if ((ret = tj_writeback_replace_file(bak, text, len, st.st_mode & 07777, err)) < 0)
			goto out;
		wb->backed_up = true;
	}
	if ((ret = tj_writeback_replace_file(copy ? wb->out : wb->profile, updated, strlen(updated), st.st_mode & 07777,
					     err)) < 0)
		goto out;
	for (size_t i = 0; i < mem->n; i++)
		mem->v[i].written = true;
	*ret_written = n - nskipped;
out:
	for (size_t i = 0; i < n; i++)
		free(comments[i]);
	free(comments);
	free(which);
	free(add);
	free(text);
	free(updated);
	return ret;
}
