/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Call stacks of a blocked thread without ptrace (include/tj/unwind/unwind.h).
 * The only user of libdw/libdwfl.  Memory is read through /proc/PID/mem
 * (openat and pread, the same access check as process_vm_readv), so that a
 * tinyjail running under a profile that forbids process_vm_readv, such as
 * the default one (tinyjail inside tinyjail), is not killed for it.
 */
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tj/base/util.h"
#include "tj/unwind/unwind.h"

/* The stack copied in one read from sp; frames above it are read word by
 * word (bounded). */
#define SNAPSHOT_BYTES (32 * 1024)
#define MAX_REMOTE_READS 256
/* Processes whose modules are kept (gcc's driver, cc1, as, ld...). */
#define MAX_PROCS 16
/* Frame records tried when a frame needs rbp, and how far up they are looked for. */
#define MAX_FP_CANDIDATES 12
#define FP_SCAN_BYTES (16 * 1024)

/* x86_64 DWARF register numbers. */
#define REG_RBP 6
#define REG_RSP 7
#define REG_RA 16

struct proc {
	pid_t tgid;
	Dwfl *dwfl;
	uint64_t used; /* the least recently used is evicted */
};

struct sym {
	const char *modpath; /* interned; NULL: an empty slot */
	uint64_t rel;	     /* the address relative to the module's start */
	struct tj_frame f;   /* function and file owned here; module interned */
};

struct tj_unwind {
	struct proc procs[MAX_PROCS];
	uint64_t clock;
	struct sym *syms; /* the symbol cache, open addressing */
	size_t nsyms, symcap;
	struct tj_strv interned;
	/* The unwind in progress. */
	pid_t tgid, tid;
	uint64_t sp, pc, rbp;
	bool have_rbp;
	uint8_t *snap;
	uint64_t snap_base;
	size_t snap_len;
	unsigned remote_reads;
	int read_errno;
	int mem; /* /proc/tgid/mem during an unwind, or -1 */
	struct tj_stack *cur;
	uint64_t sps[TJ_UNWIND_MAX_FRAMES];
	bool activation[TJ_UNWIND_MAX_FRAMES];
	struct tj_unwind_stats stats;
	struct entry {
		pid_t tgid;
		uint64_t pc;
		bool outermost;
	} entries[64];
	size_t nentries;
};

/* libdwfl's find_elf and find_debuginfo callbacks take no argument of
 * ours; the process being read is this one (one unwind at a time per
 * thread). */
static __thread pid_t current_pid;

const char *tj_unwind_skip_name(enum tj_unwind_skip s)
{
	switch (s) {
	case TJ_UNWIND_TAKEN: return "taken";
	case TJ_UNWIND_GONE: return "the process exited while its stack was read";
	case TJ_UNWIND_DENIED: return "no permission to read the process";
	case TJ_UNWIND_MISMATCH: return "the thread was no longer in the call";
	}
	return "?";
}

/* --- files: local only (never debuginfod), in the process's own view --- */

/* A path from /proc/PID/maps is the process's: inside a mount namespace it
 * may name another file (or none) here, so it is opened through
 * /proc/PID/root first. */
static int open_in_root(const char *path)
{
	char buf[4096];
	if (current_pid > 0 &&
	    snprintf(buf, sizeof(buf), "/proc/%d/root%s", (int)current_pid, path) < (int)sizeof(buf)) {
		int fd = open(buf, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	return open(path, O_RDONLY | O_CLOEXEC);
}

static int find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base, char **file_name, Elf **elfp)
{
	if (name && name[0] == '/') {
		int fd = open_in_root(name);
		if (fd >= 0) {
			*file_name = strdup(name);
			return fd;
		}
	}
	/* [vdso] and the like, read from the process's memory. */
	return dwfl_linux_proc_find_elf(mod, userdata, name, base, file_name, elfp);
}

static int try_open(const char *path, char **debuginfo_file_name)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		*debuginfo_file_name = strdup(path);
	return fd;
}

