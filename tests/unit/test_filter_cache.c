/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled-filter cache (src/filter/filter_cache.c) and its hash
 * (src/base/sha256.c): round trips, hits, misses on every key change, refusal
 * of directories and entries another user could have written, and
 * truncated or corrupted entries read as misses.
 */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/integrity.h"
#include "tj/filter/filter_cache.h"
#include "tj/json/profile_json.h"

static const struct tj_host host0 = {.go_arch = "amd64", .kernel_major = 6, .kernel_minor = 1, .caps = 0};

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < TJ_SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	uint8_t d[TJ_SHA256_LEN];
	char h[2 * TJ_SHA256_LEN + 1];
	tj_sha256("", 0, d);
	hex(d, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	tj_sha256("abc", 3, d);
	hex(d, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	tj_sha256(two, strlen(two), d);
	hex(d, h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* The same, fed in uneven pieces across block boundaries. */
	struct tj_sha256 c;
	tj_sha256_init(&c);
	char a[1000];
	memset(a, 'a', sizeof(a));
	for (int i = 0; i < 1000; i++)
		tj_sha256_update(&c, a, sizeof(a));
	tj_sha256_final(&c, d);
	hex(d, h);
	/* one million 'a' (FIPS 180-2 appendix B.3) */
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	tj_sha256_init(&c);
	for (size_t off = 0, step = 1; off < strlen(two); off += step, step = step % 5 + 1)
		tj_sha256_update(&c, two + off, off + step > strlen(two) ? strlen(two) - off : step);
	tj_sha256_final(&c, d);
	hex(d, h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* The vectors with and without the SHA extensions, and both paths agree
 * on every length up to a few blocks, fed whole and in pieces. */
static void test_sha256_both_paths(void **state)
{
	bool had = tj_sha256_set_accel(false);
	test_sha256_vectors(state);
	uint8_t data[700];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131 + 7);
	uint8_t plain[sizeof(data) + 1][TJ_SHA256_LEN];
	for (size_t len = 0; len <= sizeof(data); len++)
		tj_sha256(data, len, plain[len]);
	tj_sha256_set_accel(true);
	test_sha256_vectors(state);
	for (size_t len = 0; len <= sizeof(data); len++) {
		uint8_t d[TJ_SHA256_LEN];
		struct tj_sha256 c;
		tj_sha256_init(&c);
		tj_sha256_update(&c, data, len / 3);
		tj_sha256_update(&c, data + len / 3, len - len / 3);
		tj_sha256_final(&c, d);
		assert_memory_equal(d, plain[len], TJ_SHA256_LEN);
	}
	tj_sha256_set_accel(had);
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block). */
static void test_hmac_vectors(void **state)
{
	(void)state;
	uint8_t d[TJ_SHA256_LEN], key[131];
	char h[2 * TJ_SHA256_LEN + 1];
	memset(key, 0x0b, 20);
	tj_hmac_sha256(key, 20, "Hi There", 8, d);
	hex(d, h);
	assert_string_equal(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	tj_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	hex(d, h);
	assert_string_equal(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key));
	const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
	struct tj_hmac_sha256 c;
	tj_hmac_sha256_init(&c, key, sizeof(key));
	tj_hmac_sha256_update(&c, msg, 10);
	tj_hmac_sha256_update(&c, msg + 10, strlen(msg) - 10);
	tj_hmac_sha256_final(&c, d);
	hex(d, h);
	assert_string_equal(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4};
	assert_true(tj_digest_equal(a, b, 4));
	b[3] = 5;
	assert_false(tj_digest_equal(a, b, 4));
	assert_true(
		tj_integrity_verify((const uint8_t *)"0123456789abcdef0123456789abcdef", "x", 1,
				    (tj_integrity_mac((const uint8_t *)"0123456789abcdef0123456789abcdef", "x", 1, d),
				     d)));
}

static struct tj_profile *load(const char *path)
{
	struct tj_profile *p = NULL;
	struct tj_err *err = NULL;
	if (tj_profile_load_file(path, path, &p, &err) < 0)
		fail_msg("cannot load %s: %s", path, tj_err_format(err));
	return p;
}

static struct tj_filter *compile(const struct tj_profile *p, const struct tj_filter_opts *opts)
{
	struct tj_filter_opts o = *opts;
	o.host = &host0;
	struct tj_filter *f = NULL;
	struct tj_err *err = NULL;
	if (tj_filter_compile(p, &o, &f, &err) < 0)
		fail_msg("cannot compile %s: %s", p->file, tj_err_format(err));
	return f;
}

static void assert_notes_equal(const struct tj_notes *a, const struct tj_notes *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->v[i].msg, b->v[i].msg);
		if (a->v[i].json_path || b->v[i].json_path)
			assert_string_equal(a->v[i].json_path, b->v[i].json_path);
	}
}

/* Everything tj_launch and the reports read survives the round trip. */
static void assert_filters_equal(const struct tj_filter *a, const struct tj_filter *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->prog, b->prog, a->len * sizeof(*a->prog));
	assert_int_equal(a->truth_len, b->truth_len);
	if (a->truth)
		assert_memory_equal(a->truth, b->truth, a->truth_len * sizeof(*a->truth));
	else
		assert_null(b->truth);
	assert_int_equal(a->load_flags, b->load_flags);
	assert_int_equal(a->uses_listener, b->uses_listener);
	assert_int_equal(a->has_agent_rules, b->has_agent_rules);
	assert_int_equal(a->nrules_added, b->nrules_added);
	assert_notes_equal(&a->warnings, &b->warnings);
	assert_notes_equal(&a->info, &b->info);
	const struct tj_seccomp *x = a->resolved, *y = b->resolved;
	assert_string_equal(x->json_path, y->json_path);
	assert_int_equal(x->default_action, y->default_action);
	assert_int_equal(x->default_errno, y->default_errno);
	assert_int_equal(x->has_default_errno, y->has_default_errno);
	assert_int_equal(x->arches.n, y->arches.n);
	for (size_t i = 0; i < x->arches.n; i++)
		assert_string_equal(x->arches.v[i], y->arches.v[i]);
	assert_int_equal(x->flags, y->flags);
	assert_int_equal(x->nrules, y->nrules);
	for (size_t i = 0; i < x->nrules; i++) {
		const struct tj_rule *r = &x->rules[i], *s = &y->rules[i];
		assert_string_equal(r->json_path, s->json_path);
		assert_int_equal(r->action, s->action);
		assert_int_equal(r->errno_ret, s->errno_ret);
		assert_int_equal(r->has_errno, s->has_errno);
		assert_int_equal(r->names.n, s->names.n);
		for (size_t k = 0; k < r->names.n; k++)
			assert_string_equal(r->names.v[k], s->names.v[k]);
		assert_int_equal(r->nargs, s->nargs);
		if (r->nargs)
			assert_memory_equal(r->args, s->args, r->nargs * sizeof(*r->args));
		assert_int_equal(r->has_includes, s->has_includes);
		assert_int_equal(r->includes.caps.n, s->includes.caps.n);
		assert_int_equal(r->includes.min_major, s->includes.min_major);
	}
}

