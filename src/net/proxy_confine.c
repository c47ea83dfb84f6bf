/* SPDX-License-Identifier: Apache-2.0 */
/* The proxy's confinement of itself (proxy_confine.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/base/seccomp_abi.h"
#include "tj/base/sys.h"
#include "tj/base/testhook.h"
#include "tj/model/profile.h"
#include "tj/net/proxy_confine.h"

/* What getaddrinfo reads ("files" and "dns", built into glibc 2.34+). */
static const char *const resolver_files[] = {"/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/host.conf",
					     "/etc/gai.conf"};

/* The loop (epoll, sockets, memory), getaddrinfo (files, UDP and TCP to
 * the resolvers), glibc's and the sanitizers' housekeeping. */
static const char *const allowed[] = {
	"read",
	"write",
	"readv",
	"writev",
	"close",
	"lseek",
	"openat",
	"newfstatat",
	"fstat",
	"epoll_create1",
	"epoll_wait",
	"epoll_pwait",
	"epoll_ctl",
	"poll",
	"ppoll",
	"accept",
	"accept4",
	"connect",
	"shutdown",
	"getsockopt",
	"setsockopt",
	"getsockname",
	"getpeername",
	"recvfrom",
	"sendto",
	"recvmsg",
	"sendmsg",
	"recvmmsg",
	"sendmmsg",
	"fcntl",
	/* The relay's pipes (proxy.c: splice(2) instead of copies). */
	"pipe2",
	"splice",
	"brk",
	"munmap",
	"mremap",
	"madvise",
	"futex",
	"sched_yield",
	"sched_getaffinity",
	"getrandom",
	"clock_gettime",
	"clock_nanosleep",
	"nanosleep",
	"gettimeofday",
	"getpid",
	"gettid",
	"uname",
	"rt_sigreturn",
	"rt_sigprocmask",
	"restart_syscall",
	"exit",
	"exit_group",
	NULL,
};

static struct tj_arg arg(unsigned index, uint64_t mask, uint64_t value)
{
	return (struct tj_arg){.index = index, .value = mask, .value_two = value, .op = TJ_CMP_MASKED_EQ};
}

int tj_proxy_filter_compile(struct tj_filter **ret, struct tj_err **err)
{
	struct tj_rule rules[5];
	memset(rules, 0, sizeof(rules));
	struct tj_arg inet[] = {arg(0, 0xffffffff, AF_INET), arg(0, 0xffffffff, AF_INET6)};
	/* nscd's UNIX socket and the netlink query behind getaddrinfo's
	 * address sorting fail gracefully: glibc then does without them. */
	struct tj_arg other[] = {arg(0, 0xffffffff, AF_UNIX), arg(0, 0xffffffff, AF_NETLINK)};
	struct tj_arg no_exec[] = {arg(2, PROT_EXEC, 0)};
	struct tj_arg fionread[] = {arg(1, 0xffffffff, 0x541b)};
	rules[0] = (struct tj_rule){.json_path = (char *)"proxy[0]", .action = TJ_ACT_ALLOW};
	for (size_t i = 0; allowed[i]; i++)
		tj_strv_add(&rules[0].names, allowed[i]);
	rules[1] = (struct tj_rule){.json_path = (char *)"proxy[1]", .action = TJ_ACT_ALLOW, .args = inet, .nargs = 2};
	tj_strv_add(&rules[1].names, "socket");
	rules[2] = (struct tj_rule){.json_path = (char *)"proxy[2]",
				    .action = TJ_ACT_ERRNO,
				    .has_errno = true,
				    .errno_ret = EAFNOSUPPORT,
				    .args = other,
				    .nargs = 2};
	tj_strv_add(&rules[2].names, "socket");
	rules[3] =
		(struct tj_rule){.json_path = (char *)"proxy[3]", .action = TJ_ACT_ALLOW, .args = no_exec, .nargs = 1};
	tj_strv_add(&rules[3].names, "mmap");
	tj_strv_add(&rules[3].names, "mprotect");
	rules[4] =
		(struct tj_rule){.json_path = (char *)"proxy[4]", .action = TJ_ACT_ALLOW, .args = fionread, .nargs = 1};
	tj_strv_add(&rules[4].names, "ioctl");

	struct tj_profile p = {.file = (char *)"<tinyjail proxy>"};
	struct tj_seccomp sc = {.json_path = (char *)"",
				.default_action = TJ_ACT_KILL_PROCESS,
				.rules = rules,
				.nrules = TJ_ARRAY_SIZE(rules)};
	p.seccomp = &sc;
	struct tj_host host = {.go_arch = "amd64"};
	struct tj_filter_opts fo = {.mode = TJ_MODE_ENFORCE, .host = &host};
	int r = tj_filter_compile(&p, &fo, ret, err);
	for (size_t i = 0; i < TJ_ARRAY_SIZE(rules); i++)
		tj_strv_done(&rules[i].names);
	return r;
}

/* The TCP ports the proxy may connect to: what the policy allows, the
 * upstream proxy's, and 53. */
