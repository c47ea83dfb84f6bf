/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI runtime-spec seccomp agent protocol (config-linux.md, "listenerPath";
 * research/oci-seccomp.md 1.7): the runtime connects to an AF_UNIX
 * SOCK_STREAM socket, sends the container process state as JSON with the
 * seccomp listener fd attached by SCM_RIGHTS, and closes the connection.
 * One message per connection.
 *
 * tinyjail is both sides: `tinyjail run --notify-socket` (or a profile's
 * listenerPath) is the runtime, `tinyjail supervise` the agent, and each
 * works with the other projects' half (runc, crun; seccompagent and friends).
 */
#ifndef TJ_AGENT_H
#define TJ_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tj/base/err.h"
#include "tj/base/util.h"

/* The spec version tinyjail writes into the state it sends. */
#define TJ_AGENT_OCI_VERSION "1.0.2"
/* The name of the listener in the state's "fds" (specs-go SeccompFdName). */
#define TJ_AGENT_SECCOMP_FD "seccompFd"
/* The largest state tinyjail accepts from a runtime. */
#define TJ_AGENT_MAX_STATE (64 * 1024)
/* How many fds one message may carry. */
#define TJ_AGENT_MAX_FDS 8

/* The container process state (specs-go ContainerProcessState). */
struct tj_agent_state {
	char *oci_version;
	pid_t pid;	      /* the container process, in the runtime's pid namespace */
	char *metadata;	      /* listenerMetadata, or NULL */
	char *id;	      /* state.id */
	char *status;	      /* state.status: creating, created, running, stopped */
	char *bundle;	      /* state.bundle */
	int seccomp_fd_index; /* index of "seccompFd" in fds, -1 when absent */
	size_t nfds;	      /* the length of "fds" */
};
void tj_agent_state_done(struct tj_agent_state *st);

/* --- the runtime side --- */

/* What tinyjail tells an agent about the sandbox it starts. */
struct tj_agent_client {
	int sock;	      /* connected; -1 once used */
	const char *path;     /* for messages */
	const char *metadata; /* listenerMetadata, or NULL */
	const char *profile;  /* the profile file, as an annotation */
	const char *command;  /* argv[0], as an annotation */
};

/* Connects to the agent's socket (before anything is started, so that a
 * missing agent is an error, not a confined command that cannot run). */
int tj_agent_connect(const char *path, int *ret_sock, struct tj_err **err);
/* The state JSON tinyjail sends.  Caller frees. */
char *tj_agent_state_json(const struct tj_agent_client *c, pid_t pid, const char *bundle);
/* Sends json with the listener attached, then closes the connection. */
int tj_agent_send(int sock, const char *json, int listener, struct tj_err **err);
/* A struct tj_launch_hooks.on_listener: ctx is a struct tj_agent_client. */
int tj_agent_hand_over(void *ctx, int listener, pid_t child, struct tj_err **err);

/* --- the agent side --- */

/* Creates the listening socket (mode 0600: only this user may hand over
 * listeners); a stale socket file at path is replaced, anything else is
 * an error. */
int tj_agent_listen(const char *path, int *ret_sock, struct tj_err **err);
/* How long a runtime may take to send its message, in milliseconds.  A
 * runtime connects before its set-up (tinyjail does, to refuse a wrong
 * agent before anything starts), which takes seconds on a loaded machine
 * (the stress run at load 38 saw 2 s pass); an idle client holds only one
 * of the slots read side by side meanwhile. */
#define TJ_AGENT_CLIENT_MS 30000
/* One connection's message as it arrives: the text (at most
 * TJ_AGENT_MAX_STATE bytes) and the fds sent with it. */
struct tj_agent_reader {
	struct tj_buf b;
	int fds[TJ_AGENT_MAX_FDS];
	size_t nfds;
};
/* Reads what conn has now, without waiting: 1 when the message is whole
 * (EOF, or a complete JSON object), 0 when more is to come, -1 on error. */
int tj_agent_reader_step(struct tj_agent_reader *r, int conn, struct tj_err **err);
/* Frees the text and closes the fds still held. */
void tj_agent_reader_done(struct tj_agent_reader *r);
/* Reads one connection's message, waiting at most TJ_AGENT_CLIENT_MS.
 * Caller frees *ret_json and closes the fds. */
int tj_agent_receive(int conn, char **ret_json, size_t *ret_len, int *fds, size_t *ret_nfds, struct tj_err **err);
/* Parses the state (src/json/json_agent.c, a json-c user). */
int tj_agent_state_parse(const char *json, size_t len, struct tj_agent_state *st, struct tj_err **err);
/* True when fd is a seccomp user-notification listener. */
bool tj_agent_is_listener(int fd);

#endif
