/* fileio.h: reading whole files, and writing them so that a crash never
 * leaves a half-written one. */
#ifndef SPIKEC_FILEIO_H
#define SPIKEC_FILEIO_H

#include <stddef.h>

/* Writes the concatenation of parts to path through path.tmp.<pid>, fsync
 * and rename, so path holds either its old content or all of the new.
 * Returns 0, or -1 with a message in err saying what failed and what to
 * check. Allocates nothing, so a caller that writes several files and makes
 * them all first never stops (out of memory) between two of them. */
int fileio_write_atomic(const char *path, const void *const *parts, const size_t *sizes, int nparts, char *err,
			size_t errlen);

/* If name is a temporary of fileio_write_atomic (TARGET.tmp.PID, PID a
 * positive int), that PID, with the length of TARGET in *target_len;
 * otherwise 0. */
long fileio_tmp_pid(const char *name, size_t *target_len);

/* Reads the whole of path into a malloc'd, NUL-terminated buffer and sets
 * *len; NULL with "PATH: cannot open/read: reason" in err. */
char *fileio_read_all(const char *path, size_t *len, char *err, size_t errlen);

/* mkdir -p: creates dir and its missing parents. 0, or -1 with errno set. */
int fileio_mkdirs(const char *dir);

/* The folder of the running executable, with a trailing '/' (the build
 * tree's bin/, or PREFIX/bin/); 0 when it cannot be told or does not fit. */
int fileio_exe_dir(char *buf, size_t n);

/* Opens a plugin of bin/spikec (spikec-llvm.so, spikec-mpi.so) with
 * dlopen's `flags`, from the first place that exists of: $env when set and
 * not empty (then the only one); `name` next to the running executable
 * (the build tree's bin/); ../lib/spikec/name from it (an installed
 * PREFIX/bin/spikec with PREFIX/lib/spikec/, see `make install`). Sets path
 * to the place opened, or tried. NULL with why in err: dlerror's message,
 * or "no A nor B". */
void *fileio_plugin_open(const char *env, const char *name, int flags, char *path, size_t pathlen, char *err,
			 size_t errlen);

#endif
