/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Paired A/B timing of whole commands, for a noisy shared machine
 * (perf-baseline.md): A and B alternate (A B, then B A, ...), and the
 * figure is the median of the per-pair ratios B/A, so a slow phase of the
 * machine hits both sides.  CPU time (user + system, from wait4, which
 * includes the command's waited-for children) is a second figure that other
 * jobs disturb less.  abtime is a subreaper: descendants that outlive the
 * command (bubblewrap's pid-namespace init exits after bwrap itself, unwaited)
 * are reaped after it and their CPU time is added, so both sides count their
 * whole tree; the wall time still ends when the command exits.  Before the row it waits (up to -W seconds) for the
 * machine to be at least -i percent idle.
 *
 *   abtime [-n PAIRS] [-w WARMUP] [-i IDLE] [-W WAIT] [-l LABEL] [-j JSON]
 *          [-e RC] [-v] -- A-command... ++ B-command...
 *
 * Prints one markdown table row and appends one JSON object (a line) to
 * JSON.  Exit status 1 when a run of either side did not exit with RC
 * (default 0): a row whose command fails is not a timing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct sample {
	double wall_ms, cpu_ms;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double *s = malloc((size_t)n * sizeof(*s));
	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

static double min_of(const double *v, int n)
{
	double m = v[0];
	for (int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double max_of(const double *v, int n)
{
	double m = v[0];
	for (int i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/* Percent of CPU time idle over about 250 ms, from /proc/stat. */
static double idle_percent(void)
{
	unsigned long long a[2][10] = {{0}};
	for (int k = 0; k < 2; k++) {
		FILE *f = fopen("/proc/stat", "re");
		if (!f)
			return 100;
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &a[k][0], &a[k][1], &a[k][2], &a[k][3],
			   &a[k][4], &a[k][5], &a[k][6], &a[k][7]) != 8) {
			fclose(f);
			return 100;
		}
		fclose(f);
		if (k == 0)
			usleep(250 * 1000);
	}
	unsigned long long total = 0, idle = a[1][3] - a[0][3] + a[1][4] - a[0][4];
	for (int i = 0; i < 8; i++)
		total += a[1][i] - a[0][i];
	return total ? 100.0 * (double)idle / (double)total : 100;
}

static int run(char **argv, bool verbose, int expect, struct sample *s)
{
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("abtime: fork");
		exit(2);
	}
	if (pid == 0) {
		if (!verbose) {
			int fd = open("/dev/null", O_RDWR);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	s->wall_ms = now_ms() - t0;
	s->cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	/* Orphans of the command, reparented to us (subreaper). */
	struct rusage oru;
	int ost;
	for (;;) {
		pid_t o = wait4(-1, &ost, 0, &oru);
		if (o < 0 && errno == EINTR)
			continue;
		if (o < 0)
			break;
		s->cpu_ms += (double)(oru.ru_utime.tv_sec + oru.ru_stime.tv_sec) * 1e3 +
			     (double)(oru.ru_utime.tv_usec + oru.ru_stime.tv_usec) / 1e3;
	}
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (rc != expect) {
		fprintf(stderr, "abtime: '%s' exited %d (expected %d)\n", argv[0], rc, expect);
		return -1;
	}
	return 0;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_argv(FILE *f, char **argv)
{
	fputc('[', f);
	for (int i = 0; argv[i]; i++) {
		if (i)
			fputs(", ", f);
		json_string(f, argv[i]);
	}
	fputc(']', f);
}

int main(int argc, char **argv)
{
	int pairs = 40, warmup = 5, expect = 0;
	double want_idle = 85, max_wait = 30;
	const char *label = NULL, *json = NULL;
	bool verbose = false;
	int c;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		perror("abtime: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	while ((c = getopt(argc, argv, "+n:w:i:W:l:j:e:v")) != -1) {
		switch (c) {
		case 'n': pairs = atoi(optarg); break;
		case 'w': warmup = atoi(optarg); break;
		case 'i': want_idle = atof(optarg); break;
		case 'W': max_wait = atof(optarg); break;
		case 'l': label = optarg; break;
		case 'j': json = optarg; break;
		case 'e': expect = atoi(optarg); break;
		case 'v': verbose = true; break;
		default: fprintf(stderr, "usage: see bench/abtime.c\n"); return 2;
		}
	}
	char **a = argv + optind, **b = NULL;
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "++") == 0) {
			argv[i] = NULL;
			b = argv + i + 1;
		}
	}
	if (pairs < 1 || !a[0] || !b || !b[0]) {
		fprintf(stderr, "usage: abtime [options] -- A... ++ B...\n");
		return 2;
	}
	if (!label)
		label = b[0];

	/* Wait for a quiet machine, and say how quiet it was. */
	double idle = -1, t_wait = now_ms();
	if (want_idle > 0) {
		idle = idle_percent();
		while (idle < want_idle && now_ms() - t_wait < max_wait * 1e3)
			idle = idle_percent();
	}

	struct sample sa, sb;
	for (int i = 0; i < warmup; i++)
		if (run(a, verbose, expect, &sa) < 0 || run(b, verbose, expect, &sb) < 0)
			return 1;
	double *wa = calloc((size_t)pairs, sizeof(double)), *wb = calloc((size_t)pairs, sizeof(double));
	double *ca = calloc((size_t)pairs, sizeof(double)), *cb = calloc((size_t)pairs, sizeof(double));
	double *ratio = calloc((size_t)pairs, sizeof(double)), *cratio = calloc((size_t)pairs, sizeof(double));
	for (int i = 0; i < pairs; i++) {
		/* Alternate which side goes first, so neither always runs on
		 * the caches the other warmed. */
		bool a_first = i % 2 == 0;
		if (run(a_first ? a : b, verbose, expect, a_first ? &sa : &sb) < 0 ||
		    run(a_first ? b : a, verbose, expect, a_first ? &sb : &sa) < 0)
			return 1;
		wa[i] = sa.wall_ms;
		wb[i] = sb.wall_ms;
		ca[i] = sa.cpu_ms;
		cb[i] = sb.cpu_ms;
		ratio[i] = sb.wall_ms / sa.wall_ms;
		cratio[i] = sa.cpu_ms > 0 ? sb.cpu_ms / sa.cpu_ms : 0;
	}
	double ma = median(wa, pairs), mb = median(wb, pairs), mr = median(ratio, pairs);
	double mca = median(ca, pairs), mcb = median(cb, pairs), mcr = median(cratio, pairs);
	printf("| %s | %.2f | %.2f | %.2fx (%.2f..%.2f) | %+.2f | %.2fx | %d | %.0f%% |\n", label, mb, ma, mr,
	       min_of(ratio, pairs), max_of(ratio, pairs), mb - ma, mcr, pairs, idle);
	fflush(stdout);
	if (json) {
		FILE *f = fopen(json, "ae");
		if (!f) {
			perror("abtime: json");
			return 2;
		}
		fputs("{\"label\": ", f);
		json_string(f, label);
		fputs(", \"a\": ", f);
		json_argv(f, a);
		fputs(", \"b\": ", f);
		json_argv(f, b);
		fprintf(f,
			", \"pairs\": %d, \"median_ms_b\": %.3f, \"median_ms_a\": %.3f, \"ratio_median\": %.4f, "
			"\"ratio_min\": %.4f, \"ratio_max\": %.4f, \"plus_ms\": %.3f, \"cpu_ms_b\": %.3f, "
			"\"cpu_ms_a\": %.3f, \"cpu_ratio_median\": %.4f, \"idle_percent\": %.1f}\n",
			pairs, mb, ma, mr, min_of(ratio, pairs), max_of(ratio, pairs), mb - ma, mcb, mca, mcr, idle);
		fclose(f);
	}
	free(wa);
	free(wb);
	free(ca);
	free(cb);
	free(ratio);
	free(cratio);
	return 0;
}
