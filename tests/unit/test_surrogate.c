/* test_surrogate.c: the surrogate-derivative families (compiler/surrogates.h,
 * ir_surrogate_psi in compiler/ir.c) against DESIGN section 2.
 *
 * Every psi is compared with the formula of the DESIGN table written out
 * again here, at defaults and at other parameters; the SurInfo table with
 * the table's names and defaults; the defaults the front end fills in
 * (gaussian's derived peak, the prelude's slstm surrogates) by compiling
 * small models. The integral of each family over the real line is computed
 * numerically and compared with its closed form: that documents the scale of
 * each family (all integrate to 1 except fast_sigmoid, 2 / slope, and a
 * gaussian with a peak of its own, peak * sqrt(2 pi var)). */
#include <math.h>
#include <string.h>
#include "compiler/ir.h"
#include "dsl/lower.h"
#include "unit.h"

static const double PI = 3.14159265358979323846;

static Surrogate sur(SurKind kind, double p0, double p1)
{
	Surrogate s = {kind, {(float)p0, (float)p1}};
	return s;
}

/* The DESIGN table, independently of compiler/ir.c. Parameters are read
 * back from s (they are stored as float). */
static double reference(Surrogate s, double v)
{
	double a = s.p[0], b = s.p[1];
	switch (s.kind) {
	case SUR_GAUSSIAN: return b * exp(-(v * v) / (2.0 * a));
	case SUR_FAST_SIGMOID: return 1.0 / pow(1.0 + a * fabs(v), 2.0);
	case SUR_ATAN: return (a / 2.0) / (1.0 + pow(PI / 2.0 * a * v, 2.0));
	case SUR_SIGMOID: return a * exp(-a * v) / pow(1.0 + exp(-a * v), 2.0);
	case SUR_TRIANGLE: return fabs(v) < a ? (1.0 - fabs(v) / a) / a : 0.0;
	case SUR_RECT: return fabs(v) < a / 2.0 ? 1.0 / a : 0.0;
	case SUR_STRAIGHT_THROUGH: return 1.0;
	default: return NAN;
	}
}

static int close_to(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want) + 1e-15;
}

