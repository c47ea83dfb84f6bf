/* SPDX-License-Identifier: Apache-2.0 */
/* Call chains for people (tj/report/chain.h). */
#include <stdio.h>
#include <string.h>

#include "tj/base/util.h"
#include "tj/report/chain.h"

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

void tj_chain_frame_name(const struct tj_frame *f, char *buf, size_t size)
{
	if (f->function && f->function[0]) {
		size_t len = strcspn(f->function, "@");
		if (len == 0)
			len = strlen(f->function);
		snprintf(buf, size, "%.*s", (int)len, f->function);
	} else if (f->module && f->module[0]) {
		snprintf(buf, size, "%s+0x%llx", f->module, (unsigned long long)f->offset);
	} else {
		snprintf(buf, size, "0x%llx", (unsigned long long)f->pc);
	}
}

char *tj_chain_text(const char *syscall, const struct tj_frame *v, size_t n, bool truncated)
{
	return tj_chain_text_short(syscall, v, n, truncated, 0);
}

/* Frames up to and including main: what the chain shows. */
static size_t shown(const struct tj_frame *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char name[256];
		tj_chain_frame_name(&v[i], name, sizeof(name));
		if (v[i].function && strcmp(name, "main") == 0)
			return i + 1;
	}
	return n;
}

char *tj_chain_text_short(const char *syscall, const struct tj_frame *v, size_t n, bool truncated, size_t max)
{
	size_t total = shown(v, n);
	bool cut = max >= 8 && total > max;
	struct tj_buf b = {0};
	tj_buf_add(&b, syscall);
	const char *prev_module = NULL;
	for (size_t i = 0; i < total; i++) {
		if (cut && i == max - 4) {
			tj_buf_addf(&b, "%s\xe2\x80\xa6 (%zu frames) \xe2\x80\xa6", TJ_CHAIN_ARROW, total - (max - 1));
			i = total - 3;
			prev_module = NULL;
		}
		const struct tj_frame *f = &v[i];
		char name[256];
		tj_chain_frame_name(f, name, sizeof(name));
		tj_buf_addf(&b, "%s%s", TJ_CHAIN_ARROW, name);
		bool named = f->function && f->function[0];
		if (f->file && f->file[0] && f->line > 0)
			tj_buf_addf(&b, " (%s:%d)", base_name(f->file), f->line);
		else if (named && f->module && (!prev_module || strcmp(prev_module, f->module) != 0))
			tj_buf_addf(&b, " (%s)", f->module);
		prev_module = f->module;
		/* Above main is the C library's start-up. */
		if (named && strcmp(name, "main") == 0)
			return tj_sanitize(tj_buf_steal(&b));
	}
	if (truncated)
		tj_buf_add(&b, TJ_CHAIN_ARROW "?");
	/* Module, file and function names are the command's to choose: no
	 * terminal escapes (issue 16 item 16). */
	return tj_sanitize(tj_buf_steal(&b));
}
