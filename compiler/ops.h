/* ops.h: the op table. Each op is declared once here; the Op enum, the IR
 * printer, the verifier and the derivative rules (compiler/autodiff.c) are
 * all generated from it.
 *
 * OP(ID, spelling, arity, flags, rule): arity -1 means variadic; `rule` is
 * the op's derivative rule in autodiff.c (grad_none: not differentiated,
 * an internal error if a gradient ever has to flow through it).
 *   F_LEAF   no operands; value comes from an attribute or from outside
 *   F_ELEM   elementwise over [B, n] with scalar and unbatched-vector
 *            broadcasting; kernel lowering fuses chains of these
 *   F_SMOOTH has an exact derivative (finite-difference checkable) */
#ifndef OP
#error "define OP(id, spelling, arity, flags, rule) before including ops.h"
#endif

/*  id              spelling          arity  flags              rule */
OP(CONST,           "const",          0,     F_LEAF,            grad_leaf)  /* f: the scalar value */
OP(PARAM,           "param",          0,     F_LEAF,            grad_leaf)  /* k: index in Graph.params */
OP(INPUT,           "input",          0,     F_LEAF,            grad_leaf)  /* k: index in Graph.inputs; timed */
OP(LABELS,          "labels",         0,     F_LEAF,            grad_leaf)  /* the loss target; k: index in Graph.inputs */
OP(ZEROS,           "zeros",          0,     F_LEAF,            grad_leaf)  /* an all-zero value of the node's type */
OP(CARRY,           "carry",          0,     F_LEAF,            grad_leaf)  /* scan body: carry k before this step */
OP(STEP,            "step",           0,     F_LEAF,            grad_leaf)  /* scan body: step t of sequence operand k */
OP(MATMUL,          "matmul",         2,     F_SMOOTH,          grad_matmul) /* W[M,K] x[B,K] -> x W^T [B,M] */
OP(ADD,             "add",            2,     F_ELEM | F_SMOOTH, grad_add)
OP(SUB,             "sub",            2,     F_ELEM | F_SMOOTH, grad_sub)
OP(MUL,             "mul",            2,     F_ELEM | F_SMOOTH, grad_mul)
OP(DIV,             "div",            2,     F_ELEM | F_SMOOTH, grad_div)
OP(NEG,             "neg",            1,     F_ELEM | F_SMOOTH, grad_neg)
OP(SPIKE,           "spike",          1,     F_ELEM,            grad_spike) /* Heaviside; sur: its surrogate */
OP(SIGMOID,         "sigmoid",        1,     F_ELEM | F_SMOOTH, grad_sigmoid)
OP(TANH,            "tanh",           1,     F_ELEM | F_SMOOTH, grad_tanh)
OP(SLICE,           "slice",          1,     F_SMOOTH,          grad_slice) /* features [off, off+len) */
OP(DROPOUT,         "dropout",        1,     F_ELEM | F_SMOOTH, grad_dropout) /* drop: x times its mask (train), x (infer) */
OP(EMBED,           "embed",          2,     0,                 grad_embed) /* E[V,n] ids[B,1] -> row id of E [B,n] */
OP(SCAN,            "scan",           -1,    0,                 grad_none)  /* the time loop; see ir.h */
OP(YIELD,           "yield",          -1,    0,                 grad_none)  /* scan body result */
OP(SCAN_OUT,        "scan_out",       1,     0,                 grad_none)  /* k: final carry k, or stacked output k-ncarry */
OP(CROSS_ENTROPY,   "cross_entropy",  2,     F_SMOOTH,          grad_cross_entropy) /* softmax + NLL, mean over batch (and steps) */
OP(MSE,             "mse",            2,     F_SMOOTH,          grad_mse)   /* mean squared error, mean over all elements */
/* Ops that only derivatives create. */
OP(SURROGATE,       "surrogate",      1,     F_ELEM,            grad_none)  /* psi(v) of sur */
OP(MATMUL_T,        "matmul_t",       2,     0,                 grad_none)  /* W[M,K] d[B,M] -> d W [B,K] */
OP(OUTER,           "outer",          2,     0,                 grad_none)  /* d[..,M] x[..,K] -> sum over rows of d^T x [M,K] */
OP(SCATTER,         "scatter",        2,     0,                 grad_none)  /* d[..,n] ids[..,1] -> row r of d added to row id_r [V,n] */
OP(SUM_ROWS,        "sum_rows",       1,     0,                 grad_none)  /* d[..,n] -> sum over batch (and steps) [n] */
OP(CONCAT,          "concat",         -1,    0,                 grad_none)  /* parts laid side by side */
OP(CE_GRAD,         "ce_grad",        2,     0,                 grad_none)  /* d cross_entropy / d logits */
OP(MSE_GRAD,        "mse_grad",       2,     0,                 grad_none)  /* d mse / d prediction */
/* Only the quantized kernel IR (kir_quant.c) has this one. */
OP(DEQUANT,         "dequant",        2,     F_ELEM,            grad_none)  /* int32 a times float scale b */
