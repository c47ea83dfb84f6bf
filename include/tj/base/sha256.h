/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SHA-256 (FIPS 180-4), for content-addressed cache keys and integrity
 * checks.  Small and dependency-free: no crypto library for one hash.
 */
#ifndef TJ_SHA256_H
#define TJ_SHA256_H

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
/* One call: out = SHA-256(data). */
void tj_sha256(const void *data, size_t len, uint8_t out[TJ_SHA256_LEN]);

#endif
