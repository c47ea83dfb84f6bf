/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The target of test_fuzz_learn.sh, built with afl-clang-fast: it reads its
 * input (a file, or stdin) and makes calls that only some inputs reach, so
 * that only fuzzing finds them: a first byte 'X' or with its top bit set
 * calls uname, one of 0xc0 or more also creates a socket, and a first byte
 * 0 is a genuine crash (abort), which the loop must report and never learn
 * from.  A first byte from '0' to '?' takes 1.5 s (longer than afl-fuzz's
 * timeout: a hang) and then calls getppid, which only the hang's replay
 * can find.  Every input sleeps a little, so the hang's sleep is allowed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned char buf[64] = {0};
	FILE *f = argc > 1 ? fopen(argv[1], "rb") : stdin;
	if (!f)
		return 2;
	/* The whole input is read, so that its length decides nothing (a
	 * part left unread would make fclose seek back: lseek). */
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	char rest[4096];
	while (fread(rest, 1, sizeof(rest), f) > 0)
		;
	if (n > 0 && buf[0] == 0)
		abort();
	usleep(n > 0 && buf[0] >= '0' && buf[0] <= '?' ? 1500000 : 1);
	if (n > 0 && buf[0] >= '0' && buf[0] <= '?' && getppid() < 0)
		return 5;
	if (n > 0 && (buf[0] == 'X' || buf[0] >= 0x80)) {
		struct utsname u;
		if (uname(&u) < 0)
			return 3;
		if (buf[0] >= 0xc0) {
			int s = socket(AF_UNIX, SOCK_DGRAM, 0);
			if (s < 0)
				return 4;
			close(s);
		}
	}
	printf("%zu\n", n);
	return 0;
}
