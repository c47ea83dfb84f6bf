/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the OCI seccomp agent protocol as `tinyjail supervise` reads
 * it from a runtime: the bytes of one connection over a real socket pair, in
 * chunks, with file descriptors attached by SCM_RIGHTS (the first two bytes
 * choose the chunk size and which chunks carry fds), read by the incremental
 * reader the supervisor uses and by tj_agent_receive, and the container
 * state they must hold (tj_agent_state_parse).  One entry point for libFuzzer and AFL++; seeds in
 * tests/fuzz/corpus/agent/.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

/* Sends data in chunks of the first byte's size, attaching 0 to 3 fds to
 * chunks as the second byte's bits say (SCM_RIGHTS), and closes. */
static void send_framed(int sock, const uint8_t *data, size_t size, unsigned piece, unsigned fdbits)
{
	size_t off = 0;
	for (unsigned k = 0; off < size; k++) {
		size_t n = size - off < piece ? size - off : piece;
		struct iovec iov = {.iov_base = (void *)(data + off), .iov_len = n};
		union {
			char buf[CMSG_SPACE(3 * sizeof(int))];
			struct cmsghdr align;
		} u;
		memset(&u, 0, sizeof(u));
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
		unsigned nfds = (fdbits >> (2 * (k % 4))) & 3;
		/* Opened once: SCM_RIGHTS gives the receiver its own copies,
		 * and six opens and closes an input were a fifth of its cost. */
		static int fds[3] = {-1, -1, -1};
		for (unsigned i = 0; i < nfds; i++)
			if (fds[i] < 0)
				fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (nfds) {
			msg.msg_control = u.buf;
			msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
			struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
			memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
		}
		/* Not blocking: the reader runs only after the sender is done,
		 * and a stream of 1-byte messages with fds fills the socket's
		 * buffer long before 64 kB (each is a buffer of its own): the
		 * rest is not sent (AFL++'s 5 hangs, session 5). */
		ssize_t sent = sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent <= 0)
			break;
		off += (size_t)sent;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse((const char *)data, size);

	/* Through the receiving side: framing, fds passed with SCM_RIGHTS,
	 * size limit, early completion; first as `tinyjail supervise` reads it
	 * (the incremental reader), then through the blocking receive. */
	if (size < 2 || size > 65536)
		return 0;
	unsigned piece = data[0] % 128 + 1, fdbits = data[1];
	data += 2;
	size -= 2;
	for (int blocking = 0; blocking < 2; blocking++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return 0;
		int sz = 1 << 18;
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		send_framed(sv[0], data, size, piece, fdbits);
		close(sv[0]);
		struct tj_err *err = NULL;
		if (!blocking) {
			struct tj_agent_reader r = {0};
			int got = 0;
			while (got == 0)
				got = tj_agent_reader_step(&r, sv[1], &err);
			if (got > 0) {
				parse(r.b.s ? r.b.s : "", r.b.len);
				for (size_t i = 0; i < r.nfds; i++)
					if (tj_agent_is_listener(r.fds[i]))
						__builtin_trap(); /* /dev/null is no listener */
			}
			tj_err_free(err);
			tj_agent_reader_done(&r);
		} else {
			char *json = NULL;
			size_t len = 0, nfds = 0;
			int fds[TJ_AGENT_MAX_FDS];
			if (tj_agent_receive(sv[1], &json, &len, fds, &nfds, &err) < 0) {
				tj_err_free(err);
			} else {
				parse(json, len);
				free(json);
				for (size_t i = 0; i < nfds; i++)
					close(fds[i]);
			}
		}
		close(sv[1]);
	}
	return 0;
}
