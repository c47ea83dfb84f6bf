/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON -> profile model: the document shapes and the entry points.
 *
 * Three document shapes are recognised (notes/profile-format.md):
 *   - a seccomp object (OCI linux.seccomp, Docker/Moby, Podman, SPO), found by
 *     its top-level "defaultAction" (json_seccomp.c);
 *   - an OCI runtime config.json ("ociVersion"), of which linux.seccomp is used;
 *   - a tinyjail profile ("tinyjail" key): the OCI config layout, where every
 *     section must be understood and enforced (json_sections.c).
 *
 * Every error names the JSON path; tj_profile_load_buffer adds the file name
 * and the line:column at the end.
 */
#include <string.h>

#include "tj/base/cleanup.h"
#include "tj/json/profile_json.h"
#include "tj/model/policy.h"

#include "json_internal.h"

static int parse_oci_version(struct loader *L, json_object *v)
{
	const char *s;
	return tj_json_get_string(L, v, true, &s);
}

static int parse_tinyjail_profile(struct loader *L, json_object *root)
{
	static const struct section table[] = {
		{"tinyjail", tj_json_parse_tinyjail_section},
		{"ociVersion", parse_oci_version},
		{"hostname", tj_json_parse_hostname},
		{"process", tj_json_parse_process},
		{"linux", tj_json_parse_linux},
		{NULL, NULL},
	};
	if (tj_json_parse_sections(L, root, table) < 0)
		return -1;
	if (L->p->limits.kill_after_ms && !L->p->limits.timeout_ms) {
		tj_jpath_push_key(&L->path, "tinyjail");
		tj_jpath_push_key(&L->path, "killAfter");
		return tj_json_fail(L, "killAfter needs a timeout");
	}
	return 0;
}

/* --- OCI runtime configs --- */

/* A runtime config.json: tinyjail applies its own layers from its own flags
 * and profile sections; only linux.seccomp is taken, and what is not applied
 * is named in a warning. */
static int parse_oci_config(struct loader *L, json_object *root)
{
	struct tj_profile *p = L->p;
	json_object *linux_obj = NULL, *v;
	struct tj_buf ignored = {0};
	json_object_object_foreach (root, key, val) {
		(void)val;
		if (strcmp(key, "ociVersion") && strcmp(key, "linux"))
			tj_buf_addf(&ignored, "%s%s", ignored.len ? ", " : "", key);
	}
	bool has_linux = json_object_object_get_ex(root, "linux", &linux_obj) &&
			 json_object_get_type(linux_obj) == json_type_object;
	if (has_linux) {
		json_object_object_foreach (linux_obj, lkey, lval) {
			(void)lval;
			if (strcmp(lkey, "seccomp"))
				tj_buf_addf(&ignored, "%slinux.%s", ignored.len ? ", " : "", lkey);
		}
	}
	if (ignored.len)
		tj_notes_add(&p->warnings, NULL, "OCI config: only linux.seccomp is used; not applied: %s", ignored.s);
	tj_buf_done(&ignored);

	if (linux_obj && json_object_get_type(linux_obj) != json_type_null && !has_linux) {
		size_t old = tj_jpath_push_key(&L->path, "linux");
		(void)old;
		return tj_json_expect_type(L, linux_obj, json_type_object, "an object");
	}
	if (!has_linux || !json_object_object_get_ex(linux_obj, "seccomp", &v) ||
	    json_object_get_type(v) == json_type_null) {
		tj_notes_add(&p->warnings, NULL, "OCI config has no linux.seccomp: no syscall filter");
		return 0;
	}
	tj_jpath_push_key(&L->path, "linux");
	tj_jpath_push_key(&L->path, "seccomp");
	return tj_json_parse_seccomp(L, v, false, &p->seccomp);
}

