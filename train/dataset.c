/* dataset.c: what every data set's loader shares: where the repository is,
 * paths, the allocation of a half and its release. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "data.h"
#include "io/fileio.h"
#include "mem/mem.h"

int data_repo_root(char *buf, size_t n)
{
	char dir[PATH_MAX], probe[PATH_MAX + 32];
	if (!fileio_exe_dir(dir, sizeof dir))
		return 0;
	dir[strlen(dir) - 1] = 0;               /* the executable's folder, bin/, stripped */
	char *slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	*slash = 0;
	snprintf(probe, sizeof probe, "%s/scripts/deps.sh", dir[0] ? dir : "/");
	if (access(probe, R_OK) != 0 || strlen(dir) + 1 > n)
		return 0;
	snprintf(buf, n, "%s", dir);
	return 1;
}

/* path = dir/file; 0 if it does not fit. */
int data_join(char *path, size_t n, const char *dir, const char *file)
{
	int k = snprintf(path, n, "%s/%s", dir, file);

	return k >= 0 && (size_t)k < n;
}

int data_readable(const char *dir, const char *file)
{
	char path[PATH_MAX + 64];

	return data_join(path, sizeof path, dir, file) && access(path, R_OK) == 0;
}

int data_alloc(Dataset *d, int count, int features, int classes)
{
	d->count = count;
	d->features = features;
	d->classes = classes;
	d->values = mem_malloc(((size_t)count * features + 1) * sizeof *d->values);
	d->labels = classes ? mem_malloc(((size_t)count + 1) * sizeof *d->labels) : NULL;
	return d->values && (d->labels || !classes) ? 0 : -1;
}

void data_free(DataSplit *d)
{
	free(d->train.values);
	free(d->train.labels);
	free(d->test.values);
	free(d->test.labels);
	free(d->train.tokens);
	free(d->test.tokens);
	free(d->train.targets);
	free(d->test.targets);
	npy_unmap(&d->maps[0]);
	npy_unmap(&d->maps[1]);
	memset(d, 0, sizeof *d);
}
