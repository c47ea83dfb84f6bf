/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 as specified in FIPS 180-4; checked against its test vectors by
 * tests/unit/test_filter_cache.c, both with and without the SHA extensions. */
#include <cpuid.h>
#include <immintrin.h>
#include <link.h>
#include <string.h>

#include "tj/base/sha256.h"

static const uint32_t k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

/* The x86 SHA extensions (SHA-NI) do the rounds and the message schedule
 * in hardware: about a tenth of the portable code's instructions.  A cache
 * hit hashes the profile for its key and the whole entry for its MAC, which
 * was a sixth of a launch's instructions (notes/performance.md).  The
 * well-known layout: state in two vectors (ABEF, CDGH), four rounds per
 * message vector, two per sha256rnds2. */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1); /* CDAB */
	__m128i st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b); /* EFGH */
	__m128i st0 = _mm_alignr_epi8(tmp, st1, 8);					/* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xf0);						/* CDGH */
	for (; n; n--, p += 64) {
		__m128i save0 = st0, save1 = st1, m[4];
#pragma GCC unroll 16
		for (int g = 0; g < 16; g++) {
			if (g < 4)
				m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
			__m128i msg = _mm_add_epi32(m[g % 4], _mm_loadu_si128((const __m128i *)&k[4 * g]));
			st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
			if (g >= 3 && g <= 14) { /* W for the next four rounds */
				__m128i t = _mm_alignr_epi8(m[g % 4], m[(g + 3) % 4], 4);
				m[(g + 1) % 4] = _mm_sha256msg2_epu32(_mm_add_epi32(m[(g + 1) % 4], t), m[g % 4]);
			}
			st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(msg, 0x0e));
			if (g >= 1 && g <= 12)
				m[(g + 3) % 4] = _mm_sha256msg1_epu32(m[(g + 3) % 4], m[g % 4]);
		}
		st0 = _mm_add_epi32(st0, save0);
		st1 = _mm_add_epi32(st1, save1);
	}
	tmp = _mm_shuffle_epi32(st0, 0x1b);    /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xb1);    /* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xf0); /* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);    /* ABEF */
	_mm_storeu_si128((__m128i *)&h[0], st0);
	_mm_storeu_si128((__m128i *)&h[4], st1);
}

static bool cpu_has_shani(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3))
		return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}

/* 1: use the SHA extensions, 0: do not, -1: not decided yet. */
static int accel = -1;

bool tj_sha256_set_accel(bool on)
{
	int was = __atomic_load_n(&accel, __ATOMIC_RELAXED);
	__atomic_store_n(&accel, on && cpu_has_shani(), __ATOMIC_RELAXED);
	return was < 0 ? cpu_has_shani() : was == 1;
}

static void blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
	if (!n)
		return;
	int a = __atomic_load_n(&accel, __ATOMIC_RELAXED);
	if (a < 0) {
		a = cpu_has_shani();
		__atomic_store_n(&accel, a, __ATOMIC_RELAXED);
	}
	if (a) {
		blocks_shani(h, p, n);
		return;
	}
	for (; n; n--, p += 64)
		block(h, p);
}

void tj_sha256_init(struct tj_sha256 *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(c->h, iv, sizeof(iv));
	c->total = 0;
	c->nbuf = 0;
}

void tj_sha256_update(struct tj_sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	c->total += len;
	if (c->nbuf) {
		size_t n = 64 - c->nbuf < len ? 64 - c->nbuf : len;
		memcpy(c->buf + c->nbuf, p, n);
		c->nbuf += n;
		p += n;
		len -= n;
		if (c->nbuf < 64)
			return;
		blocks(c->h, c->buf, 1);
		c->nbuf = 0;
	}
	size_t n = len / 64;
	blocks(c->h, p, n);
	p += n * 64;
	len -= n * 64;
	if (len)
		memcpy(c->buf, p, len);
	c->nbuf = len;
}

void tj_sha256_final(struct tj_sha256 *c, uint8_t out[TJ_SHA256_LEN])
{
	uint64_t bits = c->total * 8;
	uint8_t pad = 0x80;
	tj_sha256_update(c, &pad, 1);
	pad = 0;
	while (c->nbuf != 56)
		tj_sha256_update(c, &pad, 1);
	uint8_t len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)(bits >> (56 - 8 * i));
	tj_sha256_update(c, len, 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}

void tj_sha256(const void *data, size_t len, uint8_t out[TJ_SHA256_LEN])
{
	struct tj_sha256 c;
	tj_sha256_init(&c);
	tj_sha256_update(&c, data, len);
	tj_sha256_final(&c, out);
}

void tj_hmac_sha256_init(struct tj_hmac_sha256 *h, const void *key, size_t keylen)
{
	uint8_t block[64] = {0}, ipad[64];
	if (keylen > sizeof(block))
		tj_sha256(key, keylen, block); /* a long key is hashed first */
	else
		memcpy(block, key, keylen);
	for (size_t i = 0; i < sizeof(block); i++) {
		ipad[i] = block[i] ^ 0x36;
		h->okey[i] = block[i] ^ 0x5c;
	}
	tj_sha256_init(&h->inner);
	tj_sha256_update(&h->inner, ipad, sizeof(ipad));
	explicit_bzero(block, sizeof(block));
	explicit_bzero(ipad, sizeof(ipad));
}

void tj_hmac_sha256_update(struct tj_hmac_sha256 *h, const void *data, size_t len)
{
	tj_sha256_update(&h->inner, data, len);
}

void tj_hmac_sha256_final(struct tj_hmac_sha256 *h, uint8_t out[TJ_SHA256_LEN])
{
	uint8_t inner[TJ_SHA256_LEN];
	tj_sha256_final(&h->inner, inner);
	struct tj_sha256 outer;
	tj_sha256_init(&outer);
	tj_sha256_update(&outer, h->okey, sizeof(h->okey));
	tj_sha256_update(&outer, inner, sizeof(inner));
	tj_sha256_final(&outer, out);
	explicit_bzero(h, sizeof(*h));
	explicit_bzero(&outer, sizeof(outer));
}

void tj_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len, uint8_t out[TJ_SHA256_LEN])
{
	struct tj_hmac_sha256 h;
	tj_hmac_sha256_init(&h, key, keylen);
	tj_hmac_sha256_update(&h, data, len);
	tj_hmac_sha256_final(&h, out);
}

bool tj_digest_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

void tj_sha256_add_field(struct tj_sha256 *c, const void *data, size_t len)
{
	uint64_t n = len;
	tj_sha256_update(c, &n, sizeof(n));
	tj_sha256_update(c, data, len);
}

static int add_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	struct tj_sha256 *h = data;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		const char *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
			const char *name = p + sizeof(*n);
			const char *desc = name + ((n->n_namesz + 3) & ~3u);
			if (desc + n->n_descsz > end)
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
				tj_sha256_add_field(h, desc, n->n_descsz);
				return 0;
			}
			p = desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	tj_sha256_add_field(h, info->dlpi_name, strlen(info->dlpi_name));
	return 0;
}

void tj_sha256_add_loaded_build_ids(struct tj_sha256 *c)
{
	dl_iterate_phdr(add_build_id, c);
}