/* Separate debug information: the build-id path under /usr/lib/debug
 * (Debian's -dbg and -dbgsym packages), then the .gnu_debuglink places. */
static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, GElf_Addr base, const char *file_name,
			  const char *debuglink_file, GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	(void)userdata, (void)modname, (void)base, (void)debuglink_crc;
	const unsigned char *bits;
	GElf_Addr vaddr;
	int len = dwfl_module_build_id(mod, &bits, &vaddr);
	char path[4096];
	if (len > 1) {
		int n = snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%02x/", bits[0]);
		for (int i = 1; i < len && n < (int)sizeof(path) - 8; i++)
			n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", bits[i]);
		snprintf(path + n, sizeof(path) - (size_t)n, ".debug");
		int fd = try_open(path, debuginfo_file_name);
		if (fd >= 0)
			return fd;
	}
	if (!debuglink_file || !file_name)
		return -1;
	const char *slash = strrchr(file_name, '/');
	int dirlen = slash ? (int)(slash - file_name) : 0;
	for (int i = 0; i < 3; i++) {
		if (i == 0)
			snprintf(path, sizeof(path), "%.*s/%s", dirlen, file_name, debuglink_file);
		else if (i == 1)
			snprintf(path, sizeof(path), "%.*s/.debug/%s", dirlen, file_name, debuglink_file);
		else
			snprintf(path, sizeof(path), "/usr/lib/debug%.*s/%s", dirlen, file_name, debuglink_file);
		if (strcmp(path, file_name) == 0)
			continue;
		int fd = try_open(path, debuginfo_file_name);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

static const Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = find_elf,
	.find_debuginfo = find_debuginfo,
};

/* --- the thread's state, served to libdwfl --- */

static pid_t cb_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	struct tj_unwind *u = arg;
	if (*thread_argp)
		return 0;
	*thread_argp = u;
	return u->tid;
}

static bool cb_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	(void)dwfl;
	struct tj_unwind *u = arg;
	*thread_argp = u;
	return tid == u->tid;
}

/* Up to len bytes of the process at addr: the count read (short at the first
 * unmapped page), or -1 with errno (EIO: nothing mapped there). */
static ssize_t remote_read(const struct tj_unwind *u, uint64_t addr, void *buf, size_t len)
{
	if (u->mem < 0) {
		errno = EBADF;
		return -1;
	}
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(u->mem, (char *)buf + got, len - got, (off_t)(addr + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && got == 0)
			return -1;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static bool cb_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	(void)dwfl;
	struct tj_unwind *u = arg;
	if (addr >= u->snap_base && addr - u->snap_base + 8 <= u->snap_len) {
		memcpy(result, u->snap + (addr - u->snap_base), 8);
		return true;
	}
	if (u->remote_reads >= MAX_REMOTE_READS)
		return false;
	u->remote_reads++;
	if (remote_read(u, addr, result, 8) == 8)
		return true;
	if (errno == ESRCH || errno == EPERM)
		u->read_errno = errno;
	return false;
}

static bool cb_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct tj_unwind *u = arg;
	Dwarf_Word sp = u->sp;
	if (!dwfl_thread_state_registers(thread, REG_RSP, 1, &sp))
		return false;
	if (u->have_rbp) {
		Dwarf_Word bp = u->rbp;
		if (!dwfl_thread_state_registers(thread, REG_RBP, 1, &bp))
			return false;
	}
	dwfl_thread_state_register_pc(thread, u->pc);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = cb_next_thread,
	.get_thread = cb_get_thread,
	.memory_read = cb_memory_read,
	.set_initial_registers = cb_set_initial_registers,
};

/* --- processes --- */

static void proc_drop(struct proc *p)
{
	if (p->dwfl)
		dwfl_end(p->dwfl);
	*p = (struct proc){0};
}