static const struct tj_filter_opts enforce = {.mode = TJ_MODE_ENFORCE, .supervise_kills = true};

/* The integrity key (in a run, the agent's). */
static const uint8_t mac_key[TJ_INTEGRITY_KEY_LEN] = "0123456789abcdef0123456789abcde";

/* The attack of issue 16 item 3: whoever can write the cache directory
 * rewrites an entry, changing the program, and fixes every check it can
 * compute: with a plain hash it would have passed.  Without the key no
 * forgery verifies, nor does an entry sealed under another key. */
static void test_forgery(void **state)
{
	(void)state;
	struct tj_profile *p = load("policies/strict.json");
	struct tj_filter *f = compile(p, &enforce);
	uint8_t key[TJ_SHA256_LEN];
	tj_filter_cache_key(p, &enforce, &host0, key);
	size_t len;
	uint8_t *data = tj_filter_cache_encode(key, mac_key, f, &len);
	struct tj_filter *g = NULL;
	assert_int_equal(tj_filter_cache_decode(data, len, key, mac_key, &g), 1);
	tj_filter_free(g);
	/* An allow-all program in place of the first instruction's return. */
	const size_t head = 8 + 4 + 4 + TJ_SHA256_LEN + 8 + TJ_INTEGRITY_MAC_LEN;
	uint8_t *forged = malloc(len);
	memcpy(forged, data, len);
	forged[len - 1] ^= 1;
	assert_int_equal(tj_filter_cache_decode(forged, len, key, mac_key, &g), 0);
	/* Re-sealed with a key of the attacker's: still refused. */
	uint8_t other[TJ_INTEGRITY_KEY_LEN] = {1};
	uint8_t *resealed = tj_filter_cache_encode(key, other, f, &len);
	assert_int_equal(tj_filter_cache_decode(resealed, len, key, mac_key, &g), 0);
	/* A hash of the payload in the MAC's place (the old format's check). */
	tj_sha256(forged + head, len - head, forged + head - TJ_INTEGRITY_MAC_LEN);
	assert_int_equal(tj_filter_cache_decode(forged, len, key, mac_key, &g), 0);
	free(forged);
	free(resealed);
	free(data);
	tj_filter_free(f);
	tj_profile_free(p);
}

