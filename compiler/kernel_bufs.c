/* kernel_bufs.c: the buffers of kernel lowering (see kernels.c): a new
 * one per value that needs its own, one shared buffer per parameter, input,
 * gradient and output, each with a C identifier unique where it is seen. */
#include "kernels.h"

int kl_add_buf(KL *L, KBufClass cls, const char *name, const char *what, Type t)
{
	Kir *k = L->k;
	int program = cls == KB_STATE || cls == KB_ACT ? L->program : -1;
	/* Shared buffers must be unique against every program's names. */
	const char *id = kl_ident(k->arena, name, &k->names[program < 0 ? PROG_INFER : program], NULL);
	while (program < 0 && strmap_get(&k->names[PROG_TRAIN], id))
		id = kl_ident(k->arena, arena_printf(k->arena, "%s_", id), &k->names[PROG_TRAIN], NULL);
	KBuf b = {id, what, cls, program, t, 0, -1, 0, KE_F32};
	vec_push(&k->bufs, b);
	kir_count_name(k, k->bufs.len - 1, 1);
	return k->bufs.len - 1;
}

/* Slots of kl_shared_table per buffer class: one per parameter or input
 * index (0 for the output and the loss). */
static int shared_stride(const Graph *g)
{
	return g->params.len + g->inputs.len + 1;
}

int *kl_shared_table(const Graph *g)
{
	int n = (KB_ACT + 1) * shared_stride(g), *table = xmalloc(sizeof(int) * (size_t)n);
	for (int i = 0; i < n; i++)
		table[i] = -1;
	return table;
}

/* The shared buffer of class cls for parameter or input `index`. */
int kl_shared_buf(KL *L, KBufClass cls, int index, const char *name, Type t)
{
	int *slot = &L->shared[(int)cls * shared_stride(L->g) + index];
	if (*slot < 0) {
		*slot = kl_add_buf(L, cls, name, name, t);
		L->k->bufs.items[*slot].index = index;
	}
	return *slot;
}

/* The model's output: the caller's array in inference; scratch in training,
 * where the backward pass reads it and the caller may not want it. */
int kl_output_buf(KL *L, Type t)
{
	if (L->program == PROG_INFER)
		return kl_shared_buf(L, KB_OUTPUT, 0, "output", t);
	if (L->k->train_output < 0)
		L->k->train_output = kl_add_buf(L, KB_ACT, "y", "the model's output", t);
	return L->k->train_output;
}

/* A node's name, or the name of the first named node it feeds. */
const char *kl_display_name(KL *L, int i)
{
	if (kl_node(L, i)->name)
		return kl_node(L, i)->name;
	for (int j = i + 1; j < L->g->nodes.len; j++)
		for (int k = 0; k < kl_node(L, j)->nargs; k++)
			if (kl_node(L, j)->args[k] == i && kl_node(L, j)->op != OP_YIELD)
				return kl_display_name(L, j);
	return ir_ops[kl_node(L, i)->op].name;
}
