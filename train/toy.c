/* toy.c: the paper's toy task: one analog signal over T steps, the same
 * for training and evaluation; every batch row is an independent spike
 * encoding of it, and evaluation also reports the RMSE over x >= 0.5. */
#include <math.h>
#include <stdio.h>
#include "data.h"

float data_toy_signal(int t, int steps)
{
	double x = steps > 1 ? 4.5 * t / (steps - 1) : 0.0;

	return (float)(0.5 + 0.25 * sin(2 * x) + 0.25 * sin(6 * x));
}

static int load(const TrainData *cfg, const char *dir, DataSplit *out, char *err, size_t errlen)
{
	int steps = cfg->steps;
	(void)dir;
	Dataset *set[2] = {&out->train, &out->test};

	if (steps < 1) {
		snprintf(err, errlen, "toy_signal: %d steps; the signal needs at least 1", steps);
		return -1;
	}
	for (int s = 0; s < 2; s++) {
		if (data_alloc(set[s], 1, steps, 0)) {
			snprintf(err, errlen, "toy_signal: out of memory for %d steps", steps);
			return -1;
		}
		for (int t = 0; t < steps; t++)
			set[s]->values[t] = data_toy_signal(t, steps);
		set[s]->one_sample = 1;
		set[s]->warm_rmse = 1;
		set[s]->warm_what = "x >= 0.5";
		set[s]->warm_key = "test_rmse_x_ge_0.5";
		/* the first step with x = 4.5 t / (steps - 1) >= 0.5 */
		while (set[s]->warm_from < steps && 4.5 * set[s]->warm_from / (steps - 1) < 0.5)
			set[s]->warm_from++;
	}
	return 0;
}

const DataSource data_toy_signal_source = {DATA_TOY_SIGNAL, load};
