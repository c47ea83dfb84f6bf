/* SPDX-License-Identifier: Apache-2.0 */
/* The per-user integrity key and its agent (integrity.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/integrity.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* Linux 6.5 */
#endif

/* An agent nobody asked for a while goes; the next run starts another. */
#define IDLE_MS (15 * 60 * 1000)
/* How long a client waits for an agent it started (a sanitizer build
 * starts slowly), and for the key. */
#define START_MS 5000
#define REPLY_MS 2000

static socklen_t agent_address(struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	/* Abstract (sun_path[0] is NUL): no file to plant or remove. */
	int n = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1, "tinyjail-integrity-%u", (unsigned)geteuid());
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* True when process pid runs without no_new_privs.  Every command tinyjail
 * starts has it and passes it on; nothing can clear it. */
static bool without_nnp(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	tj_autofclose FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "NoNewPrivs:", 11) == 0)
			return strtol(line + 11, NULL, 10) == 0;
	return false; /* no such line: a kernel too old to tell, or no process */
}

/* The process at the other end of a connected socket must be this user's
 * and not sandboxed.  With SO_PEERPIDFD (Linux 6.5) it is pinned while its
 * status is read: a pid is not reused while its pidfd shows it alive. */
static int check_peer(int sock, const char *what, struct tj_err **err)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot identify %s", what);
	if (uc.uid != geteuid())
		return tj_err_set(err, TJ_ERR_LAYER, 0, "%s runs as uid %u, not as this user", what, (unsigned)uc.uid);
	int pidfd = -1;
	len = sizeof(pidfd);
	if (getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0)
		pidfd = -1;
	bool ok = without_nnp(uc.pid);
	if (pidfd >= 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		if (poll(&p, 1, 0) != 0)
			ok = false; /* it exited: its pid may be another's now */
		close(pidfd);
	}
	if (!ok)
		return tj_err_set(err, TJ_ERR_LAYER, 0, "%s (pid %d) runs with no_new_privs: a sandboxed process", what,
				  (int)uc.pid);
	return 0;
}

/* --- the agent --- */

int tj_integrity_agent_main(void)
{
	/* main() made this process non-dumpable before anything else. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (chdir("/") < 0)
		return 1;
	struct sockaddr_un sun;
	socklen_t len = agent_address(&sun);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		return 1;
	if (bind(ls, (struct sockaddr *)&sun, len) < 0 || listen(ls, 64) < 0)
		return errno == EADDRINUSE ? 0 : 1; /* another agent was quicker */
	uint8_t key[TJ_INTEGRITY_KEY_LEN];
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		return 1;
	for (;;) {
		struct pollfd p = {.fd = ls, .events = POLLIN};
		int r = poll(&p, 1, IDLE_MS);
		if (r == 0)
			break;
		if (r < 0 && errno != EINTR)
			break;
		int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (c < 0)
			continue;
		/* One check and 32 bytes into an empty socket buffer: no client
		 * can hold the agent up. */
		struct tj_err *err = NULL;
		if (check_peer(c, "the client", &err) == 0)
			(void)!send(c, key, sizeof(key), MSG_NOSIGNAL);
		tj_err_free(err);
		close(c);
	}
	explicit_bzero(key, sizeof(key));
	return 0;
}

/* Starts an agent, detached: its own session, no descriptor of ours, an
 * empty environment, and not our child (it must outlive this run). */
