/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emit_events FILE: writes one event of every kind through the events.h API
 * (those the command line cannot produce yet: limits, network refusals,
 * layers; plus the rest), for tests/integration/test_events.sh to validate
 * against notes/events.schema.json.  Linked against libtj.
 */
#include <linux/audit.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "tj/events/events.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: emit_events FILE\n");
		return 2;
	}
	struct tj_events ev;
	struct tj_err *err = NULL;
	if (tj_events_open(&ev, argv[1], &err) < 0) {
		fprintf(stderr, "emit_events: %s\n", err->msg);
		return 1;
	}
	char *args[] = {"./app", "--flag", NULL};
	tj_events_start(&ev, "enforce", "p.json", args, 4242);
	struct tj_syscall_event e = {.verdict = TJ_VERDICT_DENIED,
				     .pid = 4242,
				     .comm = "app",
				     .data = {.nr = SYS_clone3, .arch = AUDIT_ARCH_X86_64},
				     .action = 0x00050026u,
				     .rule = "syscalls[8]",
				     .errnum = 38};
	tj_events_syscall(&ev, &e);
	e = (struct tj_syscall_event){.verdict = TJ_VERDICT_ALLOWED,
				      .pid = 4242,
				      .comm = "app",
				      .data = {.nr = SYS_getpgrp, .arch = AUDIT_ARCH_X86_64},
				      .action = 0x7fc00000u,
				      .rule = "d.json rules[0]",
				      .decided_by = "rules"};
	tj_events_syscall(&ev, &e);
	/* A call `tinyjail learn` recorded (revision 1.1). */
	e = (struct tj_syscall_event){.verdict = TJ_VERDICT_ALLOWED,
				      .pid = 4244,
				      .comm = "ls",
				      .data = {.nr = SYS_openat,
					       .arch = AUDIT_ARCH_X86_64,
					       .args = {0xffffff9c, 0, 0x80000}},
				      .action = 0x80000000u,
				      .rule = "defaultAction",
				      .decided_by = "learn",
				      .exe = "/usr/bin/ls"};
	tj_events_syscall(&ev, &e);
	e = (struct tj_syscall_event){.verdict = TJ_VERDICT_WOULD_DENY,
				      .source = TJ_SOURCE_KMSG,
				      .pid = 4243,
				      .data = {.nr = 102, .arch = AUDIT_ARCH_I386},
				      .no_args = true,
				      .action_unknown = true,
				      .rule = "unknown"};
	tj_events_syscall(&ev, &e);
	/* Revision 1.1: a stack on a syscall, the process tree, usage counts,
	 * call sites. */
	struct tj_frame frames[] = {
		{.pc = 0x7f0000001234,
		 .module = "libc.so.6",
		 .function = "__open",
		 .offset = 0x14,
		 .file = "open64.c",
		 .line = 41},
		{.pc = 0x555500001000,
		 .module = "app",
		 .function = "load_config",
		 .offset = 9,
		 .file = "app.c",
		 .line = 42},
		{.pc = 0x555500001100, .module = "app", .offset = 0x1100},
	};
	e = (struct tj_syscall_event){.verdict = TJ_VERDICT_ALLOWED,
				      .pid = 4244,
				      .tgid = 4242,
				      .comm = "app",
				      .data = {.nr = SYS_openat, .arch = AUDIT_ARCH_X86_64},
				      .action = 0x7fff0000u,
				      .rule = "syscalls[0]",
				      .stack = frames,
				      .stack_n = 3,
				      .site = 1};
	tj_events_syscall(&ev, &e);
	char *pargv[] = {"ls", "-l", NULL};
	tj_events_process(&ev, &(struct tj_process_event){.cause = TJ_PROCESS_START,
							  .pid = 4242,
							  .comm = "app",
							  .exe = "/srv/app",
							  .argv = args,
							  .loader = "/lib/ld.so",
							  .loader_start = 0x7f0000000000,
							  .loader_end = 0x7f0000030000});
	tj_events_process(&ev, &(struct tj_process_event){.cause = TJ_PROCESS_FORK,
							  .pid = 4245,
							  .ppid = 4242,
							  .comm = "app",
							  .exe = "/srv/app"});
	tj_events_process(&ev, &(struct tj_process_event){.cause = TJ_PROCESS_EXEC,
							  .pid = 4245,
							  .comm = "ls",
							  .exe = "/usr/bin/ls",
							  .argv = pargv});
	tj_events_process(&ev, &(struct tj_process_event){.cause = TJ_PROCESS_EXIT,
							  .pid = 4245,
							  .has_code = true,
							  .code = 2});
	tj_events_usage(&ev, 4242, AUDIT_ARCH_X86_64, SYS_openat, 0x7fff0000u, "syscalls[0]", 12);
	struct tj_explain_site sites[] = {{.id = 1, .count = 12, .stack = frames, .stack_n = 3}};
	tj_events_explain(&ev, &(struct tj_explain_event){.syscall = "openat",
							  .calls = 13,
							  .stacks = 12,
							  .skipped = 1,
							  .sites = sites,
							  .nsites = 1});
	struct tj_limit_event l = {.resource = "memory",
				   .source = "cgroup",
				   .unit = "bytes",
				   .has_limit = true,
				   .limit = 104857600,
				   .has_value = true,
				   .value = 104861696,
				   .action = "killed",
				   .pid = 4242,
				   .detail = "memory.max"};
	tj_events_limit(&ev, &l);
	struct tj_limit_event t = {.resource = "wall-time",
				   .source = "timeout",
				   .unit = "ms",
				   .has_limit = true,
				   .limit = 2000,
				   .action = "killed"};
	tj_events_limit(&ev, &t);
	struct tj_net_event n = {.pid = 4242,
				 .comm = "app",
				 .syscall = "connect",
				 .family = "inet",
				 .protocol = "tcp",
				 .address = "192.0.2.1",
				 .port = 443,
				 .reason = "network is off"};
	tj_events_net_refused(&ev, &n);
	struct tj_net_event proxy = {.family = "inet",
				     .protocol = "tcp",
				     .address = "127.0.0.1",
				     .port = 8443,
				     .reason = "'evil.test' is not in the allowlist",
				     .host = "evil.test",
				     .method = "CONNECT",
				     .rule = "allowlist",
				     .status = 403};
	tj_events_net_refused(&ev, &proxy);
	struct tj_net_event cut = {.family = "inet",
				   .protocol = "tcp",
				   .address = "127.0.0.1",
				   .port = 443,
				   .reason = "the connection reached its maximum lifetime of 30s",
				   .cut = true,
				   .host = "files.test",
				   .method = "CONNECT",
				   .rule = "connection-timeout",
				   .duration_ms = 30001};
	tj_events_net_refused(&ev, &cut);
	tj_events_layer(&ev, "seccomp", TJ_LAYER_APPLIED, "45 BPF instructions");
	tj_events_layer(&ev, "cgroup", TJ_LAYER_DEGRADED, "no memory controller");
	tj_events_layer(&ev, "landlock", TJ_LAYER_UNAVAILABLE, "not in this kernel");
	tj_events_listener(&ev, true, 4242, "tinyjail-4242", "meta");
	tj_events_listener(&ev, false, 4242, "tinyjail-4242", NULL);
	struct tj_exit_event x = {.exit_code = 124, .signal = 9, .reason = "timeout", .wall_ms = 2003};
	tj_events_exit_ex(&ev, &x);
	if (tj_events_close(&ev, &err) < 0) {
		fprintf(stderr, "emit_events: %s\n", err->msg);
		return 1;
	}
	return 0;
}
