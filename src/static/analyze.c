/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Composition (include/tj/static/analyze.h): the closure of objects, their
 * summaries (cache.h), and a breadth-first reachability over all of them.
 * Libraries found only once code that loads them is reachable (NSS modules,
 * dlopen by constant name) join the graph in rounds until nothing new comes.
 */
#include <elf.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "tj/filter/filter.h"
#include "tj/static/analyze.h"
#include "tj/static/cache.h"
#include "tj/static/loader.h"
#include "tj/static/summary.h"

#define NONE UINT32_MAX

enum role {
	ROLE_PROGRAM,
	ROLE_LIBRARY,
	ROLE_INTERP,
	ROLE_VDSO,
	ROLE_NSS,
	ROLE_DLOPEN
};

/* How a node was reached, for chains. */
struct parent {
	uint32_t obj, idx;
	uint8_t is_data, by_pointer, root;
};

struct object {
	char *path;
	char *name; /* file name, for messages */
	enum role role;
	char *nss_service;
	struct tj_elf *elf; /* closed after the summary is built */
	struct tj_summary *sum;
	char *wctx;		/* the imported wrappers its summary was built with */
	bool exported;		/* its exports are in the graph's name table */
	struct parent *fparent; /* per function */
	struct parent *dparent;
	uint8_t *freached, *dreached;
	uint8_t *fpointer; /* per function: its address is held by reachable code or live data */
	bool rooted;
};

struct node {
	uint32_t obj, idx;
	uint8_t is_data;
};

enum root_kind {
	ROOT_NONE,
	ROOT_ENTRY,
	ROOT_INIT,
	ROOT_INTERP,
	ROOT_VDSO,
	ROOT_POINTER,
	ROOT_NSS,
	ROOT_DLOPEN,
	ROOT_EARLY
};
static const char *const root_names[] = {"",	       "entry",	 "init/fini",	  "ld.so", "vDSO", "pointer in data",
					 "NSS module", "dlopen", "ld.so calls it"};

struct tj_static_graph {
	struct object *objs;
	size_t nobjs, capobjs;
	struct tj_strpool names; /* exported names */
	struct def {
		uint32_t obj, idx, is_data, next;
	} * defs;
	size_t ndefs, capdefs;
	uint32_t *head; /* per name id: first def + 1 */
	size_t nhead;
	struct node *queue;
	size_t nqueue, capqueue, qhead;
	struct tj_strv pending; /* libraries to load: "path\tname\twhy" */
	int nss_triggered;	/* 1: an NSS function is reachable; 2: modules added */
	struct tj_ldcache ldcache;
	const struct tj_static_opts *opts;
	struct tj_static_cache *cache;
	struct tj_wrapper_table wrappers;
	struct tj_static_result *r;
	/* per syscall: the first function that makes it */
	struct first {
		uint32_t obj, func, via_obj, via;
		uint64_t addr;
		size_t nfuncs;
		bool set;
	} first[TJ_STATIC_MAX_NR];
	struct tj_strv unres_seen;
};

static void graph_free(struct tj_static_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nobjs; i++) {
		struct object *o = &g->objs[i];
		free(o->path);
		free(o->name);
		free(o->nss_service);
		free(o->wctx);
		tj_elf_close(o->elf);
		tj_summary_free(o->sum);
		free(o->fparent);
		free(o->dparent);
		free(o->freached);
		free(o->dreached);
		free(o->fpointer);
	}
	free(g->objs);
	tj_strpool_done(&g->names);
	free(g->defs);
	free(g->head);
	free(g->queue);
	tj_strv_done(&g->pending);
	tj_ldcache_done(&g->ldcache);
	tj_static_cache_close(g->cache);
	tj_wrapper_table_done(&g->wrappers);
	tj_strv_done(&g->unres_seen);
	free(g);
}

void tj_static_result_free(struct tj_static_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nsys; i++) {
		free(r->sys[i].name);
		free(r->sys[i].object);
		free(r->sys[i].function);
		free(r->sys[i].via);
	}
	free(r->sys);
	for (size_t i = 0; i < r->nunres; i++) {
		free(r->unres[i].object);
		free(r->unres[i].function);
		free(r->unres[i].via);
		free(r->unres[i].chain);
	}
	free(r->unres);
	for (size_t i = 0; i < r->nobjs; i++) {
		free(r->objs[i].path);
		free(r->objs[i].how);
		free(r->objs[i].debug_file);
	}
	free(r->objs);
	tj_notes_done(&r->notes);
	tj_notes_done(&r->accepted);
	graph_free(r->graph);
	free(r);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* --- objects --- */

static uint32_t find_object(const struct tj_static_graph *g, const char *path)
{
	char real[PATH_MAX];
	const char *key = realpath(path, real) ? real : path;
	for (size_t i = 0; i < g->nobjs; i++)
		if (strcmp(g->objs[i].path, key) == 0)
			return (uint32_t)i;
	return NONE;
}

