/* test_ir.c: the graph IR core (compiler/ir.c, schedule.c, verify.c).
 *
 * The typing rules shared by the lowerer and the verifier; the spelling of
 * types; the scheduler on a hand-built graph in scrambled order with dead
 * nodes and a scan; and the verifier, which must accept valid graphs and
 * abort (util_bug) on each broken invariant of ir.h. Rejection is observed
 * in a forked child, so one failing check cannot take the runner down. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "compiler/ir.h"
#include "unit.h"
#include "unit_ir.h"

/* ---- typing rules -------------------------------------------------------- */

static Type vec(DType dt, int n, int batched, int timed)
{
	return ir_vec(dt, n, batched, timed);
}

/* ir_elem_type's result, or a type with rank 9 when it rejects. */
static Type elem(Op op, Type a, Type b)
{
	Type t;
	if (!ir_elem_type(op, a, b, &t))
		t.rank = 9;
	return t;
}

static int rejected(Type t)
{
	return t.rank == 9;
}

static void test_elem_broadcasting(void)
{
	Type s = ir_scalar(), v = vec(DT_F32, 4, 1, 0), u = vec(DT_F32, 4, 0, 0);
	Type tv = vec(DT_F32, 4, 1, 1);
	/* A scalar broadcasts against anything, on either side. */
	CU_ASSERT(ir_type_eq(elem(OP_MUL, s, v), v));
	CU_ASSERT(ir_type_eq(elem(OP_SUB, v, s), v));
	CU_ASSERT(ir_type_eq(elem(OP_ADD, s, tv), tv));
	CU_ASSERT(ir_type_eq(elem(OP_ADD, s, s), s));
	/* An unbatched vector against a batched one of the same length. */
	CU_ASSERT(ir_type_eq(elem(OP_ADD, u, v), v));
	CU_ASSERT(ir_type_eq(elem(OP_DIV, v, u), v));
	CU_ASSERT(ir_type_eq(elem(OP_ADD, u, u), u));
	CU_ASSERT(ir_type_eq(elem(OP_MUL, tv, u), tv));
	/* Lengths must agree; time must agree between batched operands. */
	CU_ASSERT(rejected(elem(OP_ADD, v, vec(DT_F32, 5, 1, 0))));
	CU_ASSERT(rejected(elem(OP_ADD, u, vec(DT_F32, 5, 1, 0))));
	CU_ASSERT(rejected(elem(OP_MUL, tv, v)));
	/* Matrices never take part in elementwise ops, not even unary ones. */
	CU_ASSERT(rejected(elem(OP_ADD, ir_mat(4, 3), ir_mat(4, 3))));
	CU_ASSERT(rejected(elem(OP_MUL, ir_mat(4, 3), s)));
	CU_ASSERT(rejected(elem(OP_MUL, s, ir_mat(4, 3))));
	CU_ASSERT(rejected(elem(OP_TANH, ir_mat(4, 3), s)));
	/* i32 (class labels) is not arithmetic. */
	Type lab = vec(DT_I32, 4, 1, 0);
	CU_ASSERT(rejected(elem(OP_ADD, lab, v)));
	CU_ASSERT(rejected(elem(OP_ADD, v, lab)));
	CU_ASSERT(rejected(elem(OP_NEG, lab, lab)));
	CU_ASSERT(rejected(elem(OP_SPIKE, lab, lab)));
}

