/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Argument parsing.  The first argument chooses a verb (the table `verbs`
 * below, with the rule that tells verbs from commands); anything else is the
 * run form, `tinyjail [options] [--] command...`, where the first non-option
 * starts the command, as with env(1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "tj/base/cleanup.h"
#include "tj/base/util.h"
#include "tj/cli/cli.h"

static const char usage_run[] =
	"usage: tinyjail [run] [options] [--] command [args...]\n"
	"       tinyjail check [--lint] profile...\n"
	"       tinyjail compile profile [--bpf FILE] [--pfc FILE] [--oci FILE] [--spo FILE]\n"
	"       tinyjail groups [@group|syscall...]\n"
	"       tinyjail why syscall profile [arg...]\n"
	"       tinyjail supervise --listen SOCK [--rules FILE] [--profile FILE --write-back]\n"
	"       tinyjail learn -o FILE [--merge|--force] [options] -- command [args...]\n"
	"       tinyjail learn --check CASES profile\n"
	"       tinyjail learn --static -o FILE [--force] program...\n"
	"       tinyjail learn --fuzz SEEDS -o FILE [--budget T] [--jobs N] [--from FILE] -- prog [@@]\n"
	"       tinyjail explain syscall program...\n"
	"       tinyjail diff old.json new.json\n"
	"       tinyjail profiles\n"
	"       tinyjail report LOG... [--profile FILE] [--timeline] [--html FILE] [-o FILE]\n"
	"       tinyjail help [verb] | --help | --version\n"
	"\n"
	"Runs the command under a seccomp filter compiled from an OCI seccomp profile.\n"
	"\n"
	"options:\n"
	"  -p, --profile FILE|NAME      the profile (an OCI/Docker/Podman seccomp JSON file, an OCI\n"
	"                               config.json, a tinyjail profile, or a bundled profile by\n"
	"                               name: see below); 'none' runs without a syscall filter.\n"
	"                               Default: default.  Given once: profiles can \"extends\"\n"
	"      --allow-syscall LIST     these syscalls or @groups are allowed, whatever the profile\n"
	"                               says of them (e.g. flock,@pkey)\n"
	"      --deny-syscall LIST      these syscalls or @groups kill the process (named), whatever\n"
	"                               the profile says of them (e.g. @namespaces,@mount)\n"
	"      --enforce                apply the profile's actions (the default)\n"
	"      --complain[=notify|kmsg] deny nothing; report what the profile would have denied,\n"
	"                               seen through seccomp user notification (the default,\n"
	"                               lossless) or the kernel log (kmsg: root, lossy, cheaper)\n"
	"      --mode enforce|complain  the same as the two above\n"
	"      --log FILE               write events as JSON lines (notes/events.md); - is stderr\n"
	"      --report[=usage]         at exit: denials, kills, rules never used, why it ended;\n"
	"                               =usage also tracks allowed calls (slower; notes/supervise.md);\n"
	"                               with --log, the log then holds what `tinyjail report` shows\n"
	"      --explain LIST           where the command calls these syscalls: their call stacks,\n"
	"                               counted per call site, printed at exit and logged (repeatable;\n"
	"                               notes/reports.md)\n"
	"      --explain-stacks N       log the stack of the first N calls of each call site (default 1)\n"
	"      --notify-socket SOCK     send the seccomp listener to an OCI seccomp agent at SOCK\n"
	"                               (e.g. tinyjail supervise): it decides the profile's\n"
	"                               SCMP_ACT_NOTIFY rules and the calls the profile does not name\n"
	"      --ignore-unknown-syscalls\n"
	"                               skip deny rules naming syscalls libseccomp does not know\n"
	"                               (this weakens the filter; allow rules are always skipped)\n"
	"      --memory SIZE            memory limit (cgroup; swap cannot extend it), e.g. 100M\n"
	"      --cpu SHARE              CPU limit as a share of one CPU, e.g. 50% or 1.5\n"
	"      --pids N                 at most N processes and threads (cgroup)\n"
	"      --timeout DURATION       kill the whole tree after this long (exit 124), e.g. 120s, 2m\n"
	"      --kill-after DURATION    at the timeout send SIGTERM first, SIGKILL this much later\n"
	"                               (also the grace after a SIGTERM sent to tinyjail; default 10s)\n"
	"      --rlimit NAME=SOFT[:HARD]\n"
	"                               a resource limit, e.g. nofile=256, stack=8M, fsize=10M\n"
	"                               (repeatable; RLIMIT_CORE is 0 unless set)\n"
	"      --allow-degraded LIST    run without these where the host cannot enforce them: memory,\n"
	"                               cpu, pids, cgroup, landlock, landlock-net, net-rules,\n"
	"                               unix-sockets\n"
	"                               (default: refuse)\n"
	"      --json-status FILE       write the outcome as JSON: status, limit hit, kills,\n"
	"                               refusals, peak memory, CPU and wall time (the paths of\n"
	"                               --json-status and --log are checked before anything runs)\n"
	"      --fail-on-violation      exit non-zero when anything was killed by seccomp or refused\n"
	"                               by the network rules, even if the command exited 0\n"
	"      --kill-via supervisor|kernel\n"
	"                               who kills on a violation: tinyjail's supervisor names the\n"
	"                               syscall first (default); the kernel kills without a report\n"
	"      --no-cache               compile the profile even if a cached filter exists, and do not\n"
	"                               cache it ($XDG_CACHE_HOME/tinyjail, else ~/.cache/tinyjail)\n"
	"isolation:\n"
	"      --user USER[:GROUP]      run as this user (name or number), no supplementary groups\n"
	"      --cap-keep LIST          keep these capabilities (default: none at all)\n"
	"      --unshare LIST           new namespaces: user,mount,pid,ipc,uts,net,cgroup or all\n"
	"                               (net: loopback only; pid: tinyjail's init is pid 1)\n"
	"      --hostname NAME          the hostname in a new uts namespace (default tinyjail)\n"
	"      --ro PATH                PATH readable (Landlock; read-only in a mount namespace);\n"
	"                               paths not granted by --ro/--rw/--exec are inaccessible\n"
	"      --rw PATH                PATH readable and writable\n"
	"      --exec PATH              programs beneath PATH may be executed\n"
	"      --noexec PATH            nothing beneath PATH may be executed (mount namespace)\n"
	"      --tmpfs PATH             an empty private tmpfs on PATH\n"
	"      --rw-limit PATH=SIZE     PATH writable, at most SIZE bytes in all; what the command\n"
	"                               writes is copied back into PATH at the end\n"
	"      --workdir DIR            the command starts in DIR; a profile's download directory\n"
	"                               (curl-download: /tmp/curl_downloads-UID, size-limited and\n"
	"                               copied back, so curl -O saves there) moves to DIR\n"
	"      --no-exec                the command may execute nothing but itself\n"
	"      --no-fork                the command may start threads but no processes\n"
	"      --deny-write-execute     no writable or anonymous executable memory (W^X)\n"
	"      --signals LIST           the only signals the command may send, e.g. TERM,INT\n"
	"      --afl                    the command is afl-fuzz's target: AFL++'s forkserver pipes\n"
	"                               (descriptors 198, 199, when inherited as pipes) and its AFL_*,\n"
	"                               __AFL_*, *SAN_OPTIONS variables pass; no pid or IPC namespace,\n"
	"                               --timeout, --no-fork or cgroup limits (notes/fuzz-learn.md)\n"
	"      --tcp-connect PORTS      TCP connections only to these ports (or none; Landlock)\n"
	"      --tcp-bind PORTS         TCP listening only on these ports (or none; Landlock)\n"
	"network:\n"
	"      --net none               its own network namespace, loopback only\n"
	"      --net allow=NAME[:PORT],...\n"
	"                               its own namespace; out only through tinyjail's HTTP(S) proxy\n"
	"                               (HTTP_PROXY/HTTPS_PROXY are set), to these names or *.domains\n"
	"      --net host               the host's network, with the rules below in the kernel\n"
	"                               (cgroup BPF: root; refused attempts fail with EPERM)\n"
	"      --resolve NAME:ADDRESS   the proxy sends NAME to ADDRESS (which is thereby allowed)\n"
	"      --net-upstream-proxy HOST:PORT\n"
	"                               allow=: send what the proxy allows on to this (corporate)\n"
	"                               HTTP proxy, which resolves the names (--resolve names go\n"
	"                               straight to their address)\n"
	"      --net-ports LIST         destination ports (allow=: default 80,443; host: TCP and UDP)\n"
	"      --net-max-conns N        at most N connections at once through the proxy (default 64)\n"
	"      --net-conn-timeout DURATION\n"
	"                               cut a proxied connection after this long\n"
	"      --net-idle-timeout DURATION\n"
	"                               cut a proxied connection idle this long (default 5m)\n"
	"      --net-deny-private       host: refuse private, loopback, link-local, CGNAT, multicast\n"
	"                               and unique-local addresses (allow= always does)\n"
	"      --net-allow-cidr LIST    addresses allowed even so, e.g. 10.0.0.0/8\n"
	"      --net-deny-cidr LIST     addresses always refused\n"
	"      --net-dns LIST           host: the only resolvers DNS (port 53) may reach\n"
	"                               (default: the nameservers of /etc/resolv.conf)\n"
	"environment:\n"
	"      --env-keep LIST          also pass these variables (names or globs, e.g. EDITOR,GITHUB_*);\n"
	"                               by default PATH, HOME, USER, TERM, LANG, LC_*, TZ, build\n"
	"                               variables (CC, CFLAGS, MAKEFLAGS, ...) and CI pass; secrets\n"
	"                               (*TOKEN, *SECRET*, *PASSWORD*, *_KEY, ...) pass only when\n"
	"                               named exactly here.  One line says what was not passed\n"
	"      --env-deny LIST          never pass these (globs), even if kept\n"
	"      --env-all                pass every variable but secrets\n"
	"      --setenv NAME=VALUE      set a variable (wins over every deny pattern)\n"
	"      --pass-fd N              descriptor N reaches the command too (repeatable; only 0, 1\n"
	"                               and 2 do otherwise; make's jobserver passes with MAKEFLAGS)\n"
	"  -v, --verbose                say what is enforced and what was skipped; -vv also every\n"
	"                               variable passed\n"
	"  -q, --quiet                  print only errors\n"
	"  -h, --help                   this help\n"
	"  -V, --version                versions of tinyjail, libseccomp, json-c and the kernel\n"
	"\n"
	"exit status: the command's own; 128+N if it died from signal N (159: killed for a\n"
	"syscall); 125 tinyjail's error; 126 the command cannot run; 127 not found.\n";

static const char usage_check[] =
	"usage: tinyjail check [options] profile...\n"
	"\n"
	"Loads and compiles each profile and checks this host can enforce it; runs nothing.\n"
	"It refuses what `tinyjail --profile PROFILE -- command` would refuse, with the same message.\n"
	"Exit status 0 when every profile is valid, 125 otherwise (1: --lint found a high-severity\n"
	"problem).\n"
	"\n"
	"options:\n"
	"      --lint                   also report risky rules, each with its severity, JSON path,\n"
	"                               why it matters and a fix (notes/profile-format.md, Lint);\n"
	"                               exit status 1 when a finding is of high severity\n"
	"      --ignore-unknown-syscalls\n"
	"  -v, --verbose                also list skipped rules and what each layer applies\n"
	"  -q, --quiet                  print only errors\n";

static const char usage_compile[] =
	"usage: tinyjail compile profile [options]\n"
	"\n"
	"Compiles a profile to a seccomp program with the profile's own actions.\n"
	"Without an output option the program is shown as libseccomp pseudo code.\n"
	"\n"
	"options:\n"
	"      --bpf FILE               raw BPF (struct sock_filter[]), loadable by bwrap --seccomp\n"
	"      --pfc FILE               libseccomp pseudo filter code\n"
	"      --oci FILE               a plain OCI linux.seccomp object for this host (dialect keys\n"
	"                               and conditions resolved); accepted by runc, crun, Docker, Podman\n"
	"      --spo FILE               a Kubernetes SeccompProfile object (security-profiles-operator,\n"
	"                               YAML) with the same rules, for kubectl apply\n"
	"      --spo-name NAME          its metadata.name (default: the profile's file name)\n"
	"      --optimize 1|2           1 = linear, 2 = binary tree (default: chosen by size)\n"
	"      --ignore-unknown-syscalls\n"
	"  -v, --verbose                report sizes and skipped rules\n"
	"  -q, --quiet                  print only errors\n"
	"FILE may be - for standard output.\n";

static const char usage_groups[] =
	"usage: tinyjail groups [@group|syscall...]\n"
	"\n"
	"Without arguments, lists every syscall group: name, size, risk, origin (systemd or\n"
	"tinyjail) and meaning.  With a group, lists its syscalls (nested groups expanded, with\n"
	"the group each came through and any argument constraint).  With a syscall, lists the\n"
	"groups that contain it.  Groups go wherever a syscall name goes in a profile; \"!name\"\n"
	"takes a syscall or group out of a rule (notes/groups.md).\n";

static const char usage_why[] = "usage: tinyjail why [options] syscall profile [arg...]\n"
				"\n"
				"Says what the profile does with one x86_64 syscall, called with the given arguments\n"
				"(numbers; missing ones are 0), and which rule decides it: its JSON path and line, and\n"
				"the group the syscall came through.  The answer comes from the compiled program.\n"
				"\n"
				"options:\n"
				"      --ignore-unknown-syscalls\n"
				"  -q, --quiet                  print only errors and the answer\n";
static const char usage_learn[] =
	"usage: tinyjail learn -o FILE [learn options] [run options] [--] command [args...]\n"
	"       tinyjail learn -o FILE [learn options] [run options] --cases CASES\n"
	"       tinyjail learn --check CASES [run options] profile\n"
	"       tinyjail learn --static -o FILE [--force] [--strict] [--no-vdso] [--no-cache] program...\n"
	"       tinyjail learn --fuzz SEEDS -o FILE [fuzz options] [run options] -- program [args] [@@]\n"
	"\n"
	"Runs the command (or each line of CASES) and writes the tightest OCI seccomp profile that\n"
	"lets it do what it did: every syscall of the command and its descendants from its own\n"
	"execve on, with argument rules where the call is chosen by a value (notes/learn.md).\n"
	"Unprivileged; every run option applies (isolation, limits, --timeout, network).  A\n"
	"repeat run learns only what is new: what FILE already allows runs at full speed.\n"
	"--check runs each case of CASES under the profile in enforce mode and reports each that\n"
	"breaks, with the call that stopped it and a rule that would admit it (exit 1).\n"
	"\n"
	"learn options:\n"
	"  -o, --output FILE            the profile to write (atomically; checked before anything runs)\n"
	"      --merge                  add what the run learns to FILE (which must be a valid profile)\n"
	"      --force                  replace FILE if it exists (otherwise an existing FILE is refused)\n"
	"      --cases CASES            one command line per line of the file CASES (# comments; words\n"
	"                               split and quoted as in sh, no command substitution)\n"
	"      --check CASES            run the held-out cases under the profile given as argument\n"
	"      --exact                  no generalisation: only the syscalls and argument classes seen\n"
	"                               (default: libc equivalents, the classes of related values)\n"
	"      --plain-names            never write a syscall group's name, only syscall names\n"
	"      --group-share PERCENT    write a group's name when this share of its members is allowed\n"
	"                               (default 100: only when every member is)\n"
	"      --default-errno[=ERRNO]  deny what is not allowed with ERRNO (default EPERM) instead of\n"
	"                               killing the process (SCMP_ACT_KILL_PROCESS, the default)\n"
	"      --journal FILE           append each new (syscall, class) to FILE at once, one line\n"
	"                               (what a run killed with SIGKILL learnt; learn --fuzz uses it)\n"
	"fuzz options (learn --fuzz, notes/fuzz-learn.md):\n"
	"      --fuzz SEEDS             grow the profile with AFL++: the program (built with\n"
	"                               afl-clang-fast) runs under afl-fuzz in enforce mode; each input\n"
	"                               killed for a syscall is replayed while learning, and the next\n"
	"                               round runs with the grown profile, until a round finds nothing\n"
	"      --budget DURATION        a round that learns nothing for this long ends the loop (10m)\n"
	"      --budget-execs N         ... or for this many executions\n"
	"      --max-time DURATION      the whole campaign at most this long\n"
	"      --jobs N                 afl-fuzz instances (one -M, N-1 -S) sharing the round's output\n"
	"      --from FILE              start from this profile (e.g. learn --static's)\n"
	"      --fuzz-dir DIR           the campaign's files (default FILE.fuzz/ID)\n"
	"      --fuzz-seed N            afl-fuzz's random seed (-s; instance i gets N+i)\n"
	"run options: as for tinyjail run (see tinyjail --help), except --profile, --complain,\n"
	"--enforce, --mode, --report, --notify-socket and --kill-via.\n"
	"\n"
	"--static runs nothing: it reads each program (an ELF file, or a #! script through its\n"
	"interpreter) and everything it loads (libraries, ld.so, the vDSO, NSS modules, libraries\n"
	"dlopen'ed by constant name), disassembles them and writes a deny-by-default profile allowing\n"
	"every syscall reachable from the entry points, each rule's comment saying which library and\n"
	"function make the call: a baseline that learning runs can --merge into.  A reachable\n"
	"syscall whose number is unknown makes it incomplete, and the profile and the summary say so,\n"
	"listing each place (notes/static-analysis.md).  Several programs give the union (the filter\n"
	"is inherited across execve).  --strict: exit 1 when incomplete; --no-vdso: leave out the\n"
	"running kernel's vDSO; --no-cache: analyse every object again (summaries are cached per user\n"
	"by build id in $XDG_CACHE_HOME/tinyjail/static); -v lists objects and unknown places.\n"
	"\n"
	"exit status: the command's own (with --cases: 0 once the profile is written); --check: 0 when\n"
	"no case broke, 1 when one did; 125 tinyjail's error; 126/127 the command cannot run (nothing\n"
	"is written).\n";

static const char usage_diff[] =
	"usage: tinyjail diff [options] old.json new.json\n"
	"\n"
	"What changed between two profiles, per syscall: added and removed, actions changed, and\n"
	"argument rules widened (more calls allowed) or narrowed; syscall groups are expanded\n"
	"first.  Exit status 0 when they allow and deny the same, 1 when they differ, as diff(1),\n"
	"and 125 when one does not load.\n"
	"\n"
	"options:\n"
	"      --ignore-unknown-syscalls\n"
	"  -q, --quiet                  print nothing; only the exit status\n";

static const char usage_edit[] =
	"usage: tinyjail edit [options] PROFILE\n"
	"\n"
	"A terminal editor for a profile's seccomp rules: the syscall groups and the syscalls with\n"
	"their actions, why each gets it and the lint findings about it; allow, deny with an errno,\n"
	"kill, log or notify per syscall or per group, argument conditions chosen by name, undo and\n"
	"redo, the unsaved changes.  Saving checks the profile, keeps the old file as PROFILE.bak and\n"
	"every byte the edits did not change (comments, other sections, rule order).  Keys are on the\n"
	"screen, ? for help; see notes/editor.md.\n"
	"\n"
	"With --listen SOCK, running sandboxes (tinyjail --profile PROFILE --notify-socket SOCK -- CMD)\n"
	"send the editor the calls their profile does not decide: allow once, allow always (these\n"
	"argument values or any), deny with an errno, or kill; an \"always\" answer becomes a rule\n"
	"and is saved at once.  Quitting fails the calls still waiting, never lets them through.\n"
	"\n"
	"options:\n"
	"      --from NAME|FILE         start a new PROFILE from a bundled profile or a file\n"
	"      --listen SOCK            the live feed: answer running sandboxes' requests\n"
	"      --log FILE               an event log (tinyjail --log): f filters the syscalls it used\n";

static const char usage_supervise[] =
	"usage: tinyjail supervise --listen SOCK [options]\n"
	"\n"
	"A seccomp agent (OCI runtime-spec protocol): receives seccomp listeners on the unix\n"
	"socket SOCK from tinyjail --notify-socket, or from runc and crun (listenerPath), and\n"
	"decides each notified system call on its register values: allow, deny with an errno,\n"
	"kill, or ask the person at this terminal.  See notes/supervise.md.\n"
	"\n"
	"options:\n"
	"      --listen SOCK            the socket to create and listen on (required)\n"
	"      --rules FILE             decisions per syscall (notes/supervise.md); without it, or\n"
	"                               for calls it does not name: ask, or deny without a terminal\n"
	"  -p, --profile FILE           the profile the supervised runs use, for write-back\n"
	"      --write-back             add remembered decisions to the profile as plain OCI rules,\n"
	"                               in place (the previous version is kept as FILE.bak)\n"
	"      --write-back-to OUT      the same, written to a copy OUT\n"
	"      --once                   exit when the first supervised sandbox has ended\n"
	"      --log FILE               write decisions as JSON lines (notes/events.md)\n"
	"  -q, --quiet                  print only errors, not every decision\n";

static const char usage_profiles[] =
	"usage: tinyjail profiles [-q]\n"
	"\n"
	"Lists the bundled profiles (found by name: --profile NAME), each with the file it comes\n"
	"from and its description; -q prints the names alone.  They are searched for in\n"
	"$TINYJAIL_POLICY_DIR, then beside the\n"
	"binary (../share/tinyjail/policies, ../policies), then in the install prefix; the first\n"
	"directory that has a name wins (tinyjail(1), FILES).\n";

static const char usage_help[] = "usage: tinyjail help [verb]\n"
				 "\n"
				 "This help, or one verb's.  An unknown verb is an error (exit 125).\n";

static const char usage_version[] = "usage: tinyjail version | --version\n"
				    "\n"
				    "Versions of tinyjail, libseccomp, json-c and the kernel.\n";

static const char usage_explain[] =
	"usage: tinyjail explain [options] syscall program...\n"
	"\n"
	"Static: the call paths in the program and the objects it loads that can reach the\n"
	"syscall, one line per function that makes it, from the function up to an entry point:\n"
	"  openat <- __open64 (libc.so.6) <- fopen (libc.so.6) <- main (app) <- _start (app) [entry]\n"
	"Exits 1 when the syscall is not reachable.\n"
	"\n"
	"options:\n"
	"      --no-cache               analyse every object again\n"
	"      --no-vdso                leave out the running kernel's vDSO\n";

static const char usage_report[] =
	"usage: tinyjail report [options] LOG...\n"
	"\n"
	"Reads event logs (--log; several merge, e.g. a test suite's runs) and shows what the\n"
	"command did: the syscalls it used (seen), those the profile denied or would have (missed),\n"
	"and the rules it never needed (unused), per program and in total; or a timeline of each\n"
	"process.  Allowed calls are in a log when the run had --report=usage (notes/reports.md).\n"
	"\n"
	"options:\n"
	"  -p, --profile FILE           the profile to compare with (default: the one the logs name)\n"
	"      --timeline               per process, as a tree of forks and execs: first use of each\n"
	"                               syscall, denials, limits, network decisions, exit\n"
	"      --html FILE              the whole report as one self-contained HTML page\n"
	"  -o, --output FILE            write the profile tightened to what the logs used\n"
	"  -q, --quiet                  print only errors (with --html or -o: nothing else)\n";

const char *tj_cli_usage(enum tj_verb verb)
{
	switch (verb) {
	case TJ_VERB_EXPLAIN: return usage_explain;
	case TJ_VERB_EDIT: return usage_edit;
	case TJ_VERB_REPORT: return usage_report;
	case TJ_VERB_SUPERVISE: return usage_supervise;
	case TJ_VERB_CHECK: return usage_check;
	case TJ_VERB_COMPILE: return usage_compile;
	case TJ_VERB_GROUPS: return usage_groups;
	case TJ_VERB_WHY: return usage_why;
	case TJ_VERB_LEARN: return usage_learn;
	case TJ_VERB_DIFF: return usage_diff;
	case TJ_VERB_PROFILES: return usage_profiles;
	case TJ_VERB_HELP: return usage_help;
	case TJ_VERB_VERSION: return usage_version;
	default: return usage_run;
	}
}

/*
 * The verbs, and THE RULE that keeps them apart from commands: a verb is
 * recognised only as the very first argument (`tinyjail groups`); anything
 * else is the run form, whose command is the first argument that is not an
 * option.  A run-form command spelled like a verb is refused unless it
 * follows "--" or the explicit verb run (`tinyjail -q -- groups` and
 * `tinyjail run -q groups` run groups(1)), so that `tinyjail -q groups`
 * never silently means something else than `tinyjail groups`.
 *
 * A new verb goes here, into the man page's VERBS table (man/tinyjail.1),
 * and into the completions (tools/completion/).
 */
static const struct tj_verb_info verbs[] = {
	{"run", TJ_VERB_RUN, "run a command in the sandbox (also what a first argument that is no verb does)"},
	{"check", TJ_VERB_CHECK, "validate and compile profiles, list the layers this host applies; run nothing"},
	{"compile", TJ_VERB_COMPILE, "a profile as raw BPF, libseccomp pseudo code, plain OCI or an SPO profile"},
	{"groups", TJ_VERB_GROUPS, "the syscall groups, or one group's syscalls"},
	{"why", TJ_VERB_WHY, "which rule of a profile decides one syscall, and how"},
	{"profiles", TJ_VERB_PROFILES, "the bundled profiles, with their files and descriptions"},
	{"supervise", TJ_VERB_SUPERVISE, "a seccomp agent deciding notified calls (OCI runtime-spec protocol)"},
	{"learn", TJ_VERB_LEARN, "run a command and write the tightest profile that lets it work"},
	{"diff", TJ_VERB_DIFF, "what changed between two profiles, per syscall"},
	{"explain", TJ_VERB_EXPLAIN, "static: the call paths in a program that can reach a syscall"},
	{"edit", TJ_VERB_EDIT, "change a profile's seccomp rules in a terminal editor, save OCI JSON"},
	{"report", TJ_VERB_REPORT, "read event logs: denials, kills, unused rules, a timeline, an HTML page"},
	{"help", TJ_VERB_HELP, "this help, or one verb's (help VERB)"},
	{"version", TJ_VERB_VERSION, "versions of tinyjail, libseccomp, json-c and the kernel"},
};

const struct tj_verb_info *tj_cli_verbs(size_t *n)
{
	*n = TJ_ARRAY_SIZE(verbs);
	return verbs;
}

static const struct tj_verb_info *find_verb(const char *name)
{
	for (size_t i = 0; i < TJ_ARRAY_SIZE(verbs); i++)
		if (strcmp(name, verbs[i].name) == 0)
			return &verbs[i];
	return NULL;
}

enum {
	OPT_ENFORCE = 256,
	OPT_COMPLAIN,
	OPT_MODE,
	OPT_LOG,
	OPT_IGNORE_UNKNOWN,
	OPT_KILL_VIA,
	OPT_LINT,
	OPT_BPF,
	OPT_PFC,
	OPT_OCI,
	OPT_SPO,
	OPT_SPO_NAME,
	OPT_OPTIMIZE,
	OPT_MEMORY,
	OPT_CPU,
	OPT_PIDS,
	OPT_TIMEOUT,
	OPT_KILL_AFTER,
	OPT_RLIMIT,
	OPT_DEGRADE,
	OPT_JSON_STATUS,
	OPT_ENV_KEEP,
	OPT_ENV_DENY,
	OPT_ENV_ALL,
	OPT_SETENV,
	OPT_USER,
	OPT_CAP_KEEP,
	OPT_UNSHARE,
	OPT_HOSTNAME,
	OPT_RO,
	OPT_RW,
	OPT_EXEC,
	OPT_NOEXEC,
	OPT_TMPFS,
	OPT_RW_LIMIT,
	OPT_WORKDIR,
	OPT_NO_EXEC,
	OPT_NO_FORK,
	OPT_WX,
	OPT_SIGNALS,
	OPT_TCP_CONNECT,
	OPT_TCP_BIND,
	OPT_NET,
	OPT_RESOLVE,
	OPT_NET_UPSTREAM,
	OPT_NET_PORTS,
	OPT_NET_MAX_CONNS,
	OPT_NET_CONN_TIMEOUT,
	OPT_NET_IDLE_TIMEOUT,
	OPT_NET_DENY_PRIVATE,
	OPT_NET_ALLOW_CIDR,
	OPT_NET_DENY_CIDR,
	OPT_NET_DNS,
	OPT_REPORT,
	OPT_NOTIFY_SOCKET,
	OPT_NO_VDSO,
	OPT_STRICT,
	OPT_STATIC,
	OPT_LISTEN,
	OPT_RULES,
	OPT_WRITE_BACK,
	OPT_WRITE_BACK_TO,
	OPT_ONCE,
	OPT_NO_CACHE,
	OPT_PASS_FD,
	OPT_ALLOW_SYSCALL,
	OPT_DENY_SYSCALL,
	OPT_FAIL_ON_VIOLATION,
	OPT_MERGE,
	OPT_FORCE,
	OPT_CASES,
	OPT_CHECK,
	OPT_EXACT,
	OPT_PLAIN_NAMES,
	OPT_GROUP_SHARE,
	OPT_DEFAULT_ERRNO,
	OPT_FUZZ,
	OPT_BUDGET,
	OPT_BUDGET_EXECS,
	OPT_MAX_TIME,
	OPT_JOBS,
	OPT_FROM,
	OPT_FUZZ_DIR,
	OPT_FUZZ_SEED,
	OPT_AFL,
	OPT_JOURNAL,
	OPT_EXPLAIN,
	OPT_EXPLAIN_STACKS,
	OPT_TIMELINE,
	OPT_HTML,
};

static const struct option long_options[] = {
	{"profile", required_argument, NULL, 'p'},
	{"output", required_argument, NULL, 'o'},
	{"no-vdso", no_argument, NULL, OPT_NO_VDSO},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"static", no_argument, NULL, OPT_STATIC},
	{"enforce", no_argument, NULL, OPT_ENFORCE},
	{"complain", optional_argument, NULL, OPT_COMPLAIN},
	{"mode", required_argument, NULL, OPT_MODE},
	{"log", required_argument, NULL, OPT_LOG},
	{"ignore-unknown-syscalls", no_argument, NULL, OPT_IGNORE_UNKNOWN},
	{"kill-via", required_argument, NULL, OPT_KILL_VIA},
	{"lint", no_argument, NULL, OPT_LINT},
	{"bpf", required_argument, NULL, OPT_BPF},
	{"pfc", required_argument, NULL, OPT_PFC},
	{"oci", required_argument, NULL, OPT_OCI},
	{"spo", required_argument, NULL, OPT_SPO},
	{"spo-name", required_argument, NULL, OPT_SPO_NAME},
	{"optimize", required_argument, NULL, OPT_OPTIMIZE},
	{"memory", required_argument, NULL, OPT_MEMORY},
	{"cpu", required_argument, NULL, OPT_CPU},
	{"pids", required_argument, NULL, OPT_PIDS},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"kill-after", required_argument, NULL, OPT_KILL_AFTER},
	{"rlimit", required_argument, NULL, OPT_RLIMIT},
	{"allow-degraded", required_argument, NULL, OPT_DEGRADE},
	{"json-status", required_argument, NULL, OPT_JSON_STATUS},
	{"env-keep", required_argument, NULL, OPT_ENV_KEEP},
	{"env-deny", required_argument, NULL, OPT_ENV_DENY},
	{"env-all", no_argument, NULL, OPT_ENV_ALL},
	{"setenv", required_argument, NULL, OPT_SETENV},
	{"user", required_argument, NULL, OPT_USER},
	{"cap-keep", required_argument, NULL, OPT_CAP_KEEP},
	{"unshare", required_argument, NULL, OPT_UNSHARE},
	{"hostname", required_argument, NULL, OPT_HOSTNAME},
	{"ro", required_argument, NULL, OPT_RO},
	{"rw", required_argument, NULL, OPT_RW},
	{"exec", required_argument, NULL, OPT_EXEC},
	{"noexec", required_argument, NULL, OPT_NOEXEC},
	{"tmpfs", required_argument, NULL, OPT_TMPFS},
	{"rw-limit", required_argument, NULL, OPT_RW_LIMIT},
	{"workdir", required_argument, NULL, OPT_WORKDIR},
	{"no-exec", no_argument, NULL, OPT_NO_EXEC},
	{"no-fork", no_argument, NULL, OPT_NO_FORK},
	{"deny-write-execute", no_argument, NULL, OPT_WX},
	{"signals", required_argument, NULL, OPT_SIGNALS},
	{"tcp-connect", required_argument, NULL, OPT_TCP_CONNECT},
	{"tcp-bind", required_argument, NULL, OPT_TCP_BIND},
	{"net", required_argument, NULL, OPT_NET},
	{"resolve", required_argument, NULL, OPT_RESOLVE},
	{"net-upstream-proxy", required_argument, NULL, OPT_NET_UPSTREAM},
	{"net-ports", required_argument, NULL, OPT_NET_PORTS},
	{"net-max-conns", required_argument, NULL, OPT_NET_MAX_CONNS},
	{"net-conn-timeout", required_argument, NULL, OPT_NET_CONN_TIMEOUT},
	{"net-idle-timeout", required_argument, NULL, OPT_NET_IDLE_TIMEOUT},
	{"net-deny-private", no_argument, NULL, OPT_NET_DENY_PRIVATE},
	{"net-allow-cidr", required_argument, NULL, OPT_NET_ALLOW_CIDR},
	{"net-deny-cidr", required_argument, NULL, OPT_NET_DENY_CIDR},
	{"net-dns", required_argument, NULL, OPT_NET_DNS},
	{"report", optional_argument, NULL, OPT_REPORT},
	{"notify-socket", required_argument, NULL, OPT_NOTIFY_SOCKET},
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"rules", required_argument, NULL, OPT_RULES},
	{"write-back", no_argument, NULL, OPT_WRITE_BACK},
	{"write-back-to", required_argument, NULL, OPT_WRITE_BACK_TO},
	{"once", no_argument, NULL, OPT_ONCE},
	{"no-cache", no_argument, NULL, OPT_NO_CACHE},
	{"pass-fd", required_argument, NULL, OPT_PASS_FD},
	{"allow-syscall", required_argument, NULL, OPT_ALLOW_SYSCALL},
	{"deny-syscall", required_argument, NULL, OPT_DENY_SYSCALL},
	{"fail-on-violation", no_argument, NULL, OPT_FAIL_ON_VIOLATION},
	{"output", required_argument, NULL, 'o'},
	{"merge", no_argument, NULL, OPT_MERGE},
	{"force", no_argument, NULL, OPT_FORCE},
	{"cases", required_argument, NULL, OPT_CASES},
	{"check", required_argument, NULL, OPT_CHECK},
	{"exact", no_argument, NULL, OPT_EXACT},
	{"plain-names", no_argument, NULL, OPT_PLAIN_NAMES},
	{"group-share", required_argument, NULL, OPT_GROUP_SHARE},
	{"default-errno", optional_argument, NULL, OPT_DEFAULT_ERRNO},
	{"fuzz", required_argument, NULL, OPT_FUZZ},
	{"budget", required_argument, NULL, OPT_BUDGET},
	{"budget-execs", required_argument, NULL, OPT_BUDGET_EXECS},
	{"max-time", required_argument, NULL, OPT_MAX_TIME},
	{"jobs", required_argument, NULL, OPT_JOBS},
	{"from", required_argument, NULL, OPT_FROM},
	{"fuzz-dir", required_argument, NULL, OPT_FUZZ_DIR},
	{"fuzz-seed", required_argument, NULL, OPT_FUZZ_SEED},
	{"afl", no_argument, NULL, OPT_AFL},
	{"journal", required_argument, NULL, OPT_JOURNAL},
	{"explain", required_argument, NULL, OPT_EXPLAIN},
	{"explain-stacks", required_argument, NULL, OPT_EXPLAIN_STACKS},
	{"timeline", no_argument, NULL, OPT_TIMELINE},
	{"html", required_argument, NULL, OPT_HTML},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static bool option_allowed(enum tj_verb verb, int opt);

