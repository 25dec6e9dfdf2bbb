/* data.c: the data sets a train block can name, and loading one. Each data
 * set is a DataSource in a file of its own; nothing else names them. */
#include <stdio.h>
#include <string.h>
#include "data.h"

static const DataSource *const sources[] = {&data_mnist, &data_fashion_mnist, &data_toy_signal_source, &data_fsdd,
					    &data_text, &data_npy};

int data_load_from(const TrainData *cfg, const char *dir, DataSplit *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < sizeof sources / sizeof *sources; i++) {
		if (sources[i]->dataset != cfg->dataset)
			continue;
		int rc = sources[i]->load(cfg, dir, out, err, errlen);
		if (rc)
			data_free(out);
		return rc;
	}
	snprintf(err, errlen, "unknown data set %d", (int)cfg->dataset);
	return -1;
}

int data_load(const TrainData *cfg, DataSplit *out, char *err, size_t errlen)
{
	return data_load_from(cfg, NULL, out, err, errlen);
}