static void test_elem_dtypes(void)
{
	Type sp = vec(DT_SPIKE, 4, 1, 0), f = vec(DT_F32, 4, 1, 0), s = ir_scalar();
	Type spu = vec(DT_SPIKE, 4, 0, 0);
	CU_ASSERT_EQUAL(elem(OP_MUL, sp, sp).dtype, DT_SPIKE);   /* AND of spikes */
	CU_ASSERT_EQUAL(elem(OP_MUL, spu, sp).dtype, DT_SPIKE);
	CU_ASSERT_EQUAL(elem(OP_ADD, sp, sp).dtype, DT_F32);     /* 0, 1 or 2 */
	CU_ASSERT_EQUAL(elem(OP_SUB, sp, sp).dtype, DT_F32);
	CU_ASSERT_EQUAL(elem(OP_MUL, sp, f).dtype, DT_F32);
	CU_ASSERT_EQUAL(elem(OP_MUL, s, sp).dtype, DT_F32);      /* a constant is f32 */
	CU_ASSERT_EQUAL(elem(OP_NEG, sp, sp).dtype, DT_F32);
	CU_ASSERT_EQUAL(elem(OP_SIGMOID, sp, sp).dtype, DT_F32);
	/* spike() gives spike, whatever it thresholds, and keeps the shape. */
	Type t = elem(OP_SPIKE, f, f);
	CU_ASSERT_EQUAL(t.dtype, DT_SPIKE);
	CU_ASSERT(t.rank == 1 && t.dim[0] == 4 && t.batched && !t.timed);
	CU_ASSERT_EQUAL(elem(OP_SPIKE, sp, sp).dtype, DT_SPIKE);
	CU_ASSERT_EQUAL(elem(OP_SPIKE, s, s).dtype, DT_SPIKE);
	/* A unary op ignores its (absent) second operand. */
	CU_ASSERT(ir_type_eq(elem(OP_TANH, f, ir_mat(2, 2)), f));
}

static void test_matmul_type(void)
{
	Type t;
	CU_ASSERT_TRUE(ir_matmul_type(ir_mat(4, 3), vec(DT_F32, 3, 1, 0), &t));
	CU_ASSERT(ir_type_eq(t, vec(DT_F32, 4, 1, 0)));
	/* Spikes in, floats out (the sum of selected columns). */
	CU_ASSERT_TRUE(ir_matmul_type(ir_mat(16, 5), vec(DT_SPIKE, 5, 1, 0), &t));
	CU_ASSERT(ir_type_eq(t, vec(DT_F32, 16, 1, 0)));
	CU_ASSERT_FALSE(ir_matmul_type(ir_mat(4, 3), vec(DT_F32, 5, 1, 0), &t));  /* K differs */
	CU_ASSERT_FALSE(ir_matmul_type(ir_mat(4, 3), vec(DT_F32, 4, 1, 0), &t));  /* M is not K */
	CU_ASSERT_FALSE(ir_matmul_type(ir_mat(4, 3), vec(DT_F32, 3, 0, 0), &t));  /* unbatched */
	CU_ASSERT_FALSE(ir_matmul_type(ir_mat(4, 3), vec(DT_F32, 3, 1, 1), &t));  /* timed */
	CU_ASSERT_FALSE(ir_matmul_type(ir_mat(4, 3), vec(DT_I32, 3, 1, 0), &t));
	CU_ASSERT_FALSE(ir_matmul_type(ir_mat(4, 3), ir_mat(3, 2), &t));
	CU_ASSERT_FALSE(ir_matmul_type(vec(DT_F32, 3, 0, 0), vec(DT_F32, 3, 1, 0), &t));
	Type wb = ir_mat(4, 3);
	wb.batched = 1;
	CU_ASSERT_FALSE(ir_matmul_type(wb, vec(DT_F32, 3, 1, 0), &t));
}

