/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The argument table of `learn` (argclass.h).  Each row is a syscall whose
 * behaviour a value argument chooses; notes/learn.md prints the same table
 * for people.  Numbers are x86_64's (sys/syscall.h).
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "tj/events/decode.h"
#include "tj/learn/argclass.h"

#define M32 0xffffffffull
/* socket(2) type without SOCK_NONBLOCK and SOCK_CLOEXEC, which change no
 * permission. */
#define SOCKTYPE_MASK (M32 & ~(04000ull | 02000000ull))
/* The open flags that make the class: the access mode, O_CREAT, O_TRUNC
 * and __O_TMPFILE (read-only, writing, creating, truncating, anonymous). */
#define OPEN_CLASS_MASK (03ull | 0100ull | 01000ull | 020000000ull)
#define FUTEX_PRIVATE 128ull

enum {
	DEC_CALL = 0,
	DEC_FUTEX_CLASS
};

#define EXACT(i, what)                              \
	{                                           \
		i, TJ_AK_EXACT, M32, what, DEC_CALL \
	}
#define FLAGS(i, what)                              \
	{                                           \
		i, TJ_AK_FLAGS, M32, what, DEC_CALL \
	}

/* Sorted by number (tj_argspec_find is a binary search). */
static const struct tj_syscall_argspec table[] = {
	{"open", SYS_open, {{1, TJ_AK_EXACT, OPEN_CLASS_MASK, "open flag class", DEC_CALL}}, 1},
	{"mmap", SYS_mmap, {EXACT(2, "memory protection"), FLAGS(3, "mapping flags")}, 2},
	{"mprotect", SYS_mprotect, {EXACT(2, "memory protection")}, 1},
	{"ioctl", SYS_ioctl, {EXACT(1, "ioctl request")}, 1},
	{"mremap", SYS_mremap, {FLAGS(3, "mremap flags")}, 1},
	{"madvise", SYS_madvise, {EXACT(2, "madvise advice")}, 1},
	{"socket",
	 SYS_socket,
	 {EXACT(0, "socket domain"),
	  {1, TJ_AK_EXACT, SOCKTYPE_MASK, "socket type", DEC_CALL},
	  EXACT(2, "socket protocol")},
	 3},
	{"socketpair",
	 SYS_socketpair,
	 {EXACT(0, "socket domain"),
	  {1, TJ_AK_EXACT, SOCKTYPE_MASK, "socket type", DEC_CALL},
	  EXACT(2, "socket protocol")},
	 3},
	{"setsockopt", SYS_setsockopt, {EXACT(1, "socket option level"), EXACT(2, "socket option")}, 2},
	{"getsockopt", SYS_getsockopt, {EXACT(1, "socket option level"), EXACT(2, "socket option")}, 2},
	{"clone", SYS_clone, {FLAGS(0, "clone flags")}, 1},
	{"kill", SYS_kill, {EXACT(1, "signal")}, 1},
	{"fcntl", SYS_fcntl, {EXACT(1, "fcntl command")}, 1},
	{"ptrace", SYS_ptrace, {EXACT(0, "ptrace request")}, 1},
	{"rt_sigqueueinfo", SYS_rt_sigqueueinfo, {EXACT(1, "signal")}, 1},
	{"personality", SYS_personality, {EXACT(0, "personality")}, 1},
	{"prctl", SYS_prctl, {EXACT(0, "prctl option")}, 1},
	{"arch_prctl", SYS_arch_prctl, {EXACT(0, "arch_prctl code")}, 1},
	{"mount", SYS_mount, {FLAGS(3, "mount flags")}, 1},
	{"umount2", SYS_umount2, {FLAGS(1, "umount flags")}, 1},
	{"tkill", SYS_tkill, {EXACT(1, "signal")}, 1},
	{"futex", SYS_futex, {{1, TJ_AK_EXACT, FUTEX_PRIVATE, "futex operation class", DEC_FUTEX_CLASS}}, 1},
	{"tgkill", SYS_tgkill, {EXACT(2, "signal")}, 1},
	{"keyctl", SYS_keyctl, {EXACT(0, "keyctl command")}, 1},
	{"openat", SYS_openat, {{2, TJ_AK_EXACT, OPEN_CLASS_MASK, "open flag class", DEC_CALL}}, 1},
	{"unshare", SYS_unshare, {FLAGS(0, "unshare flags")}, 1},
	{"rt_tgsigqueueinfo", SYS_rt_tgsigqueueinfo, {EXACT(2, "signal")}, 1},
	{"prlimit64", SYS_prlimit64, {{2, TJ_AK_NULLNESS, M32, "new limit (read or set)", DEC_CALL}}, 1},
	{"setns", SYS_setns, {EXACT(1, "namespace type")}, 1},
	{"seccomp", SYS_seccomp, {EXACT(0, "seccomp operation")}, 1},
	{"getrandom", SYS_getrandom, {FLAGS(2, "getrandom flags")}, 1},
	{"memfd_create", SYS_memfd_create, {FLAGS(1, "memfd flags")}, 1},
	{"bpf", SYS_bpf, {EXACT(0, "bpf command")}, 1},
	{"execveat", SYS_execveat, {FLAGS(4, "execveat flags")}, 1},
	{"membarrier", SYS_membarrier, {EXACT(0, "membarrier command")}, 1},
	{"pkey_mprotect", SYS_pkey_mprotect, {EXACT(2, "memory protection")}, 1},
	{"pidfd_send_signal", SYS_pidfd_send_signal, {EXACT(1, "signal")}, 1},
};

