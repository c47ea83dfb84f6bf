/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to src/json/: the loader state and the helpers the JSON grammars
 * share.  Every json-c user is a file of this folder (tools/levels.txt).
 *
 *   json_read.c       typed getters, json-c errors with positions, whole files
 *   json_seccomp.c    the seccomp object and its rules
 *   json_sections.c   tinyjail and OCI sections into the option models
 *   json_documents.c  document shapes; tj_profile_load_*
 *   json_write.c      plain OCI out; write-back edits
 *   json_decisions.c  the supervisor's decisions file
 *   json_agent.c      the agent protocol's state
 */
#ifndef TJ_JSON_INTERNAL_H
#define TJ_JSON_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tj/base/err.h"
#include "tj/base/jsonpos.h"
#include "tj/base/util.h"
#include "tj/model/profile.h"

/* One document being read: the profile it fills, where in the JSON the
 * reader is (for messages), and the error slot. */
struct loader {
	struct tj_profile *p;
	struct tj_jpath path;
	struct tj_err **err;
};

/* A section's keys and their parsers (tj_json_parse_sections). */
struct section {
	const char *key;
	int (*parse)(struct loader *L, json_object *v);
};

/* json_read.c */
__attribute__((format(printf, 2, 3))) int tj_json_fail(struct loader *L, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void tj_json_warn(struct loader *L, const char *fmt, ...);
const char *tj_json_type_name(json_object *o);
int tj_json_expect_type(struct loader *L, json_object *o, enum json_type t, const char *what);
int tj_json_get_uint(struct loader *L, json_object *o, uint64_t max, uint64_t *ret);
int tj_json_get_string(struct loader *L, json_object *o, bool nonempty, const char **ret);
int tj_json_check_keys(struct loader *L, json_object *obj, const char *const *known, const char *const *ignored,
		       bool strict);
int tj_json_lookup_name(struct loader *L, const char *what, const char *name, int (*from_name)(const char *),
			const char *const *table, int *ret);
int tj_json_errno_from_string(struct loader *L, const char *s, unsigned *ret);
int tj_json_errno_limit(enum tj_action a);
int tj_json_get_string_array(struct loader *L, json_object *arr, bool nonempty_items, struct tj_strv *out);
int tj_json_each_string(struct loader *L, json_object *arr, bool nonempty_items,
			int (*fn)(struct loader *L, void *ctx, const char *s), void *ctx);
int tj_json_parse_text(const char *display, const char *text, size_t len, json_object **ret_root, struct tj_err **err);
int tj_json_read_text_file(const char *path, const char *display, const char *what, struct tj_buf *out,
			   struct tj_err **err);

/* json_seccomp.c */
int tj_json_parse_arg(struct loader *L, json_object *o, struct tj_arg *arg);
int tj_json_parse_seccomp(struct loader *L, json_object *o, bool strict, struct tj_seccomp **ret);

/* json_sections.c */
int tj_json_parse_sections(struct loader *L, json_object *obj, const struct section *table);
int tj_json_parse_hostname(struct loader *L, json_object *v);
int tj_json_parse_tinyjail_section(struct loader *L, json_object *v);
int tj_json_parse_process(struct loader *L, json_object *v);
int tj_json_parse_linux(struct loader *L, json_object *v);

#endif
