/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI seccomp agent protocol: sockets and messages (agent.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/testhook.h"
#include "tj/base/util.h"
#include "tj/supervise/agent.h"

void tj_agent_state_done(struct tj_agent_state *st)
{
	free(st->oci_version);
	free(st->metadata);
	free(st->id);
	free(st->status);
	free(st->bundle);
	memset(st, 0, sizeof(*st));
}

static int make_addr(const char *path, struct sockaddr_un *sa, struct tj_err **err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return tj_err_set(err, TJ_ERR_USAGE, ENAMETOOLONG, "socket path '%s' is too long (at most %zu bytes)",
				  path, sizeof(sa->sun_path) - 1);
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

int tj_agent_connect(const char *path, int *ret_sock, struct tj_err **err)
{
	struct sockaddr_un sa;
	if (make_addr(path, &sa, err) < 0)
		return -1;
	tj_autoclose int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "socket");
	/* Whoever listens at the path gets the listener, i.e. the power to
	 * let the command's calls through (issue 16 item 10): not in a
	 * directory other users could put their own socket in, and only to a
	 * process of this user or root. */
	tj_autofree char *dir = tj_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0';
	struct stat st;
	if (stat(slash ? dir : ".", &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		tj_err_set(err, TJ_ERR_LAYER, EPERM,
			   "the seccomp agent's socket '%s' is in a directory other users can write (mode %04o): one "
			   "could put its own socket there and receive the listener",
			   path, (unsigned)(st.st_mode & 07777));
		tj_err_hint(err, "put the socket in a directory of your own, e.g. $XDG_RUNTIME_DIR");
		return tj_err_layer(err, "seccomp");
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		tj_err_set(err, TJ_ERR_LAYER, errno, "cannot reach the seccomp agent at '%s'", path);
		tj_err_hint(err, "start one first, e.g. tinyjail supervise --listen %s", path);
		return tj_err_layer(err, "seccomp");
	}
	struct ucred peer;
	socklen_t plen = sizeof(peer);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &plen) < 0)
		return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot tell who listens at '%s'", path);
	if (peer.uid != geteuid() && peer.uid != 0) {
		tj_err_set(err, TJ_ERR_LAYER, EPERM,
			   "the process listening at '%s' runs as uid %u, neither you nor root: it would receive the "
			   "seccomp listener and decide the command's system calls",
			   path, (unsigned)peer.uid);
		tj_err_hint(err, "start the agent yourself (tinyjail supervise --listen PATH)");
		return tj_err_layer(err, "seccomp");
	}
	*ret_sock = TJ_STEAL_FD(&fd);
	return 0;
}

char *tj_agent_state_json(const struct tj_agent_client *c, pid_t pid, const char *bundle)
{
	struct tj_buf b = {0};
	char id[64];
	snprintf(id, sizeof(id), "tinyjail-%d", (int)pid);
	tj_buf_addf(&b, "{\"ociVersion\":\"%s\",\"fds\":[\"%s\"],\"pid\":%d", TJ_AGENT_OCI_VERSION, TJ_AGENT_SECCOMP_FD,
		    (int)pid);
	if (c->metadata) {
		tj_buf_add(&b, ",\"metadata\":");
		tj_buf_add_json_string(&b, c->metadata);
	}
	/* "creating": the process has not reached its own program yet, as
	 * runc reports for a container's init. */
	tj_buf_addf(&b,
		    ",\"state\":{\"ociVersion\":\"%s\",\"id\":\"%s\",\"status\":\"creating\",\"pid\":%d,\"bundle\":",
		    TJ_AGENT_OCI_VERSION, id, (int)pid);
	tj_buf_add_json_string(&b, bundle ? bundle : "");
	tj_buf_add(&b, ",\"annotations\":{\"org.tinyjail.runtime\":\"tinyjail\"");
	if (c->profile) {
		tj_buf_add(&b, ",\"org.tinyjail.profile\":");
		tj_buf_add_json_string(&b, c->profile);
	}
	if (c->command) {
		tj_buf_add(&b, ",\"org.tinyjail.command\":");
		tj_buf_add_json_string(&b, c->command);
	}
	tj_buf_add(&b, "}}}");
	return tj_buf_steal(&b);
}

int tj_agent_send(int sock, const char *json, int listener, struct tj_err **err)
{
	size_t len = strlen(json), off = 0;
	bool first = true;
	/* The fd travels with the first chunk, as the spec requires. */
	while (off < len) {
		struct iovec iov = {.iov_base = (char *)json + off, .iov_len = len - off};
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		memset(&u, 0, sizeof(u));
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
		if (first) {
			msg.msg_control = u.buf;
			msg.msg_controllen = sizeof(u.buf);
			struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &listener, sizeof(int));
		}
		ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return tj_err_set(err, TJ_ERR_LAYER, n < 0 ? errno : EPIPE,
					  "cannot send the seccomp listener to the agent");
		first = false;
		off += (size_t)n;
	}
	return 0;
}