/* Adds path to the closure (not yet summarised); returns its index. */
static int add_object(struct tj_static_graph *g, const char *path, enum role role, const char *how, uint32_t *ret,
		      struct tj_err **err)
{
	uint32_t have = find_object(g, path);
	if (have != NONE) {
		*ret = have;
		return 0;
	}
	struct tj_elf *e = NULL;
	if (tj_elf_open(path, g->opts->debug_dir, &e, err) < 0)
		return -1;
	char real[PATH_MAX];
	tj_xreserve((void **)&g->objs, &g->capobjs, g->nobjs + 1, sizeof(*g->objs));
	struct object *o = &g->objs[g->nobjs];
	memset(o, 0, sizeof(*o));
	o->path = tj_xstrdup(realpath(path, real) ? real : path);
	o->name = tj_xstrdup(base_name(path));
	o->role = role;
	o->elf = e;
	struct tj_static_result *r = g->r;
	r->objs = tj_xrealloc(r->objs, (r->nobjs + 1) * sizeof(*r->objs));
	struct tj_static_object *so = &r->objs[r->nobjs++];
	memset(so, 0, sizeof(*so));
	so->path = tj_xstrdup(path);
	so->how = tj_xstrdup(how);
	tj_elf_build_id_hex(e, so->build_id);
	so->symbols = e->nsyms > 0;
	so->debug_file = e->debug_file ? tj_xstrdup(e->debug_file) : NULL;
	*ret = (uint32_t)g->nobjs++;
	return 0;
}

static int add_vdso(struct tj_static_graph *g, struct tj_err **err)
{
	void *img = NULL;
	size_t size = 0;
	struct tj_err *e2 = NULL;
	if (tj_loader_vdso(&img, &size, &e2) < 0) {
		tj_notes_add(&g->r->notes, NULL, "no vDSO analysed: %s", e2->msg);
		tj_err_free(e2);
		return 0;
	}
	struct tj_elf *e = NULL;
	int rc = tj_elf_open_mem("[vdso]", img, size, &e, err);
	free(img);
	if (rc < 0)
		return -1;
	tj_xreserve((void **)&g->objs, &g->capobjs, g->nobjs + 1, sizeof(*g->objs));
	struct object *o = &g->objs[g->nobjs++];
	memset(o, 0, sizeof(*o));
	o->path = tj_xstrdup("[vdso]");
	o->name = tj_xstrdup("[vdso]");
	o->role = ROLE_VDSO;
	o->elf = e;
	struct tj_static_result *r = g->r;
	r->objs = tj_xrealloc(r->objs, (r->nobjs + 1) * sizeof(*r->objs));
	struct tj_static_object *so = &r->objs[r->nobjs++];
	memset(so, 0, sizeof(*so));
	so->path = tj_xstrdup("[vdso]");
	so->how = tj_xstrdup("vDSO of the running kernel");
	tj_elf_build_id_hex(e, so->build_id);
	return 0;
}

/* The DT_NEEDED closure of object `from`, breadth first. */
static int add_needed(struct tj_static_graph *g, uint32_t from, enum role role, uint32_t program)
{
	for (size_t q = from; q < g->nobjs; q++) {
		struct object *o = &g->objs[q];
		if (!o->elf || o->role == ROLE_VDSO)
			continue;
		for (size_t i = 0; i < o->elf->needed.n; i++) {
			const char *n = o->elf->needed.v[i];
			tj_autofree char *path = tj_loader_find(n, o->elf,
								program != NONE ? g->objs[program].elf : NULL,
								&g->ldcache);
			if (!path) {
				tj_notes_add(&g->r->notes, NULL,
					     "'%s' (needed by %s) was not found: ld.so would refuse to start it", n,
					     o->name);
				continue;
			}
			tj_autofree char *how = tj_xasprintf("needed by %s", g->objs[q].name);
			uint32_t idx;
			struct tj_err *e2 = NULL;
			if (add_object(g, path, role, how, &idx, &e2) < 0) {
				tj_notes_add(&g->r->notes, NULL, "%s: not analysed: %s", path, e2->msg);
				tj_err_free(e2);
				g->r->incomplete = true;
			}
			o = &g->objs[q]; /* add_object may move the array */
		}
	}
	return 0;
}

/* --- summaries --- */

static int summarise(struct tj_static_graph *g, uint32_t i, struct tj_err **err)
{
	struct object *o = &g->objs[i];
	if (o->sum)
		return 0;
	char *ctx = tj_summary_wrapper_context(o->elf, &g->wrappers);
	free(o->wctx);
	o->wctx = ctx;
	uint8_t key[TJ_SHA256_LEN];
	bool hit = false;
	if (g->cache) {
		tj_static_cache_key(o->elf, ctx, key);
		hit = tj_static_cache_load(g->cache, key, &o->sum) == 1;
	}
	if (!hit) {
		if (tj_summary_build(o->elf, &g->wrappers, &o->sum, err) < 0)
			return tj_err_wrap(err, "%s", o->path);
		struct tj_err *e2 = NULL;
		if (g->cache && tj_static_cache_store(g->cache, key, o->sum, &e2) < 0) {
			tj_notes_add(&g->r->notes, NULL, "summary of %s not cached: %s", o->name, e2->msg);
			tj_err_free(e2);
		}
	}
	struct tj_static_object *so = &g->r->objs[i];
	so->cached = hit;
	so->nfuncs = o->sum->nfuncs;
	so->nsites = o->sum->nsites;
	so->nresolved = o->sum->nsites_resolved;
	for (size_t k = 0; k < o->sum->nwrappers; k++)
		tj_wrapper_table_add(&g->wrappers, tj_summary_str(o->sum, o->sum->wrappers[k].name),
				     o->sum->wrappers[k].regs);
	/* exports by name */
	for (size_t k = 0; !o->exported && k < o->sum->nexports; k++) {
		const struct tj_sexport *x = &o->sum->exports[k];
		uint32_t id = tj_strpool_intern(&g->names, tj_summary_str(o->sum, x->name));
		if (id >= g->nhead) {
			size_t n = g->nhead;
			g->nhead = g->names.len + 1;
			g->head = tj_xrealloc(g->head, g->nhead * sizeof(uint32_t));
			memset(g->head + n, 0, (g->nhead - n) * sizeof(uint32_t));
		}
		tj_xreserve((void **)&g->defs, &g->capdefs, g->ndefs + 1, sizeof(*g->defs));
		g->defs[g->ndefs] = (struct def){i, x->index, x->is_data, g->head[id]};
		g->head[id] = (uint32_t)++g->ndefs;
	}
	o->exported = true;
	o->fparent = tj_xcalloc(o->sum->nfuncs + 1, sizeof(struct parent));
	o->dparent = tj_xcalloc(o->sum->ndata + 1, sizeof(struct parent));
	o->freached = tj_xcalloc(o->sum->nfuncs + 1, 1);
	o->fpointer = tj_xcalloc(o->sum->nfuncs + 1, 1);
	o->dreached = tj_xcalloc(o->sum->ndata + 1, 1);
	return 0;
}

