/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer entry point for the static analysis's readers of untrusted
 * files: the ELF reader (with the whole per-object analysis on what it
 * accepts), ld.so.cache, and the summary cache's entries.  Any input must be
 * read or refused with an error record; never crash, leak, hang or trip a
 * sanitizer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tj/static/cache.h"
#include "tj/static/elf.h"
#include "tj/static/loader.h"
#include "tj/static/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN] = "fuzz-key-fuzz-key-fuzz-key-fuzz";

/* The summary cache's header up to its MAC, and the whole header. */
#define MAC_AT (8 + 4 + 4 + TJ_SHA256_LEN + 8)
#define HEADER_LEN (MAC_AT + TJ_INTEGRITY_MAC_LEN)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tj_err *err = NULL;
	struct tj_elf *e = NULL;
	if (tj_elf_open_mem("fuzz.elf", data, size, &e, &err) < 0) {
		tj_err_free(err);
	} else {
		struct tj_wrapper_table wt = {0};
		tj_wrapper_table_add(&wt, "syscall", 1u << TJ_RDI);
		struct tj_summary *s = NULL;
		err = NULL;
		if (tj_summary_build(e, &wt, &s, &err) < 0) {
			tj_err_free(err);
		} else {
			/* every summary round-trips through the cache format */
			uint8_t key[TJ_SHA256_LEN] = {1};
			size_t len;
			uint8_t *enc = tj_static_cache_encode(key, mac_key, s, &len);
			struct tj_summary *back = NULL;
			if (tj_static_cache_decode(enc, len, key, mac_key, &back) != 1)
				__builtin_trap();
			tj_summary_free(back);
			free(enc);
			tj_summary_free(s);
		}
		tj_wrapper_table_done(&wt);
		tj_elf_close(e);
	}
	err = NULL;
	struct tj_ldcache c;
	if (tj_ldcache_parse(data, size, &c, &err) < 0)
		tj_err_free(err);
	else
		tj_ldcache_done(&c);
	/* A cache entry with a forged header must still be refused safely.
	 * The input is sealed with the harness's key first (and its length
	 * field made to fit), so that the decoder behind the MAC is reached:
	 * what an entry written by this user could hold. */
	struct tj_summary *s = NULL;
	uint8_t key[TJ_SHA256_LEN] = {0};
	if (size >= 16 + TJ_SHA256_LEN)
		memcpy(key, data + 16, TJ_SHA256_LEN);
	if (tj_static_cache_decode(data, size, key, mac_key, &s) == 1)
		tj_summary_free(s);
	if (size >= HEADER_LEN) {
		uint8_t *sealed = malloc(size);
		memcpy(sealed, data, size);
		uint64_t plen = size - HEADER_LEN;
		memcpy(sealed + MAC_AT - 8, &plen, 8);
		tj_integrity_mac2(mac_key, sealed, MAC_AT, sealed + HEADER_LEN, plen, sealed + MAC_AT);
		if (tj_static_cache_decode(sealed, size, key, mac_key, &s) == 1)
			tj_summary_free(s);
		free(sealed);
	}
	return 0;
}