static int spawn_agent(struct tj_err **err)
{
	pid_t pid = fork();
	if (pid < 0)
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot start the integrity agent");
	if (pid == 0) {
		setsid();
		pid_t agent = fork();
		if (agent == 0) {
			int null = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
				_exit(127);
			close_range(3, ~0U, 0);
			char *argv[] = {(char *)"tinyjail", (char *)TJ_INTEGRITY_AGENT_ARG, NULL};
			char *envp[] = {NULL};
			execve("/proc/self/exe", argv, envp);
			_exit(127);
		}
		_exit(agent < 0 ? 1 : 0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Reads exactly the key, waiting at most REPLY_MS. */
static int read_key(int fd, uint8_t key[TJ_INTEGRITY_KEY_LEN], struct tj_err **err)
{
	size_t got = 0;
	uint64_t deadline = now_ms() + REPLY_MS;
	while (got < TJ_INTEGRITY_KEY_LEN) {
		uint64_t now = now_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (now >= deadline || poll(&p, 1, (int)(deadline - now)) == 0)
			return tj_err_set(err, TJ_ERR_LAYER, ETIMEDOUT, "the integrity agent did not answer");
		ssize_t n = read(fd, key + got, TJ_INTEGRITY_KEY_LEN - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return tj_err_set(err, TJ_ERR_LAYER, n < 0 ? errno : 0,
					  "the integrity agent refused to give the key");
		got += (size_t)n;
	}
	return 0;
}

int tj_integrity_key(uint8_t key[TJ_INTEGRITY_KEY_LEN], struct tj_err **err)
{
	/* A sandboxed tinyjail could not get a key from any agent (and an
	 * agent it started would be refused): do not try. */
	if (!without_nnp(getpid()))
		return tj_err_set(err, TJ_ERR_LAYER, 0, "tinyjail runs with no_new_privs (inside a sandbox?)");
	struct sockaddr_un sun;
	socklen_t len = agent_address(&sun);
	bool spawned = false;
	uint64_t start = now_ms();
	unsigned delay_us = 500;
	for (;;) {
		tj_autoclose int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return tj_err_set(err, TJ_ERR_INTERNAL, errno, "socket");
		if (connect(fd, (struct sockaddr *)&sun, len) == 0) {
			if (check_peer(fd, "the integrity agent", err) < 0)
				return -1;
			return read_key(fd, key, err);
		}
		if (errno != ECONNREFUSED && errno != ENOENT && errno != EAGAIN)
			return tj_err_set(err, TJ_ERR_LAYER, errno, "cannot reach the integrity agent");
		if (!spawned) {
			if (spawn_agent(err) < 0)
				return -1;
			spawned = true;
		}
		if (now_ms() - start > START_MS)
			return tj_err_set(err, TJ_ERR_LAYER, ETIMEDOUT, "the integrity agent did not start");
		struct timespec ts = {0, (long)delay_us * 1000};
		nanosleep(&ts, NULL);
		if (delay_us < 50000)
			delay_us *= 2;
	}
}

void tj_integrity_mac(const uint8_t key[TJ_INTEGRITY_KEY_LEN], const void *data, size_t len,
		      uint8_t mac[TJ_INTEGRITY_MAC_LEN])
{
	tj_hmac_sha256(key, TJ_INTEGRITY_KEY_LEN, data, len, mac);
}

void tj_integrity_mac2(const uint8_t key[TJ_INTEGRITY_KEY_LEN], const void *head, size_t head_len, const void *body,
		       size_t body_len, uint8_t mac[TJ_INTEGRITY_MAC_LEN])
{
	struct tj_hmac_sha256 h;
	tj_hmac_sha256_init(&h, key, TJ_INTEGRITY_KEY_LEN);
	tj_hmac_sha256_update(&h, head, head_len);
	tj_hmac_sha256_update(&h, body, body_len);
	tj_hmac_sha256_final(&h, mac);
	explicit_bzero(&h, sizeof(h));
}

bool tj_integrity_verify(const uint8_t key[TJ_INTEGRITY_KEY_LEN], const void *data, size_t len,
			 const uint8_t mac[TJ_INTEGRITY_MAC_LEN])
{
	uint8_t want[TJ_INTEGRITY_MAC_LEN];
	tj_integrity_mac(key, data, len, want);
	bool ok = tj_digest_equal(want, mac, sizeof(want));
	explicit_bzero(want, sizeof(want));
	return ok;
}
