/* SPDX-License-Identifier: Apache-2.0 */
/* `tinyjail groups [@group|syscall...]`: the syscall groups (notes/groups.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tj/cli/cmd.h"
#include "tj/model/sysgroups.h"

static void list_all(void)
{
	size_t n;
	const struct tj_sysgroup *g = tj_sysgroups(&n);
	printf("%-20s %4s  %-9s  %-8s  %s\n", "GROUP", "SIZE", "RISK", "FROM", "MEANING");
	for (size_t i = 0; i < n; i++)
		printf("%-20s %4zu  %-9s  %-8s  %s\n", g[i].name, tj_sysgroup_size(&g[i]), tj_risk_name(g[i].risk),
		       g[i].systemd ? "systemd" : "tinyjail", g[i].meaning);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct tj_sysgroup_syscall *)a)->name, ((const struct tj_sysgroup_syscall *)b)->name);
}

static void show_group(const struct tj_sysgroup *g)
{
	struct tj_sysgroup_set set = {0};
	tj_sysgroup_set_add_group(&set, g, 0);
	qsort(set.v, set.n, sizeof(*set.v), by_name); /* the set is only printed and freed after this */
	printf("%s: %s\n", g->name, g->meaning);
	printf("risk %s; from %s; %zu syscalls\n", tj_risk_name(g->risk), g->systemd ? "systemd 252" : "tinyjail",
	       set.n);
	for (size_t i = 0; i < set.n; i++) {
		const struct tj_sysgroup_syscall *e = &set.v[i];
		struct tj_buf extra = {0};
		/* Only nested groups are worth naming: the top one is g. */
		if (e->via && strcmp(e->via, g->name) != 0)
			tj_buf_addf(&extra, "  via %s", e->via + strlen(g->name) + 3);
		for (size_t c = 0; !e->any_args && c < e->nconstrained; c++)
			tj_buf_addf(&extra, "%s%s", c ? " or " : "  only when ", e->constrained[c]->when);
		if (extra.len)
			printf("  %-22s%s\n", e->name, extra.s);
		else
			printf("  %s\n", e->name);
		tj_buf_done(&extra);
	}
	tj_sysgroup_set_done(&set);
}

static void show_syscall(const char *name)
{
	size_t n;
	const struct tj_sysgroup *g = tj_sysgroups(&n);
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		struct tj_sysgroup_set set = {0};
		tj_sysgroup_set_add_group(&set, &g[i], 0);
		const struct tj_sysgroup_syscall *e = tj_sysgroup_set_find(&set, name);
		if (e) {
			struct tj_buf extra = {0};
			if (strcmp(e->via, g[i].name) != 0)
				tj_buf_addf(&extra, "  via %s", e->via);
			if (!e->any_args)
				tj_buf_add(&extra, "  with argument constraints");
			printf("%-20s %-9s%s\n", g[i].name, tj_risk_name(g[i].risk), extra.len ? extra.s : "");
			tj_buf_done(&extra);
			found++;
		}
		tj_sysgroup_set_done(&set);
	}
	if (!found)
		printf("'%s' is in no group (only in @known, if the kernel has it)\n", name);
}

static int unknown(const char *arg)
{
	struct tj_err *err = NULL;
	const char *hint;
	if (arg[0] == '@') {
		hint = tj_suggest(arg, tj_sysgroup_names());
		tj_err_set(&err, TJ_ERR_USAGE, 0, "unknown syscall group '%s'%s%s%s", arg,
			   hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
	} else {
		hint = tj_suggest(arg, tj_known_syscall_names());
		tj_err_set(&err, TJ_ERR_USAGE, 0, "unknown syscall '%s'%s%s%s", arg, hint ? " (did you mean '" : "",
			   hint ? hint : "", hint ? "'?)" : "");
	}
	tj_err_hint(&err, "'tinyjail groups' lists the groups");
	int code = tj_cmd_report(err);
	tj_err_free(err);
	return code;
}

int tj_cmd_groups(const struct tj_options *o)
{
	if (o->ninputs == 0) {
		list_all();
		return 0;
	}
	for (size_t i = 0; i < o->ninputs; i++) {
		const char *arg = o->inputs[i];
		int nr;
		if (i)
			printf("\n");
		if (arg[0] == '@' && tj_sysgroup_find(arg))
			show_group(tj_sysgroup_find(arg));
		else if (arg[0] != '@' && tj_syscall_resolve(arg, &nr) != TJ_SYSCALL_UNKNOWN)
			show_syscall(arg);
		else
			return unknown(arg);
	}
	return 0;
}