static int report_modules(Dwfl *dwfl, pid_t tgid, bool add)
{
	if (add)
		dwfl_report_begin_add(dwfl);
	else
		dwfl_report_begin(dwfl);
	int r = dwfl_linux_proc_report(dwfl, tgid);
	if (dwfl_report_end(dwfl, NULL, NULL) != 0 && r == 0)
		r = -1;
	return r;
}

/* The Dwfl of a process, made (maps read, state attached) on first use. */
static Dwfl *proc_dwfl(struct tj_unwind *u, pid_t tgid, int *skip)
{
	struct proc *slot = NULL;
	u->clock++;
	for (size_t i = 0; i < MAX_PROCS; i++) {
		struct proc *p = &u->procs[i];
		if (p->dwfl && p->tgid == tgid) {
			p->used = u->clock;
			return p->dwfl;
		}
		if (!slot || (!p->dwfl && slot->dwfl) || (p->dwfl && slot->dwfl && p->used < slot->used))
			slot = p;
	}
	proc_drop(slot);
	Dwfl *dwfl = dwfl_begin(&dwfl_callbacks);
	if (!dwfl)
		return NULL;
	int r = report_modules(dwfl, tgid, false);
	if (r != 0) {
		dwfl_end(dwfl);
		*skip = r == ENOENT || r == ESRCH ? TJ_UNWIND_GONE : r == EACCES || r == EPERM ? TJ_UNWIND_DENIED : 0;
		return NULL;
	}
	if (!dwfl_attach_state(dwfl, NULL, tgid, &thread_callbacks, u)) {
		dwfl_end(dwfl);
		return NULL;
	}
	u->stats.dwfl_created++;
	u->stats.reports++;
	*slot = (struct proc){.tgid = tgid, .dwfl = dwfl, .used = u->clock};
	return dwfl;
}

void tj_unwind_forget(struct tj_unwind *u, pid_t tgid)
{
	for (size_t i = 0; i < MAX_PROCS; i++)
		if (u->procs[i].dwfl && u->procs[i].tgid == tgid)
			proc_drop(&u->procs[i]);
}

/* --- reading the thread --- */

/* A zombie (or dying) thread has no call to show. */
static bool thread_dead(pid_t tgid, pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)tgid, (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	const char *paren = strrchr(buf, ')');
	return !paren || paren[1] != ' ' || paren[2] == 'Z' || paren[2] == 'X';
}

/* /proc/PID/task/TID/syscall: "nr a1 a2 a3 a4 a5 a6 sp pc" while blocked in
 * a call, "running" otherwise (proc(5)). */
static int read_syscall_file(pid_t tgid, pid_t tid, long *nr, uint64_t *sp, uint64_t *pc)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)tgid, (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES || errno == EPERM ? TJ_UNWIND_DENIED : TJ_UNWIND_GONE;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int saved = errno;
	close(fd);
	if (n < 0)
		return saved == EACCES || saved == EPERM ? TJ_UNWIND_DENIED : TJ_UNWIND_GONE;
	buf[n] = '\0';
	unsigned long long a[6], s, p;
	if (sscanf(buf, "%ld %llx %llx %llx %llx %llx %llx %llx %llx", nr, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &s,
		   &p) != 9)
		return thread_dead(tgid, tid) ? TJ_UNWIND_GONE : TJ_UNWIND_MISMATCH;
	*sp = s;
	*pc = p;
	return 0;
}

