/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A program with a known call chain, for the unwinder's tests
 * (tests/unit/test_unwind.c) and --explain's (tests/integration/test_explain.sh).
 * The Makefile builds it four ways: with and without frame pointers, with
 * debug information, and stripped.
 *
 *   stackprog block          main -> run_block -> outer -> middle -> inner -> read(0)
 *                            (blocks until stdin closes; the test reads its stack)
 *   stackprog vla N          the same through a frame with a variable-length array
 *   stackprog config FILE N  main -> load_config -> fopen(FILE), N times
 *   stackprog thread         the block chain in a second thread
 *   stackprog getppid N      main -> ask_parent -> getppid(), N times
 *   stackprog bench N        the same, timed: prints the nanoseconds per call (bench/run.sh)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile long sink;

__attribute__((noinline)) static long inner(int fd)
{
	char c;
	long n = read(fd, &c, 1);
	sink += n;
	return n;
}

__attribute__((noinline)) static long middle(int fd)
{
	long r = inner(fd);
	sink += r;
	return r + 1;
}

__attribute__((noinline)) static long outer(int fd)
{
	long r = middle(fd);
	sink += r;
	return r + 1;
}

/* A variable-length array makes gcc address the frame through rbp even
 * without frame pointers (CFA = rbp + 16). */
__attribute__((noinline)) static long with_vla(int fd, int n)
{
	char buf[n];
	memset(buf, 1, (size_t)n);
	long r = outer(fd) + buf[n / 2];
	sink += r;
	return r;
}

__attribute__((noinline)) static long run_block(void)
{
	long r = outer(0);
	sink += r;
	return r;
}

__attribute__((noinline)) static int load_config(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int c = fgetc(f);
	fclose(f);
	return c;
}

__attribute__((noinline)) static long ask_parent(void)
{
	long r = getppid();
	sink += r;
	return r;
}

static void *thread_main(void *arg)
{
	(void)arg;
	sink += run_block();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "block") == 0)
		return run_block() < 0;
	if (argc >= 3 && strcmp(argv[1], "vla") == 0)
		return with_vla(0, atoi(argv[2])) < 0;
	if (argc >= 4 && strcmp(argv[1], "config") == 0) {
		int n = atoi(argv[3]);
		for (int i = 0; i < n; i++)
			sink += load_config(argv[2]);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "getppid") == 0) {
		int n = atoi(argv[2]);
		for (int i = 0; i < n; i++)
			sink += ask_parent();
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "bench") == 0) {
		int n = atoi(argv[2]);
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (int i = 0; i < n; i++)
			sink += ask_parent();
		clock_gettime(CLOCK_MONOTONIC, &b);
		double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
		printf("%.0f\n", n > 0 ? ns / n : 0);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "thread") == 0) {
		pthread_t t;
		if (pthread_create(&t, NULL, thread_main, NULL) != 0)
			return 1;
		pthread_join(t, NULL);
		return 0;
	}
	fprintf(stderr, "usage: stackprog block|vla N|config FILE N|getppid N|bench N|thread\n");
	return 2;
}
