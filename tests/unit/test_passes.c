/* test_passes.c: the graph passes fold, cse and dce (compiler/fold.c, cse.c,
 * dce.c).
 *
 * Small hand-built graphs pin down each rewrite; models compiled through the
 * real front end check the passes on what lowering really produces. After
 * every pass the graph must still verify; ir_verify aborts on failure, so it
 * runs in a forked child.
 *
 * The models are lowered before main, by a constructor: dsl_lower returns
 * NULL once any error has been reported anywhere in the process (it tests
 * the global diag_error_count), and the DSL suite reports errors on purpose.
 * See the report on dsl/lower.c. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "compiler/passes.h"
#include "dsl/lower.h"
#include "unit.h"
#include "unit_ir.h"

/* ---- helpers ------------------------------------------------------------- */

static int count_op(const Graph *g, Op op)
{
	int n = 0;
	for (int i = 0; i < g->nodes.len; i++)
		n += g->nodes.items[i].op == op;
	return n;
}

static const Node *node(const Graph *g, int i)
{
	return &g->nodes.items[i];
}

/* Operand k of node i. */
static const Node *arg(const Graph *g, int i, int k)
{
	return &g->nodes.items[g->nodes.items[i].args[k]];
}

static int cnst(Graph *g, int region, double v)
{
	int i = ir_add(g, OP_CONST, region, ir_scalar(), NULL, 0, NOLOC);
	g->nodes.items[i].a.f = v;
	return i;
}

static int op2(Graph *g, Op op, int region, Type t, int a, int b)
{
	int args[2] = {a, b};
	return ir_add(g, op, region, t, args, ir_ops[op].arity == 1 ? 1 : 2, NOLOC);
}

static int input(Graph *g, DType dt, int n)
{
	Type t = ir_vec(dt, n, 1, 1);
	vec_push(&g->inputs, ((Input){"x", dt == DT_SPIKE ? IN_SPIKES : IN_ANALOG, t, NOLOC, 0, 0}));
	int i = ir_add(g, OP_INPUT, 0, t, NULL, 0, NOLOC);
	g->nodes.items[i].a.k = g->inputs.len - 1;
	return i;
}

static Type tx(DType dt) { return ir_vec(dt, 3, 1, 1); }

/* ---- models through the front end ---------------------------------------- */

static const char slstm_text[] =
	"model m {\n"
	"    input x[5] spikes over 7 steps\n"
	"    h = slstm(x, 4)\n"
	"    y = dense(last(h), 3)\n"
	"    loss = cross_entropy(y)\n"
	"}\n";

/* Identities, repeated subexpressions, equal and different spikes. */
static const char alg_text[] =
	"model m {\n"
	"  input x[3] analog over 2 steps\n"
	"  a = x * 1 + 0\n"
	"  b = spike(a - 0.2, gaussian(var = 0.3)) * 1\n"
	"  c = (x + x) * (x + x) + b\n"
	"  d = spike(c, gaussian(var = 0.3))\n"
	"  d2 = spike(c, gaussian(var = 0.3))\n"
	"  e = spike(c, atan())\n"
	"  output d + d2 + e + x\n"
	"}\n";

typedef struct {
	const char *text;
	Arena arena;
	Program prog;
	Graph *g;
} Lowered;

enum { SLSTM_FOLD, SLSTM_CSE, SLSTM_PIPE, ALG_FOLD, ALG_CSE, NMODELS };
static Lowered models[NMODELS] = {
	{.text = slstm_text}, {.text = slstm_text}, {.text = slstm_text}, {.text = alg_text}, {.text = alg_text},
};

__attribute__((constructor)) static void lower_models(void)
{
	for (int i = 0; i < NMODELS; i++) {
		Lowered *m = &models[i];
		int pre = diag_add_source("<prelude>", dsl_prelude_text, (long)strlen(dsl_prelude_text));
		int file = diag_add_source("<test>", m->text, (long)strlen(m->text));
		if (!dsl_parse(&m->arena, pre, &m->prog, 1) && !dsl_parse(&m->arena, file, &m->prog, 0))
			m->g = dsl_lower(&m->arena, &m->prog, file);
	}
}

static void release(Lowered *m)
{
	if (m->g)
		ir_free(m->g);
	m->g = NULL;
	vec_free(&m->prog.cells);
	arena_free(&m->arena);
}

/* ---- fold ---------------------------------------------------------------- */

