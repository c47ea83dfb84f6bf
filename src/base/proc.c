/* SPDX-License-Identifier: Apache-2.0 */
/* /proc lookups (proc.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tj/base/proc.h"
#include "tj/base/util.h"

static int open_comm(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static void comm_text(char *buf, ssize_t n)
{
	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	/* The command names itself (prctl PR_SET_NAME): never raw to a terminal. */
	tj_sanitize(buf);
}

void tj_proc_comm(pid_t pid, char *buf, size_t size)
{
	buf[0] = '\0';
	int fd = open_comm(pid);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	comm_text(buf, n);
}

void tj_proc_comm_cached(struct tj_comm_cache *c, pid_t pid, char *buf, size_t size)
{
	size_t i = (size_t)pid % TJ_COMM_CACHE_SIZE;
	ssize_t n = -1;
	if (c->fd[i] > 0 && c->pid[i] == pid)
		n = pread(c->fd[i], buf, size - 1, 0);
	if (n <= 0) {
		/* None yet, another pid's, or its process is gone. */
		if (c->fd[i] > 0)
			close(c->fd[i]);
		c->fd[i] = 0;
		int fd = open_comm(pid);
		if (fd > 0) {
			c->fd[i] = fd;
			c->pid[i] = pid;
			n = pread(fd, buf, size - 1, 0);
		} else if (fd == 0) {
			close(fd);
		}
	}
	comm_text(buf, n);
}

void tj_comm_cache_done(struct tj_comm_cache *c)
{
	for (size_t i = 0; i < TJ_COMM_CACHE_SIZE; i++)
		if (c->fd[i] > 0)
			close(c->fd[i]);
	memset(c, 0, sizeof(*c));
}

static pid_t status_field(pid_t pid, const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t flen = strlen(field);
	pid_t v = -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			if (sscanf(line + flen + 1, "%d", &v) != 1)
				v = -1;
			break;
		}
	}
	fclose(f);
	return v;
}

/* The last number of a status line such as "NSpid:\t412\t2": the id in
 * the innermost pid namespace. */
static pid_t status_last(pid_t pid, const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t flen = strlen(field);
	pid_t v = -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			char *last = strrchr(line, '\t');
			if (!last || sscanf(last + 1, "%d", &v) != 1)
				v = -1;
			break;
		}
	}
	fclose(f);
	return v;
}

int tj_proc_own_ids(pid_t tid, pid_t *ret_tgid, pid_t *ret_tid)
{
	*ret_tgid = status_last(tid, "NStgid");
	*ret_tid = status_last(tid, "NSpid");
	return *ret_tgid > 0 && *ret_tid > 0 ? 0 : -1;
}

pid_t tj_proc_tgid(pid_t tid)
{
	return status_field(tid, "Tgid");
}

pid_t tj_proc_ppid(pid_t pid)
{
	return status_field(pid, "PPid");
}

bool tj_proc_descends_from(pid_t pid, pid_t root)
{
	/* Bounded: a pid chain is never this deep, and a cycle (pid reuse
	 * while walking) must not loop forever. */
	for (int depth = 0; pid > 1 && depth < 4096; depth++) {
		if (pid == root)
			return true;
		pid_t tgid = tj_proc_tgid(pid);
		if (tgid == root)
			return true;
		pid = tj_proc_ppid(tgid > 0 ? tgid : pid);
	}
	return false;
}
