/* fashion.c: Fashion-MNIST, the Debian package dataset-fashion-mnist's
 * 60,000 / 10,000 IDX files (read by idx.c), in file order. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "data.h"

#define FASHION_DIR     "/usr/share/datasets/fashion-mnist"
#define DIGITS          10

/* dir/name.gz, or dir/name if only the uncompressed file exists. */
static int idx_path(const char *dir, const char *name, char *path, size_t n)
{
	char gz[64];

	snprintf(gz, sizeof gz, "%s.gz", name);
	if (data_join(path, n, dir, gz) && access(path, R_OK) == 0)
		return 1;
	return data_join(path, n, dir, name) && access(path, R_OK) == 0;
}

static int load(const TrainData *cfg, const char *dir, DataSplit *out, char *err, size_t errlen)
{
	static const char *const names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
					     "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
	char path[4][PATH_MAX + 64], root[PATH_MAX], hint[PATH_MAX + 64] = "";
	const char *env = getenv("SPIKEC_FASHION_MNIST_DIR");
	Dataset *set[2] = {&out->train, &out->test};

	(void)cfg;
	if (!dir)
		dir = env && env[0] ? env : FASHION_DIR;
	for (int i = 0; i < 4; i++)
		if (!idx_path(dir, names[i], path[i], sizeof path[i])) {
			if (data_repo_root(root, sizeof root))
				snprintf(hint, sizeof hint, " (or: sh %s/scripts/deps.sh --check-demo)", root);
			snprintf(err, errlen, "Fashion-MNIST is not installed: no %s/%s.gz; install the Debian "
				 "package with: %sapt-get install dataset-fashion-mnist%s, or set "
				 "SPIKEC_FASHION_MNIST_DIR to a folder holding the four IDX files", dir, names[i],
				 geteuid() == 0 ? "" : "sudo ", hint);
			return -1;
		}
	for (int s = 0; s < 2; s++) {
		if (idx_load(path[2 * s], path[2 * s + 1], DIGITS, 28, set[s], err, errlen))
			return -1;
	}
	return 0;
}

const DataSource data_fashion_mnist = {DATA_FASHION_MNIST, load};
