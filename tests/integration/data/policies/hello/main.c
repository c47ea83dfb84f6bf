#include <stdio.h>

#include "twice.h"

int main(void)
{
	printf("%d\n", twice(21));
	return 0;
}
