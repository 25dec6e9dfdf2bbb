/* ops.h: the op table. Each op is declared once here; the Op enum, the IR
 * printer and parser, the verifier and (later) the derivative rules are all
 * generated from it.
 *
 * OP(ID, spelling, arity, flags): arity -1 means variadic.
 *   F_LEAF  no operands; value comes from an attribute or from outside
 *   F_ELEM  elementwise over [B, n] with scalar and unbatched-vector
 *           broadcasting; the fuse pass may merge chains of these
 *   F_SMOOTH has an exact derivative (finite-difference checkable) */
#ifndef OP
#error "define OP(id, spelling, arity, flags) before including ops.h"
#endif

/*  id              spelling          arity  flags */
OP(CONST,           "const",          0,     F_LEAF)   /* f: the scalar value */
OP(PARAM,           "param",          0,     F_LEAF)   /* k: index in Graph.params */
OP(INPUT,           "input",          0,     F_LEAF)   /* k: index in Graph.inputs; timed */
OP(LABELS,          "labels",         0,     F_LEAF)   /* the loss target; k: index in Graph.inputs */
OP(ZEROS,           "zeros",          0,     F_LEAF)   /* an all-zero value of the node's type */
OP(CARRY,           "carry",          0,     F_LEAF)   /* scan body: carry k before this step */
OP(STEP,            "step",           0,     F_LEAF)   /* scan body: step t of sequence operand k */
OP(MATMUL,          "matmul",         2,     F_SMOOTH) /* W[M,K] x[B,K] -> [B,M] */
OP(ADD,             "add",            2,     F_ELEM | F_SMOOTH)
OP(SUB,             "sub",            2,     F_ELEM | F_SMOOTH)
OP(MUL,             "mul",            2,     F_ELEM | F_SMOOTH)
OP(DIV,             "div",            2,     F_ELEM | F_SMOOTH)
OP(NEG,             "neg",            1,     F_ELEM | F_SMOOTH)
OP(SPIKE,           "spike",          1,     F_ELEM)   /* Heaviside; sur: its surrogate */
OP(SIGMOID,         "sigmoid",        1,     F_ELEM | F_SMOOTH)
OP(TANH,            "tanh",           1,     F_ELEM | F_SMOOTH)
OP(SLICE,           "slice",          1,     F_SMOOTH) /* features [off, off+len) */
OP(SCAN,            "scan",           -1,    0)        /* the time loop; see ir.h */
OP(YIELD,           "yield",          -1,    0)        /* scan body result */
OP(SCAN_OUT,        "scan_out",       1,     0)        /* k: final carry k, or stacked output k-ncarry */
OP(CROSS_ENTROPY,   "cross_entropy",  2,     F_SMOOTH) /* softmax + NLL, mean over batch (and steps) */
OP(MSE,             "mse",            2,     F_SMOOTH) /* mean squared error, mean over all elements */