static int parse_document(struct loader *L, json_object *root)
{
	struct tj_profile *p = L->p;
	if (json_object_get_type(root) != json_type_object)
		return tj_json_fail(L, "expected a JSON object at the top level, got %s", tj_json_type_name(root));
	if (json_object_object_get_ex(root, "tinyjail", NULL)) {
		p->shape = TJ_SHAPE_TINYJAIL;
		return parse_tinyjail_profile(L, root);
	}
	if (json_object_object_get_ex(root, "defaultAction", NULL) ||
	    json_object_object_get_ex(root, "syscalls", NULL)) {
		p->shape = TJ_SHAPE_SECCOMP;
		return tj_json_parse_seccomp(L, root, false, &p->seccomp);
	}
	if (json_object_object_get_ex(root, "ociVersion", NULL) || json_object_object_get_ex(root, "linux", NULL)) {
		p->shape = TJ_SHAPE_OCI_CONFIG;
		return parse_oci_config(L, root);
	}
	return tj_json_fail(
		L,
		"not a profile: expected 'defaultAction' (a seccomp profile), 'ociVersion' (an OCI config) or 'tinyjail' (a tinyjail profile)");
}

/* How deep "extends" may chain (a loop is found long before). */
#define MAX_EXTENDS 8

static int load_buffer(const char *display, const char *text, size_t len, const char *dir, int depth,
		       struct tj_profile **ret, struct tj_err **err);

/* tinyjail.extends: the base profile, loaded as --profile would load it
 * (a bare name is bundled), a relative path from the profile's directory. */
static int load_base(struct tj_profile *p, const char *dir, int depth, struct tj_err **err)
{
	if (depth >= MAX_EXTENDS) {
		tj_err_set(err, TJ_ERR_PROFILE, 0, "more than %d profiles deep (a loop?)", MAX_EXTENDS);
		return tj_err_at(err, p->file, "tinyjail.extends");
	}
	const char *name = p->extends;
	bool bare = !strchr(name, '/') && !(strlen(name) > 5 && strcmp(name + strlen(name) - 5, ".json") == 0);
	tj_autofree char *path = NULL;
	if (bare) {
		if (tj_policy_find(name, &path, err) < 0)
			return tj_err_at(err, p->file, "tinyjail.extends");
	} else {
		path = name[0] == '/' || !dir ? tj_xstrdup(name) : tj_xasprintf("%s/%s", dir, name);
	}
	struct tj_buf b = {0};
	if (tj_json_read_text_file(path, path, "profile", &b, err) < 0) {
		tj_buf_done(&b);
		return tj_err_hint(err, "named by tinyjail.extends of %s", p->file);
	}
	tj_autofree char *base_dir = tj_xstrdup(path);
	char *slash = strrchr(base_dir, '/');
	if (slash)
		*slash = '\0';
	struct tj_profile *base = NULL;
	int r = load_buffer(path, b.s ? b.s : "", b.len, slash ? base_dir : ".", depth + 1, &base, err);
	tj_buf_done(&b);
	if (r < 0)
		return -1;
	tj_profile_extend(p, base);
	return 0;
}

static int load_buffer(const char *display, const char *text, size_t len, const char *dir, int depth,
		       struct tj_profile **ret, struct tj_err **err)
{
	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *p = tj_xcalloc(1, sizeof(*p));
	p->file = tj_xstrdup(display);
	json_object *root = NULL;
	if (tj_json_parse_text(display, text, len, &root, err) < 0)
		return -1;
	p->text = tj_xstrndup(text, len);
	p->text_len = len;

	/* On success root is NULL only for the document `null`, which
	 * parse_document rejects like any other non-object. */
	struct loader L = {.p = p, .err = err};
	tj_jpath_init(&L.path);
	int r = parse_document(&L, root);
	json_object_put(root);
	if (r < 0) {
		tj_err_at(err, display, NULL);
		tj_jsonpos_locate_error(p->text, p->text_len, err);
		return -1;
	}
	if (p->extends && load_base(p, dir, depth, err) < 0) {
		tj_jsonpos_locate_error(p->text, p->text_len, err);
		return -1;
	}
	*ret = TJ_STEAL(&p);
	return 0;
}

int tj_profile_load_buffer(const char *display, const char *text, size_t len, struct tj_profile **ret,
			   struct tj_err **err)
{
	return load_buffer(display, text, len, NULL, 0, ret, err);
}

int tj_profile_load_file(const char *path, const char *display, struct tj_profile **ret, struct tj_err **err)
{
	if (!display)
		display = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct tj_buf b = {0};
	if (tj_json_read_text_file(path, display, "profile", &b, err) < 0)
		return -1;
	/* A relative "extends" path starts from the profile's directory. */
	tj_autofree char *dir = tj_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	int r = load_buffer(display, b.s ? b.s : "", b.len, slash ? dir : NULL, 0, ret, err);
	tj_buf_done(&b);
	return r;
}