/* Each family at its defaults and at two other settings. */
static const struct {
	SurKind kind;
	double p0, p1;
} cases[] = {
	{SUR_GAUSSIAN, 0.15, 1.0300645387285057}, {SUR_GAUSSIAN, 0.5, 1.0300645387285057},
	{SUR_GAUSSIAN, 0.05, 2.0},
	{SUR_FAST_SIGMOID, 25, 0}, {SUR_FAST_SIGMOID, 10, 0}, {SUR_FAST_SIGMOID, 1, 0},
	{SUR_ATAN, 2, 0}, {SUR_ATAN, 0.5, 0}, {SUR_ATAN, 7, 0},
	{SUR_SIGMOID, 5, 0}, {SUR_SIGMOID, 1, 0}, {SUR_SIGMOID, 20, 0},
	{SUR_TRIANGLE, 1, 0}, {SUR_TRIANGLE, 0.25, 0}, {SUR_TRIANGLE, 3, 0},
	{SUR_RECT, 1, 0}, {SUR_RECT, 0.25, 0}, {SUR_RECT, 4, 0},
	{SUR_STRAIGHT_THROUGH, 0, 0},
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

static void test_psi_matches_design(void)
{
	static const double vs[] = {0, 0.05, -0.05, 0.3, -0.3, 1, -1, 3, -3, 0.1, -0.7};
	for (int c = 0; c < NCASES; c++)
		for (size_t j = 0; j < sizeof vs / sizeof vs[0]; j++) {
			Surrogate s = sur(cases[c].kind, cases[c].p0, cases[c].p1);
			double got = ir_surrogate_psi(s, vs[j]), want = reference(s, vs[j]);
			/* Absolute slack for sigmoid's 1 - s, which cancels where
			 * psi is below 1e-8 anyway. */
			int ok = fabs(got - want) <= 1e-12 * fabs(want) + 1e-13;
			if (!ok)
				fprintf(stderr, "\n%s(%g, %g) at v = %g: psi %.17g, DESIGN %.17g\n",
					ir_surrogates[s.kind].name, cases[c].p0, cases[c].p1, vs[j], got, want);
			CU_ASSERT(ok);
		}
}

/* A few values worked out by hand, so that a shared mistake in the formula
 * above and in ir.c cannot hide. */
static void test_psi_known_values(void)
{
	double g = 1 / sqrt(2 * PI * 0.15f);
	CU_ASSERT(close_to(ir_surrogate_psi(sur(SUR_GAUSSIAN, 0.15, g), 0), g, 1e-7));
	CU_ASSERT(close_to(ir_surrogate_psi(sur(SUR_GAUSSIAN, 0.5, 2), 1), 2 * exp(-1.0), 1e-12));
	CU_ASSERT(close_to(ir_surrogate_psi(sur(SUR_FAST_SIGMOID, 25, 0), 0.04), 0.25, 1e-12));
	CU_ASSERT(close_to(ir_surrogate_psi(sur(SUR_FAST_SIGMOID, 25, 0), -0.04), 0.25, 1e-12));
	CU_ASSERT(close_to(ir_surrogate_psi(sur(SUR_ATAN, 2, 0), 0), 1.0, 1e-12));
	CU_ASSERT(close_to(ir_surrogate_psi(sur(SUR_ATAN, 2, 0), 1 / PI), 0.5, 1e-7));
	CU_ASSERT(close_to(ir_surrogate_psi(sur(SUR_SIGMOID, 5, 0), 0), 1.25, 1e-12));
	CU_ASSERT(close_to(ir_surrogate_psi(sur(SUR_TRIANGLE, 1, 0), 0.5), 0.5, 1e-12));
	CU_ASSERT(close_to(ir_surrogate_psi(sur(SUR_TRIANGLE, 0.25, 0), 0.125), 2.0, 1e-12));
	CU_ASSERT_EQUAL(ir_surrogate_psi(sur(SUR_TRIANGLE, 1, 0), 1.5), 0.0);
	CU_ASSERT_EQUAL(ir_surrogate_psi(sur(SUR_TRIANGLE, 1, 0), -1.5), 0.0);
	CU_ASSERT(close_to(ir_surrogate_psi(sur(SUR_RECT, 0.25, 0), 0.1), 4.0, 1e-12));
	CU_ASSERT_EQUAL(ir_surrogate_psi(sur(SUR_RECT, 0.25, 0), 0.2), 0.0);
	CU_ASSERT_EQUAL(ir_surrogate_psi(sur(SUR_RECT, 1, 0), -0.6), 0.0);
	CU_ASSERT_EQUAL(ir_surrogate_psi(sur(SUR_STRAIGHT_THROUGH, 0, 0), -3), 1.0);
	/* Every family is even: psi(v) = psi(-v). */
	for (int c = 0; c < NCASES; c++) {
		Surrogate s = sur(cases[c].kind, cases[c].p0, cases[c].p1);
		CU_ASSERT(close_to(ir_surrogate_psi(s, 0.37), ir_surrogate_psi(s, -0.37), 1e-12));
	}
}

/* The table of surrogates.h: DESIGN's names, parameters and defaults. */
static void test_table_matches_design(void)
{
	static const struct {
		SurKind kind;
		const char *name;
		int n;
		const char *p0;
		double d0;
	} want[] = {
		{SUR_GAUSSIAN, "gaussian", 2, "var", 0.15}, {SUR_FAST_SIGMOID, "fast_sigmoid", 1, "slope", 25},
		{SUR_ATAN, "atan", 1, "alpha", 2}, {SUR_SIGMOID, "sigmoid", 1, "slope", 5},
		{SUR_TRIANGLE, "triangle", 1, "width", 1}, {SUR_RECT, "rect", 1, "width", 1},
		{SUR_STRAIGHT_THROUGH, "straight_through", 0, NULL, 0},
	};
	CU_ASSERT_EQUAL(SUR_COUNT, 7);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const SurInfo *s = &ir_surrogates[want[i].kind];
		CU_ASSERT_STRING_EQUAL(s->name, want[i].name);
		CU_ASSERT_EQUAL(s->nparams, want[i].n);
		if (want[i].n > 0) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(s->pname[0]);
			CU_ASSERT_STRING_EQUAL(s->pname[0], want[i].p0);
			CU_ASSERT_DOUBLE_EQUAL(s->pdefault[0], want[i].d0, 1e-12);
		}
		if (want[i].n < 2)
			CU_ASSERT_PTR_NULL(s->pname[1]);
	}
	/* gaussian's peak: a second parameter whose default is derived (NAN). */
	CU_ASSERT_PTR_NOT_NULL_FATAL(ir_surrogates[SUR_GAUSSIAN].pname[1]);
	CU_ASSERT_STRING_EQUAL(ir_surrogates[SUR_GAUSSIAN].pname[1], "peak");
	CU_ASSERT(isnan(ir_surrogates[SUR_GAUSSIAN].pdefault[1]));
}

