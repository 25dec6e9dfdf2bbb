/* optim.c: see optim.h. */
#include <string.h>
#include "optim.h"

const char *const train_optimizer_names[OPTIM_COUNT] = {"adam", "sgd"};

void optim_default(TrainOptim *o, TrainOptimizer kind)
{
	memset(o, 0, sizeof *o);
	o->kind = kind;
	if (kind == OPTIM_SGD) {
		o->lr = 0.01;
		return;
	}
	o->lr = 1e-3;
	o->beta1 = 0.9;
	o->beta2 = 0.999;
	o->eps = 1e-8;
}