static void test_type_str(void)
{
	char buf[64];
	CU_ASSERT_STRING_EQUAL(ir_type_str(vec(DT_F32, 200, 1, 0), buf, sizeof buf), "f32[B,200]");
	CU_ASSERT_STRING_EQUAL(ir_type_str(vec(DT_SPIKE, 28, 1, 1), buf, sizeof buf), "spike[T,B,28]");
	CU_ASSERT_STRING_EQUAL(ir_type_str(ir_mat(800, 28), buf, sizeof buf), "f32[800,28]");
	CU_ASSERT_STRING_EQUAL(ir_type_str(ir_scalar(), buf, sizeof buf), "f32");
	CU_ASSERT_STRING_EQUAL(ir_type_str(vec(DT_F32, 16, 0, 0), buf, sizeof buf), "f32[16]");
	CU_ASSERT_STRING_EQUAL(ir_type_str(vec(DT_I32, 1, 1, 0), buf, sizeof buf), "i32[B,1]");
	CU_ASSERT_STRING_EQUAL(ir_dtype_name(DT_SPIKE), "spike");
	/* A short buffer truncates, still terminated. */
	char small[6];
	CU_ASSERT_STRING_EQUAL(ir_type_str(vec(DT_SPIKE, 28, 1, 1), small, sizeof small), "spike");
	CU_ASSERT_EQUAL(ir_type_eq(vec(DT_F32, 4, 1, 0), vec(DT_F32, 4, 1, 1)), 0);
	CU_ASSERT_EQUAL(ir_type_eq(vec(DT_F32, 4, 1, 0), vec(DT_SPIKE, 4, 1, 0)), 0);
}

/* ---- hand-built graphs --------------------------------------------------- */

/* y = scan over x of  c' = W x_t + c,  yielding c' as carry and W x_t as
 * per-step output; the output is the final c. Indices in index order: */
enum { X, W, Z, STEP, MM, CARRY, ADD, YIELD, SCAN, FIN, STACK, NVALID };

static Type t_x(void) { return ir_vec(DT_SPIKE, 3, 1, 1); }
static Type t_h(void) { return ir_vec(DT_F32, 4, 1, 0); }

static int leaf(Graph *g, Op op, int region, Type t, int k)
{
	int i = ir_add(g, op, region, t, NULL, 0, NOLOC);
	g->nodes.items[i].a.k = k;
	return i;
}

static int node2(Graph *g, Op op, int region, Type t, int a, int b)
{
	int args[2] = {a, b};
	return ir_add(g, op, region, t, args, ir_ops[op].arity == 1 ? 1 : 2, NOLOC);
}

static void add_decls(Graph *g)
{
	vec_push(&g->params, ((Param){"w.weight", "w", "dense", ir_mat(4, 3), INIT_HE_NORMAL, 3, NOLOC}));
	vec_push(&g->inputs, ((Input){"x", IN_SPIKES, t_x(), NOLOC, 0, 0}));
}

static void set_scan(Graph *g, int scan, int body, int nseq, int ncarry, int nout)
{
	Node *s = &g->nodes.items[scan];
	s->a.scan.body = body;
	s->a.scan.nseq = nseq;
	s->a.scan.ncarry = ncarry;
	s->a.scan.nout = nout;
}

static Graph *build_valid(Arena *a)
{
	Graph *g = ir_new(a, "t", 4);
	add_decls(g);
	int body = ir_new_region(g, 0);
	leaf(g, OP_INPUT, 0, t_x(), 0);
	leaf(g, OP_PARAM, 0, ir_mat(4, 3), 0);
	leaf(g, OP_ZEROS, 0, t_h(), 0);
	leaf(g, OP_STEP, body, ir_vec(DT_SPIKE, 3, 1, 0), 0);
	node2(g, OP_MATMUL, body, t_h(), W, STEP);
	leaf(g, OP_CARRY, body, t_h(), 0);
	node2(g, OP_ADD, body, t_h(), MM, CARRY);
	node2(g, OP_YIELD, body, ir_scalar(), ADD, MM);
	node2(g, OP_SCAN, 0, ir_scalar(), X, Z);
	set_scan(g, SCAN, body, 1, 1, 1);
	g->regions.items[body].scan = SCAN;
	ir_add(g, OP_SCAN_OUT, 0, t_h(), (int[]){SCAN}, 1, NOLOC);  /* final carry 0 */
	ir_add(g, OP_SCAN_OUT, 0, ir_vec(DT_F32, 4, 1, 1), (int[]){SCAN}, 1, NOLOC);
	g->nodes.items[STACK].a.k = 1;  /* the stack of per-step output 0 */
	g->output = FIN;
	return g;
}

