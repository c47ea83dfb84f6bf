/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Targets test_fuzz_learn.sh cannot fuzz usefully (built with
 * afl-clang-fast), chosen by the first argument: "crash" aborts on every
 * input, "tty" needs a terminal (opens /dev/tty and gives up without one),
 * "noread" never reads its input.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "crash") == 0)
		abort();
	if (strcmp(argv[1], "tty") == 0) {
		int fd = open("/dev/tty", O_RDWR);
		if (fd < 0) {
			fputs("fuzz_bad: this program needs a terminal\n", stderr);
			return 1;
		}
		char c;
		ssize_t n = read(fd, &c, 1);
		close(fd);
		return n == 1 ? 0 : 1;
	}
	puts("fuzz_bad: input? what input?");
	return 0;
}