int tj_agent_hand_over(void *ctx, int listener, pid_t child, struct tj_err **err)
{
	struct tj_agent_client *c = ctx;
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	char *json = tj_agent_state_json(c, child, cwd);
	/* Test builds: a set-up that takes seconds (a loaded machine)
	 * between the connection and the listener. */
	if (tj_testhook("agent-slow"))
		sleep(3);
	int r = tj_agent_send(c->sock, json, listener, err);
	free(json);
	close(c->sock);
	c->sock = -1;
	if (r < 0)
		tj_err_wrap(err, "seccomp agent at '%s'", c->path);
	return r;
}

int tj_agent_listen(const char *path, int *ret_sock, struct tj_err **err)
{
	struct sockaddr_un sa;
	if (make_addr(path, &sa, err) < 0)
		return -1;
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return tj_err_set(err, TJ_ERR_USAGE, EEXIST, "'%s' exists and is not a socket", path);
		/* A socket nobody listens on is left over from an earlier run. */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool live = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		if (probe >= 0)
			close(probe);
		if (live)
			return tj_err_set(err, TJ_ERR_USAGE, EADDRINUSE, "another agent is listening on '%s'", path);
		unlink(path);
	}
	tj_autoclose int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "socket");
	mode_t old = umask(0177);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	umask(old);
	if (r < 0)
		return tj_err_set(err, TJ_ERR_USAGE, e, "cannot create the socket '%s'", path);
	if (listen(fd, 16) < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "listen on '%s'", path);
	*ret_sock = TJ_STEAL_FD(&fd);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True when text holds one whole JSON object (braces balance outside
 * strings); the parser checks everything else. */
static bool object_complete(const char *s, size_t len)
{
	int depth = 0;
	bool in_str = false, esc = false, seen = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{') {
			depth++;
			seen = true;
		} else if (c == '}' && --depth == 0 && seen) {
			return true;
		}
	}
	return false;
}

int tj_agent_reader_step(struct tj_agent_reader *r, int conn, struct tj_err **err)
{
	for (;;) {
		char chunk[4096];
		struct iovec iov = {.iov_base = chunk, .iov_len = sizeof(chunk)};
		union {
			char buf[CMSG_SPACE(sizeof(int) * TJ_AGENT_MAX_FDS)];
			struct cmsghdr align;
		} u;
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = u.buf,
				     .msg_controllen = sizeof(u.buf)};
		ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return tj_err_set(err, TJ_ERR_INTERNAL, errno, "receiving the container state");
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (r->nfds < TJ_AGENT_MAX_FDS)
					r->fds[r->nfds++] = fd;
				else
					close(fd);
			}
		}
		if (msg.msg_flags & MSG_CTRUNC)
			return tj_err_set(err, TJ_ERR_INTERNAL, 0, "the runtime sent more than %d fds",
					  TJ_AGENT_MAX_FDS);
		if (n == 0)
			return 1;
		if (r->b.len + (size_t)n > TJ_AGENT_MAX_STATE)
			return tj_err_set(err, TJ_ERR_INTERNAL, 0, "the container state is larger than %d bytes",
					  TJ_AGENT_MAX_STATE);
		tj_buf_addn(&r->b, chunk, (size_t)n);
		/* The spec has the runtime close the connection, but an object
		 * that is already complete need not wait for that. */
		if (object_complete(r->b.s, r->b.len))
			return 1;
	}
}

void tj_agent_reader_done(struct tj_agent_reader *r)
{
	for (size_t i = 0; i < r->nfds; i++)
		close(r->fds[i]);
	tj_buf_done(&r->b);
	memset(r, 0, sizeof(*r));
}

int tj_agent_receive(int conn, char **ret_json, size_t *ret_len, int *fds, size_t *ret_nfds, struct tj_err **err)
{
	struct tj_agent_reader r = {0};
	long long deadline = now_ms() + TJ_AGENT_CLIENT_MS;
	int got = 0;
	while (!got) {
		/* A runtime that connects and then stalls gets a deadline. */
		long long left = deadline - now_ms();
		struct pollfd p = {.fd = conn, .events = POLLIN};
		int pr = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			tj_err_set(err, TJ_ERR_INTERNAL, pr < 0 ? errno : ETIMEDOUT, "receiving the container state");
			got = -1;
			break;
		}
		got = tj_agent_reader_step(&r, conn, err);
	}
	if (got < 0) {
		tj_agent_reader_done(&r);
		return -1;
	}
	*ret_len = r.b.len;
	*ret_json = r.b.s ? tj_buf_steal(&r.b) : tj_xstrdup("");
	memcpy(fds, r.fds, r.nfds * sizeof(int));
	*ret_nfds = r.nfds;
	return 0;
}

bool tj_agent_is_listener(int fd)
{
	char path[64], target[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:seccomp notify") == 0;
}
