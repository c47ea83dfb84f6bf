/* Maps memory writable and executable when given "wx", else writable. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	int prot = PROT_READ | PROT_WRITE;
	if (argc > 1 && strcmp(argv[1], "wx") == 0)
		prot |= PROT_EXEC;
	void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	puts(p == MAP_FAILED ? "refused" : "mapped");
	return p == MAP_FAILED;
}
