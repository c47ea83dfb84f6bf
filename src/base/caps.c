/* SPDX-License-Identifier: Apache-2.0 */
/* Capability names and sets through libcap. */
#include <ctype.h>
#include <string.h>
#include <sys/capability.h>

#include "tj/base/caps.h"
#include "tj/base/util.h"

int tj_cap_from_name(const char *name)
{
	char buf[64];
	size_t n = strlen(name);
	if (n == 0 || n + 5 > sizeof(buf))
		return -1;
	/* libcap wants "cap_sys_admin"; accept "CAP_SYS_ADMIN" and "SYS_ADMIN". */
	size_t off = 0;
	if (strncasecmp(name, "cap_", 4) != 0) {
		memcpy(buf, "cap_", 4);
		off = 4;
	}
	for (size_t i = 0; i <= n; i++)
		buf[off + i] = (char)tolower((unsigned char)name[i]);
	cap_value_t v;
	if (cap_from_name(buf, &v) != 0 || v < 0 || v > 63)
		return -1;
	return (int)v;
}

void tj_caps_describe(uint64_t caps, struct tj_buf *out)
{
	bool first = true;
	for (cap_value_t v = 0; v < 64; v++) {
		if (!(caps & ((uint64_t)1 << v)))
			continue;
		char *name = cap_to_name(v); /* "cap_net_raw", or a number for unknown ones */
		tj_buf_add(out, first ? "" : ",");
		for (char *p = name; p && *p; p++)
			tj_buf_addf(out, "%c", toupper((unsigned char)*p));
		cap_free(name);
		first = false;
	}
}

uint64_t tj_caps_permitted(void)
{
	uint64_t mask = 0;
	cap_t caps = cap_get_proc();
	if (!caps)
		return 0;
	for (cap_value_t v = 0; v < 64 && cap_valid(v); v++) {
		cap_flag_value_t on = CAP_CLEAR;
		if (cap_get_flag(caps, v, CAP_PERMITTED, &on) == 0 && on == CAP_SET)
			mask |= (uint64_t)1 << v;
	}
	cap_free(caps);
	return mask;
}