/* learn's run options (not learn's own, nor about one run's output), which
 * learn --fuzz gives again to the tinyjail that afl-fuzz starts. */
static bool is_run_option(int c)
{
	return option_allowed(TJ_VERB_RUN, c) && c != OPT_LOG && c != OPT_JSON_STATUS && c != 'v' && c != 'q' &&
	       c != 'h' && c != 'V' && c != '?' && c != ':';
}

/* The words of one run option: argv[from, to), taken only when written
 * long (learn's short options are its own, -v and -q). */
static void keep_run_words(struct tj_options *o, char **argv, int from, int to)
{
	if (from < 1 || to <= from || strncmp(argv[from], "--", 2) != 0)
		return;
	struct tj_learn_options *l = &o->learn;
	l->run_args = tj_xrealloc(l->run_args, (l->nrun_args + (size_t)(to - from) + 1) * sizeof(char *));
	for (int i = from; i < to; i++)
		l->run_args[l->nrun_args++] = argv[i];
	l->run_args[l->nrun_args] = NULL;
}

/* Options that make sense only for some verbs. */
static bool option_allowed(enum tj_verb verb, int opt)
{
	switch (opt) {
	case OPT_ENFORCE:
	case OPT_COMPLAIN:
	case OPT_MODE:
	case OPT_KILL_VIA:
	case OPT_REPORT:
	case OPT_NOTIFY_SOCKET:
	case OPT_ALLOW_SYSCALL:
	case OPT_DENY_SYSCALL:
	case OPT_FAIL_ON_VIOLATION: return verb == TJ_VERB_RUN;
	case OPT_PASS_FD: return verb == TJ_VERB_RUN || verb == TJ_VERB_LEARN;
	case OPT_NO_CACHE: return verb == TJ_VERB_RUN || verb == TJ_VERB_LEARN || verb == TJ_VERB_EXPLAIN;
	case 'o': return verb == TJ_VERB_LEARN || verb == TJ_VERB_REPORT;
	case OPT_MERGE:
	case OPT_FORCE:
	case OPT_CASES:
	case OPT_CHECK:
	case OPT_EXACT:
	case OPT_PLAIN_NAMES:
	case OPT_GROUP_SHARE:
	case OPT_DEFAULT_ERRNO:
	case OPT_FUZZ:
	case OPT_BUDGET:
	case OPT_BUDGET_EXECS:
	case OPT_MAX_TIME:
	case OPT_JOBS:
	case OPT_FUZZ_DIR:
	case OPT_FUZZ_SEED:
	case OPT_JOURNAL: return verb == TJ_VERB_LEARN;
	case OPT_FROM: return verb == TJ_VERB_LEARN || verb == TJ_VERB_EDIT;
	case OPT_AFL: return verb == TJ_VERB_RUN || verb == TJ_VERB_LEARN;
	case OPT_MEMORY:
	case OPT_CPU:
	case OPT_PIDS:
	case OPT_TIMEOUT:
	case OPT_KILL_AFTER:
	case OPT_RLIMIT:
	case OPT_DEGRADE:
	case OPT_JSON_STATUS:
	case OPT_ENV_KEEP:
	case OPT_ENV_DENY:
	case OPT_ENV_ALL:
	case OPT_SETENV:
	case OPT_USER:
	case OPT_CAP_KEEP:
	case OPT_UNSHARE:
	case OPT_HOSTNAME:
	case OPT_RO:
	case OPT_RW:
	case OPT_EXEC:
	case OPT_NOEXEC:
	case OPT_TMPFS:
	case OPT_RW_LIMIT:
	case OPT_WORKDIR:
	case OPT_NO_EXEC:
	case OPT_NO_FORK:
	case OPT_WX:
	case OPT_SIGNALS:
	case OPT_TCP_CONNECT:
	case OPT_TCP_BIND:
	case OPT_NET:
	case OPT_RESOLVE:
	case OPT_NET_UPSTREAM:
	case OPT_NET_PORTS:
	case OPT_NET_MAX_CONNS:
	case OPT_NET_CONN_TIMEOUT:
	case OPT_NET_IDLE_TIMEOUT:
	case OPT_NET_DENY_PRIVATE:
	case OPT_NET_ALLOW_CIDR:
	case OPT_NET_DENY_CIDR:
	case OPT_NET_DNS: return verb == TJ_VERB_RUN || verb == TJ_VERB_LEARN;
	case 'p': return verb == TJ_VERB_RUN || verb == TJ_VERB_SUPERVISE || verb == TJ_VERB_REPORT;
	case OPT_LOG:
		return verb == TJ_VERB_RUN || verb == TJ_VERB_SUPERVISE || verb == TJ_VERB_LEARN ||
		       verb == TJ_VERB_EDIT;
	case OPT_NO_VDSO: return verb == TJ_VERB_LEARN || verb == TJ_VERB_EXPLAIN;
	case OPT_STATIC:
	case OPT_STRICT: return verb == TJ_VERB_LEARN;
	case OPT_EXPLAIN:
	case OPT_EXPLAIN_STACKS: return verb == TJ_VERB_RUN;
	case OPT_TIMELINE:
	case OPT_HTML: return verb == TJ_VERB_REPORT;
	case OPT_LISTEN: return verb == TJ_VERB_SUPERVISE || verb == TJ_VERB_EDIT;
	case OPT_RULES:
	case OPT_WRITE_BACK:
	case OPT_WRITE_BACK_TO:
	case OPT_ONCE: return verb == TJ_VERB_SUPERVISE;
	case OPT_LINT: return verb == TJ_VERB_CHECK;
	case OPT_BPF:
	case OPT_PFC:
	case OPT_OCI:
	case OPT_SPO:
	case OPT_SPO_NAME:
	case OPT_OPTIMIZE: return verb == TJ_VERB_COMPILE;
	case OPT_IGNORE_UNKNOWN: return verb != TJ_VERB_GROUPS && verb != TJ_VERB_LEARN;
	default: return true;
	}
}

