/* An assert() that fails: abort() sends SIGABRT to the process itself. */
#include <assert.h>

int main(int argc, char **argv)
{
	(void)argv;
	assert(argc == 42);
	return 0;
}