static void test_verify_accepts(void)
{
	Arena a = {0};
	Graph *g = build_valid(&a);
	CU_ASSERT_EQUAL(g->nodes.len, NVALID);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	/* A loss over the final carry keeps the graph valid. */
	vec_push(&g->inputs, ((Input){"targets", IN_TARGET, t_h(), NOLOC, 0, 0}));
	int lab = leaf(g, OP_LABELS, 0, t_h(), 1);
	g->loss = node2(g, OP_MSE, 0, ir_scalar(), FIN, lab);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	ir_free(g);
	arena_free(&a);
}

/* Each mutation breaks exactly one invariant of a valid graph. */
static void break_operand_order(Graph *g) { g->nodes.items[ADD].args[1] = YIELD; }
static void break_arity(Graph *g) { g->nodes.items[ADD].nargs = 1; }
static void break_carry_type(Graph *g) { g->nodes.items[CARRY].type.dtype = DT_SPIKE; }
static void break_yield_count(Graph *g) { g->nodes.items[YIELD].nargs = 1; }
static void break_step_region(Graph *g) { g->nodes.items[STEP].region = 0; }
static void break_step_index(Graph *g) { g->nodes.items[STEP].a.k = 1; }
static void break_elem_type(Graph *g) { g->nodes.items[ADD].type.dtype = DT_SPIKE; }
static void break_output_in_body(Graph *g) { g->output = ADD; }
static void break_scan_out_index(Graph *g) { g->nodes.items[FIN].a.k = 2; }
static void break_scan_arity(Graph *g) { g->nodes.items[SCAN].a.scan.ncarry = 2; }
static void break_loss_rank(Graph *g) { g->loss = FIN; }
static void break_region(Graph *g) { g->nodes.items[MM].region = 7; }

static void break_matmul_shape(Graph *g)
{
	/* W becomes (4, 5) consistently, so only the matmul itself is wrong. */
	g->params.items[0].type = ir_mat(4, 5);
	g->nodes.items[W].type = ir_mat(4, 5);
}

static void break_seq_untimed(Graph *g)
{
	g->inputs.items[0].type.timed = 0;
	g->nodes.items[X].type.timed = 0;
}

static void break_body_after_scan(Graph *g)
{
	ir_add(g, OP_CONST, 1, ir_scalar(), NULL, 0, NOLOC);
}

static void break_visibility(Graph *g)
{
	/* A top-level node reading a value of the body. */
	g->output = node2(g, OP_ADD, 0, t_h(), ADD, FIN);
}

static void break_param_type(Graph *g) { g->nodes.items[W].type = ir_mat(3, 4); }

static void test_verify_rejects(void)
{
	static const struct {
		const char *what;
		void (*mutate)(Graph *);
	} cases[] = {
		{"operand not earlier", break_operand_order},
		{"wrong arity", break_arity},
		{"matmul shape mismatch", break_matmul_shape},
		{"carry type differs from its init", break_carry_type},
		{"yield count wrong", break_yield_count},
		{"step outside a scan", break_step_region},
		{"step of a missing sequence", break_step_index},
		{"elementwise type wrong", break_elem_type},
		{"output inside a body", break_output_in_body},
		{"scan_out index out of range", break_scan_out_index},
		{"scan operands do not match counts", break_scan_arity},
		{"loss not a scalar", break_loss_rank},
		{"region does not exist", break_region},
		{"sequence not timed", break_seq_untimed},
		{"body node after its scan", break_body_after_scan},
		{"body value used outside", break_visibility},
		{"param node type differs from its declaration", break_param_type},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Arena a = {0};
		Graph *g = build_valid(&a);
		cases[i].mutate(g);
		int got = unit_verify_outcome(g);
		if (got != 'A')
			fprintf(stderr, "\nverifier on '%s': %s\n", cases[i].what,
				got == 'R' ? "accepted" : "crashed without SIGABRT");
		CU_ASSERT_EQUAL(got, 'A');
		ir_free(g);
		arena_free(&a);
	}
}

