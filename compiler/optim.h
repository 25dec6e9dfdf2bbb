/* optim.h: the parameter update that a model's `step` entry point applies
 * (torch.optim.Adam or torch.optim.SGD), as the train block gives it. The
 * backends emit it; the train block checker (dsl/train_block.c) fills it. */
#ifndef SPIKEC_OPTIM_H
#define SPIKEC_OPTIM_H

typedef enum {
	OPTIM_ADAM,             /* torch.optim.Adam (weight decay as an L2 term in the gradient) */
	OPTIM_SGD,              /* torch.optim.SGD with optional momentum */
	OPTIM_COUNT
} TrainOptimizer;

typedef struct {
	TrainOptimizer kind;
	double lr;              /* > 0; adam 1e-3, sgd 0.01 */
	double beta1, beta2;    /* adam, in [0, 1): 0.9, 0.999 */
	double eps;             /* adam, > 0: 1e-8 */
	double momentum;        /* sgd, in [0, 1): 0 */
	double weight_decay;    /* >= 0: 0 */
} TrainOptim;

/* Spellings, indexed by TrainOptimizer (as written in a model file). */
extern const char *const train_optimizer_names[OPTIM_COUNT];

/* *o = the optimizer `kind` with every setting at its default (padding
 * zeroed, so that configurations compare with memcmp). */
void optim_default(TrainOptim *o, TrainOptimizer kind);

#endif
