/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: kernel-log records (/dev/kmsg, --complain=kmsg), which carry
 * text the command influences (its comm), and the argument decoder that
 * names a notified call's registers.  One entry point for libFuzzer and
 * AFL++; seeds in tests/fuzz/corpus/kmsg/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tj/events/decode.h"
#include "tj/events/kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tj_kmsg_record rec;
	uint64_t count;
	tj_kmsg_parse((const char *)data, size, &rec, &count);

	/* The same bytes as registers: any number, any arguments. */
	struct seccomp_data sd;
	memset(&sd, 0, sizeof(sd));
	memcpy(&sd, data, size < sizeof(sd) ? size : sizeof(sd));
	char call[512];
	tj_decode_call(&sd, call, sizeof(call));
	if (memchr(call, '\0', sizeof(call)) == NULL)
		__builtin_trap();
	return 0;
}