static const char *option_name(int opt)
{
	for (size_t i = 0; long_options[i].name; i++)
		if (long_options[i].val == opt)
			return long_options[i].name;
	return "?";
}

/* --allow-degraded names limits (limits.h) and isolation layers (isolation.h). */
static int parse_degrade(struct tj_options *o, const char *list, struct tj_err **err)
{
	char *copy = tj_xstrdup(list), *save = NULL;
	int r = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok && r == 0; tok = strtok_r(NULL, ",", &save)) {
		struct tj_err *ignored = NULL;
		if (tj_limits_parse_degrade(&o->limits, tok, &ignored) == 0)
			continue;
		tj_err_free(ignored);
		if (tj_isolation_parse_degrade(&o->iso, tok) < 0)
			r = tj_err_set(err, TJ_ERR_USAGE, 0,
				       "--allow-degraded: unknown layer '%s' (memory, cpu, pids, cgroup, landlock, "
				       "landlock-net, net-rules, unix-sockets)",
				       tok);
	}
	free(copy);
	return r;
}

/* --allow-syscall/--deny-syscall: comma-separated syscall or group names,
 * checked when the profile is compiled (where the names are known). */
static int tj_cli_add_names(struct tj_strv *to, const char *list, struct tj_err **err)
{
	for (const char *p = list;;) {
		size_t n = strcspn(p, ",");
		if (n == 0)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s': an empty name", list);
		tj_strv_add_owned(to, tj_xstrndup(p, n));
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* --explain openat,connect: syscall names, checked later against the
 * syscall table (cli.c has no side effects and no libseccomp). */
static int add_explain(void *ctx, char *item, struct tj_err **err)
{
	struct tj_options *o = ctx;
	for (const char *c = item; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return tj_err_set(err, TJ_ERR_USAGE, 0, "'%s' is not a syscall name", item);
	if (!tj_strv_contains(&o->explain, item))
		tj_strv_add(&o->explain, item);
	return 0;
}

/* An errno by name ("ENOSYS") or number, for --default-errno. */
static int tj_parse_errno(const char *s, unsigned *ret)
{
	uint64_t n;
	if (tj_parse_u64(s, &n)) {
		if (n < 1 || n > 4094)
			return -1;
		*ret = (unsigned)n;
		return 0;
	}
	for (int e = 1; e <= 4094; e++) {
		const char *name = strerrorname_np(e);
		if (name && strcmp(name, s) == 0) {
			*ret = (unsigned)e;
			return 0;
		}
	}
	return -1;
}

static int parse_args(int argc, char **argv, struct tj_options *o, struct tj_err **err)
{
	o->verb = TJ_VERB_RUN;
	int first = 1;
	const struct tj_verb_info *vi = argc > 1 ? find_verb(argv[1]) : NULL;
	if (vi) {
		o->verb = vi->verb;
		first = 2;
	}
	bool explicit_run = vi && vi->verb == TJ_VERB_RUN;
	if (o->verb == TJ_VERB_VERSION) {
		if (argc > 2)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "version takes no arguments");
		return 0;
	}
	if (o->verb == TJ_VERB_HELP) {
		o->help_verb = TJ_VERB_RUN;
		if (argc > 3)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "help takes one verb at most");
		if (argc == 3) {
			const struct tj_verb_info *h = find_verb(argv[2]);
			if (!h) {
				size_t n;
				const struct tj_verb_info *all = tj_cli_verbs(&n);
				const char *names[TJ_ARRAY_SIZE(verbs) + 1];
				for (size_t i = 0; i < n; i++)
					names[i] = all[i].name;
				names[n] = NULL;
				const char *hint = tj_suggest(argv[2], names);
				if (hint)
					return tj_err_set(err, TJ_ERR_USAGE, 0,
							  "help: unknown verb '%s' (did you mean '%s'?)", argv[2],
							  hint);
				return tj_err_set(err, TJ_ERR_USAGE, 0, "help: unknown verb '%s'", argv[2]);
			}
			o->help_verb = h->verb;
		}
		return 0;
	}

	/* getopt works on argv[first - 1 ...]: it skips element 0. */
	int gargc = argc - (first - 1);
	char **gargv = argv + (first - 1);
	/* The run form stops at the first non-option (the command), and so
	 * does why (its arguments may be negative numbers); the others take
	 * their arguments anywhere. */
	const char *shortopts = o->verb == TJ_VERB_RUN || o->verb == TJ_VERB_WHY || o->verb == TJ_VERB_LEARN
					? "+:p:o:vqhV"
					: ":p:o:vqhV";
	optind = 0; /* full reset, so tests can parse repeatedly */
	opterr = 0;
	int c, before = 1;
	int after_options = 1; /* optind after the last option and its value */
	while ((c = getopt_long(gargc, gargv, shortopts, long_options, NULL)) != -1) {
		after_options = optind;
		if (o->verb == TJ_VERB_LEARN && is_run_option(c))
			keep_run_words(o, gargv, before, optind);
		before = optind;
		if (c == '?') {
			const char *bad = gargv[optind - 1];
			/* getopt sets optopt to the character of an unknown short
			 * option, to 0 for an unknown long one, and to the
			 * option's value when a long option got "=value" it does
			 * not take. */
			const char *eq = strncmp(bad, "--", 2) == 0 ? strchr(bad, '=') : NULL;
			if (optopt >= OPT_ENFORCE ||
			    (optopt && eq && strncmp(option_name(optopt), bad + 2, (size_t)(eq - bad - 2)) == 0))
				return tj_err_set(err, TJ_ERR_USAGE, 0, "option '--%s' takes no value",
						  option_name(optopt));
			if (optopt)
				return tj_err_set(err, TJ_ERR_USAGE, 0, "unknown option '-%c'", optopt);
			return tj_err_set(err, TJ_ERR_USAGE, 0, "unknown option '%s'", bad);
		}
		if (c == ':')
			return tj_err_set(err, TJ_ERR_USAGE, 0, "option '%s' needs a value", gargv[optind - 1]);
		if (!option_allowed(o->verb, c))
			return tj_err_set(err, TJ_ERR_USAGE, 0, "option '--%s' does not apply to this command",
					  option_name(c));
		switch (c) {
		case 'p':
			if (o->profile)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--profile given twice ('%s', then '%s'): a run has one profile; a "
						  "profile can build on another with \"extends\", and --allow-syscall "
						  "and --deny-syscall change one on the command line",
						  o->profile, optarg);
			o->profile = optarg;
			break;
		case OPT_NO_VDSO: o->no_vdso = true; break;
		case OPT_STRICT: o->strict = true; break;
		case OPT_STATIC: o->learn.static_analysis = true; break;
		case OPT_ENFORCE: o->mode = TJ_MODE_ENFORCE; break;
		case OPT_COMPLAIN:
			o->mode = TJ_MODE_COMPLAIN;
			if (optarg && strcmp(optarg, "kmsg") == 0)
				o->complain_kmsg = true;
			else if (optarg && strcmp(optarg, "notify") != 0)
				return tj_err_set(err, TJ_ERR_USAGE, 0, "--complain takes 'notify' or 'kmsg', not '%s'",
						  optarg);
			break;
		case OPT_REPORT:
			o->report = TJ_REPORT_SUMMARY;
			if (optarg && strcmp(optarg, "usage") == 0)
				o->report = TJ_REPORT_USAGE;
			else if (optarg && strcmp(optarg, "summary") != 0)
				return tj_err_set(err, TJ_ERR_USAGE, 0, "--report takes 'usage' (or nothing), not '%s'",
						  optarg);
			break;
		case OPT_NOTIFY_SOCKET: o->notify_socket = optarg; break;
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_RULES: o->rules = optarg; break;
		case OPT_WRITE_BACK: o->write_back = true; break;
		case OPT_WRITE_BACK_TO: o->write_back_to = optarg; break;
		case OPT_ONCE: o->once = true; break;
		case OPT_MODE:
			if (strcmp(optarg, "enforce") == 0)
				o->mode = TJ_MODE_ENFORCE;
			else if (strcmp(optarg, "complain") == 0)
				o->mode = TJ_MODE_COMPLAIN;
			else
				return tj_err_set(err, TJ_ERR_USAGE, 0, "unknown mode '%s' (enforce or complain)",
						  optarg);
			break;
		case OPT_LOG: o->log_path = optarg; break;
		case OPT_IGNORE_UNKNOWN: o->ignore_unknown = true; break;
		case OPT_KILL_VIA:
			if (strcmp(optarg, "kernel") == 0)
				o->kernel_kills = true;
			else if (strcmp(optarg, "supervisor") == 0)
				o->kernel_kills = false;
			else
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--kill-via takes 'supervisor' or 'kernel', not '%s'", optarg);
			break;
		case OPT_NO_CACHE: o->no_cache = true; break;
		case OPT_PASS_FD: {
			uint64_t fd;
			if (!tj_parse_u64(optarg, &fd) || fd < 3 || fd > UINT16_MAX)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--pass-fd '%s': a descriptor number from 3 up (0, 1 and 2 always "
						  "pass)",
						  optarg);
			o->pass_fds = tj_xrealloc(o->pass_fds, (o->npass_fds + 1) * sizeof(*o->pass_fds));
			o->pass_fds[o->npass_fds++] = (int)fd;
			break;
		}
		case OPT_ALLOW_SYSCALL:
		case OPT_DENY_SYSCALL:
			if (tj_cli_add_names(c == OPT_ALLOW_SYSCALL ? &o->allow_syscalls : &o->deny_syscalls, optarg,
					     err) < 0)
				return tj_err_wrap(err, "--%s", option_name(c));
			break;
		case OPT_FAIL_ON_VIOLATION: o->fail_on_violation = true; break;
		case 'o': o->learn.output = o->output = optarg; break;
		case OPT_MERGE: o->learn.merge = true; break;
		case OPT_FORCE: o->learn.force = true; break;
		case OPT_CASES: o->learn.cases = optarg; break;
		case OPT_CHECK: o->learn.check = optarg; break;
		case OPT_EXACT: o->learn.exact = true; break;
		case OPT_PLAIN_NAMES: o->learn.plain_names = true; break;
		case OPT_GROUP_SHARE: {
			uint64_t pct;
			const char *v = optarg;
			size_t len = strlen(v);
			tj_autofree char *num = tj_xstrndup(v, len && v[len - 1] == '%' ? len - 1 : len);
			if (!tj_parse_u64(num, &pct) || pct < 1 || pct > 100)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--group-share: '%s' is not a percentage from 1 to 100", optarg);
			o->learn.group_share = (unsigned)pct;
			break;
		}
		case OPT_DEFAULT_ERRNO:
			o->learn.default_errno = EPERM;
			if (optarg && tj_parse_errno(optarg, &o->learn.default_errno) < 0)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--default-errno: '%s' is not an errno name (EPERM) or number from 1 "
						  "to 4094",
						  optarg);
			break;
		case OPT_FUZZ: o->learn.fuzz = optarg; break;
		case OPT_BUDGET:
		case OPT_MAX_TIME: {
			uint64_t ms;
			if (!tj_parse_duration_ms(optarg, &ms))
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--%s '%s': expected a duration such as 10m, 90s or 1h",
						  option_name(c), optarg);
			if (ms == 0)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--%s 0: the campaign would end before it starts; give a duration such "
						  "as 10m",
						  option_name(c));
			*(c == OPT_BUDGET ? &o->learn.budget_ms : &o->learn.max_ms) = ms;
			break;
		}
		case OPT_BUDGET_EXECS:
			if (!tj_parse_u64(optarg, &o->learn.budget_execs) || o->learn.budget_execs == 0)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--budget-execs '%s': expected a number of executions of at least 1",
						  optarg);
			break;
		case OPT_JOBS: {
			uint64_t n;
			if (!tj_parse_u64(optarg, &n) || n < 1 || n > 64)
				return tj_err_set(err, TJ_ERR_USAGE, 0, "--jobs '%s': expected a number from 1 to 64",
						  optarg);
			o->learn.jobs = (unsigned)n;
			break;
		}
		case OPT_FROM: o->learn.from = optarg; break;
		case OPT_JOURNAL: o->learn.journal = optarg; break;
		case OPT_AFL:
			o->iso.afl_forkserver = true;
			/* What AFL++'s runtime reads (notes/fuzz-learn.md). */
			if (tj_env_add_list(&o->env.keep,
					    "AFL_*,__AFL_*,ASAN_OPTIONS,UBSAN_OPTIONS,MSAN_OPTIONS,LSAN_OPTIONS,LD_BIND_NOW",
					    err) < 0)
				return -1;
			break;
		case OPT_FUZZ_DIR: o->learn.fuzz_dir = optarg; break;
		case OPT_FUZZ_SEED:
			if (!tj_parse_u64(optarg, &o->learn.fuzz_seed) || o->learn.fuzz_seed > UINT32_MAX)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--fuzz-seed '%s': expected a number from 0 to 4294967295", optarg);
			o->learn.has_fuzz_seed = true;
			break;
		case OPT_LINT: o->lint = true; break;
		case OPT_BPF: o->out_bpf = optarg; break;
		case OPT_PFC: o->out_pfc = optarg; break;
		case OPT_OCI: o->out_oci = optarg; break;
		case OPT_SPO: o->out_spo = optarg; break;
		case OPT_SPO_NAME: o->spo_name = optarg; break;
		case OPT_OPTIMIZE:
			if (strcmp(optarg, "1") == 0)
				o->optimize = 1;
			else if (strcmp(optarg, "2") == 0)
				o->optimize = 2;
			else
				return tj_err_set(err, TJ_ERR_USAGE, 0, "--optimize takes 1 or 2, not '%s'", optarg);
			break;
		case OPT_MEMORY:
			if (!tj_parse_size(optarg, &o->limits.memory) || o->limits.memory < TJ_MEMORY_MIN)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--memory '%s': expected a size of at least 4K, e.g. 100M", optarg);
			o->limits.has_memory = true;
			break;
		case OPT_CPU:
			if (tj_limits_parse_cpu(&o->limits, optarg, err) < 0)
				return -1;
			break;
		case OPT_PIDS:
			if (!tj_parse_u64(optarg, &o->limits.pids) || o->limits.pids == 0)
				return tj_err_set(err, TJ_ERR_USAGE, 0, "--pids '%s': expected a number of at least 1",
						  optarg);
			o->limits.has_pids = true;
			break;
		case OPT_TIMEOUT:
		case OPT_KILL_AFTER: {
			uint64_t ms;
			if (!tj_parse_duration_ms(optarg, &ms) || ms == 0)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--%s '%s': expected a duration such as 120s, 2m or 500ms",
						  option_name(c), optarg);
			if (c == OPT_TIMEOUT)
				o->limits.timeout_ms = ms;
			else
				o->limits.kill_after_ms = ms;
			break;
		}
		case OPT_RLIMIT:
			if (tj_limits_parse_rlimit(&o->limits, optarg, err) < 0)
				return -1;
			break;
		case OPT_DEGRADE:
			if (parse_degrade(o, optarg, err) < 0)
				return -1;
			break;
		case OPT_USER:
			free(o->iso.user);
			o->iso.user = tj_xstrdup(optarg);
			break;
		case OPT_CAP_KEEP:
			if (tj_isolation_parse_caps(&o->iso, optarg, err) < 0)
				return tj_err_wrap(err, "--cap-keep");
			break;
		case OPT_UNSHARE:
			if (tj_isolation_parse_unshare(&o->iso, optarg, err) < 0)
				return tj_err_wrap(err, "--unshare");
			break;
		case OPT_HOSTNAME:
			if (!*optarg || strlen(optarg) > 64)
				return tj_err_set(err, TJ_ERR_USAGE, 0, "--hostname: 1 to 64 characters");
			free(o->iso.hostname);
			o->iso.hostname = tj_xstrdup(optarg);
			break;
		case OPT_RO:
		case OPT_RW:
		case OPT_EXEC:
		case OPT_NOEXEC:
		case OPT_TMPFS: {
			char *path = tj_isolation_absolute_path(optarg);
			if (!path)
				return tj_err_set(err, TJ_ERR_USAGE, 0, "--%s '%s': give a path", option_name(c),
						  optarg);
			struct tj_strv *to = c == OPT_RO       ? &o->iso.ro
					     : c == OPT_RW     ? &o->iso.rw
					     : c == OPT_EXEC   ? &o->iso.exec
					     : c == OPT_NOEXEC ? &o->iso.noexec
							       : &o->iso.tmpfs;
			tj_strv_add_owned(to, path);
			break;
		}
		case OPT_RW_LIMIT:
			if (tj_isolation_parse_rw_limit(&o->iso, optarg, err) < 0)
				return tj_err_wrap(err, "--rw-limit");
			break;
		case OPT_WORKDIR: {
			char *path = tj_isolation_absolute_path(optarg);
			if (!path)
				return tj_err_set(err, TJ_ERR_USAGE, 0, "--workdir '%s': give a path", optarg);
			free(o->iso.workdir);
			o->iso.workdir = path;
			break;
		}
		case OPT_NO_EXEC: o->iso.no_exec = true; break;
		case OPT_NO_FORK: o->iso.no_new_processes = true; break;
		case OPT_WX: o->iso.deny_write_execute = true; break;
		case OPT_SIGNALS:
			if (tj_isolation_parse_signals(&o->iso, optarg, err) < 0)
				return tj_err_wrap(err, "--signals");
			break;
		case OPT_TCP_CONNECT:
		case OPT_TCP_BIND: {
			bool bind = c == OPT_TCP_BIND;
			uint16_t *ports;
			size_t n;
			if (tj_isolation_parse_ports(optarg, &ports, &n, err) < 0)
				return tj_err_wrap(err, "--%s", option_name(c));
			if (bind) {
				free(o->iso.tcp_bind.v);
				o->iso.has_tcp_bind = true;
				o->iso.tcp_bind.v = ports;
				o->iso.tcp_bind.n = n;
			} else {
				free(o->iso.tcp_connect.v);
				o->iso.has_tcp_connect = true;
				o->iso.tcp_connect.v = ports;
				o->iso.tcp_connect.n = n;
			}
			break;
		}
		case OPT_NET:
			if (tj_net_parse_mode(&o->net, optarg, err) < 0)
				return tj_err_wrap(err, "--net");
			break;
		case OPT_RESOLVE:
			if (tj_net_add_resolve(&o->net, optarg, err) < 0)
				return tj_err_wrap(err, "--resolve");
			break;
		case OPT_NET_UPSTREAM:
			if (tj_net_set_upstream(&o->net, optarg, err) < 0)
				return tj_err_wrap(err, "--net-upstream-proxy");
			break;
		case OPT_NET_PORTS:
			o->net.has_ports = true;
			if (tj_net_add_ports(&o->net.ports, optarg, err) < 0)
				return tj_err_wrap(err, "--net-ports");
			break;
		case OPT_NET_MAX_CONNS: {
			uint64_t n;
			if (!tj_parse_u64(optarg, &n) || n < 1 || n > TJ_NET_MAX_CONNS_MAX)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--net-max-conns: '%s' is not a number from 1 to %u", optarg,
						  TJ_NET_MAX_CONNS_MAX);
			o->net.max_conns = (unsigned)n;
			break;
		}
		case OPT_NET_CONN_TIMEOUT:
		case OPT_NET_IDLE_TIMEOUT: {
			uint64_t ms;
			if (!tj_parse_duration_ms(optarg, &ms) || ms == 0)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--%s: expected a duration such as 30s, not '%s'", option_name(c),
						  optarg);
			*(c == OPT_NET_CONN_TIMEOUT ? &o->net.conn_timeout_ms : &o->net.idle_timeout_ms) = ms;
			break;
		}
		case OPT_NET_DENY_PRIVATE: o->net.deny_private = true; break;
		case OPT_NET_ALLOW_CIDR:
		case OPT_NET_DENY_CIDR:
			if (tj_net_add_cidrs(c == OPT_NET_ALLOW_CIDR ? &o->net.allow_cidrs : &o->net.deny_cidrs, optarg,
					     err) < 0)
				return tj_err_wrap(err, "--%s", option_name(c));
			break;
		case OPT_NET_DNS:
			o->net.has_dns = true;
			if (tj_net_add_cidrs(&o->net.dns, optarg, err) < 0)
				return tj_err_wrap(err, "--net-dns");
			break;
		case OPT_JSON_STATUS: o->json_status = optarg; break;
		case OPT_ENV_KEEP:
			if (tj_env_add_list(&o->env.keep, optarg, err) < 0)
				return tj_err_wrap(err, "--env-keep");
			break;
		case OPT_ENV_DENY:
			if (tj_env_add_list(&o->env.deny, optarg, err) < 0)
				return tj_err_wrap(err, "--env-deny");
			break;
		case OPT_ENV_ALL: o->env.inherit_all = true; break;
		case OPT_SETENV:
			if (tj_env_add_setting(&o->env, optarg, err) < 0)
				return tj_err_wrap(err, "--setenv");
			break;
		case OPT_EXPLAIN:
			if (tj_for_each_item(optarg, add_explain, o, err) < 0)
				return tj_err_wrap(err, "--explain");
			break;
		case OPT_EXPLAIN_STACKS: {
			uint64_t n;
			if (!tj_parse_u64(optarg, &n) || n < 1 || n > 1000000000)
				return tj_err_set(err, TJ_ERR_USAGE, 0,
						  "--explain-stacks: '%s' is not a number from 1 to 1000000000",
						  optarg);
			o->explain_stacks = (unsigned)n;
			break;
		}
		case OPT_TIMELINE: o->timeline = true; break;
		case OPT_HTML: o->html = optarg; break;
		case 'v': o->verbosity = o->verbosity < 0 ? 1 : o->verbosity + 1; break;
		case 'q': o->verbosity = -1; break;
		case 'h':
			o->help_verb = o->verb;
			o->verb = TJ_VERB_HELP;
			return 0;
		case 'V': o->verb = TJ_VERB_VERSION; return 0;
		}
	}

	char **rest = gargv + optind;
	int nrest = gargc - optind;
	if (o->verb == TJ_VERB_RUN) {
		if (nrest == 0)
			return tj_err_set(err, TJ_ERR_USAGE, 0,
					  "no command given (usage: tinyjail [options] -- command [args...])");
		if (rest[0][0] == '\0')
			return tj_err_set(err, TJ_ERR_USAGE, 0, "the command name is empty");
		/* THE RULE (above): "--" consumed as the end of the options
		 * moves optind one past where the last option ended. */
		bool after_dashdash = optind > after_options && strcmp(gargv[optind - 1], "--") == 0;
		const struct tj_verb_info *clash = find_verb(rest[0]);
		if (clash && !explicit_run && !after_dashdash) {
			tj_err_set(err, TJ_ERR_USAGE, 0,
				   "'%s' is a tinyjail verb, which only counts as the first argument; here it would "
				   "be the command to run",
				   rest[0]);
			return tj_err_hint(err,
					   "for the verb write 'tinyjail %s [options] ...'; to run the program %s "
					   "write 'tinyjail [options] -- %s'",
					   rest[0], rest[0], rest[0]);
		}
		if (o->iso.afl_forkserver && tj_cli_check_afl(o, "--afl", err) < 0)
			return -1;
		o->command = rest;
		return 0;
	}
	if (o->verb == TJ_VERB_PROFILES) {
		if (nrest > 0)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "profiles takes no arguments");
		return 0;
	}
	if (o->verb == TJ_VERB_GROUPS || o->verb == TJ_VERB_WHY) {
		if (o->verb == TJ_VERB_WHY && nrest < 2)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "why needs a syscall and a profile");
		if (o->verb == TJ_VERB_WHY && nrest > 8)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "a syscall has at most 6 arguments, got %d", nrest - 2);
		o->inputs = rest;
		o->ninputs = (size_t)nrest;
		return 0;
	}
	if (o->verb == TJ_VERB_SUPERVISE)
		return tj_cli_check_supervise(o, nrest, err);
	if (o->verb == TJ_VERB_REPORT && nrest == 0)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "report needs an event log (tinyjail --log FILE ...)");
	if (o->verb == TJ_VERB_LEARN)
		return tj_cli_check_learn(o, rest, nrest, err);
	if (o->verb == TJ_VERB_EXPLAIN) {
		if (nrest < 2)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "explain needs a syscall and a program");
		for (int i = 0; i < nrest; i++)
			if (!rest[i][0])
				return tj_err_set(err, TJ_ERR_USAGE, 0, "an argument is empty");
		o->inputs = rest;
		o->ninputs = (size_t)nrest;
		return 0;
	}
	if (o->verb == TJ_VERB_EDIT) {
		if (nrest != 1)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "edit takes one profile, got %d", nrest);
		o->inputs = rest;
		o->ninputs = 1;
		return 0;
	}
	if (o->verb == TJ_VERB_DIFF) {
		if (nrest != 2)
			return tj_err_set(err, TJ_ERR_USAGE, 0, "diff takes two profiles, got %d", nrest);
		o->inputs = rest;
		o->ninputs = 2;
		return 0;
	}
	if (nrest == 0)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "no profile given");
	if (o->verb == TJ_VERB_COMPILE && nrest > 1)
		return tj_err_set(err, TJ_ERR_USAGE, 0, "compile takes one profile, got %d", nrest);
	o->inputs = rest;
	o->ninputs = (size_t)nrest;
	return 0;
}

int tj_cli_parse(int argc, char **argv, struct tj_options *o, struct tj_err **err)
{
	memset(o, 0, sizeof(*o));
	if (parse_args(argc, argv, o, err) < 0) {
		tj_options_done(o); /* nothing half-parsed is handed back */
		return -1;
	}
	return 0;
}

void tj_options_done(struct tj_options *o)
{
	free(o->pass_fds);
	tj_strv_done(&o->allow_syscalls);
	tj_strv_done(&o->deny_syscalls);
	tj_env_done(&o->env);
	tj_isolation_done(&o->iso);
	tj_net_policy_done(&o->net);
	free(o->learn.run_args);
	tj_strv_done(&o->explain);
	memset(o, 0, sizeof(*o));
}