static void test_round_trip(void **state)
{
	(void)state;
	const char *profiles[] = {"policies/default.json", "policies/strict.json",
				  TJ_FIXTURES "/corpus/debian12_containers-common_0.50.1_seccomp.json",
				  TJ_FIXTURES "/corpus/moby-profiles_default.json"};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(profiles); i++) {
		struct tj_profile *p = load(profiles[i]);
		struct tj_filter *f = compile(p, &enforce);
		uint8_t key[TJ_SHA256_LEN];
		tj_filter_cache_key(p, &enforce, &host0, key);
		size_t len;
		void *data = tj_filter_cache_encode(key, mac_key, f, &len);
		struct tj_filter *g = NULL;
		assert_int_equal(tj_filter_cache_decode(data, len, key, mac_key, &g), 1);
		assert_filters_equal(f, g);
		/* The same bytes under another key are not this entry. */
		key[0] ^= 1;
		struct tj_filter *h = NULL;
		assert_int_equal(tj_filter_cache_decode(data, len, key, mac_key, &h), 0);
		assert_null(h);
		free(data);
		tj_filter_free(g);
		tj_filter_free(f);
		tj_profile_free(p);
	}
}

/* A fresh private directory for one test. */
static char *tmpdir(void)
{
	char tmpl[] = "/tmp/tj-cache-test.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	return strdup(tmpl);
}

