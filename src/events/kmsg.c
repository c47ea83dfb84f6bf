/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp records from the kernel log (kmsg.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tj/base/cleanup.h"
#include "tj/base/seccomp_abi.h"
#include "tj/base/sys.h"
#include "tj/base/util.h"
#include "tj/events/kmsg.h"

#define MAX_LINE 2048

/* --- parsing --- */

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Skips "PRI,SEQ,USEC,FLAGS;" (a /dev/kmsg record) or "[  123.456] " (dmesg). */
static const char *message_start(const char *s)
{
	const char *semi = strchr(s, ';');
	if (semi && semi - s < 64) {
		const char *c1 = strchr(s, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		const char *c3 = c2 ? strchr(c2 + 1, ',') : NULL;
		if (c3 && c3 < semi && all_digits(s, (size_t)(c1 - s)) && all_digits(c1 + 1, (size_t)(c2 - c1 - 1)) &&
		    all_digits(c2 + 1, (size_t)(c3 - c2 - 1)))
			return semi + 1;
	}
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close && close - s < 32)
			return close[1] == ' ' ? close + 2 : close + 1;
	}
	return s;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Finds " key=" (or "key=" at the start) and returns the value's start. */
static const char *field(const char *msg, const char *key)
{
	size_t klen = strlen(key);
	bool quoted = false;
	for (const char *p = msg; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (quoted || (p != msg && p[-1] != ' '))
			continue;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=')
			return p + klen + 1;
	}
	return NULL;
}

static bool field_u64(const char *msg, const char *key, int base, uint64_t *ret)
{
	const char *v = field(msg, key);
	if (!v || !*v || *v == ' ')
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, base);
	if (errno || (*end && *end != ' '))
		return false;
	*ret = x;
	return true;
}

static bool field_i64(const char *msg, const char *key, long long *ret)
{
	const char *v = field(msg, key);
	if (!v || !*v)
		return false;
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || end == v || (*end && *end != ' '))
		return false;
	*ret = x;
	return true;
}

/* comm="name", or hex-encoded when the name holds spaces or quotes
 * (audit_log_untrustedstring). */
static void field_comm(const char *msg, char *out, size_t size)
{
	out[0] = '\0';
	const char *v = field(msg, "comm");
	if (!v)
		return;
	size_t n = 0;
	if (*v == '"') {
		for (v++; *v && *v != '"' && n + 1 < size; v++)
			out[n++] = *v;
	} else {
		const char *e = v;
		while (*e && *e != ' ')
			e++;
		if ((e - v) % 2 == 0) {
			for (const char *p = v; p < e && n + 1 < size; p += 2) {
				int hi = hexval(p[0]), lo = hexval(p[1]);
				if (hi < 0 || lo < 0) {
					n = 0;
					break;
				}
				out[n++] = (char)(hi * 16 + lo);
			}
		}
	}
	out[n] = '\0';
}

