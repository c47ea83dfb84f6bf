/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CPU cost of a fuzz target's inputs (tests/fuzz/afl.sh speed): linked
 * with one tests/fuzz/fuzz_NAME.c instead of a fuzzer, it runs every file of
 * the directories given REPS times through LLVMFuzzerTestOneInput (after one
 * warm-up pass) and prints the mean CPU time an input, the executions a CPU
 * second, the mean by size class, and the slowest inputs.  CPU time, not
 * wall time: the figures hold on a loaded machine, where afl-fuzz's own
 * exec/s swing with the load.
 *
 *   speed REPS DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	char *name;
	uint8_t *data;
	size_t size;
	double cpu; /* seconds over all repetitions */
};

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int read_file(const char *path, struct input *in)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 4096, n = 0;
	uint8_t *d = malloc(cap);
	size_t got;
	while (d && (got = fread(d + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			uint8_t *bigger = realloc(d, cap *= 2);
			if (!bigger) {
				free(d);
				d = NULL;
			}
			d = bigger;
		}
	}
	fclose(f);
	if (!d)
		return -1;
	*in = (struct input){.name = strdup(path), .data = d, .size = n};
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s REPS DIR...\n", argv[0]);
		return 2;
	}
	int reps = atoi(argv[1]);
	struct input *in = NULL;
	size_t n = 0;
	for (int a = 2; a < argc; a++) {
		DIR *dir = opendir(argv[a]);
		if (!dir) {
			perror(argv[a]);
			return 1;
		}
		struct dirent *e;
		while ((e = readdir(dir))) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[a], e->d_name);
			struct input *more = realloc(in, (n + 1) * sizeof(*in));
			if (!more)
				return 1;
			in = more;
			if (read_file(path, &in[n]) == 0)
				n++;
		}
		closedir(dir);
	}
	if (n == 0 || reps < 1) {
		fprintf(stderr, "speed: no inputs\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		LLVMFuzzerTestOneInput(in[i].data, in[i].size);
	double start = cpu_now();
	for (int r = 0; r < reps; r++)
		for (size_t i = 0; i < n; i++) {
			double t = cpu_now();
			LLVMFuzzerTestOneInput(in[i].data, in[i].size);
			in[i].cpu += cpu_now() - t;
		}
	double total = cpu_now() - start, runs = (double)reps * (double)n;
	printf("%zu inputs: %.1f us an input, %.0f executions a CPU second\n", n, total / runs * 1e6, runs / total);
	for (size_t cap = 1024; cap <= 65536; cap *= 4) {
		double t = 0;
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (in[i].size <= cap) {
				t += in[i].cpu;
				k++;
			}
		if (k)
			printf("  inputs up to %zu bytes: %zu, %.1f us each\n", cap, k, t / reps / (double)k * 1e6);
	}
	for (int s = 0; s < 3; s++) {
		size_t m = 0;
		for (size_t i = 1; i < n; i++)
			if (in[i].cpu > in[m].cpu)
				m = i;
		if (in[m].cpu < 0)
			break;
		printf("  slowest: %.1f us, %zu bytes, %s\n", in[m].cpu / reps * 1e6, in[m].size, in[m].name);
		in[m].cpu = -1;
	}
	/* Freed, so that LeakSanitizer (detect_leaks=1) reports only the
	 * targets' leaks. */
	for (size_t i = 0; i < n; i++) {
		free(in[i].name);
		free(in[i].data);
	}
	free(in);
	return 0;
}
