/* board_host.c: main.c's board on the host (stdout), to compare with the
 * firmware's output. */
#include <stdio.h>

void board_write(const char *s, size_t n);

void board_write(const char *s, size_t n)
{
	fwrite(s, 1, n, stdout);
}