/* Integral of psi over the real line: v = tan(u) maps (-pi/2, pi/2) onto it,
 * dv = du / cos^2 u; midpoint rule. */
static double integral(Surrogate s)
{
	const int n = 400000;
	double h = PI / n, sum = 0;
	for (int i = 0; i < n; i++) {
		double u = -PI / 2 + (i + 0.5) * h, c = cos(u);
		sum += ir_surrogate_psi(s, tan(u)) / (c * c);
	}
	return sum * h;
}

static void test_integrals(void)
{
	for (int c = 0; c < NCASES; c++) {
		Surrogate s = sur(cases[c].kind, cases[c].p0, cases[c].p1);
		double want;
		switch (s.kind) {
		case SUR_GAUSSIAN: want = s.p[1] * sqrt(2 * PI * s.p[0]); break;
		case SUR_FAST_SIGMOID: want = 2.0 / s.p[0]; break;
		case SUR_STRAIGHT_THROUGH: continue;  /* 1 everywhere: no finite integral */
		default: want = 1.0; break;
		}
		double got = integral(s);
		if (!close_to(got, want, 1e-4))
			fprintf(stderr, "\n%s(%g, %g): integral %.9g, closed form %.9g\n",
				ir_surrogates[s.kind].name, cases[c].p0, cases[c].p1, got, want);
		CU_ASSERT(close_to(got, want, 1e-4));
	}
	/* With its default peak a gaussian is a probability density. */
	Surrogate g = sur(SUR_GAUSSIAN, 0.3, 1 / sqrt(2 * PI * 0.3f));
	CU_ASSERT(close_to(integral(g), 1.0, 1e-4));
}

/* ---- defaults filled in by the front end --------------------------------- */

/* The models are lowered before main, by a constructor: dsl_lower returns
 * NULL once any error has been reported anywhere in the process (it tests
 * the global diag_error_count), and the DSL suite reports errors on purpose.
 * See the report on dsl/lower.c. */
static const char defaults_text[] =
	"model m {\n"
	"  input x[3] analog over 2 steps\n"
	"  a = spike(x, gaussian(var = 0.3))\n"
	"  b = spike(x, gaussian(var = 0.3, peak = 2))\n"
	"  c = spike(x, gaussian())\n"
	"  d = spike(x, fast_sigmoid())\n"
	"  e = spike(x, atan(alpha = 0.5))\n"
	"  f = spike(x, sigmoid())\n"
	"  g = spike(x, triangle())\n"
	"  k = spike(x, rect(width = 0.2))\n"
	"  s = spike(x, straight_through())\n"
	"  output a + b + c + d + e + f + g + k + s\n"
	"}\n";

static const char slstm_text[] =
	"model m {\n"
	"  input x[5] spikes over 3 steps\n"
	"  h = slstm(x, 4)\n"
	"  output h\n"
	"}\n";

