/* SPDX-License-Identifier: Apache-2.0 */
/* Libraries loaded on first use (dynlib.h). */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "tj/base/dynlib.h"

int tj_dynlib_load(const char *soname, const char *const *names, size_t n, void *table, size_t table_size, char *why,
		   size_t whylen)
{
	char *slots = table;
	if (table_size != n * sizeof(void *)) {
		snprintf(why, whylen, "%s: the symbol table does not match its names", soname);
		return -1;
	}
	void *last = NULL;
	if (n)
		memcpy(&last, slots + (n - 1) * sizeof(last), sizeof(last));
	if (last)
		return 0; /* loaded before: the last entry is set only on success */
	/* RTLD_NOW: a missing symbol shows here, not in the middle of a run. */
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(why, whylen, "%s", e ? e : soname);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		dlerror();
		void *p = dlsym(h, names[i]);
		if (!p) {
			snprintf(why, whylen, "%s has no %s", soname, names[i]);
			memset(table, 0, table_size);
			dlclose(h);
			return -1;
		}
		/* POSIX lets a function's address travel as void *; each
		 * entry of the table is a pointer of the same size. */
		memcpy(slots + i * sizeof(p), &p, sizeof(p));
	}
	return 0;
}