enum tj_kmsg_kind tj_kmsg_parse(const char *text, size_t len, struct tj_kmsg_record *rec, uint64_t *count)
{
	char line[MAX_LINE];
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, text, len);
	line[len] = '\0';
	char *nl = strchr(line, '\n'); /* /dev/kmsg continuation lines follow */
	if (nl)
		*nl = '\0';
	memset(rec, 0, sizeof(*rec));
	const char *m = message_start(line);

	static const char suppressed[] = "kauditd_printk_skb: ";
	if (strncmp(m, suppressed, sizeof(suppressed) - 1) == 0) {
		const char *p = m + sizeof(suppressed) - 1;
		char *end;
		unsigned long long n = strtoull(p, &end, 10);
		if (end != p && strncmp(end, " callbacks suppressed", 21) == 0) {
			if (count)
				*count = n;
			return TJ_KMSG_SUPPRESSED;
		}
		return TJ_KMSG_OTHER;
	}
	if (strncmp(m, "audit: ", 7) != 0)
		return TJ_KMSG_OTHER;
	m += 7;
	if (strncmp(m, "audit_lost=", 11) == 0 || strstr(m, "backlog limit exceeded") ||
	    strstr(m, "hold queue overflow") || strstr(m, "rate limit exceeded"))
		return TJ_KMSG_AUDIT_LOST;
	uint64_t type;
	if (strncmp(m, "type=", 5) != 0 || !field_u64(m, "type", 10, &type))
		return TJ_KMSG_OTHER;
	rec->type = (int)type;
	/* audit(SECONDS.MILLISECONDS:SERIAL): */
	const char *stamp = strstr(m, " audit(");
	const char *colon = stamp ? strchr(stamp, ':') : NULL;
	if (!colon)
		return TJ_KMSG_OTHER;
	char *end;
	rec->serial = strtoull(colon + 1, &end, 10);
	if (end == colon + 1 || *end != ')')
		return TJ_KMSG_OTHER;
	if (rec->type != TJ_AUDIT_SECCOMP)
		return TJ_KMSG_AUDIT;

	uint64_t pid, arch, nr, code, ip = 0;
	long long sig = 0;
	if (!field_u64(m, "pid", 10, &pid) || !field_u64(m, "arch", 16, &arch) || !field_u64(m, "syscall", 10, &nr) ||
	    !field_u64(m, "code", 16, &code) || pid > INT32_MAX || nr > INT32_MAX || arch > UINT32_MAX ||
	    code > UINT32_MAX)
		return TJ_KMSG_AUDIT;
	field_u64(m, "ip", 16, &ip);
	field_i64(m, "sig", &sig);
	rec->pid = (pid_t)pid;
	rec->arch = (uint32_t)arch;
	rec->nr = (int)nr;
	rec->code = (uint32_t)code;
	rec->ip = ip;
	rec->sig = (int)sig;
	field_comm(m, rec->comm, sizeof(rec->comm));
	return TJ_KMSG_SECCOMP;
}

/* --- reading --- */

struct tj_kmsg {
	int fd;
	struct tj_kmsg_loss loss;
	bool counting; /* between the first and the second mark */
	int marks;     /* marks made */
	uint64_t start_serial, end_serial;
	bool have_start, have_end;
	uint64_t *serials; /* audit serials seen while counting */
	size_t nserials, cap;
	pid_t markers[2];
	pid_t waiting; /* the marker being waited for */
	bool marker_seen;
	uint64_t marker_serial;
};

static bool logs_seccomp_log(void)
{
	char buf[256] = "";
	int fd = open("/proc/sys/kernel/seccomp/actions_logged", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true; /* cannot tell: the markers will */
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
		if (strcmp(t, "log") == 0)
			return true;
	return false;
}

int tj_kmsg_open(struct tj_kmsg **ret, struct tj_err **err)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		tj_err_set(err, TJ_ERR_LAYER, e, "cannot read the kernel log (/dev/kmsg)");
		if (e == EPERM || e == EACCES)
			tj_err_hint(err, "reading it needs CAP_SYSLOG while kernel.dmesg_restrict is 1; --complain "
					 "(seccomp user notification) needs no privileges");
		return tj_err_layer(err, "seccomp");
	}
	/* Only what happens from now on is of interest. */
	if (lseek(fd, 0, SEEK_END) < 0) {
		int e = errno;
		close(fd);
		return tj_err_set(err, TJ_ERR_LAYER, e, "cannot seek in the kernel log");
	}
	if (!logs_seccomp_log()) {
		close(fd);
		tj_err_set(err, TJ_ERR_LAYER, 0, "this kernel does not log SECCOMP_RET_LOG actions");
		tj_err_hint(err, "add 'log' to /proc/sys/kernel/seccomp/actions_logged, or use --complain");
		return tj_err_layer(err, "seccomp");
	}
	struct tj_kmsg *k = tj_xcalloc(1, sizeof(*k));
	k->fd = fd;
	*ret = k;
	return 0;
}

void tj_kmsg_free(struct tj_kmsg *k)
{
	if (!k)
		return;
	if (k->fd >= 0)
		close(k->fd);
	free(k->serials);
	free(k);
}

int tj_kmsg_fd(const struct tj_kmsg *k)
{
	return k->fd;
}

bool tj_kmsg_is_marker(const struct tj_kmsg *k, pid_t pid)
{
	return pid > 0 && (pid == k->markers[0] || pid == k->markers[1]);
}

/* Between the markers: a "callbacks suppressed" line printed just before
 * the first marker is about records dropped before the run. */