static void rmtree(const char *dir)
{
	char *cmd = tj_xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void test_hit_and_miss(void **state)
{
	(void)state;
	char *base = tmpdir();
	char *dir = tj_xasprintf("%s/a/tinyjail", base); /* parent "a" does not exist yet */
	struct tj_filter_cache *c = NULL;
	struct tj_err *err = NULL;
	assert_int_equal(tj_filter_cache_open(dir, mac_key, &c, &err), 0);
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	struct tj_profile *p = load("policies/default.json");
	struct tj_filter *f = compile(p, &enforce);
	uint8_t key[TJ_SHA256_LEN];
	tj_filter_cache_key(p, &enforce, &host0, key);
	struct tj_filter *g = NULL;
	assert_int_equal(tj_filter_cache_load(c, key, &g), 0);
	assert_int_equal(tj_filter_cache_store(c, key, f, &err), 0);
	assert_int_equal(tj_filter_cache_load(c, key, &g), 1);
	assert_filters_equal(f, g);
	tj_filter_free(g);

	/* The entry is private and nothing else was left behind. */
	char *cmd = tj_xasprintf("test \"$(ls -A '%s' | wc -l)\" = 1 && test \"$(stat -c %%a '%s'/*.tjf)\" = 600", dir,
				 dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);

	/* Reopening finds it; storing again replaces it atomically. */
	tj_filter_cache_close(c);
	c = NULL;
	assert_int_equal(tj_filter_cache_open(dir, mac_key, &c, &err), 0);
	assert_int_equal(tj_filter_cache_store(c, key, f, &err), 0);
	assert_int_equal(tj_filter_cache_load(c, key, &g), 1);
	tj_filter_free(g);

	tj_filter_cache_close(c);
	tj_filter_free(f);
	tj_profile_free(p);
	rmtree(base);
	free(dir);
	free(base);
}

static void test_key_changes(void **state)
{
	(void)state;
	struct tj_profile *p = load("policies/default.json");
	uint8_t k0[TJ_SHA256_LEN], k[TJ_SHA256_LEN];
	tj_filter_cache_key(p, &enforce, &host0, k0);
	tj_filter_cache_key(p, &enforce, &host0, k);
	assert_memory_equal(k0, k, sizeof(k));

	struct tj_filter_opts o = enforce;
	o.mode = TJ_MODE_COMPLAIN;
	tj_filter_cache_key(p, &o, &host0, k);
	assert_memory_not_equal(k0, k, sizeof(k));
	o = enforce;
	o.supervise_kills = false;
	tj_filter_cache_key(p, &o, &host0, k);
	assert_memory_not_equal(k0, k, sizeof(k));
	o = enforce;
	o.ignore_unknown_deny = true;
	tj_filter_cache_key(p, &o, &host0, k);
	assert_memory_not_equal(k0, k, sizeof(k));
	o = enforce;
	o.optimize = 1;
	tj_filter_cache_key(p, &o, &host0, k);
	assert_memory_not_equal(k0, k, sizeof(k));
	/* want_pfc and host pointers do not change what is cached */
	o = enforce;
	o.host = &host0;
	tj_filter_cache_key(p, &o, &host0, k);
	assert_memory_equal(k0, k, sizeof(k));

	struct tj_host h = host0;
	h.caps = 1u << 21;
	tj_filter_cache_key(p, &enforce, &h, k);
	assert_memory_not_equal(k0, k, sizeof(k));
	h = host0;
	h.kernel_minor = 2;
	tj_filter_cache_key(p, &enforce, &h, k);
	assert_memory_not_equal(k0, k, sizeof(k));
	h = host0;
	h.kernel_major = 5;
	tj_filter_cache_key(p, &enforce, &h, k);
	assert_memory_not_equal(k0, k, sizeof(k));
	h = host0;
	h.go_arch = "arm64";
	tj_filter_cache_key(p, &enforce, &h, k);
	assert_memory_not_equal(k0, k, sizeof(k));

	/* One byte of the profile (white space included) changes the key. */
	p->text[p->text_len - 1] = p->text[p->text_len - 1] == ' ' ? '\t' : ' ';
	tj_filter_cache_key(p, &enforce, &host0, k);
	assert_memory_not_equal(k0, k, sizeof(k));
	tj_profile_free(p);
}

/* A conditional profile resolved for one host is never served to another:
 * the key differs, so the entry stored for the first is a miss. */
static void test_host_change_is_a_miss(void **state)
{
	(void)state;
	char *base = tmpdir();
	struct tj_filter_cache *c = NULL;
	struct tj_err *err = NULL;
	assert_int_equal(tj_filter_cache_open(base, mac_key, &c, &err), 0);
	struct tj_profile *p = load(TJ_FIXTURES "/corpus/moby-profiles_default.json");
	struct tj_filter *f = compile(p, &enforce);
	uint8_t key[TJ_SHA256_LEN];
	tj_filter_cache_key(p, &enforce, &host0, key);
	assert_int_equal(tj_filter_cache_store(c, key, f, &err), 0);
	struct tj_host admin = host0;
	admin.caps = (uint64_t)1 << 21; /* CAP_SYS_ADMIN enables more rules */
	tj_filter_cache_key(p, &enforce, &admin, key);
	struct tj_filter *g = NULL;
	assert_int_equal(tj_filter_cache_load(c, key, &g), 0);
	tj_filter_cache_close(c);
	tj_filter_free(f);
	tj_profile_free(p);
	rmtree(base);
	free(base);
}

static void expect_refused(const char *dir, const char *fragment)
{
	struct tj_filter_cache *c = NULL;
	struct tj_err *err = NULL;
	assert_int_equal(tj_filter_cache_open(dir, mac_key, &c, &err), -1);
	assert_null(c);
	assert_non_null(err);
	assert_int_equal(err->errnum, 0); /* unsafe, not merely unavailable */
	assert_contains(err->msg, fragment);
	tj_err_free(err);
}

static void test_unsafe_directories(void **state)
{
	(void)state;
	char *base = tmpdir();
	char *dir = tj_xasprintf("%s/c", base);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	expect_refused(dir, "writable by group or others");
	assert_int_equal(chmod(dir, 0770), 0);
	expect_refused(dir, "writable by group or others");
	assert_int_equal(chmod(dir, 0755), 0); /* readable is fine */
	struct tj_filter_cache *c = NULL;
	struct tj_err *err = NULL;
	assert_int_equal(tj_filter_cache_open(dir, mac_key, &c, &err), 0);
	tj_filter_cache_close(c);

	char *link = tj_xasprintf("%s/link", base);
	assert_int_equal(symlink(dir, link), 0);
	expect_refused(link, "symbolic link");
	char *file = tj_xasprintf("%s/file", base);
	close(open(file, O_CREAT | O_WRONLY, 0600));
	expect_refused(file, "not a directory");

	/* No directory at all is a quiet failure (errnum set). */
	struct tj_filter_cache *c2 = NULL;
	assert_int_equal(tj_filter_cache_open("/proc/tinyjail-no-such/x", mac_key, &c2, &err), -1);
	assert_int_not_equal(err->errnum, 0);
	tj_err_free(err);

	if (geteuid() == 0) {
		assert_int_equal(chown(dir, 65534, 65534), 0);
		expect_refused(dir, "owned by uid 65534");
	} else {
		/* Only root can give a directory away; /tmp itself belongs to root. */
		expect_refused("/tmp", "owned by uid 0");
	}
	rmtree(base);
	free(dir);
	free(link);
	free(file);
	free(base);
}

/* Writes bytes as the entry for key, with the given mode. */
static char *plant(const char *dir, const uint8_t *key, const void *data, size_t len, mode_t mode)
{
	char name[2 * TJ_SHA256_LEN + 1];
	hex(key, name);
	char *path = tj_xasprintf("%s/%s.tjf", dir, name);
	unlink(path);
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void test_bad_entries(void **state)
{
	(void)state;
	char *dir = tmpdir();
	struct tj_filter_cache *c = NULL;
	struct tj_err *err = NULL;
	assert_int_equal(tj_filter_cache_open(dir, mac_key, &c, &err), 0);
	struct tj_profile *p = load("policies/strict.json");
	struct tj_filter *f = compile(p, &enforce);
	uint8_t key[TJ_SHA256_LEN];
	tj_filter_cache_key(p, &enforce, &host0, key);
	size_t len;
	uint8_t *data = tj_filter_cache_encode(key, mac_key, f, &len);
	struct tj_filter *g = NULL;

	/* The good entry is a hit, so every miss below is the check's doing. */
	free(plant(dir, key, data, len, 0600));
	assert_int_equal(tj_filter_cache_load(c, key, &g), 1);
	tj_filter_free(g);
	g = NULL;

	/* Every truncation is a miss. */
	for (size_t n = 0; n < len; n++)
		assert_int_equal(tj_filter_cache_decode(data, n, key, mac_key, &g), 0);
	char *path = plant(dir, key, data, len / 2, 0600);
	assert_int_equal(tj_filter_cache_load(c, key, &g), 0);
	/* So is one flipped bit anywhere: the header fields, or the payload,
	 * which its MAC covers. */
	for (size_t i = 0; i < len; i += i < 128 ? 1 : 13) {
		data[i] ^= 0x10;
		assert_int_equal(tj_filter_cache_decode(data, len, key, mac_key, &g), 0);
		data[i] ^= 0x10;
	}
	/* Trailing garbage too. */
	uint8_t *longer = malloc(len + 1);
	memcpy(longer, data, len);
	longer[len] = 0;
	assert_int_equal(tj_filter_cache_decode(longer, len + 1, key, mac_key, &g), 0);
	free(longer);

	/* An entry another user could have written is ignored. */
	free(plant(dir, key, data, len, 0666));
	assert_int_equal(tj_filter_cache_load(c, key, &g), 0);
	free(plant(dir, key, data, len, 0620));
	assert_int_equal(tj_filter_cache_load(c, key, &g), 0);
	if (geteuid() == 0) {
		free(plant(dir, key, data, len, 0600));
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(tj_filter_cache_load(c, key, &g), 0);
	}
	/* A symlink to a good entry is not followed. */
	char *real = tj_xasprintf("%s/real", dir);
	int fd = open(real, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	unlink(path);
	assert_int_equal(symlink(real, path), 0);
	assert_int_equal(tj_filter_cache_load(c, key, &g), 0);
	/* A FIFO under the name neither blocks nor hits. */
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(tj_filter_cache_load(c, key, &g), 0);
	unlink(path);
	assert_null(g);

	/* Structurally bad contents with a correct MAC (as a buggy writer
	 * would produce) are refused by the decoder's own checks: an action
	 * out of range, and a program the kernel would reject. */
	struct tj_rule *r = &f->resolved->rules[0];
	enum tj_action saved = r->action;
	r->action = (enum tj_action)99;
	uint8_t *bad = tj_filter_cache_encode(key, mac_key, f, &len);
	assert_int_equal(tj_filter_cache_decode(bad, len, key, mac_key, &g), 0);
	free(bad);
	r->action = saved;
	struct sock_filter saved_insn = f->prog[0];
	f->prog[0] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 60000, 0, 0);
	bad = tj_filter_cache_encode(key, mac_key, f, &len);
	assert_int_equal(tj_filter_cache_decode(bad, len, key, mac_key, &g), 0);
	free(bad);
	f->prog[0] = saved_insn;
	bad = tj_filter_cache_encode(key, mac_key, f, &len);
	assert_int_equal(tj_filter_cache_decode(bad, len, key, mac_key, &g), 1);
	tj_filter_free(g);
	free(bad);

	free(real);
	free(path);
	free(data);
	tj_filter_cache_close(c);
	tj_filter_free(f);
	tj_profile_free(p);
	rmtree(dir);
	free(dir);
}

static void test_default_dir(void **state)
{
	(void)state;
	char *old_xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("HOME", "/home/u", 1);
	char *d = tj_filter_cache_default_dir();
	assert_string_equal(d, "/x/cache/tinyjail");
	free(d);
	setenv("XDG_CACHE_HOME", "relative", 1); /* the XDG spec says ignore it */
	d = tj_filter_cache_default_dir();
	assert_string_equal(d, "/home/u/.cache/tinyjail");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	assert_null(tj_filter_cache_default_dir());
	if (old_xdg)
		setenv("XDG_CACHE_HOME", old_xdg, 1);
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_xdg);
	free(old_home);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),	   cmocka_unit_test(test_sha256_both_paths),
		cmocka_unit_test(test_round_trip),	   cmocka_unit_test(test_hit_and_miss),
		cmocka_unit_test(test_key_changes),	   cmocka_unit_test(test_host_change_is_a_miss),
		cmocka_unit_test(test_unsafe_directories), cmocka_unit_test(test_bad_entries),
		cmocka_unit_test(test_default_dir),	   cmocka_unit_test(test_forgery),
		cmocka_unit_test(test_hmac_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
