/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container process state of the OCI seccomp agent protocol.
 */
#include <string.h>

#include "tj/supervise/agent.h"

#include "json_internal.h"

/* --- the container process state (OCI seccomp agent protocol) --- */

static char *opt_string(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || json_object_get_type(v) != json_type_string)
		return NULL;
	return tj_xstrdup(json_object_get_string(v));
}

int tj_agent_state_parse(const char *json, size_t len, struct tj_agent_state *st, struct tj_err **err)
{
	memset(st, 0, sizeof(*st));
	st->seccomp_fd_index = -1;
	json_object *root = NULL;
	if (tj_json_parse_text("container state", json, len, &root, err) < 0)
		return -1;
	struct loader L = {.err = err};
	tj_jpath_init(&L.path);
	json_object *v, *state;
	int r = -1;
	/* Runtimes add keys of their own; only what the spec requires is
	 * checked (specs-go ContainerProcessState). */
	if (tj_json_expect_type(&L, root, json_type_object, "an object") < 0)
		goto out;
	st->oci_version = opt_string(root, "ociVersion");
	if (!st->oci_version) {
		tj_json_fail(&L, "missing 'ociVersion'");
		goto out;
	}
	if (!json_object_object_get_ex(root, "pid", &v) || json_object_get_type(v) != json_type_int ||
	    json_object_get_int64(v) <= 0 || json_object_get_int64(v) > INT32_MAX) {
		tj_jpath_push_key(&L.path, "pid");
		tj_json_fail(&L, "missing or invalid 'pid'");
		goto out;
	}
	st->pid = (pid_t)json_object_get_int64(v);
	st->metadata = opt_string(root, "metadata");
	if (json_object_object_get_ex(root, "fds", &v) && json_object_get_type(v) == json_type_array) {
		st->nfds = json_object_array_length(v);
		for (size_t i = 0; i < st->nfds; i++) {
			json_object *e = json_object_array_get_idx(v, i);
			if (json_object_get_type(e) == json_type_string &&
			    strcmp(json_object_get_string(e), TJ_AGENT_SECCOMP_FD) == 0 && st->seccomp_fd_index < 0)
				st->seccomp_fd_index = (int)i;
		}
	}
	if (!json_object_object_get_ex(root, "state", &state) || json_object_get_type(state) != json_type_object) {
		tj_json_fail(&L, "missing 'state' (the container state)");
		goto out;
	}
	st->id = opt_string(state, "id");
	st->status = opt_string(state, "status");
	st->bundle = opt_string(state, "bundle");
	if (!st->id) {
		tj_jpath_push_key(&L.path, "state");
		tj_json_fail(&L, "missing 'id'");
		goto out;
	}
	r = 0;
out:
	json_object_put(root);
	if (r < 0)
		tj_agent_state_done(st);
	return r;
}