static int snapshot(struct tj_unwind *u)
{
	/* Stops at the first unmapped page: the top of the stack. */
	ssize_t n = remote_read(u, u->sp, u->snap, SNAPSHOT_BYTES);
	u->snap_base = u->sp;
	u->snap_len = n > 0 ? (size_t)n : 0;
	if (n < 0 && errno == ESRCH)
		return TJ_UNWIND_GONE;
	if (n < 0 && errno == EPERM)
		return TJ_UNWIND_DENIED;
	return 0;
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct tj_unwind *u = arg;
	struct tj_stack *s = u->cur;
	Dwarf_Addr pc;
	bool activation;
	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	Dwarf_Word sp = 0;
	if (dwfl_frame_reg(state, REG_RSP, &sp) != 0)
		sp = 0;
	u->sps[s->n] = sp;
	u->activation[s->n] = activation;
	s->pcs[s->n++] = pc;
	return s->n < TJ_UNWIND_MAX_FRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

/* The address to look a frame up by: a return address points after the
 * call, which may be the next function's first byte. */
static uint64_t lookup_pc(const struct tj_unwind *u, size_t i, uint64_t pc)
{
	return i == 0 || u->activation[i] ? pc : pc - 1;
}

/* Entry points where a walk ends, for code whose CFI does not mark its
 * return address undefined (the dynamic loader's _start on Debian 12). */
static bool is_entry_point(Dwfl_Module *mod, uint64_t pc)
{
	static const char *const entries[] =
		{"_start",	 "_dl_start_user", "__libc_start_main", "__libc_start_call_main",
		 "start_thread", "clone3",	   "__clone3",		"clone",
		 "__clone",	 "_dl_start"};
	const char *name = dwfl_module_addrname(mod, pc);
	if (!name)
		return false;
	size_t len = strcspn(name, "@");
	for (size_t i = 0; i < TJ_ARRAY_SIZE(entries); i++)
		if (strlen(entries[i]) == len && strncmp(name, entries[i], len) == 0)
			return true;
	return false;
}

/* True when the outermost frame is an entry point: its CFI says its return
 * address is undefined (_start, start_thread's clone3), or failing CFI, its
 * name says so.  That is a complete unwind; anything else ended early. */
static bool ends_at_outermost(struct tj_unwind *u, Dwfl *dwfl, uint64_t pc)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, pc);
	if (!mod)
		return false;
	for (size_t i = 0; i < u->nentries; i++)
		if (u->entries[i].pc == pc && u->entries[i].tgid == u->tgid)
			return u->entries[i].outermost;
	for (int which = 0; which < 2; which++) {
		Dwarf_Addr bias;
		Dwarf_CFI *cfi = which == 0 ? dwfl_module_eh_cfi(mod, &bias) : dwfl_module_dwarf_cfi(mod, &bias);
		Dwarf_Frame *frame = NULL;
		if (!cfi || dwarf_cfi_addrframe(cfi, pc - bias, &frame) != 0)
			continue;
		Dwarf_Op ops_mem[3], *ops;
		size_t nops;
		int ra = dwarf_frame_info(frame, NULL, NULL, NULL);
		bool undefined = ra >= 0 && dwarf_frame_register(frame, ra, ops_mem, &ops, &nops) == 0 && nops == 0 &&
				 ops == ops_mem;
		free(frame);
		if (undefined)
			return true;
		break;
	}
	/* Names cost a symbol table scan: remember the answer per address. */
	bool outermost = is_entry_point(mod, pc);
	size_t k = u->nentries < TJ_ARRAY_SIZE(u->entries) ? u->nentries++ : (size_t)(pc % TJ_ARRAY_SIZE(u->entries));
	u->entries[k] = (struct entry){.tgid = u->tgid, .pc = pc, .outermost = outermost};
	return outermost;
}

static void unwind_once(struct tj_unwind *u, Dwfl *dwfl, struct tj_stack *s)
{
	s->n = 0;
	u->cur = s;
	u->remote_reads = 0;
	dwfl_getthread_frames(dwfl, u->tid, frame_cb, u);
	s->truncated = s->n == 0 || !ends_at_outermost(u, dwfl, lookup_pc(u, s->n - 1, s->pcs[s->n - 1]));
}

