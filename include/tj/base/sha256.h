/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 (FIPS 180-4), for content-addressed cache keys and integrity
 * checks.  Small and dependency-free: no crypto library for one hash.
 */
#ifndef TJ_SHA256_H
#define TJ_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TJ_SHA256_LEN 32

struct tj_sha256 {
	uint32_t h[8];
	uint64_t total; /* bytes hashed so far */
	uint8_t buf[64];
	size_t nbuf;
};

void tj_sha256_init(struct tj_sha256 *c);
void tj_sha256_update(struct tj_sha256 *c, const void *data, size_t len);
void tj_sha256_final(struct tj_sha256 *c, uint8_t out[TJ_SHA256_LEN]);

/* A length-prefixed field, so that fields never run into each other. */
void tj_sha256_add_field(struct tj_sha256 *c, const void *data, size_t len);

/* The GNU build id of the program and of every library this process has loaded (the name
 * where an object has none): cache keys change with a rebuild even under the same version. */
void tj_sha256_add_loaded_build_ids(struct tj_sha256 *c);
/* One call: out = SHA-256(data). */
void tj_sha256(const void *data, size_t len, uint8_t out[TJ_SHA256_LEN]);

/* HMAC-SHA256 (RFC 2104): a keyed MAC, for data someone else could have
 * rewritten (base/integrity.h holds the key). */
struct tj_hmac_sha256 {
	struct tj_sha256 inner;
	uint8_t okey[64]; /* the key XOR opad, for the outer hash */
};
void tj_hmac_sha256_init(struct tj_hmac_sha256 *h, const void *key, size_t keylen);
void tj_hmac_sha256_update(struct tj_hmac_sha256 *h, const void *data, size_t len);
void tj_hmac_sha256_final(struct tj_hmac_sha256 *h, uint8_t out[TJ_SHA256_LEN]);
void tj_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len, uint8_t out[TJ_SHA256_LEN]);

/* Compares n bytes in a time that does not depend on where they differ. */
/* Whether the x86 SHA extensions are used where the CPU has them (the
 * default); returns the previous setting.  For tests: both paths must give
 * the same digests. */
bool tj_sha256_set_accel(bool on);

bool tj_digest_equal(const uint8_t *a, const uint8_t *b, size_t n);

#endif