static void test_fold_constants(void)
{
	Arena a = {0};
	Graph *g = ir_new(&a, "t", 2);
	int x = input(g, DT_F32, 3), two = cnst(g, 0, 2), three = cnst(g, 0, 3);
	int s = op2(g, OP_ADD, 0, ir_scalar(), two, three);          /* 5 */
	s = op2(g, OP_SUB, 0, ir_scalar(), s, two);                  /* 3: uses a folded value */
	s = op2(g, OP_DIV, 0, ir_scalar(), s, two);                  /* 1.5 */
	s = op2(g, OP_NEG, 0, ir_scalar(), s, -1);                   /* -1.5 */
	int m = op2(g, OP_MUL, 0, tx(DT_F32), x, s);                  /* not constant: stays */
	int q = op2(g, OP_DIV, 0, ir_scalar(), two, cnst(g, 0, 0));  /* 2 / 0: not folded */
	g->output = op2(g, OP_MUL, 0, tx(DT_F32), m, q);
	CU_ASSERT_EQUAL_FATAL(unit_verify_outcome(g), 'R');
	pass_fold(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	CU_ASSERT_EQUAL(g->nodes.len, 7);
	CU_ASSERT_EQUAL(count_op(g, OP_ADD) + count_op(g, OP_SUB) + count_op(g, OP_NEG), 0);
	int out = g->output;
	CU_ASSERT_EQUAL_FATAL(node(g, out)->op, OP_MUL);
	CU_ASSERT_EQUAL_FATAL(arg(g, out, 0)->op, OP_MUL);
	int inner = node(g, out)->args[0];
	CU_ASSERT_EQUAL(arg(g, inner, 0)->op, OP_INPUT);
	CU_ASSERT_EQUAL_FATAL(arg(g, inner, 1)->op, OP_CONST);
	CU_ASSERT_DOUBLE_EQUAL(arg(g, inner, 1)->a.f, -1.5, 1e-15);
	int div = node(g, out)->args[1];
	CU_ASSERT_EQUAL_FATAL(node(g, div)->op, OP_DIV);
	CU_ASSERT_EQUAL(arg(g, div, 0)->op, OP_CONST);
	CU_ASSERT_EQUAL(arg(g, div, 1)->a.f, 0.0);
	ir_free(g);
	arena_free(&a);
}

/* spike(c) of a constant c is the constant S(c) = c > 0. */
static double fold_spike_of(double v)
{
	Arena a = {0};
	Graph *g = ir_new(&a, "t", 2);
	g->output = op2(g, OP_SPIKE, 0, (Type){DT_SPIKE, 0, 0, 0, {0, 0}}, cnst(g, 0, v), -1);
	pass_fold(g);
	double r = g->nodes.len == 1 && node(g, g->output)->op == OP_CONST ? node(g, g->output)->a.f : NAN;
	ir_free(g);
	arena_free(&a);
	return r;
}

static void test_fold_spike(void)
{
	CU_ASSERT_EQUAL(fold_spike_of(0.5), 1.0);
	CU_ASSERT_EQUAL(fold_spike_of(-0.5), 0.0);
	CU_ASSERT_EQUAL(fold_spike_of(0.0), 0.0);     /* strictly greater */
	CU_ASSERT_EQUAL(fold_spike_of(1e-30), 1.0);
}

/* Folding spike(c) keeps its spike dtype, so a user typed spike because
 * both its operands are spikes (spike(c) * x) still verifies. */
static void test_fold_spike_keeps_user_types(void)
{
	Arena a = {0};
	Graph *g = ir_new(&a, "t", 2);
	int x = input(g, DT_SPIKE, 3);
	/* S(-0.5) = 0; with S = 1 the product would fold away as 1 * x. */
	int s = op2(g, OP_SPIKE, 0, (Type){DT_SPIKE, 0, 0, 0, {0, 0}}, cnst(g, 0, -0.5), -1);
	g->output = op2(g, OP_MUL, 0, tx(DT_SPIKE), s, x);
	CU_ASSERT_EQUAL_FATAL(unit_verify_outcome(g), 'R');
	pass_fold(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	ir_free(g);
	arena_free(&a);
}

static void test_fold_identities(void)
{
	Arena a = {0};
	Graph *g = ir_new(&a, "t", 2);
	int x = input(g, DT_F32, 3), one = cnst(g, 0, 1), zero = cnst(g, 0, 0);
	int v = op2(g, OP_MUL, 0, tx(DT_F32), x, one);     /* x * 1 */
	v = op2(g, OP_ADD, 0, tx(DT_F32), v, zero);        /* x + 0 */
	v = op2(g, OP_MUL, 0, tx(DT_F32), one, v);         /* 1 * x */
	v = op2(g, OP_ADD, 0, tx(DT_F32), zero, v);        /* 0 + x */
	v = op2(g, OP_SUB, 0, tx(DT_F32), v, zero);        /* x - 0 */
	v = op2(g, OP_DIV, 0, tx(DT_F32), v, one);         /* x / 1 */
	v = op2(g, OP_NEG, 0, tx(DT_F32), v, -1);
	v = op2(g, OP_NEG, 0, tx(DT_F32), v, -1);          /* -(-x) */
	v = op2(g, OP_SUB, 0, tx(DT_F32), zero, v);        /* 0 - x: not an identity */
	g->output = op2(g, OP_DIV, 0, tx(DT_F32), one, v); /* 1 / x: neither */
	CU_ASSERT_EQUAL_FATAL(unit_verify_outcome(g), 'R');
	pass_fold(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	CU_ASSERT_EQUAL(g->nodes.len, 5);
	int out = g->output;
	CU_ASSERT_EQUAL_FATAL(node(g, out)->op, OP_DIV);
	CU_ASSERT_EQUAL(arg(g, out, 0)->a.f, 1.0);
	CU_ASSERT_EQUAL_FATAL(arg(g, out, 1)->op, OP_SUB);
	int sub = node(g, out)->args[1];
	CU_ASSERT_EQUAL(arg(g, sub, 0)->op, OP_CONST);
	CU_ASSERT_EQUAL(arg(g, sub, 1)->op, OP_INPUT);
	ir_free(g);
	arena_free(&a);
}

/* An identity applies only when the operand already has the node's type:
 * spike * 1 and spike + 0 are f32 and stay; param + 0 (a scalar 0 added to
 * a vector) is the vector itself. */
static void test_fold_keeps_types(void)
{
	Arena a = {0};
	Graph *g = ir_new(&a, "t", 2);
	vec_push(&g->params, ((Param){"b", "b", "dense", ir_vec(DT_F32, 3, 0, 0), INIT_ZEROS, 3, NOLOC}));
	int x = input(g, DT_SPIKE, 3), one = cnst(g, 0, 1), zero = cnst(g, 0, 0);
	int m = op2(g, OP_MUL, 0, tx(DT_F32), x, one);
	int s = op2(g, OP_ADD, 0, tx(DT_F32), x, zero);
	int b = ir_add(g, OP_PARAM, 0, ir_vec(DT_F32, 3, 0, 0), NULL, 0, NOLOC);
	int bz = op2(g, OP_ADD, 0, ir_vec(DT_F32, 3, 0, 0), b, zero);
	int v = op2(g, OP_ADD, 0, tx(DT_F32), m, s);
	g->output = op2(g, OP_ADD, 0, tx(DT_F32), v, bz);
	CU_ASSERT_EQUAL_FATAL(unit_verify_outcome(g), 'R');
	pass_fold(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	CU_ASSERT_EQUAL(count_op(g, OP_MUL), 1);
	CU_ASSERT_EQUAL(count_op(g, OP_ADD), 3);
	CU_ASSERT_EQUAL(arg(g, g->output, 1)->op, OP_PARAM);
	int sum = node(g, g->output)->args[0];
	CU_ASSERT_EQUAL(arg(g, sum, 0)->op, OP_MUL);
	CU_ASSERT_EQUAL(arg(g, sum, 1)->op, OP_ADD);
	CU_ASSERT_EQUAL(arg(g, sum, 0)->type.dtype, DT_F32);
	ir_free(g);
	arena_free(&a);
}

static void test_fold_front_end(void)
{
	/* The slstm model has nothing to fold: fold changes no node. */
	Graph *g = models[SLSTM_FOLD].g;
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	int before[OP_COUNT], n = g->nodes.len;
	for (int op = 0; op < OP_COUNT; op++)
		before[op] = count_op(g, (Op)op);
	pass_fold(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	CU_ASSERT_EQUAL(g->nodes.len, n);
	for (int op = 0; op < OP_COUNT; op++)
		CU_ASSERT_EQUAL(count_op(g, (Op)op), before[op]);
	release(&models[SLSTM_FOLD]);

	/* x * 1 + 0 disappears; spike(...) * 1 stays (spike times f32 is f32). */
	g = models[ALG_FOLD].g;
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(count_op(g, OP_MUL), 3);
	CU_ASSERT_EQUAL(count_op(g, OP_ADD), 7);
	CU_ASSERT_EQUAL(count_op(g, OP_CONST), 4);
	pass_fold(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	CU_ASSERT_EQUAL(count_op(g, OP_MUL), 2);
	CU_ASSERT_EQUAL(count_op(g, OP_ADD), 6);
	CU_ASSERT_EQUAL(count_op(g, OP_CONST), 2);
	CU_ASSERT_EQUAL(count_op(g, OP_SPIKE), 4);
	for (int i = 0; i < g->nodes.len; i++)
		if (node(g, i)->op == OP_SUB)  /* a - 0.2 now reads the step itself */
			CU_ASSERT_EQUAL(arg(g, i, 0)->op, OP_STEP);
	release(&models[ALG_FOLD]);
}

/* ---- cse ----------------------------------------------------------------- */

static void test_cse_front_end(void)
{
	/* slstm: five copies of the threshold 0.1 become one; the three zero
	 * initial states, the two carries, the step and the scan all stay. */
	Graph *g = models[SLSTM_CSE].g;
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	int n = g->nodes.len;
	CU_ASSERT_EQUAL(count_op(g, OP_CONST), 5);
	CU_ASSERT_EQUAL(count_op(g, OP_ZEROS), 3);
	CU_ASSERT_EQUAL(count_op(g, OP_CARRY), 2);
	pass_cse(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	CU_ASSERT_EQUAL(g->nodes.len, n - 4);
	CU_ASSERT_EQUAL(count_op(g, OP_CONST), 1);
	CU_ASSERT_EQUAL(count_op(g, OP_ZEROS), 3);
	CU_ASSERT_EQUAL(count_op(g, OP_CARRY), 2);
	CU_ASSERT_EQUAL(count_op(g, OP_STEP), 1);
	CU_ASSERT_EQUAL(count_op(g, OP_SCAN), 1);
	CU_ASSERT_EQUAL(count_op(g, OP_SPIKE), 5);
	CU_ASSERT_EQUAL(count_op(g, OP_MATMUL), 3);
	release(&models[SLSTM_CSE]);

	/* (x + x) * (x + x): one add, squared; equal spikes merge, a spike
	 * with another surrogate does not. */
	g = models[ALG_CSE].g;
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(count_op(g, OP_SPIKE), 4);
	pass_cse(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	CU_ASSERT_EQUAL(count_op(g, OP_SPIKE), 3);
	CU_ASSERT_EQUAL(count_op(g, OP_CONST), 3);  /* 1 (twice) merge; 0 and 0.2 stay */
	CU_ASSERT_EQUAL(count_op(g, OP_ADD), 6);
	int squares = 0;
	for (int i = 0; i < g->nodes.len; i++)
		if (node(g, i)->op == OP_MUL && node(g, i)->args[0] == node(g, i)->args[1]) {
			squares++;
			CU_ASSERT_EQUAL(arg(g, i, 0)->op, OP_ADD);
		}
	CU_ASSERT_EQUAL(squares, 1);
	release(&models[ALG_CSE]);
}

/* Two scans over the same input from the same initial state, a body with
 * two reads of the same step, and two equal zeros: loop structure is never
 * merged, whatever it looks like. */
static void test_cse_keeps_loop_structure(void)
{
	Arena a = {0};
	Graph *g = ir_new(&a, "t", 2);
	Type h = ir_vec(DT_F32, 3, 1, 0);
	int x = input(g, DT_F32, 3);
	int z1 = ir_add(g, OP_ZEROS, 0, h, NULL, 0, NOLOC), z2 = ir_add(g, OP_ZEROS, 0, h, NULL, 0, NOLOC);
	int fin[2];
	for (int s = 0; s < 2; s++) {
		int body = ir_new_region(g, 0);
		int st = ir_add(g, OP_STEP, body, h, NULL, 0, NOLOC);
		int v = st;
		if (s == 0)  /* a second read of step 0 in the first body */
			v = op2(g, OP_ADD, body, h, st, ir_add(g, OP_STEP, body, h, NULL, 0, NOLOC));
		int c = ir_add(g, OP_CARRY, body, h, NULL, 0, NOLOC);
		int next = op2(g, OP_ADD, body, h, v, c);
		ir_add(g, OP_YIELD, body, ir_scalar(), &next, 1, NOLOC);
		int scan = op2(g, OP_SCAN, 0, ir_scalar(), x, z1);
		g->nodes.items[scan].a.scan.body = body;
		g->nodes.items[scan].a.scan.nseq = 1;
		g->nodes.items[scan].a.scan.ncarry = 1;
		g->regions.items[body].scan = scan;
		fin[s] = ir_add(g, OP_SCAN_OUT, 0, h, &scan, 1, NOLOC);
	}
	int sum = op2(g, OP_ADD, 0, h, fin[0], fin[1]);
	g->output = op2(g, OP_ADD, 0, h, sum, z2);
	CU_ASSERT_EQUAL_FATAL(unit_verify_outcome(g), 'R');
	pass_cse(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	CU_ASSERT_EQUAL(count_op(g, OP_SCAN), 2);
	CU_ASSERT_EQUAL(count_op(g, OP_SCAN_OUT), 2);
	CU_ASSERT_EQUAL(count_op(g, OP_ZEROS), 2);
	CU_ASSERT_EQUAL(count_op(g, OP_STEP), 3);
	CU_ASSERT_EQUAL(count_op(g, OP_CARRY), 2);
	CU_ASSERT_EQUAL(count_op(g, OP_YIELD), 2);
	ir_free(g);
	arena_free(&a);
}

/* ---- dce ----------------------------------------------------------------- */

static void test_dce(void)
{
	Arena a = {0};
	Graph *g = ir_new(&a, "t", 2);
	vec_push(&g->inputs, ((Input){"targets", IN_TARGET, tx(DT_F32), NOLOC, 0, 0}));
	int x = input(g, DT_F32, 3);
	cnst(g, 0, 3);                                              /* dead */
	int dead = op2(g, OP_ADD, 0, tx(DT_F32), x, x);             /* dead */
	int live = op2(g, OP_MUL, 0, tx(DT_F32), x, x);
	op2(g, OP_NEG, 0, tx(DT_F32), dead, -1);                    /* dead, uses dead */
	int lab = ir_add(g, OP_LABELS, 0, tx(DT_F32), NULL, 0, NOLOC);
	int loss = op2(g, OP_MSE, 0, ir_scalar(), op2(g, OP_TANH, 0, tx(DT_F32), live, -1), lab);
	g->output = live;
	g->loss = loss;
	CU_ASSERT_EQUAL_FATAL(unit_verify_outcome(g), 'R');
	CU_ASSERT_EQUAL(g->nodes.len, 8);
	pass_dce(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	/* input, mul, tanh and labels (kept for the loss), mse */
	CU_ASSERT_EQUAL(g->nodes.len, 5);
	CU_ASSERT_EQUAL(count_op(g, OP_ADD) + count_op(g, OP_NEG) + count_op(g, OP_CONST), 0);
	CU_ASSERT_EQUAL(node(g, g->output)->op, OP_MUL);
	CU_ASSERT_EQUAL(node(g, g->loss)->op, OP_MSE);
	CU_ASSERT_EQUAL(count_op(g, OP_TANH), 1);
	ir_free(g);
	arena_free(&a);
}

/* The pipeline's order on the slstm model: each pass leaves a valid graph,
 * and dce after fold and cse has nothing left to remove. */
static void test_pipeline_order(void)
{
	Graph *g = models[SLSTM_PIPE].g;
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	pass_fold(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	pass_cse(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	int n = g->nodes.len;
	Op ops[256];
	CU_ASSERT_FATAL(n <= 256);
	for (int i = 0; i < n; i++)
		ops[i] = (Op)node(g, i)->op;
	pass_dce(g);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	CU_ASSERT_EQUAL(g->nodes.len, n);
	for (int i = 0; i < n && i < g->nodes.len; i++)
		CU_ASSERT_EQUAL(node(g, i)->op, ops[i]);
	CU_ASSERT(g->loss >= 0 && node(g, g->loss)->op == OP_CROSS_ENTROPY);
	release(&models[SLSTM_PIPE]);
}

UNIT_SUITE(passes, "compiler/passes",
	UNIT_TEST(test_fold_constants), UNIT_TEST(test_fold_spike),
	UNIT_TEST(test_fold_spike_keeps_user_types), UNIT_TEST(test_fold_identities),
	UNIT_TEST(test_fold_keeps_types), UNIT_TEST(test_fold_front_end), UNIT_TEST(test_cse_front_end),
	UNIT_TEST(test_cse_keeps_loop_structure), UNIT_TEST(test_dce), UNIT_TEST(test_pipeline_order))