static bool snap_word(const struct tj_unwind *u, uint64_t addr, uint64_t *out)
{
	if (addr < u->snap_base || addr - u->snap_base + 8 > u->snap_len)
		return false;
	memcpy(out, u->snap + (addr - u->snap_base), 8);
	return true;
}

/* How well a return address found on the stack fits as the return from
 * frame F (at f_pc): -1 the bytes before it are no call instruction (a
 * function pointer, data); 0 a direct call to another function (a stale
 * record of an earlier call); 1 an indirect call or a call into another
 * module (a PLT stub), which cannot be checked; 2 a direct call to F's own
 * function. */
static int call_fit(const struct tj_unwind *u, Dwfl *dwfl, uint64_t ret, uint64_t f_pc)
{
	uint8_t b[8];
	if (remote_read(u, ret - 8, b, 8) != 8)
		return -1;
	if (b[3] == 0xe8) {
		int32_t rel;
		memcpy(&rel, b + 4, 4);
		uint64_t target = ret + (uint64_t)(int64_t)rel;
		Dwfl_Module *fmod = dwfl_addrmodule(dwfl, f_pc);
		if (!fmod || dwfl_addrmodule(dwfl, target) != fmod)
			return 1;
		GElf_Off off;
		GElf_Sym sym;
		if (!dwfl_module_addrinfo(fmod, f_pc, &off, &sym, NULL, NULL, NULL))
			return 1; /* no symbols: the function's start is unknown */
		return target == f_pc - off ? 2 : 0;
	}
	/* call *%reg, *(mem), *disp(reg): ff /2, 2 to 7 bytes. */
	for (int k = 2; k <= 7; k++)
		if (b[8 - k] == 0xff && ((b[9 - k] >> 3) & 7) == 2)
			return 1;
	return -1;
}

/* The last frame needs rbp, which /proc does not show.  Frame-pointer code
 * keeps a record [saved rbp][return address] at rbp, above the frame's sp,
 * and rbp has not changed since (the frames below it never saved it: had
 * one, the CFI would have restored it).  So the records found on the stack
 * are tried as the initial rbp, and of those that unwind to an outermost
 * frame the one whose call instruction fits the frame best wins (stale
 * records of earlier calls lie on the stack too), then the one with most
 * frames. */
static void recover_frame_pointer(struct tj_unwind *u, Dwfl *dwfl, struct tj_stack *s)
{
	uint64_t from = u->sps[s->n - 1];
	if (!from)
		from = u->sp;
	from = (from + 7) & ~7ULL;
	uint64_t f_pc = lookup_pc(u, s->n - 1, s->pcs[s->n - 1]);
	struct tj_stack trial, best = {.n = 0};
	int best_fit = -1;
	bool act[TJ_UNWIND_MAX_FRAMES], best_act[TJ_UNWIND_MAX_FRAMES];
	unsigned tried = 0;
	for (uint64_t a = from; a < from + FP_SCAN_BYTES && tried < MAX_FP_CANDIDATES; a += 8) {
		uint64_t ret;
		if (!snap_word(u, a + 8, &ret))
			break;
		if (!dwfl_addrmodule(dwfl, ret))
			continue;
		int fit = call_fit(u, dwfl, ret, f_pc);
		if (fit < 0 || fit < best_fit)
			continue;
		tried++;
		u->have_rbp = true;
		u->rbp = a;
		memcpy(act, u->activation, sizeof(act));
		unwind_once(u, dwfl, &trial);
		if (!trial.truncated && (fit > best_fit || trial.n > best.n)) {
			best = trial;
			best_fit = fit;
			memcpy(best_act, u->activation, sizeof(best_act));
		}
		memcpy(u->activation, act, sizeof(act));
		if (best_fit == 2)
			break;
	}
	u->have_rbp = false;
	if (best.n > s->n) {
		memcpy(s->pcs, best.pcs, sizeof(s->pcs));
		memcpy(u->activation, best_act, sizeof(best_act));
		s->n = best.n;
		s->truncated = false;
		s->fp_recovered = true;
	}
}