typedef struct {
	const char *text;
	Arena arena;
	Program prog;
	Graph *g;
} Lowered;

enum { DEFAULTS, SLSTM, NMODELS };
static Lowered models[NMODELS] = {{.text = defaults_text}, {.text = slstm_text}};

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

/* The surrogate of the SPIKE node named `name`; kind SUR_COUNT if none. */
static Surrogate spike_named(const Graph *g, const char *name)
{
	for (int i = 0; i < g->nodes.len; i++) {
		const Node *n = &g->nodes.items[i];
		if (n->op == OP_SPIKE && n->name && !strcmp(n->name, name))
			return n->a.sur;
	}
	return (Surrogate){SUR_COUNT, {0, 0}};
}

static int sur_is(Surrogate s, SurKind kind, double p0, double p1)
{
	return s.kind == kind && close_to(s.p[0], p0, 1e-6) && close_to(s.p[1], p1, 1e-6);
}

static void test_front_end_defaults(void)
{
	const Graph *g = models[DEFAULTS].g;
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT(sur_is(spike_named(g, "a"), SUR_GAUSSIAN, 0.3, 1 / sqrt(2 * PI * 0.3)));
	CU_ASSERT(sur_is(spike_named(g, "b"), SUR_GAUSSIAN, 0.3, 2));
	CU_ASSERT(sur_is(spike_named(g, "c"), SUR_GAUSSIAN, 0.15, 1 / sqrt(2 * PI * 0.15)));
	CU_ASSERT(sur_is(spike_named(g, "d"), SUR_FAST_SIGMOID, 25, 0));
	CU_ASSERT(sur_is(spike_named(g, "e"), SUR_ATAN, 0.5, 0));
	CU_ASSERT(sur_is(spike_named(g, "f"), SUR_SIGMOID, 5, 0));
	CU_ASSERT(sur_is(spike_named(g, "g"), SUR_TRIANGLE, 1, 0));
	CU_ASSERT(sur_is(spike_named(g, "k"), SUR_RECT, 0.2, 0));
	CU_ASSERT_EQUAL(spike_named(g, "s").kind, SUR_STRAIGHT_THROUGH);
	release(&models[DEFAULTS]);
}

/* DESIGN section 2: gates i, f, o use gaussian(var 0.15) with its default
 * peak; g and the cell gaussian(var 0.5, peak 1/sqrt(0.3 pi)). */
static void test_slstm_surrogates(void)
{
	const Graph *g = models[SLSTM].g;
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	double gate_peak = 1 / sqrt(2 * PI * 0.15), cell_peak = 1 / sqrt(0.3 * PI);
	CU_ASSERT(sur_is(spike_named(g, "h.i"), SUR_GAUSSIAN, 0.15, gate_peak));
	CU_ASSERT(sur_is(spike_named(g, "h.f"), SUR_GAUSSIAN, 0.15, gate_peak));
	CU_ASSERT(sur_is(spike_named(g, "h.o"), SUR_GAUSSIAN, 0.15, gate_peak));
	CU_ASSERT(sur_is(spike_named(g, "h.g"), SUR_GAUSSIAN, 0.5, cell_peak));
	CU_ASSERT(sur_is(spike_named(g, "h.c"), SUR_GAUSSIAN, 0.5, cell_peak));
	/* The cell's psi at 0 is that peak, not a density's 1/sqrt(pi). */
	CU_ASSERT(close_to(ir_surrogate_psi(spike_named(g, "h.c"), 0), cell_peak, 1e-6));
	release(&models[SLSTM]);
}

UNIT_SUITE(surrogate, "compiler/surrogates",
	UNIT_TEST(test_psi_matches_design), UNIT_TEST(test_psi_known_values),
	UNIT_TEST(test_table_matches_design), UNIT_TEST(test_integrals),
	UNIT_TEST(test_front_end_defaults), UNIT_TEST(test_slstm_surrogates))
