/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the OCI seccomp agent protocol as `tinyjail supervise` reads
 * it from a runtime: the bytes of one connection (tj_agent_receive, over a
 * real socket pair) and the container state they must hold
 * (tj_agent_state_parse).  One entry point for libFuzzer and AFL++; seeds in
 * tests/fuzz/corpus/agent/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tj/supervise/agent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse(const char *json, size_t len)
{
	struct tj_err *err = NULL;
	struct tj_agent_state st;
	if (tj_agent_state_parse(json, len, &st, &err) < 0)
		tj_err_free(err);
	else
		tj_agent_state_done(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse((const char *)data, size);

	/* Through the receiving side: framing, size limit, early completion. */
	int sv[2];
	if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	int sz = 1 << 18;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	size_t off = 0;
	while (off < size) {
		ssize_t n = write(sv[0], data + off, size - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(sv[0]);
	char *json = NULL;
	size_t len = 0, nfds = 0;
	int fds[TJ_AGENT_MAX_FDS];
	struct tj_err *err = NULL;
	if (tj_agent_receive(sv[1], &json, &len, fds, &nfds, &err) < 0) {
		tj_err_free(err);
	} else {
		parse(json, len);
		free(json);
	}
	close(sv[1]);
	return 0;
}
