/* fuzz_file.c: see fuzz.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz.h"

static char paths[2][64];

static void remove_files(void)
{
	for (int i = 0; i < 2; i++)
		if (paths[i][0])
			unlink(paths[i]);
}

const char *fuzz_file(int slot, const uint8_t *data, size_t n)
{
	if (!paths[slot][0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(paths[slot], sizeof paths[slot], "%s/spikec-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
		int fd = mkstemp(paths[slot]);
		if (fd < 0)
			fuzz_fail(__FILE__, __LINE__, "mkstemp");
		close(fd);
		if (!paths[!slot][0])
			atexit(remove_files);
	}
	int fd = open(paths[slot], O_WRONLY | O_TRUNC);
	if (fd < 0)
		fuzz_fail(__FILE__, __LINE__, "open the temporary file");
	for (size_t done = 0; done < n;) {
		ssize_t w = write(fd, data + done, n - done);
		if (w <= 0)
			fuzz_fail(__FILE__, __LINE__, "write the temporary file");
		done += (size_t)w;
	}
	close(fd);
	return paths[slot];
}

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: contract broken: %s\n", file, line, what);
	abort();
}
