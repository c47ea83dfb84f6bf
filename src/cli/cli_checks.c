/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What each verb needs of its arguments once argv is parsed (cli.c):
 * supervise, learn (with --static, --check, --fuzz) and --afl.  Pure checks
 * over struct tj_options, with the usage in the message.
 */
#include <string.h>

#include "cli_internal.h"
#include "tj/base/util.h"

/* supervise takes no positional arguments; write-back needs the profile. */
int tj_cli_check_supervise(const struct tj_options *o, int nrest, struct tj_err **err)
{
	if (nrest > 0)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "supervise takes no arguments besides options");
	if (!o->listen)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "supervise needs --listen SOCK");
	if ((o->write_back || o->write_back_to) && !o->profile)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--write-back needs the profile to update (--profile FILE)");
	if (o->write_back && o->write_back_to)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--write-back and --write-back-to exclude each other");
	return 0;
}

/* --afl (and learn --fuzz, which runs its command so): the command runs
 * inside afl-fuzz's forkserver, which some run options would break
 * (notes/fuzz-learn.md). */
int tj_cli_check_afl(const struct tj_options *o, const char *what, struct tj_err **err)
{
	if (o->iso.unshare & TJ_NS_PID)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "%s: no pid namespace: afl-fuzz kills the pid the forkserver reports, which must be a "
				  "pid of afl-fuzz's own namespace (name the other namespaces instead of 'all')",
				  what);
	if (o->iso.unshare & TJ_NS_IPC)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "%s: no IPC namespace: the target attaches afl-fuzz's coverage map, a System V shared "
				  "memory segment of afl-fuzz's namespace",
				  what);
	if (o->limits.timeout_ms)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "%s: no --timeout: afl-fuzz times each execution itself (-t), and tinyjail's timeout "
				  "would end the forkserver",
				  what);
	if (o->iso.no_new_processes)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "%s: no --no-fork: afl-fuzz's forkserver forks once per execution", what);
	if (o->limits.has_memory || o->limits.has_cpu || o->limits.has_pids || o->iso.nrw_limits)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "%s: no --memory, --cpu, --pids or --rw-limit: afl-fuzz ends the tinyjail it starts "
				  "with SIGKILL, which leaves no time to remove a cgroup or copy files back",
				  what);
	return 0;
}

/* learn --fuzz: the refinement loop (cmd_fuzz.c). */
static int check_fuzz(struct tj_options *o, char **rest, int nrest, struct tj_err **err)
{
	const struct tj_learn_options *l = &o->learn;
	if (l->static_analysis || l->check || l->cases)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--fuzz takes none of --static, --check, --cases");
	if (!l->output)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "learn needs the profile to write (-o FILE)");
	if (l->merge && l->force)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--merge and --force exclude each other");
	if (!l->fuzz[0])
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--fuzz needs the directory of seed inputs");
	if (o->iso.afl_forkserver || l->journal)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--fuzz gives --afl and --journal to the runs it starts itself");
	if (o->log_path || o->json_status)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--log and --json-status describe one run; learn --fuzz keeps its records in "
				  "--fuzz-dir");
	if (tj_cli_check_afl(o, "--fuzz", err) < 0)
		return -1;
	if (nrest == 0)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "no command given (usage: tinyjail learn --fuzz SEEDS -o FILE [options] -- "
				  "program [args...] [@@])");
	if (rest[0][0] == '\0')
		return tj_err_set(err, TJ_ERR_USAGE, 0, "the command name is empty");
	o->command = rest;
	return 0;
}

/* learn: a command, --cases, or --check with the profile as argument. */
int tj_cli_check_learn(struct tj_options *o, char **rest, int nrest, struct tj_err **err)
{
	const struct tj_learn_options *l = &o->learn;
	if (l->fuzz)
		return check_fuzz(o, rest, nrest, err);
	if ((o->iso.afl_forkserver || l->journal) && (l->static_analysis || l->check || l->cases))
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--afl and --journal are for learn's command form");
	if (o->iso.afl_forkserver && tj_cli_check_afl(o, "--afl", err) < 0)
		return -1;
	if (l->budget_ms || l->budget_execs || l->max_ms || l->jobs || l->from || l->fuzz_dir || l->has_fuzz_seed)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "--budget, --budget-execs, --max-time, --jobs, --from, --fuzz-dir and --fuzz-seed are "
				  "options of learn --fuzz");
	if (l->static_analysis) {
		if (l->check || l->merge || l->cases || l->exact || l->plain_names || l->group_share ||
		    l->default_errno)
			return tj_err_set(err, TJ_ERR_USAGE, 0,
					  "--static analyses programs without running them: it takes none of --check, "
					  "--merge, --cases, --exact, --plain-names, --group-share, --default-errno");
		if (!l->output)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "learn needs the profile to write (-o FILE)");
		if (nrest == 0)
			return tj_err_set(err, TJ_ERR_USAGE, 0,
					  "no program given (usage: tinyjail learn --static -o FILE program...)");
		for (int i = 0; i < nrest; i++)
			if (!rest[i][0])
				return tj_err_set(err, TJ_ERR_USAGE, 0, "a program name is empty");
		o->inputs = rest;
		o->ninputs = (size_t)nrest;
		return 0;
	}
	if (o->strict || o->no_vdso)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--strict and --no-vdso are options of learn --static");
	if (l->check) {
		if (l->output || l->merge || l->force || l->cases || l->exact || l->plain_names || l->group_share ||
		    l->default_errno)
			return tj_err_set(err, TJ_ERR_USAGE, 0,
					  "--check runs held-out cases under a profile and writes nothing: it "
					  "takes none of -o, --merge, --force, --cases, --exact, --plain-names, "
					  "--group-share, --default-errno");
		if (nrest != 1)
			return tj_err_set(err, TJ_ERR_USAGE, 0,
					  "--check needs the profile to check (usage: tinyjail learn --check CASES "
					  "profile)");
		o->inputs = rest;
		o->ninputs = 1;
		return 0;
	}
	if (!l->output)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "learn needs the profile to write (-o FILE)");
	if (l->merge && l->force)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "--merge and --force exclude each other");
	if (l->cases) {
		if (nrest > 0)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "--cases takes the commands from its file, not '%s'",
					  rest[0]);
		if (o->log_path || o->json_status)
			return tj_err_set(err, TJ_ERR_USAGE, 0,
					  "--log and --json-status describe one run; with --cases learn each case "
					  "on its own");
		return 0;
	}
	if (nrest == 0)
		return tj_err_set(err, TJ_ERR_USAGE, 0,
				  "no command given (usage: tinyjail learn -o FILE [options] -- command [args...])");
	if (rest[0][0] == '\0')
		return tj_err_set(err, TJ_ERR_USAGE, 0, "the command name is empty");
	o->command = rest;
	return 0;
}