/* Summaries of every object not yet summarised, dependencies first so that
 * the wrappers they export are known to their users. */
static int summarise_all(struct tj_static_graph *g, struct tj_err **err)
{
	for (size_t i = g->nobjs; i-- > 0;)
		if (summarise(g, (uint32_t)i, err) < 0)
			return -1;
	return 0;
}

/* --- reachability --- */

static void reach(struct tj_static_graph *g, uint32_t obj, uint32_t idx, bool is_data, struct parent how)
{
	struct object *o = &g->objs[obj];
	if (is_data ? idx >= o->sum->ndata : idx >= o->sum->nfuncs)
		return;
	if (!is_data && how.by_pointer)
		o->fpointer[idx] = 1;
	uint8_t *reached = is_data ? &o->dreached[idx] : &o->freached[idx];
	if (*reached)
		return;
	*reached = 1;
	(is_data ? o->dparent : o->fparent)[idx] = how;
	tj_xreserve((void **)&g->queue, &g->capqueue, g->nqueue + 1, sizeof(*g->queue));
	g->queue[g->nqueue++] = (struct node){obj, idx, is_data};
}

static void root(struct tj_static_graph *g, uint32_t obj, uint32_t idx, bool is_data, enum root_kind kind)
{
	reach(g, obj, idx, is_data, (struct parent){NONE, NONE, 0, 0, (uint8_t)kind});
}

/* Edges by name: every object that defines it (interposition and copy
 * relocations make any of them the one in use). */
static void reach_name(struct tj_static_graph *g, const char *name, struct parent how)
{
	uint32_t id = tj_strpool_find(&g->names, name);
	if (!id || id >= g->nhead)
		return;
	for (uint32_t d = g->head[id]; d; d = g->defs[d - 1].next) {
		const struct def *x = &g->defs[d - 1];
		reach(g, x->obj, x->idx, x->is_data, how);
	}
}

static void follow(struct tj_static_graph *g, uint32_t obj, const struct tj_sedge *e, struct parent how)
{
	const struct tj_summary *s = g->objs[obj].sum;
	how.by_pointer = e->kind == TJ_SE_ADDR || e->kind == TJ_SE_IMPORT_ADDR || e->kind == TJ_SE_OBJ;
	switch (e->kind) {
	case TJ_SE_CALL:
	case TJ_SE_ADDR: reach(g, obj, e->target, false, how); break;
	case TJ_SE_OBJ: reach(g, obj, e->target, true, how); break;
	case TJ_SE_IMPORT:
	case TJ_SE_IMPORT_ADDR:
		if (e->target < s->strings_len)
			reach_name(g, tj_summary_str(s, e->target), how);
		break;
	default: break;
	}
}

