/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by all layers: child-side error records. */
#include <string.h>

#include "tj/layers/layer.h"

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t i = 0;
	for (; src && src[i] && i + 1 < size; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

int tj_child_fail(struct tj_child_error *cerr, enum tj_err_kind kind, int errnum, const char *layer, const char *msg)
{
	cerr->kind = (int)kind;
	cerr->errnum = errnum;
	copy_str(cerr->layer, sizeof(cerr->layer), layer);
	copy_str(cerr->msg, sizeof(cerr->msg), msg);
	return -1;
}

int tj_child_fail_path(struct tj_child_error *cerr, enum tj_err_kind kind, int errnum, const char *layer,
		       const char *msg, const char *path)
{
	tj_child_fail(cerr, kind, errnum, layer, msg);
	size_t n = strlen(cerr->msg);
	copy_str(cerr->msg + n, sizeof(cerr->msg) - n, " '");
	n = strlen(cerr->msg);
	copy_str(cerr->msg + n, sizeof(cerr->msg) - n, path);
	n = strlen(cerr->msg);
	copy_str(cerr->msg + n, sizeof(cerr->msg) - n, "'");
	return -1;
}
