/* fileio.c: see fileio.h. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fileio.h"
#include "mem/mem.h"

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int fileio_write_atomic(const char *path, const void *const *parts, const size_t *sizes, int nparts, char *err,
			size_t errlen)
{
	char tmp[PATH_MAX + 32];
	if (strlen(path) >= PATH_MAX)
		return fail(err, errlen, "cannot write '%.64s...': the path is longer than %d bytes", path, PATH_MAX);
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());

	FILE *f = fopen(tmp, "wb");
	if (!f) {
		fail(err, errlen, "cannot create '%s' (to write '%s'): %s; check that the directory exists and is writable",
			tmp, path, strerror(errno));
		return -1;
	}
	const char *what = NULL;
	for (int i = 0; i < nparts && !what; i++)
		if (sizes[i] && fwrite(parts[i], 1, sizes[i], f) != sizes[i])
			what = "write";
	if (!what && fflush(f) != 0)
		what = "write";
	if (!what && fsync(fileno(f)) != 0)
		what = "fsync";
	int e = errno;
	if (fclose(f) != 0 && !what) {
		what = "close";
		e = errno;
	}
	if (!what && rename(tmp, path) != 0) {
		what = "rename";
		e = errno;
	}
	if (what) {
		remove(tmp);
		fail(err, errlen, "cannot write '%s': %s failed: %s (check free space and permissions)",
			path, what, strerror(e));
	}
	return what ? -1 : 0;
}

long fileio_tmp_pid(const char *name, size_t *target_len)
{
	size_t n = strlen(name), d = n;
	while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9')
		d--;
	if (d == n || n - d > 10 || d <= 5 || strncmp(name + d - 5, ".tmp.", 5) || atol(name + d) > INT_MAX)
		return 0;
	*target_len = d - 5;
	return atol(name + d);
}

int fileio_mkdirs(const char *dir)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", dir);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(tmp, 0777) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(tmp, 0777) && errno != EEXIST ? -1 : 0;
}

int fileio_exe_dir(char *buf, size_t n)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len <= 0)
		return 0;
	exe[len] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash || (size_t)(slash - exe) + 2 > n)
		return 0;
	slash[1] = 0;
	snprintf(buf, n, "%s", exe);
	return 1;
}

void *fileio_plugin_open(const char *env, const char *name, int flags, char *path, size_t pathlen, char *err,
			 size_t errlen)
{
	char place[2][PATH_MAX + 64], dir[PATH_MAX];
	const char *set = getenv(env);
	int n = 1, i = 0;
	if (set && *set) {
		snprintf(place[0], sizeof place[0], "%s", set);
	} else {
		if (!fileio_exe_dir(dir, sizeof dir))
			snprintf(dir, sizeof dir, "./");
		snprintf(place[0], sizeof place[0], "%s%s", dir, name);
		snprintf(place[1], sizeof place[1], "%s../lib/spikec/%s", dir, name);
		n = 2;
	}
	while (i < n && access(place[i], F_OK))
		i++;
	snprintf(path, pathlen, "%s", place[i < n ? i : 0]);
	void *h = i < n ? dlopen(place[i], flags) : NULL;
	if (h)
		return h;
	if (i < n)
		fail(err, errlen, "%s", dlerror());
	else
		fail(err, errlen, "no %s%s%s", place[0], n > 1 ? " nor " : "", n > 1 ? place[1] : "");
	return NULL;
}

char *fileio_read_all(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (!f) {
		fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = mem_malloc((size_t)size + 1)) && fread(buf, 1, (size_t)size, f) == (size_t)size) {
		buf[size] = 0;
		*len = (size_t)size;
	} else {
		fail(err, errlen, "%s: cannot read: %s", path, buf ? strerror(errno) : "out of memory");
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}