/* ir_verify checks a SCAN_OUT's type against its carry or stacked output:
 * a scan_out declared f32[B,7] for a carry of f32[B,4] is rejected. */
static void test_verify_scan_out_type(void)
{
	Arena a = {0};
	Graph *g = build_valid(&a);
	g->nodes.items[FIN].type = ir_vec(DT_F32, 7, 1, 0);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'A');
	g->nodes.items[FIN].type = t_h();
	g->nodes.items[STACK].type = t_h();  /* a stack must be timed */
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'A');
	ir_free(g);
	arena_free(&a);
}

/* ---- scheduling ---------------------------------------------------------- */

/* The valid graph's nodes in scrambled order, with dead nodes at the top
 * level and in the body, and a loss reachable only from g->loss. */
enum { S_FIN, S_DEAD_ADD, S_YIELD, S_SCAN, S_ADD, S_CARRY, S_MM, S_STEP, S_DEAD_BODY, S_W,
	S_Z, S_X, S_DEAD_CONST, S_LAB, S_LOSS, S_TOTAL };

static Graph *build_scrambled(Arena *a)
{
	Graph *g = ir_new(a, "t", 4);
	add_decls(g);
	vec_push(&g->inputs, ((Input){"targets", IN_TARGET, t_h(), NOLOC, 0, 0}));
	int body = ir_new_region(g, 0);
	ir_add(g, OP_SCAN_OUT, 0, t_h(), (int[]){S_SCAN}, 1, NOLOC);
	node2(g, OP_ADD, 0, ir_vec(DT_F32, 3, 1, 1), S_X, S_X);
	node2(g, OP_YIELD, body, ir_scalar(), S_ADD, S_MM);
	node2(g, OP_SCAN, 0, ir_scalar(), S_X, S_Z);
	set_scan(g, S_SCAN, body, 1, 1, 1);
	node2(g, OP_ADD, body, t_h(), S_MM, S_CARRY);
	leaf(g, OP_CARRY, body, t_h(), 0);
	node2(g, OP_MATMUL, body, t_h(), S_W, S_STEP);
	leaf(g, OP_STEP, body, ir_vec(DT_SPIKE, 3, 1, 0), 0);
	leaf(g, OP_CONST, body, ir_scalar(), 0);
	leaf(g, OP_PARAM, 0, ir_mat(4, 3), 0);
	leaf(g, OP_ZEROS, 0, t_h(), 0);
	leaf(g, OP_INPUT, 0, t_x(), 0);
	leaf(g, OP_CONST, 0, ir_scalar(), 0);
	leaf(g, OP_LABELS, 0, t_h(), 1);
	node2(g, OP_MSE, 0, ir_scalar(), S_FIN, S_LAB);
	g->output = S_FIN;
	g->loss = S_LOSS;
	return g;
}

static int count_op(const Graph *g, Op op)
{
	int n = 0;
	for (int i = 0; i < g->nodes.len; i++)
		n += g->nodes.items[i].op == op;
	return n;
}

