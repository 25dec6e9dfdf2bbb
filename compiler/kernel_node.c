/* kernel_node.c: the kernels that compute one graph node (see kernels.c):
 * a GEMM (two when `W x + U h` accumulates into one buffer), a row sum, an
 * embedding's gather or its gradient's scatter, a loss or its gradient, a
 * concatenation, or a place in a fused MAP loop. */
#include "kernels.h"

static Type row_type(Type t)
{
	t.timed = 0;
	return t;
}

int kl_is_gemm(Op op)
{
	return op == OP_MATMUL || op == OP_MATMUL_T || op == OP_OUTER;
}

static void gemm(KL *L, KList *list, GemmKind kind, int out, int a, int b, int accumulate, const char *comment)
{
	Kernel kn = {.kind = K_GEMM, .gemm = kind, .out = out, .a = a, .b = b, .accumulate = accumulate,
		     .comment = comment};
	if (a < 0 || b < 0)
		SPK_BUG("GEMM operand without a buffer");
	int x = kind == GEMM_XWT ? a : kind == GEMM_OUTER ? b : -1;
	kn.spikes = x >= 0 && L->k->bufs.items[x].type.dtype == DT_SPIKE;
	vec_push(list, kn);
}

static void lower_gemm_node(KL *L, KList *list, int i, int out, int accumulate)
{
	const Node *m = kl_node(L, i);
	int x = L->buf[m->args[1]], w = L->buf[m->args[0]];
	switch ((Op)m->op) {
	case OP_MATMUL: gemm(L, list, GEMM_XWT, out, x, w, accumulate, m->name); break;
	case OP_MATMUL_T: gemm(L, list, GEMM_DW, out, x, w, accumulate, m->name); break;
	case OP_OUTER: gemm(L, list, GEMM_OUTER, out, w, x, accumulate, m->name); break;
	default: SPK_BUG("%s is not a product", ir_ops[m->op].name);
	}
}

void kl_lower_node(KL *L, KList *list, int i, int region)
{
	const Node *n = kl_node(L, i);
	if (!L->needed[i] || !L->mat[i] || L->absorbed[i] || n->region != region)
		return;
	/* In the forward pass a dropout is its operand: what reads it reads the
	 * operand's buffer (a product of dropped-out spikes still adds events). */
	if (L->program == PROG_INFER && n->op == OP_DROPOUT && L->buf[i] < 0 && i != L->g->output &&
	    L->buf[n->args[0]] >= 0) {
		L->buf[i] = L->buf[n->args[0]];
		return;
	}
	int acc = L->grad_of[i] >= 0;
	int out = L->buf[i];
	if (out < 0) {
		if (acc)
			out = kl_shared_buf(L, KB_GRAD, L->grad_of[i],
					 arena_printf(L->k->arena, "d_%s", L->g->params.items[L->grad_of[i]].name),
					 L->g->params.items[L->grad_of[i]].type);
		else if (i == L->g->output)
			out = kl_output_buf(L, n->type);
		else if (i == L->g->loss)
			out = kl_shared_buf(L, KB_LOSS, 0, "loss", ir_scalar());
		else
			out = kl_add_buf(L, KB_ACT, kl_display_name(L, i), kl_display_name(L, i),
				      region == 0 ? n->type : row_type(n->type));
		L->buf[i] = out;
	}
	if (kl_is_gemm(n->op)) {
		lower_gemm_node(L, list, i, out, acc);
		return;
	}
	if (n->op == OP_ADD && L->absorbed[n->args[0]]) {
		lower_gemm_node(L, list, n->args[0], out, acc);
		lower_gemm_node(L, list, n->args[1], out, 1);
		return;
	}
	switch ((Op)n->op) {
	case OP_ZEROS:
		vec_push(list, ((Kernel){.kind = K_ZERO, .out = out}));
		return;
	case OP_SUM_ROWS:
		vec_push(list, ((Kernel){.kind = K_SUM_ROWS, .out = out, .a = L->buf[n->args[0]], .accumulate = acc}));
		return;
	case OP_EMBED:
		vec_push(list, ((Kernel){.kind = K_GATHER, .out = out, .a = L->buf[n->args[1]], .b = L->buf[n->args[0]],
					 .comment = n->name}));
		return;
	case OP_SCATTER:
		vec_push(list, ((Kernel){.kind = K_SCATTER, .out = out, .a = L->buf[n->args[0]], .b = L->buf[n->args[1]],
					 .accumulate = acc}));
		return;
	case OP_CROSS_ENTROPY:
	case OP_MSE:
	case OP_CE_GRAD:
	case OP_MSE_GRAD: {
		int grad = n->op == OP_CE_GRAD || n->op == OP_MSE_GRAD;
		Op loss = n->op == OP_CROSS_ENTROPY || n->op == OP_CE_GRAD ? OP_CROSS_ENTROPY : OP_MSE;
		vec_push(list, ((Kernel){.kind = grad ? K_LOSS_GRAD : K_LOSS, .loss = loss, .out = out,
					 .a = L->buf[n->args[0]], .b = L->buf[n->args[1]]}));
		return;
	}
	case OP_CONCAT: {
		int at = 0, zero = 0;
		for (int k = 0; k < n->nargs; k++)
			zero |= kl_node(L, n->args[k])->op == OP_ZEROS;
		if (zero)
			vec_push(list, ((Kernel){.kind = K_ZERO, .out = out}));
		for (int k = 0; k < n->nargs; k++) {
			const Node *p = kl_node(L, n->args[k]);
			if (p->op != OP_ZEROS)
				kl_map_node(L, list, n->args[k], out, at, 0);
			at += p->type.dim[0];
		}
		return;
	}
	default:
		break;
	}
	if (!kl_is_elem(n))
		SPK_BUG("cannot lower %s to a kernel yet", ir_ops[n->op].name);
	kl_map_node(L, list, i, out, 0, acc);
}