int tj_unwind_thread(struct tj_unwind *u, pid_t tgid, pid_t tid, long nr, uint64_t ip, struct tj_stack *out,
		     struct tj_err **err)
{
	(void)err;
	memset(out, 0, sizeof(*out));
	current_pid = tgid;
	long seen_nr = -1;
	uint64_t sp = 0, pc = 0; /* stay 0 when the syscall file cannot be read */
	int r = read_syscall_file(tgid, tid, &seen_nr, &sp, &pc);
	if (r == 0 && ((nr >= 0 && seen_nr != nr) || (ip && pc != ip)))
		r = TJ_UNWIND_MISMATCH;
	u->tgid = tgid;
	u->tid = tid;
	u->sp = sp;
	u->pc = pc;
	u->have_rbp = false;
	u->read_errno = 0;
	if (r == 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)tgid);
		u->mem = open(path, O_RDONLY | O_CLOEXEC);
		if (u->mem < 0)
			r = errno == EACCES || errno == EPERM ? TJ_UNWIND_DENIED : TJ_UNWIND_GONE;
	}
	if (r == 0)
		r = snapshot(u);
	Dwfl *dwfl = NULL;
	if (r == 0) {
		int skip = 0;
		dwfl = proc_dwfl(u, tgid, &skip);
		if (!dwfl)
			r = skip ? skip : TJ_UNWIND_GONE;
	}
	if (r == 0) {
		/* A pc outside every module: the process mapped code since
		 * (dlopen), exec'd, or is another process under a reused pid;
		 * its maps are read again, the old modules dropped. */
		if (!dwfl_addrmodule(dwfl, pc)) {
			report_modules(dwfl, tgid, false);
			u->stats.reports++;
		}
		unwind_once(u, dwfl, out);
		if (out->truncated && out->n > 0 && out->n < TJ_UNWIND_MAX_FRAMES) {
			uint64_t last = out->pcs[out->n - 1];
			if (!dwfl_addrmodule(dwfl, last)) {
				report_modules(dwfl, tgid, false);
				u->stats.reports++;
				unwind_once(u, dwfl, out);
			}
		}
		if (out->truncated && out->n > 0 && out->n < TJ_UNWIND_MAX_FRAMES)
			recover_frame_pointer(u, dwfl, out);
		if (u->read_errno == ESRCH || out->n == 0)
			r = TJ_UNWIND_GONE;
		else if (u->read_errno == EPERM)
			r = TJ_UNWIND_DENIED;
	}
	current_pid = 0;
	if (u->mem >= 0)
		close(u->mem);
	u->mem = -1;
	switch (r) {
	case 0:
		u->stats.taken++;
		u->stats.truncated += out->truncated;
		u->stats.fp_recovered += out->fp_recovered;
		return 0;
	case TJ_UNWIND_DENIED: u->stats.denied++; break;
	case TJ_UNWIND_MISMATCH: u->stats.mismatch++; break;
	default:
		u->stats.gone++;
		r = TJ_UNWIND_GONE;
		break;
	}
	out->n = 0;
	return r;
}

/* --- names, cached per (module, address) --- */

static const char *intern(struct tj_unwind *u, const char *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < u->interned.n; i++)
		if (strcmp(u->interned.v[i], s) == 0)
			return u->interned.v[i];
	tj_strv_add(&u->interned, s);
	return u->interned.v[u->interned.n - 1];
}

static size_t sym_hash(const char *modpath, uint64_t rel)
{
	uint64_t h = (uint64_t)(uintptr_t)modpath * 0x9e3779b97f4a7c15ULL ^ rel * 0xff51afd7ed558ccdULL;
	return (size_t)(h ^ (h >> 29));
}