static size_t connect_ports(const struct tj_net_policy *p, uint16_t *out, size_t max)
{
	size_t n = 0;
	uint16_t defaults[] = {80, 443};
	const uint16_t *base = p->has_ports ? p->ports.v : defaults;
	size_t nbase = p->has_ports ? p->ports.n : 2;
	for (size_t i = 0; i < nbase && n < max; i++)
		out[n++] = base[i];
	for (size_t i = 0; i < p->nallow; i++)
		for (size_t j = 0; j < p->allow[i].nports && n < max; j++)
			out[n++] = p->allow[i].ports[j];
	/* --net-upstream-proxy: where every allowed request then goes. */
	if (p->upstream_host && n < max)
		out[n++] = p->upstream_port;
	if (n < max)
		out[n++] = 53;
	return n;
}

static int landlock(const struct tj_net_policy *p, char *msg, size_t size)
{
	int abi = tj_sys_landlock_abi();
	if (abi < 1)
		return 0; /* the manifest says so (tj_proxy_describe_confinement) */
	uint64_t fs = tj_landlock_fs_rights(abi) | (abi >= TJ_LANDLOCK_ABI_IOCTL_DEV ? TJ_LANDLOCK_FS_IOCTL_DEV : 0);
	struct tj_landlock_ruleset_attr attr = {.handled_access_fs = fs};
	size_t attr_size = sizeof(uint64_t);
	if (abi >= TJ_LANDLOCK_ABI_NET) {
		attr.handled_access_net = TJ_LANDLOCK_NET_BIND_TCP | TJ_LANDLOCK_NET_CONNECT_TCP;
		attr_size = offsetof(struct tj_landlock_ruleset_attr, scoped);
	}
	if (abi >= TJ_LANDLOCK_ABI_SCOPE) {
		attr.scoped = TJ_LANDLOCK_SCOPE_ABSTRACT_UNIX | TJ_LANDLOCK_SCOPE_SIGNAL;
		attr_size = sizeof(attr);
	}
	int rs = tj_sys_landlock_create_ruleset(&attr, attr_size);
	if (rs < 0) {
		snprintf(msg, size, "cannot create a Landlock ruleset: %s", strerror(-rs));
		return -1;
	}
	for (size_t i = 0; i < TJ_ARRAY_SIZE(resolver_files); i++) {
		int fd = open(resolver_files[i], O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue; /* absent: nothing to read */
		struct stat st;
		struct tj_landlock_path_beneath_attr pb = {.allowed_access = TJ_LANDLOCK_FS_READ_FILE, .parent_fd = fd};
		int r = fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
				? tj_sys_landlock_add_rule(rs, TJ_LANDLOCK_RULE_PATH_BENEATH, &pb)
				: 0;
		close(fd);
		if (r < 0) {
			snprintf(msg, size, "cannot add the Landlock rule for '%s': %s", resolver_files[i],
				 strerror(-r));
			close(rs);
			return -1;
		}
	}
	uint16_t ports[256];
	size_t nports = abi >= TJ_LANDLOCK_ABI_NET ? connect_ports(p, ports, TJ_ARRAY_SIZE(ports)) : 0;
	for (size_t i = 0; i < nports; i++) {
		struct tj_landlock_net_port_attr np = {.allowed_access = TJ_LANDLOCK_NET_CONNECT_TCP, .port = ports[i]};
		int r = tj_sys_landlock_add_rule(rs, TJ_LANDLOCK_RULE_NET_PORT, &np);
		if (r < 0) {
			snprintf(msg, size, "cannot add a Landlock port rule: %s", strerror(-r));
			close(rs);
			return -1;
		}
	}
	int r = tj_sys_landlock_restrict_self(rs);
	close(rs);
	if (r < 0) {
		snprintf(msg, size, "cannot enforce the Landlock ruleset: %s", strerror(-r));
		return -1;
	}
	return 0;
}

int tj_proxy_confine(const struct tj_net_policy *p, char *msg, size_t size)
{
	struct rlimit core = {0, 0};
	setrlimit(RLIMIT_CORE, &core);
	/* As many connections as the hard limit allows (proxy.c sizes its
	 * table from the soft one). */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max > 65536 ? 65536 : nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	if ((!tj_testhook("no-walls") && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(msg, size, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	tj_sys_capbset_drop(0); /* EPERM: nothing to drop without CAP_SETPCAP */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (tj_sys_capset(0, 0, 0) < 0) {
		snprintf(msg, size, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	return landlock(p, msg, size);
}

int tj_proxy_load_filter(const struct tj_filter *f, char *msg, size_t size)
{
	int r = tj_sys_seccomp_load(SECCOMP_FILTER_FLAG_TSYNC, f->prog, (unsigned short)f->len);
	if (r != 0) {
		snprintf(msg, size, "cannot load the seccomp filter: %s",
			 r > 0 ? "a thread could not be synchronised" : strerror(-r));
		return -1;
	}
	return 0;
}

void tj_proxy_describe_confinement(struct tj_buf *b)
{
	int abi = tj_sys_landlock_abi();
	tj_buf_add(b, "the proxy runs apart: no capabilities, not dumpable, no_new_privs, a seccomp allowlist");
	if (abi < 1)
		tj_buf_add(b, ", no Landlock on this kernel");
	else if (abi < TJ_LANDLOCK_ABI_NET)
		tj_buf_addf(b, ", Landlock ABI %d (files: name resolution only; no TCP port rules before ABI 4)", abi);
	else
		tj_buf_addf(b,
			    ", Landlock ABI %d (files: name resolution only; TCP: connect to the allowed ports and 53, "
			    "bind nowhere)",
			    abi);
}
