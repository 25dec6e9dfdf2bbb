/* replay.c: runs saved inputs through a fuzz target without libFuzzer.
 *
 *   build/fuzz-replay/TARGET FILE...
 *
 * calls the target's LLVMFuzzerTestOneInput once per file (the seeds and the
 * crashers of tests/fuzz/corpus/TARGET, in `make check`), printing nothing;
 * a broken contract or a crash ends the run with a signal. Exit status 2
 * when a file cannot be read. */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz.h"

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 2;
		}
		size_t cap = 1 << 16, n = 0, got;
		uint8_t *buf = malloc(cap);
		while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
			n += got;
			if (n == cap)
				buf = realloc(buf, cap *= 2);
		}
		fclose(f);
		if (!buf) {
			fprintf(stderr, "replay: out of memory reading %s\n", argv[i]);
			return 2;
		}
		LLVMFuzzerTestOneInput(buf, n);
		free(buf);
	}
	return 0;
}