static void test_schedule(void)
{
	Arena a = {0};
	Graph *g = build_scrambled(&a);
	CU_ASSERT_EQUAL_FATAL(g->nodes.len, S_TOTAL);
	ir_schedule(g);
	/* The three dead nodes are gone, everything else is kept. */
	CU_ASSERT_EQUAL(g->nodes.len, S_TOTAL - 3);
	CU_ASSERT_EQUAL(count_op(g, OP_CONST), 0);
	CU_ASSERT_EQUAL(count_op(g, OP_ADD), 1);
	CU_ASSERT_EQUAL(count_op(g, OP_SCAN), 1);
	CU_ASSERT_EQUAL(count_op(g, OP_LABELS), 1);
	int scan = -1;
	for (int i = 0; i < g->nodes.len; i++) {
		const Node *n = &g->nodes.items[i];
		for (int k = 0; k < n->nargs; k++)
			CU_ASSERT(n->args[k] >= 0 && n->args[k] < i);
		if (n->op == OP_SCAN)
			scan = i;
	}
	CU_ASSERT_FATAL(scan >= 0);
	/* Every body node sits before its scan, and the region knows its scan. */
	for (int i = 0; i < g->nodes.len; i++)
		if (g->nodes.items[i].region == 1)
			CU_ASSERT(i < scan);
	CU_ASSERT_EQUAL(g->regions.items[1].scan, scan);
	/* Roots follow the renumbering. */
	CU_ASSERT_FATAL(g->output >= 0 && g->output < g->nodes.len);
	CU_ASSERT_EQUAL(g->nodes.items[g->output].op, OP_SCAN_OUT);
	CU_ASSERT_EQUAL(g->nodes.items[g->output].args[0], scan);
	CU_ASSERT_FATAL(g->loss >= 0 && g->loss < g->nodes.len);
	CU_ASSERT_EQUAL(g->nodes.items[g->loss].op, OP_MSE);
	CU_ASSERT_EQUAL(g->nodes.items[g->loss].args[0], g->output);
	CU_ASSERT_EQUAL(g->nodes.items[g->nodes.items[g->loss].args[1]].op, OP_LABELS);
	/* The matmul still reads the parameter and the step. */
	for (int i = 0; i < g->nodes.len; i++)
		if (g->nodes.items[i].op == OP_MATMUL) {
			CU_ASSERT_EQUAL(g->nodes.items[g->nodes.items[i].args[0]].op, OP_PARAM);
			CU_ASSERT_EQUAL(g->nodes.items[g->nodes.items[i].args[1]].op, OP_STEP);
		}
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');

	/* Scheduling a scheduled graph changes nothing. */
	int n = g->nodes.len;
	uint16_t ops[S_TOTAL];
	for (int i = 0; i < n; i++)
		ops[i] = g->nodes.items[i].op;
	int out = g->output, loss = g->loss;
	ir_schedule(g);
	CU_ASSERT_EQUAL(g->nodes.len, n);
	for (int i = 0; i < n && i < g->nodes.len; i++)
		CU_ASSERT_EQUAL(g->nodes.items[i].op, ops[i]);
	CU_ASSERT_EQUAL(g->output, out);
	CU_ASSERT_EQUAL(g->loss, loss);
	ir_free(g);
	arena_free(&a);
}

/* Without a loss, only what the output needs survives: the stacked output
 * of the valid graph goes. */
static void test_schedule_output_only(void)
{
	Arena a = {0};
	Graph *g = build_valid(&a);
	ir_schedule(g);
	CU_ASSERT_EQUAL(g->nodes.len, NVALID - 1);
	CU_ASSERT_EQUAL(count_op(g, OP_SCAN_OUT), 1);
	CU_ASSERT_EQUAL(g->output, g->nodes.len - 1);
	CU_ASSERT_EQUAL(unit_verify_outcome(g), 'R');
	ir_free(g);
	arena_free(&a);
}

static void test_param_count(void)
{
	Arena a = {0};
	Graph *g = build_valid(&a);
	CU_ASSERT_EQUAL(ir_param_count(g), 12);
	vec_push(&g->params, ((Param){"w.bias", "w", "dense", ir_vec(DT_F32, 4, 0, 0), INIT_ZEROS, 3, NOLOC}));
	CU_ASSERT_EQUAL(ir_param_count(g), 16);
	ir_free(g);
	arena_free(&a);
}

UNIT_SUITE(ir, "compiler/ir",
	UNIT_TEST(test_elem_broadcasting), UNIT_TEST(test_elem_dtypes), UNIT_TEST(test_matmul_type),
	UNIT_TEST(test_type_str), UNIT_TEST(test_verify_accepts), UNIT_TEST(test_verify_rejects),
	UNIT_TEST(test_verify_scan_out_type), UNIT_TEST(test_schedule),
	UNIT_TEST(test_schedule_output_only), UNIT_TEST(test_param_count))
