/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scope-bound cleanup for locals.  Always initialise such a variable
 * (to NULL or -1) so that an early return frees nothing by mistake.
 * Ownership leaves a cleanup variable only through TJ_STEAL / TJ_STEAL_FD.
 */
#ifndef TJ_CLEANUP_H
#define TJ_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void tj_freep(void *p)
{
	free(*(void **)p);
}

static inline void tj_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void tj_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define tj_autofree __attribute__((cleanup(tj_freep)))
#define tj_autoclose __attribute__((cleanup(tj_closep)))
#define tj_autofclose __attribute__((cleanup(tj_fclosep)))

/* Declares `static inline void fn##p(type **p)` calling fn(*p); use as
 * __attribute__((cleanup(fn##p))). */
#define TJ_DEFINE_CLEANUP(type, fn)        \
	static inline void fn##p(type **p) \
	{                                  \
		if (*p)                    \
			fn(*p);            \
	}

/* Moves a pointer out of a cleanup variable, keeping its type. */
#define TJ_STEAL(pp)                                  \
	({                                            \
		__typeof__(*(pp)) tj_stolen_ = *(pp); \
		*(pp) = NULL;                         \
		tj_stolen_;                           \
	})

#define TJ_STEAL_FD(fdp)                    \
	({                                  \
		int tj_stolen_fd_ = *(fdp); \
		*(fdp) = -1;                \
		tj_stolen_fd_;              \
	})

#endif