static struct sym *sym_slot(struct tj_unwind *u, const char *modpath, uint64_t rel)
{
	if ((u->nsyms + 1) * 2 > u->symcap) {
		size_t cap = u->symcap ? u->symcap * 2 : 256;
		struct sym *old = u->syms;
		size_t oldcap = u->symcap;
		u->syms = tj_xcalloc(cap, sizeof(*u->syms));
		u->symcap = cap;
		for (size_t i = 0; i < oldcap; i++) {
			if (!old[i].modpath)
				continue;
			size_t k = sym_hash(old[i].modpath, old[i].rel) & (cap - 1);
			while (u->syms[k].modpath)
				k = (k + 1) & (cap - 1);
			u->syms[k] = old[i];
		}
		free(old);
	}
	size_t k = sym_hash(modpath, rel) & (u->symcap - 1);
	while (u->syms[k].modpath && !(u->syms[k].modpath == modpath && u->syms[k].rel == rel))
		k = (k + 1) & (u->symcap - 1);
	return &u->syms[k];
}

static void describe(struct tj_unwind *u, Dwfl_Module *mod, const char *modpath, uint64_t start, uint64_t addr,
		     bool is_return, struct tj_frame *f)
{
	const char *base = strrchr(modpath, '/');
	f->module = intern(u, base ? base + 1 : modpath);
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name = dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
	if (name) {
		f->function = tj_xstrdup(name);
		f->offset = off + is_return;
	} else {
		f->offset = addr - start + is_return;
	}
	Dwfl_Line *line = dwfl_module_getsrc(mod, addr);
	int lineno = 0;
	const char *file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (file && lineno > 0) {
		f->file = tj_xstrdup(file);
		f->line = lineno;
	}
}

void tj_unwind_symbolize(struct tj_unwind *u, pid_t tgid, struct tj_stack *s)
{
	current_pid = tgid;
	int skip = 0;
	Dwfl *dwfl = proc_dwfl(u, tgid, &skip);
	for (size_t i = 0; i < s->n; i++) {
		struct tj_frame *f = &s->frames[i];
		*f = (struct tj_frame){.pc = s->pcs[i]};
		bool is_return = i > 0; /* frame 0 is where the call was made */
		uint64_t addr = is_return ? s->pcs[i] - 1 : s->pcs[i];
		Dwfl_Module *mod = dwfl ? dwfl_addrmodule(dwfl, addr) : NULL;
		if (!mod) {
			f->offset = s->pcs[i];
			continue;
		}
		Dwarf_Addr start;
		const char *modpath = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
		if (!modpath)
			continue;
		modpath = intern(u, modpath);
		u->stats.symbol_lookups++;
		struct sym *e = sym_slot(u, modpath, addr - start);
		if (e->modpath) {
			u->stats.symbol_hits++;
		} else {
			e->modpath = modpath;
			e->rel = addr - start;
			describe(u, mod, modpath, start, addr, is_return, &e->f);
			u->nsyms++;
		}
		*f = e->f;
		f->pc = s->pcs[i];
	}
	s->symbolized = true;
	current_pid = 0;
}

/* --- life --- */

int tj_unwind_new(struct tj_unwind **ret, struct tj_err **err)
{
	(void)err;
	struct tj_unwind *u = tj_xcalloc(1, sizeof(*u));
	u->snap = tj_xmalloc(SNAPSHOT_BYTES);
	u->mem = -1;
	*ret = u;
	return 0;
}

void tj_unwind_free(struct tj_unwind *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < MAX_PROCS; i++)
		proc_drop(&u->procs[i]);
	for (size_t i = 0; i < u->symcap; i++) {
		if (!u->syms[i].modpath)
			continue;
		free((char *)u->syms[i].f.function);
		free((char *)u->syms[i].f.file);
	}
	free(u->syms);
	tj_strv_done(&u->interned);
	free(u->snap);
	free(u);
}

const struct tj_unwind_stats *tj_unwind_stats(const struct tj_unwind *u)
{
	return &u->stats;
}