static bool in_window(const struct tj_kmsg *k)
{
	return k->counting && k->have_start;
}

static void note_serial(struct tj_kmsg *k, uint64_t serial)
{
	if (!in_window(k))
		return;
	tj_xreserve((void **)&k->serials, &k->cap, k->nserials + 1, sizeof(*k->serials));
	k->serials[k->nserials++] = serial;
}

void tj_kmsg_read(struct tj_kmsg *k, tj_kmsg_cb cb, void *ctx)
{
	char buf[8192];
	for (;;) {
		/* One record per read. */
		ssize_t n = read(k->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE) {
			/* The ring buffer overwrote records before we read them. */
			if (in_window(k))
				k->loss.overruns++;
			continue;
		}
		if (n <= 0)
			return;
		struct tj_kmsg_record rec;
		uint64_t count = 0;
		switch (tj_kmsg_parse(buf, (size_t)n, &rec, &count)) {
		case TJ_KMSG_SUPPRESSED:
			if (in_window(k))
				k->loss.suppressed += count;
			break;
		case TJ_KMSG_AUDIT_LOST:
			if (in_window(k))
				k->loss.audit_lost++;
			break;
		case TJ_KMSG_AUDIT: note_serial(k, rec.serial); break;
		case TJ_KMSG_SECCOMP:
			note_serial(k, rec.serial);
			if (rec.pid == k->waiting && k->waiting > 0) {
				k->marker_seen = true;
				k->marker_serial = rec.serial;
				if (k->marks == 1 && !k->have_start) {
					k->have_start = true;
					k->start_serial = rec.serial;
				}
			} else if (!tj_kmsg_is_marker(k, rec.pid) && cb) {
				cb(ctx, &rec);
			}
			break;
		case TJ_KMSG_OTHER: break;
		}
	}
}

/* The marker process: one getppid() that its own filter logs. */
__attribute__((noreturn)) static void marker_main(void)
{
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    tj_sys_seccomp_load(0, prog, (unsigned short)TJ_ARRAY_SIZE(prog)) < 0)
		_exit(1);
	syscall(SYS_getppid);
	_exit(0);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tj_kmsg_mark(struct tj_kmsg *k, int timeout_ms, tj_kmsg_cb cb, void *ctx)
{
	bool first = k->marks == 0;
	if (k->marks >= 2)
		return -1;
	if (first)
		k->counting = true;
	pid_t pid = fork();
	if (pid == 0)
		marker_main();
	k->marks++;
	bool seen = false;
	if (pid > 0) {
		k->markers[k->marks - 1] = pid;
		k->waiting = pid;
		k->marker_seen = false;
		long long deadline = now_ms() + timeout_ms;
		for (;;) {
			tj_kmsg_read(k, cb, ctx);
			if (k->marker_seen)
				break;
			long long left = deadline - now_ms();
			if (left <= 0)
				break;
			struct pollfd p = {.fd = k->fd, .events = POLLIN};
			poll(&p, 1, (int)left);
		}
		seen = k->marker_seen;
		k->waiting = 0;
		waitpid(pid, NULL, 0);
	}
	if (first) {
		k->loss.no_start_marker = !seen;
	} else {
		k->have_end = seen;
		k->end_serial = k->marker_serial;
		k->loss.no_end_marker = !seen;
		k->counting = false;
	}
	return seen ? 0 : -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void tj_kmsg_loss(const struct tj_kmsg *k, struct tj_kmsg_loss *out)
{
	*out = k->loss;
	out->serial_gaps = 0;
	if (!k->have_start || !k->have_end || k->end_serial <= k->start_serial)
		return;
	uint64_t *s = tj_xmalloc((k->nserials ? k->nserials : 1) * sizeof(*s));
	memcpy(s, k->serials, k->nserials * sizeof(*s));
	qsort(s, k->nserials, sizeof(*s), cmp_u64);
	uint64_t seen = 0;
	for (size_t i = 0; i < k->nserials; i++)
		if (s[i] > k->start_serial && s[i] < k->end_serial && (i == 0 || s[i] != s[i - 1]))
			seen++;
	free(s);
	uint64_t expected = k->end_serial - k->start_serial - 1;
	out->serial_gaps = expected > seen ? expected - seen : 0;
}