static bool nss_entry(const char *name)
{
	static const char *const prefixes[] = {"getpw",	       "getgr",		"getsp",       "getsg",
					       "gethostby",    "gethostent",	"getaddrinfo", "getnameinfo",
					       "getservby",    "getservent",	"getprotoby",  "getprotoent",
					       "getnetby",     "getnetent",	"getrpcby",    "getrpcent",
					       "initgroups",   "getgrouplist",	"getlogin",    "getnetgrent",
					       "innetgr",      "getaliasby",	"getaliasent", "ether_",
					       "getpublickey", "getsecretkey",	"setpwent",    "setgrent",
					       "__nss_",       "_nss_",		"__getpw",     "__getgr",
					       "__gethostby",  "gethostbyname", "__nscd_"};
	for (size_t i = 0; i < TJ_ARRAY_SIZE(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static void visit_func(struct tj_static_graph *g, uint32_t obj, uint32_t f)
{
	struct object *o = &g->objs[obj];
	const struct tj_summary *s = o->sum;
	const struct tj_sfunc *fn = &s->funcs[f];
	struct parent how = {obj, f, 0, 0, 0};
	for (uint32_t k = fn->sys; k < fn->sys + fn->nsys && k < s->nsys; k++) {
		uint32_t nr = s->sys[k].nr;
		if (nr >= TJ_STATIC_MAX_NR)
			continue;
		struct first *x = &g->first[nr];
		if (!x->set)
			*x = (struct first){obj, f, obj, s->sys[k].via, s->sys[k].addr, 0, true};
		if (k == fn->sys || s->sys[k - 1].nr != nr)
			x->nfuncs++;
	}
	for (uint32_t k = fn->edges; k < fn->edges + fn->nedges && k < s->nedges; k++)
		follow(g, obj, &s->edges[k], how);
	for (size_t k = 0; k < s->ndlopens; k++) {
		if (s->dlopens[k].func != f)
			continue;
		tj_strv_add_owned(&g->pending, tj_xasprintf("%s\t%s", tj_summary_str(s, s->dlopens[k].name),
							    tj_summary_str(s, fn->name)));
	}
	if (!g->nss_triggered && nss_entry(tj_summary_str(s, fn->name)))
		g->nss_triggered = true;
}

static void visit_data(struct tj_static_graph *g, uint32_t obj, uint32_t d)
{
	const struct tj_summary *s = g->objs[obj].sum;
	const struct tj_sdata *x = &s->data[d];
	struct parent how = {obj, d, 1, 0, 0};
	for (uint32_t k = x->edges; k < x->edges + x->nedges && k < s->nedges; k++)
		follow(g, obj, &s->edges[k], how);
}

static void run_queue(struct tj_static_graph *g)
{
	while (g->qhead < g->nqueue) {
		struct node n = g->queue[g->qhead++];
		if (n.is_data)
			visit_data(g, n.obj, n.idx);
		else
			visit_func(g, n.obj, n.idx);
	}
}

static uint32_t export_func(const struct tj_summary *s, const char *name)
{
	for (size_t i = 0; i < s->nexports; i++)
		if (!s->exports[i].is_data && !strcmp(tj_summary_str(s, s->exports[i].name), name))
			return s->exports[i].index;
	return NONE;
}

/* The roots an object contributes, once. */
static void root_object(struct tj_static_graph *g, uint32_t i)
{
	struct object *o = &g->objs[i];
	if (o->rooted)
		return;
	o->rooted = true;
	const struct tj_summary *s = o->sum;
	if (o->role == ROLE_PROGRAM && s->entry != NONE)
		root(g, i, s->entry, false, ROOT_ENTRY);
	for (size_t k = 0; k < s->ninits; k++)
		root(g, i, s->inits[k], false, ROOT_INIT);
	for (size_t k = 0; k < s->nlive; k++)
		follow(g, i, &s->live[k], (struct parent){NONE, NONE, 0, 1, ROOT_POINTER});
	switch (o->role) {
	case ROLE_INTERP:
		/* All of ld.so: it runs before main, and binds, loads and
		 * unloads on the program's behalf (execve included: only
		 * used when ld.so runs as a command). */
		for (uint32_t f = 0; f < s->nfuncs; f++)
			root(g, i, f, false, ROOT_INTERP);
		break;
	case ROLE_VDSO:
		/* The functions glibc 2.36 takes from the vDSO (x86_64
		 * sysdep.h): clock_gettime, clock_getres, gettimeofday, time,
		 * getcpu.  Its other exports (getrandom) glibc does not use. */
		for (size_t k = 0; k < s->nexports; k++) {
			const char *n = tj_summary_str(s, s->exports[k].name);
			if (!s->exports[k].is_data &&
			    (strstr(n, "time") || strstr(n, "getcpu") || strstr(n, "clock_getres")))
				root(g, i, s->exports[k].index, false, ROOT_VDSO);
		}
		break;
	case ROLE_NSS:
	case ROLE_DLOPEN:
		for (size_t k = 0; k < s->nexports; k++)
			root(g, i, s->exports[k].index, s->exports[k].is_data,
			     o->role == ROLE_NSS ? ROOT_NSS : ROOT_DLOPEN);
		break;
	default: break;
	}
	/* ld.so calls libc's early initialisation by name. */
	uint32_t early = export_func(s, "__libc_early_init");
	if (early != NONE)
		root(g, i, early, false, ROOT_EARLY);
}

/* Objects that reachable code loads: NSS modules once an NSS function is
 * reachable, dlopen'ed libraries by constant name. */
static int load_pending(struct tj_static_graph *g, bool *added, struct tj_err **err)
{
	size_t before = g->nobjs;
	if (g->nss_triggered == 1) {
		g->nss_triggered = 2;
		bool builtin = false;
		for (size_t i = 0; i < g->nobjs && !builtin; i++)
			builtin = g->objs[i].sum && export_func(g->objs[i].sum, "_nss_files_getpwnam_r") != NONE;
		struct tj_strv svcs = {0};
		const char *conf = g->opts->nsswitch ? g->opts->nsswitch : "/etc/nsswitch.conf";
		if (tj_loader_nss_services(conf, builtin, &svcs, err) < 0)
			return -1;
		for (size_t i = 0; i < svcs.n; i++) {
			tj_autofree char *lib = tj_xasprintf("libnss_%s.so.2", svcs.v[i]);
			tj_autofree char *path = tj_loader_find(lib, g->objs[0].elf, g->objs[0].elf, &g->ldcache);
			if (!path) {
				tj_notes_add(&g->r->notes, NULL, "NSS service '%s' (%s) has no %s: glibc skips it too",
					     svcs.v[i], conf, lib);
				continue;
			}
			tj_autofree char *how = tj_xasprintf("NSS module (%s, %s)", svcs.v[i], conf);
			uint32_t idx;
			size_t n0 = g->nobjs;
			if (add_object(g, path, ROLE_NSS, how, &idx, err) < 0)
				return -1;
			if (g->nobjs > n0)
				add_needed(g, idx, ROLE_LIBRARY, NONE);
			tj_notes_add(&g->r->notes, NULL, "NSS functions are reachable: added %s for service '%s' of %s",
				     base_name(path), svcs.v[i], conf);
		}
		tj_strv_done(&svcs);
	}
	for (size_t k = 0; k < g->pending.n; k++) {
		char *tab = strchr(g->pending.v[k], '\t');
		*tab = '\0';
		const char *lib = g->pending.v[k], *fn = tab + 1;
		tj_autofree char *path = tj_loader_find(lib, g->objs[0].elf, g->objs[0].elf, &g->ldcache);
		if (!path) {
			tj_notes_add(&g->r->notes, NULL, "dlopen(\"%s\") in %s: no such library here, not analysed",
				     lib, fn);
			continue;
		}
		if (find_object(g, path) != NONE)
			continue;
		tj_autofree char *how = tj_xasprintf("dlopen(\"%s\") in %s", lib, fn);
		uint32_t idx;
		struct tj_err *e2 = NULL;
		if (add_object(g, path, ROLE_DLOPEN, how, &idx, &e2) < 0) {
			tj_notes_add(&g->r->notes, NULL, "%s: not analysed: %s", path, e2->msg);
			tj_err_free(e2);
			continue;
		}
		add_needed(g, idx, ROLE_LIBRARY, NONE);
	}
	tj_strv_done(&g->pending);
	if (summarise_all(g, err) < 0)
		return -1;
	for (size_t i = before; i < g->nobjs; i++)
		root_object(g, (uint32_t)i);
	*added = g->nobjs > before;
	return 0;
}

/* --- chains and results --- */

static void chain(const struct tj_static_graph *g, uint32_t obj, uint32_t idx, bool is_data, struct tj_buf *b)
{
	for (int depth = 0; depth < 64; depth++) {
		const struct object *o = &g->objs[obj];
		const struct tj_summary *s = o->sum;
		const struct parent *p = is_data ? &o->dparent[idx] : &o->fparent[idx];
		const char *name = is_data ? tj_summary_str(s, s->data[idx].name)
					   : tj_summary_str(s, s->funcs[idx].name);
		tj_buf_addf(b, "%s%s (%s)", is_data ? "data " : "", name[0] ? name : "?", o->name);
		if (p->root) {
			tj_buf_addf(b, " [%s]", root_names[p->root]);
			return;
		}
		if (p->obj == NONE)
			return;
		tj_buf_add(b, p->by_pointer ? " <- (pointer) " : " <- ");
		obj = p->obj;
		idx = p->idx;
		is_data = p->is_data;
	}
	tj_buf_add(b, " ...");
}

/* Unknown numbers that are known: object (file name), function ("*": any),
 * kind, the syscalls the place makes (added to the result), why. */
static const struct {
	const char *object, *function;
	uint32_t kind;
	const char *adds;
	const char *why;
} accepted[] = {
	{"libc.so.6", "__nptl_setxid", TJ_SU_SITE, NULL,
	 "the set*id number comes from the caller, and every caller also makes that call inline (glibc nptl_setxid.c)"},
	{"libc.so.6", "__nptl_setxid_sighandler", TJ_SU_SITE, NULL,
	 "the set*id number comes from the caller, and every caller also makes that call inline (glibc nptl_setxid.c)"},
	{"libc.so.6", "__gconv_find_shlib", TJ_SU_DLOPEN, NULL,
	 "gconv modules: character set converters without system calls of their own"},
	{"libc.so.6", "module_load", TJ_SU_DLOPEN, NULL, "NSS modules: added from nsswitch.conf when NSS is reachable"},
	{"ld-linux-x86-64.so.2", "__thread_gscope_wait", TJ_SU_SITE, NULL,
	 "futex: r9 holds 202 from before the wait loop; the loop's call is only assumed to clobber it"},
	/* Go's runtime replays on every thread a syscall one thread made
	 * (syscall.AllThreadsSyscall), with the number from a shared record. */
	{"*", "runtime.runPerThreadSyscall", TJ_SU_WRAPPER_CALL, NULL,
	 "Go replays on each thread a call syscall.AllThreadsSyscall made first with the same number"},
	/* libcap's syscaller hooks (cap_proc.c: _cap_syscall3/6 in a struct of
	 * function pointers, replaceable for libpsx); the numbers its callers
	 * load before the indirect calls. */
	{"libcap.so.2", "*", TJ_SU_WRAPPER_CALL, "setuid setgid setgroups capset prctl chroot",
	 "libcap's syscall hooks, called through function pointers with the set*id, capset, prctl and chroot numbers"},
};

/* The accepted[] entry for an unknown place, or -1. */
static int accepted_entry(const char *object, const char *fn, uint32_t kind)
{
	for (size_t a = 0; a < TJ_ARRAY_SIZE(accepted); a++)
		if ((!strcmp(accepted[a].object, "*") || !strcmp(accepted[a].object, object)) &&
		    accepted[a].kind == kind &&
		    (!strcmp(accepted[a].function, "*") || !strcmp(accepted[a].function, fn)))
			return (int)a;
	return -1;
}

static int nr_of(const char *name);

/* A syscall an accepted entry adds, with that entry as its provenance. */
static void add_known(struct tj_static_graph *g, uint32_t obj, uint32_t f, const char *names)
{
	tj_autofree char *copy = tj_xstrdup(names);
	char *save = NULL;
	for (char *n = strtok_r(copy, " ", &save); n; n = strtok_r(NULL, " ", &save)) {
		int nr = nr_of(n);
		if (nr < 0 || nr >= TJ_STATIC_MAX_NR)
			continue;
		struct first *x = &g->first[nr];
		if (!x->set)
			*x = (struct first){obj, f, obj, 0, g->objs[obj].sum->funcs[f].addr, 0, true};
		x->nfuncs++;
	}
}

static void collect_unresolved(struct tj_static_graph *g)
{
	struct tj_static_result *r = g->r;
	for (size_t i = 0; i < g->nobjs; i++) {
		const struct object *o = &g->objs[i];
		const struct tj_summary *s = o->sum;
		for (size_t k = 0; k < s->nunres; k++) {
			const struct tj_sunres *u = &s->unres[k];
			if (u->func >= s->nfuncs || !o->freached[u->func])
				continue;
			const char *fn = tj_summary_str(s, s->funcs[u->func].name);
			int a = accepted_entry(o->name, fn, u->kind);
			if (a >= 0) {
				if (accepted[a].adds)
					add_known(g, (uint32_t)i, u->func, accepted[a].adds);
				tj_notes_add(&r->accepted, NULL, "%s: %s+0x%llx: %s", o->name, fn,
					     (unsigned long long)(u->addr - s->funcs[u->func].addr), accepted[a].why);
				continue;
			}
			if (u->kind == TJ_SU_I386) {
				tj_notes_add(&r->notes, NULL,
					     "%s: %s+0x%llx: an i386 system call instruction (int 0x80 or sysenter): the profile admits x86_64 only",
					     o->name, fn, (unsigned long long)(u->addr - s->funcs[u->func].addr));
				continue;
			}
			r->unres = tj_xrealloc(r->unres, (r->nunres + 1) * sizeof(*r->unres));
			struct tj_static_unresolved *x = &r->unres[r->nunres++];
			struct tj_buf b = {0};
			chain(g, (uint32_t)i, u->func, false, &b);
			*x = (struct tj_static_unresolved){tj_xstrdup(o->name),
							   tj_xstrdup(fn),
							   u->addr,
							   u->kind,
							   u->reasons,
							   u->via ? tj_xstrdup(tj_summary_str(s, u->via)) : NULL,
							   tj_buf_steal(&b)};
		}
		/* A wrapper reached through a function pointer: its callers
		 * are unknown, so is the number. */
		for (uint32_t f = 0; f < s->nfuncs; f++) {
			if (!s->funcs[f].wrapper_regs || !o->freached[f] || !o->fpointer[f])
				continue;
			const char *fn = tj_summary_str(s, s->funcs[f].name);
			int a = accepted_entry(o->name, fn, TJ_SU_WRAPPER_CALL);
			if (a >= 0) {
				if (accepted[a].adds)
					add_known(g, (uint32_t)i, f, accepted[a].adds);
				tj_notes_add(&r->accepted, NULL, "%s: %s: %s (%s)", o->name, fn, accepted[a].why,
					     accepted[a].adds ? accepted[a].adds : "");
				continue;
			}
			r->unres = tj_xrealloc(r->unres, (r->nunres + 1) * sizeof(*r->unres));
			struct tj_static_unresolved *x = &r->unres[r->nunres++];
			struct tj_buf b = {0};
			chain(g, (uint32_t)i, f, false, &b);
			*x = (struct tj_static_unresolved){tj_xstrdup(o->name),
							   tj_xstrdup(tj_summary_str(s, s->funcs[f].name)),
							   s->funcs[f].addr,
							   TJ_SU_WRAPPER_CALL,
							   TJ_SR_POINTER,
							   NULL,
							   tj_buf_steal(&b)};
		}
	}
	r->incomplete = r->incomplete || r->nunres > 0;
}

static void add_result_sys(struct tj_static_graph *g, int nr, const char *why)
{
	struct tj_static_result *r = g->r;
	char name[64];
	tj_syscall_name(AUDIT_ARCH_X86_64, nr, name, sizeof(name));
	for (size_t i = 0; i < r->nsys; i++)
		if (r->sys[i].nr == nr)
			return;
	r->sys = tj_xrealloc(r->sys, (r->nsys + 1) * sizeof(*r->sys));
	struct tj_static_syscall *x = &r->sys[r->nsys++];
	memset(x, 0, sizeof(*x));
	x->nr = nr;
	x->name = tj_xstrdup(name);
	if (why) {
		x->why = why;
		return;
	}
	const struct first *f = &g->first[nr];
	const struct object *o = &g->objs[f->obj];
	x->object = tj_xstrdup(o->name);
	x->function = tj_xstrdup(tj_summary_str(o->sum, o->sum->funcs[f->func].name));
	x->via = f->via ? tj_xstrdup(tj_summary_str(o->sum, f->via)) : NULL;
	x->addr = f->addr;
	x->nfuncs = f->nfuncs;
}

static int cmp_sys(const void *a, const void *b)
{
	return strcmp(((const struct tj_static_syscall *)a)->name, ((const struct tj_static_syscall *)b)->name);
}

static int nr_of(const char *name)
{
	int nr = -1;
	return tj_syscall_resolve(name, &nr) == TJ_SYSCALL_NATIVE ? nr : -1;
}

static void collect_syscalls(struct tj_static_graph *g)
{
	for (int nr = 0; nr < TJ_STATIC_MAX_NR; nr++)
		if (g->first[nr].set)
			add_result_sys(g, nr, NULL);
	/* What no call graph shows (notes/static-analysis.md). */
	add_result_sys(g, nr_of("execve"), "tinyjail starts the command with execve after installing the filter");
	add_result_sys(g, nr_of("restart_syscall"), "the kernel restarts interrupted calls with it");
	if (g->first[nr_of("rt_sigaction")].set)
		add_result_sys(g, nr_of("rt_sigreturn"), "returns from the signal handlers rt_sigaction installs");
	if (g->first[nr_of("clone3")].set)
		add_result_sys(g, nr_of("clone"), "libc falls back to clone when clone3 is refused");
	if (g->r->nsys)
		qsort(g->r->sys, g->r->nsys, sizeof(*g->r->sys), cmp_sys);
}

/* --- the entry point --- */

static int add_program(struct tj_static_graph *g, const char *path, const char *how, struct tj_err **err)
{
	uint32_t prog;
	size_t n0 = g->nobjs;
	if (add_object(g, path, ROLE_PROGRAM, how, &prog, err) < 0)
		return -1;
	if (g->nobjs == n0)
		return 0;
	struct object *o = &g->objs[prog];
	if (o->elf->interp) {
		uint32_t idx;
		struct tj_err *e2 = NULL;
		if (add_object(g, o->elf->interp, ROLE_INTERP, "interpreter (PT_INTERP)", &idx, &e2) < 0) {
			tj_err_free(e2);
			return tj_err_set(err, TJ_ERR_CANNOT_EXEC, ENOENT, "'%s': its interpreter '%s' cannot be read",
					  path, g->objs[prog].elf->interp);
		}
	} else if (o->elf->has_dynamic && o->elf->needed.n) {
		tj_notes_add(&g->r->notes, NULL, "%s has libraries but no PT_INTERP: analysed as it is", o->name);
	}
	return add_needed(g, prog, ROLE_LIBRARY, prog);
}

/* One program image: an ELF, or a script through its interpreter
 * ("#!/usr/bin/env NAME" runs env, then NAME). */
static int add_image(struct tj_static_graph *g, const char *path, struct tj_err **err)
{
	struct tj_static_result *r = g->r;
	tj_autofree char *interp = NULL, *arg = NULL;
	if (tj_loader_script(path, &interp, &arg, err) < 0)
		return -1;
	if (!interp)
		return add_program(g, path, "program", err);
	tj_notes_add(&r->notes, NULL, "'%s' is a script: analysed through its interpreter %s", path, interp);
	tj_autofree char *how = tj_xasprintf("interpreter of %s", base_name(path));
	if (add_program(g, interp, how, err) < 0)
		return -1;
	if (arg && !strcmp(base_name(interp), "env")) {
		const char *name = arg;
		if (!strncmp(name, "-S", 2))
			name += 2 + strspn(name + 2, " ");
		tj_autofree char *word = tj_xstrndup(name, strcspn(name, " \t"));
		tj_autofree char *found = tj_loader_which(word);
		if (!found)
			return tj_err_set(err, TJ_ERR_NOT_FOUND, 0, "'%s': its interpreter '%s' is not in PATH", path,
					  word);
		tj_notes_add(&r->notes, NULL, "%s runs %s: analysed too", interp, found);
		tj_autofree char *how2 = tj_xasprintf("interpreter of %s (through env)", base_name(path));
		if (add_program(g, found, how2, err) < 0)
			return -1;
	}
	return 0;
}

/* Programs the command may execute are not in the result, and the filter
 * is inherited across execve: say so when exec functions are reachable. */
static void note_exec(struct tj_static_graph *g)
{
	static const char *const fns[] = {"execve",	  "execv",  "execvp",  "execvpe",  "execl",
					  "execlp",	  "execle", "fexecve", "execveat", "posix_spawn",
					  "posix_spawnp", "system", "popen"};
	struct tj_buf b = {0};
	tj_buf_add(&b, "");
	for (size_t i = 0; i < g->nobjs; i++) {
		const struct object *o = &g->objs[i];
		if (o->role == ROLE_INTERP)
			continue; /* ld.so's execve serves only ld.so run as a command */
		for (size_t k = 0; k < o->sum->nexports; k++) {
			const struct tj_sexport *x = &o->sum->exports[k];
			const char *n = tj_summary_str(o->sum, x->name);
			for (size_t f = 0; !x->is_data && f < TJ_ARRAY_SIZE(fns); f++)
				if (!strcmp(n, fns[f]) && o->freached[x->index] && !strstr(b.s, n))
					tj_buf_addf(&b, "%s%s", b.len ? ", " : "", n);
		}
	}
	if (b.len)
		tj_notes_add(&g->r->notes, NULL,
			     "the program can execute others (%s reachable): the filter is inherited across execve, so "
			     "name every program it runs (tinyjail learn --static -o FILE prog other...)",
			     b.s);
	tj_buf_done(&b);
}

int tj_static_analyze(const char *const *paths, size_t npaths, const struct tj_static_opts *opts,
		      struct tj_static_result **ret, struct tj_err **err)
{
	struct tj_static_result *r = tj_xcalloc(1, sizeof(*r));
	struct tj_static_graph *g = tj_xcalloc(1, sizeof(*g));
	r->graph = g;
	g->r = r;
	g->opts = opts;
	tj_strpool_init(&g->names);
	int rc = -1;
	if (tj_ldcache_load(opts->ldcache ? opts->ldcache : "/etc/ld.so.cache", &g->ldcache, err) < 0)
		goto out;
	if (opts->cache_dir && opts->cache_mac_key) {
		struct tj_err *e2 = NULL;
		if (tj_static_cache_open(opts->cache_dir, opts->cache_mac_key, &g->cache, &e2) < 0) {
			tj_notes_add(&r->notes, NULL, "not using the summary cache: %s", e2->msg);
			tj_err_free(e2);
		}
	}
	for (size_t i = 0; i < npaths; i++)
		if (add_image(g, paths[i], err) < 0)
			goto out;
	if (!opts->no_vdso && add_vdso(g, err) < 0)
		goto out;
	if (summarise_all(g, err) < 0)
		goto out;
	/* A wrapper exported by a library summarised after one of its users
	 * (a dependency cycle) means that user must be analysed again. */
	for (size_t i = 0; i < g->nobjs; i++) {
		tj_autofree char *now = tj_summary_wrapper_context(g->objs[i].elf, &g->wrappers);
		if (!strcmp(now, g->objs[i].wctx ? g->objs[i].wctx : ""))
			continue;
		tj_summary_free(g->objs[i].sum);
		g->objs[i].sum = NULL;
		free(g->objs[i].fparent);
		free(g->objs[i].dparent);
		free(g->objs[i].freached);
		free(g->objs[i].dreached);
		free(g->objs[i].fpointer);
		if (summarise(g, (uint32_t)i, err) < 0)
			goto out;
	}
	for (size_t i = 0; i < g->nobjs; i++)
		root_object(g, (uint32_t)i);
	for (int round = 0; round < 16; round++) {
		run_queue(g);
		bool added = false;
		if (load_pending(g, &added, err) < 0)
			goto out;
		if (!added && g->qhead == g->nqueue)
			break;
	}
	for (size_t i = 0; i < g->nobjs; i++) {
		r->nfuncs += g->objs[i].sum->nfuncs;
		for (size_t f = 0; f < g->objs[i].sum->nfuncs; f++)
			r->nreached += g->objs[i].freached[f];
	}
	collect_unresolved(g);
	collect_syscalls(g);
	note_exec(g);
	rc = 0;
out:
	/* The ELF images are not needed any more; summaries stay for explain. */
	for (size_t i = 0; i < g->nobjs; i++) {
		tj_elf_close(g->objs[i].elf);
		g->objs[i].elf = NULL;
	}
	tj_static_cache_close(g->cache);
	g->cache = NULL;
	if (rc < 0) {
		tj_static_result_free(r);
		return -1;
	}
	*ret = r;
	return 0;
}

size_t tj_static_explain(const struct tj_static_result *r, int nr, struct tj_strv *out)
{
	const struct tj_static_graph *g = r->graph;
	size_t n = 0;
	char name[64];
	tj_syscall_name(AUDIT_ARCH_X86_64, nr, name, sizeof(name));
	for (size_t i = 0; g && i < g->nobjs; i++) {
		const struct object *o = &g->objs[i];
		const struct tj_summary *s = o->sum;
		for (uint32_t f = 0; f < s->nfuncs; f++) {
			if (!o->freached[f])
				continue;
			const struct tj_sfunc *fn = &s->funcs[f];
			for (uint32_t k = fn->sys; k < fn->sys + fn->nsys && k < s->nsys; k++) {
				if ((int)s->sys[k].nr != nr)
					continue;
				struct tj_buf b = {0};
				tj_buf_addf(&b, "%s <- ", name);
				if (s->sys[k].via)
					tj_buf_addf(&b, "%s() <- ", tj_summary_str(s, s->sys[k].via));
				chain(g, (uint32_t)i, f, false, &b);
				tj_strv_add_owned(out, tj_buf_steal(&b));
				n++;
				break;
			}
		}
	}
	return n;
}

int tj_static_to_seccomp(const struct tj_static_result *r, struct tj_seccomp **ret, char **comment, struct tj_err **err)
{
	(void)err;
	struct tj_seccomp *s = tj_xcalloc(1, sizeof(*s));
	s->json_path = tj_xstrdup("");
	s->default_action = TJ_ACT_KILL_PROCESS;
	s->rules = tj_xcalloc(r->nsys ? r->nsys : 1, sizeof(*s->rules));
	for (size_t i = 0; i < r->nsys; i++) {
		const struct tj_static_syscall *x = &r->sys[i];
		if (!strncmp(x->name, "syscall_", 8))
			continue; /* a number libseccomp cannot name: nothing to allow by name */
		struct tj_rule *rule = &s->rules[s->nrules];
		rule->json_path = tj_xasprintf("syscalls[%zu]", s->nrules);
		s->nrules++;
		tj_strv_add(&rule->names, x->name);
		rule->action = TJ_ACT_ALLOW;
		if (x->why)
			rule->comment = tj_xasprintf("static: %s", x->why);
		else
			rule->comment = tj_xasprintf("static: %s %s%s%s%s (%zu function%s)", x->object, x->function,
						     x->via ? " via " : "", x->via ? x->via : "", x->via ? "()" : "",
						     x->nfuncs, x->nfuncs == 1 ? "" : "s");
	}
	if (r->incomplete)
		*comment =
			tj_xasprintf("tinyjail static analysis: INCOMPLETE: %zu reachable place%s with an unknown syscall "
				     "number or library; a run may need syscalls this profile lacks",
				     r->nunres, r->nunres == 1 ? "" : "s");
	else
		*comment = tj_xasprintf(
			"tinyjail static analysis: complete: every reachable syscall site was resolved");
	*ret = s;
	return 0;
}
