/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail compile profile [--bpf F] [--pfc F] [--oci F] [--spo F]` */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/cli/cmd.h"
#include "tj/json/profile_json.h"
#include "tj/json/profile_write.h"

static int write_output(const char *path, const void *data, size_t len, bool binary)
{
	bool to_stdout = strcmp(path, "-") == 0;
	if (to_stdout && binary && isatty(1)) {
		fprintf(stderr, "tinyjail: refusing to write a binary BPF program to a terminal; use --bpf FILE\n");
		return TJ_EXIT_ERROR;
	}
	FILE *f = to_stdout ? stdout : fopen(path, binary ? "wbe" : "we");
	if (!f) {
		fprintf(stderr, "tinyjail: cannot write '%s': %s\n", path, strerror(errno));
		return TJ_EXIT_ERROR;
	}
	bool ok = fwrite(data, 1, len, f) == len;
	ok = (to_stdout ? fflush(f) : fclose(f)) == 0 && ok;
	if (!ok) {
		fprintf(stderr, "tinyjail: writing '%s' failed: %s\n", path, strerror(errno));
		return TJ_EXIT_ERROR;
	}
	return 0;
}

/* The rules in force on this host (groups expanded, conditions resolved)
 * as a Kubernetes SeccompProfile, named after the profile's file unless
 * --spo-name says otherwise. */
static int write_spo(const struct tj_options *o, const struct tj_profile *p, const struct tj_filter *f)
{
	tj_autofree char *base = tj_xstrdup(p->file);
	char *name = basename(base);
	char *dot = strrchr(name, '.');
	if (dot && dot != name)
		*dot = '\0';
	/* Conditional rules are resolved for this host already: those left apply. */
	for (size_t i = 0; i < f->resolved->nrules; i++)
		f->resolved->rules[i].has_includes = f->resolved->rules[i].has_excludes = false;
	tj_autofree char *comment = tj_xasprintf("compiled by tinyjail from %s", p->file);
	struct tj_profile_write_opts wo = {.flags = TJ_WRITE_SORT, .comment = comment};
	struct tj_err *err = NULL;
	tj_autofree char *yaml = NULL;
	if (tj_profile_write_spo(f->resolved, &wo, o->spo_name ? o->spo_name : name, NULL, &yaml, &err) < 0) {
		tj_err_at(&err, p->file, NULL);
		int code = tj_cmd_report(err);
		tj_err_free(err);
		return code;
	}
	return write_output(o->out_spo, yaml, strlen(yaml), false);
}

int tj_cmd_compile(const struct tj_options *o)
{
	__attribute__((cleanup(tj_profile_freep))) struct tj_profile *p = NULL;
	__attribute__((cleanup(tj_filter_freep))) struct tj_filter *f = NULL;
	int code = tj_cmd_load_profile(o->inputs[0], o->verbosity, &p);
	if (code)
		return code;
	if (!p->seccomp) {
		fprintf(stderr, "tinyjail: %s: the profile has no seccomp section to compile\n", p->file);
		return TJ_EXIT_ERROR;
	}
	bool no_output = !o->out_bpf && !o->out_pfc && !o->out_oci && !o->out_spo;
	/* The profile's own actions: this is the program as the kernel would
	 * enforce it on its own (bwrap --seccomp, a container runtime). */
	struct tj_host host;
	tj_cmd_target_host(p->iso.keep_caps | o->iso.keep_caps, &host);
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE,
				    .supervise_kills = false,
				    .ignore_unknown_deny = o->ignore_unknown,
				    .optimize = o->optimize,
				    .want_pfc = no_output || o->out_pfc,
				    .host = &host};
	if ((code = tj_cmd_compile_profile(p, &fo, o->verbosity, &f)) != 0)
		return code;
	if (o->verbosity > 0)
		fprintf(stderr, "tinyjail: %s: %zu BPF instructions from %zu libseccomp rules\n", p->file, f->len,
			f->nrules_added);

	if (o->out_bpf && (code = write_output(o->out_bpf, f->prog, f->len * sizeof(*f->prog), true)))
		return code;
	if ((no_output || o->out_pfc) &&
	    (code = write_output(no_output ? "-" : o->out_pfc, f->pfc, strlen(f->pfc), false)))
		return code;
	if (o->out_oci) {
		tj_autofree char *json = tj_seccomp_to_oci_json(f->resolved);
		if ((code = write_output(o->out_oci, json, strlen(json), false)))
			return code;
	}
	if (o->out_spo)
		return write_spo(o, p, f);
	return 0;
}
