/* SPDX-License-Identifier: Apache-2.0 */
/* getaddrinfo on a few threads, answers through a pipe (proxy_resolver.h). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tj/base/util.h"
#include "tj/net/proxy_resolver.h"

#define QUEUE 256

struct request {
	uint64_t cookie;
	char host[256];
};

struct tj_resolver {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	/* lookups to do, and lookups done: rings of QUEUE */
	struct request todo[QUEUE];
	size_t todo_head, todo_n;
	struct tj_resolver_result *done[QUEUE];
	size_t done_head, done_n;
	size_t busy;	  /* lookups taken by a thread, not yet in done */
	unsigned waiting; /* threads that reached their loop */
	int pipe[2];
	pthread_t *threads;
	unsigned nthreads;
};

static void lookup(const struct request *q, struct tj_resolver_result *res)
{
	memset(res, 0, sizeof(*res));
	res->cookie = q->cookie;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	res->error = getaddrinfo(q->host, NULL, &hints, &ai);
	for (struct addrinfo *p = ai; p && res->n < TJ_RESOLVER_MAX_ADDRS; p = p->ai_next) {
		if ((p->ai_family != AF_INET && p->ai_family != AF_INET6) || p->ai_addrlen > sizeof(res->addrs[0]))
			continue;
		struct sockaddr_storage a;
		memset(&a, 0, sizeof(a));
		memcpy(&a, p->ai_addr, p->ai_addrlen);
		if (a.ss_family == AF_INET)
			((struct sockaddr_in *)&a)->sin_port = 0;
		else
			((struct sockaddr_in6 *)&a)->sin6_port = 0;
		bool seen = false;
		for (size_t i = 0; i < res->n && !seen; i++)
			seen = memcmp(&res->addrs[i], &a, sizeof(a)) == 0;
		if (!seen)
			res->addrs[res->n++] = a;
	}
	if (ai)
		freeaddrinfo(ai);
	if (res->error == 0 && res->n == 0)
		res->error = EAI_NODATA;
}

static void *worker(void *arg)
{
	struct tj_resolver *r = arg;
	pthread_mutex_lock(&r->lock);
	/* Up and idle: the starter may now load a filter that would not
	 * allow a thread's start-up calls (rseq, set_robust_list). */
	r->waiting++;
	pthread_cond_broadcast(&r->wake);
	for (;;) {
		while (!r->stop && r->todo_n == 0)
			pthread_cond_wait(&r->wake, &r->lock);
		if (r->stop)
			break;
		struct request q = r->todo[r->todo_head];
		r->todo_head = (r->todo_head + 1) % QUEUE;
		r->todo_n--;
		r->busy++;
		pthread_mutex_unlock(&r->lock);
		/* Allocated before the lock, so that the lock is never held
		 * across a system call. */
		struct tj_resolver_result *res = tj_xmalloc(sizeof(*res));
		lookup(&q, res);
		pthread_mutex_lock(&r->lock);
		r->busy--;
		/* There is always room: submit() counts what is in flight. */
		r->done[(r->done_head + r->done_n) % QUEUE] = res;
		r->done_n++;
		pthread_mutex_unlock(&r->lock);
		/* One byte per result; the loop drains them all on each wake-up,
		 * so a full pipe loses nothing. */
		ssize_t w = write(r->pipe[1], "r", 1);
		(void)w;
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int tj_resolver_start(unsigned threads, struct tj_resolver **ret, struct tj_err **err)
{
	struct tj_resolver *r = tj_xcalloc(1, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	if (pipe2(r->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(r);
		return tj_err_set(err, TJ_ERR_INTERNAL, errno, "cannot create the resolver's pipe");
	}
	r->threads = tj_xcalloc(threads, sizeof(*r->threads));
	for (; r->nthreads < threads; r->nthreads++) {
		int e = pthread_create(&r->threads[r->nthreads], NULL, worker, r);
		if (e) {
			tj_resolver_free(r);
			return tj_err_set(err, TJ_ERR_INTERNAL, e, "cannot start the resolver's threads");
		}
	}
	pthread_mutex_lock(&r->lock);
	while (r->waiting < r->nthreads)
		pthread_cond_wait(&r->wake, &r->lock);
	pthread_mutex_unlock(&r->lock);
	*ret = r;
	return 0;
}

void tj_resolver_free(struct tj_resolver *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_broadcast(&r->wake);
	pthread_mutex_unlock(&r->lock);
	for (unsigned i = 0; i < r->nthreads; i++)
		pthread_join(r->threads[i], NULL);
	for (size_t i = 0; i < r->done_n; i++)
		free(r->done[(r->done_head + i) % QUEUE]);
	close(r->pipe[0]);
	close(r->pipe[1]);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r->threads);
	free(r);
}

int tj_resolver_fd(const struct tj_resolver *r)
{
	return r->pipe[0];
}

bool tj_resolver_submit(struct tj_resolver *r, uint64_t cookie, const char *host)
{
	if (strlen(host) >= sizeof(r->todo[0].host))
		return false;
	pthread_mutex_lock(&r->lock);
	bool ok = r->todo_n + r->busy + r->done_n < QUEUE;
	if (ok) {
		struct request *q = &r->todo[(r->todo_head + r->todo_n) % QUEUE];
		q->cookie = cookie;
		strcpy(q->host, host);
		r->todo_n++;
		pthread_cond_signal(&r->wake);
	}
	pthread_mutex_unlock(&r->lock);
	return ok;
}

bool tj_resolver_take(struct tj_resolver *r, struct tj_resolver_result *out)
{
	char drain[64];
	while (read(r->pipe[0], drain, sizeof(drain)) > 0)
		;
	pthread_mutex_lock(&r->lock);
	struct tj_resolver_result *res = NULL;
	if (r->done_n) {
		res = r->done[r->done_head];
		r->done_head = (r->done_head + 1) % QUEUE;
		r->done_n--;
	}
	pthread_mutex_unlock(&r->lock);
	if (!res)
		return false;
	*out = *res;
	free(res);
	return true;
}
