/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Integrity of what tinyjail stores for itself (the filter cache, analysis
 * summaries): a keyed MAC whose key no sandboxed command can learn.
 *
 * The command usually runs as the same user as tinyjail, so no file can hold
 * the key (the command could read it) and no user keyring either (any
 * process of the user possesses it).  The key lives only in the memory of a
 * per-user agent: a tinyjail process started on first need, not dumpable,
 * listening on the abstract UNIX socket "tinyjail-integrity-<uid>", which
 * gives the key only to a peer of the same uid that runs without
 * no_new_privs.  Every command tinyjail starts has no_new_privs, and nothing
 * can clear it, so no sandboxed process (nor anything it starts) gets the
 * key.  The client checks the agent the same way, so a command that squats
 * the name cannot hand out a key of its own.  A new agent (after a reboot,
 * or 15 idle minutes) draws a new key: what was sealed with the old one no
 * longer verifies, which costs a recompile, never trust.
 *
 * Where the key cannot be had (tinyjail itself runs with no_new_privs, it
 * cannot start a process, the name is taken) callers go without what the
 * MAC protects.  notes/security.md.
 */
#ifndef TJ_INTEGRITY_H
#define TJ_INTEGRITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/err.h"
#include "tj/base/sha256.h"

#define TJ_INTEGRITY_KEY_LEN 32
#define TJ_INTEGRITY_MAC_LEN TJ_SHA256_LEN

/* The argument that makes the tinyjail binary the agent (main.c). */
#define TJ_INTEGRITY_AGENT_ARG "--integrity-agent"

/* Gets this user's key from the agent, starting it (by executing
 * /proc/self/exe with TJ_INTEGRITY_AGENT_ARG) when there is none.  Wipe
 * the key (explicit_bzero) once done with it. */
int tj_integrity_key(uint8_t key[TJ_INTEGRITY_KEY_LEN], struct tj_err **err);

/* mac = HMAC-SHA256(key, data); verify compares in constant time. */
void tj_integrity_mac(const uint8_t key[TJ_INTEGRITY_KEY_LEN], const void *data, size_t len,
		      uint8_t mac[TJ_INTEGRITY_MAC_LEN]);
/* The MAC over a header and a body kept apart (a cache entry's header before
 * the MAC field, then its payload): HMAC-SHA256(key, head || body). */
void tj_integrity_mac2(const uint8_t key[TJ_INTEGRITY_KEY_LEN], const void *head, size_t head_len, const void *body,
		       size_t body_len, uint8_t mac[TJ_INTEGRITY_MAC_LEN]);
bool tj_integrity_verify(const uint8_t key[TJ_INTEGRITY_KEY_LEN], const void *data, size_t len,
			 const uint8_t mac[TJ_INTEGRITY_MAC_LEN]);

/* The agent's loop; returns its exit status. */
int tj_integrity_agent_main(void);

#endif
