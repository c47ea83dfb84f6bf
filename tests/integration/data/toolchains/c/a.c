#include <stdio.h>

int b(void);

int main(void)
{
	printf("hello %d\n", b());
	return 0;
}