const struct tj_syscall_argspec *tj_argspec_table(size_t *n)
{
	*n = TJ_ARRAY_SIZE(table);
	return table;
}

const struct tj_syscall_argspec *tj_argspec_find(int nr)
{
	size_t lo = 0, hi = TJ_ARRAY_SIZE(table);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (table[mid].nr == nr)
			return &table[mid];
		if (table[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct tj_syscall_argspec *tj_argspec_find_name(const char *name)
{
	/* The first byte first: the renderer asks for every member of every
	 * group, and most names differ there (strcmp is a call, and under
	 * ASan an interceptor that checks both strings). */
	for (size_t i = 0; i < TJ_ARRAY_SIZE(table); i++)
		if (table[i].name[0] == name[0] && strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

void tj_argspec_classify(const struct tj_syscall_argspec *sp, const struct seccomp_data *d,
			 uint64_t out[TJ_LEARN_MAX_ARGS])
{
	for (size_t i = 0; i < TJ_LEARN_MAX_ARGS; i++) {
		out[i] = 0;
		if (i >= sp->nargs)
			continue;
		const struct tj_argspec *a = &sp->args[i];
		uint64_t v = d->args[a->index];
		out[i] = a->kind == TJ_AK_NULLNESS ? (v != 0) : (v & a->mask);
	}
}

bool tj_argspec_comparison(const struct tj_argspec *a, uint64_t v, struct tj_arg *out)
{
	*out = (struct tj_arg){.index = a->index};
	switch (a->kind) {
	case TJ_AK_EXACT:
		out->op = TJ_CMP_MASKED_EQ;
		out->value = a->mask;
		out->value_two = v & a->mask;
		return true;
	case TJ_AK_FLAGS:
		/* No flag outside those seen. */
		out->op = TJ_CMP_MASKED_EQ;
		out->value = a->mask & ~v;
		out->value_two = 0;
		return true;
	case TJ_AK_NULLNESS:
		if (v > 1)
			return false;
		out->op = v ? TJ_CMP_NE : TJ_CMP_EQ;
		out->value = 0;
		return true;
	}
	return false;
}

bool tj_argspec_from_comparison(const struct tj_argspec *a, const struct tj_arg *cmp, uint64_t *v)
{
	if (cmp->index != a->index)
		return false;
	switch (a->kind) {
	case TJ_AK_EXACT:
		if (cmp->op != TJ_CMP_MASKED_EQ || cmp->value != a->mask || (cmp->value_two & ~a->mask))
			return false;
		*v = cmp->value_two;
		return true;
	case TJ_AK_FLAGS:
		if (cmp->op != TJ_CMP_MASKED_EQ || cmp->value_two != 0 || (cmp->value & ~a->mask))
			return false;
		*v = a->mask & ~cmp->value;
		return true;
	case TJ_AK_NULLNESS:
		if (cmp->value != 0 || (cmp->op != TJ_CMP_EQ && cmp->op != TJ_CMP_NE))
			return false;
		*v = cmp->op == TJ_CMP_NE;
		return true;
	}
	return false;
}

static int nr_of(const struct tj_argspec *a)
{
	for (size_t i = 0; i < TJ_ARRAY_SIZE(table); i++)
		for (size_t k = 0; k < table[i].nargs; k++)
			if (&table[i].args[k] == a)
				return table[i].nr;
	return -1;
}

void tj_argspec_describe(const struct tj_argspec *a, uint64_t v, struct tj_buf *out)
{
	char buf[256];
	if (a->decode == DEC_FUTEX_CLASS) {
		tj_buf_add(out, v & FUTEX_PRIVATE ? "private operations" : "shared operations");
		return;
	}
	if (a->kind == TJ_AK_NULLNESS) {
		tj_buf_add(out, v == 0 ? "NULL" : v == 1 ? "not NULL" : "any");
		return;
	}
	int nr = nr_of(a);
	if (a->kind == TJ_AK_FLAGS && v == 0) {
		tj_buf_add(out, "no flags");
		return;
	}
	tj_decode_arg(nr, a->index, v, buf, sizeof(buf));
	tj_buf_add(out, buf);
}
