/* test_kernels.c: graph IR to kernel IR (compiler/kernels.c, kir.h).
 *
 * The paper's classifier (slstm, last, dense) and a per-step model are
 * compiled by the whole pipeline (pipeline_compile); the tests check the
 * inference program both backends will print: the two GEMMs of `W x + U h`
 * into one buffer, one fused MAP that writes the states in place, the zeroing
 * of the states before the loop, the readout after it, the output buffer,
 * the workspace size and the parameter layout of DESIGN section 2.
 *
 * The models are compiled before main, by a constructor: dsl_lower returns
 * NULL once any error has been reported anywhere in the process (it tests
 * the global diag_error_count), and the DSL suite reports errors on purpose.
 * See the report on dsl/lower.c. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/pipeline.h"
#include "unit.h"
#include "unit_ir.h"

static const char classify_text[] =
	"model m {\n"
	"    input x[5] spikes over 7 steps\n"
	"    h = slstm(x, 4)\n"
	"    y = dense(last(h), 3)\n"
	"    loss = cross_entropy(y)\n"
	"}\n";

static const char per_step_text[] =
	"model m {\n"
	"    input x[5] spikes over 7 steps\n"
	"    h = slstm(x, 4)\n"
	"    output h\n"
	"}\n";

typedef struct {
	const char *text;
	int smooth;         /* compiled for smooth spikes: no bits on the tape */
	Compilation c;
	int status;         /* pipeline_compile's result, -1 if never run */
} Compiled;

enum { CLASSIFY, PER_STEP, CLASSIFY_SMOOTH, NMODELS };
static Compiled models[NMODELS] = {{.text = classify_text, .status = -1},
				   {.text = per_step_text, .status = -1},
				   {.text = classify_text, .smooth = 1, .status = -1}};

__attribute__((constructor)) static void compile_models(void)
{
	for (int i = 0; i < NMODELS; i++) {
		char path[] = "/tmp/spikec_test_kernels_XXXXXX";
		int fd = mkstemp(path);
		if (fd < 0)
			continue;
		size_t n = strlen(models[i].text);
		PipelineOptions po = {0};
		po.smooth_spikes = models[i].smooth;
		if (write(fd, models[i].text, n) == (ssize_t)n)
			models[i].status = pipeline_compile(&models[i].c, path, &po);
		close(fd);
		unlink(path);
	}
}

/* The kernel IR of a compiled model, NULL if it did not compile. */
static const Kir *kir(int model)
{
	return models[model].status == 0 ? models[model].c.kir : NULL;
}

static void release(int model)
{
	if (models[model].status >= 0)
		pipeline_free(&models[model].c);
	models[model].status = -1;
}

static const KBuf *buf(const Kir *k, int b)
{
	return &k->bufs.items[b];
}

static int count_kind(const KList *l, KKind kind)
{
	int n = 0;
	for (int i = 0; i < l->len; i++)
		n += l->items[i].kind == kind;
	return n;
}

/* The index in l of the i-th kernel of `kind`, or -1. */
static int nth_kind(const KList *l, KKind kind, int i)
{
	for (int j = 0; j < l->len; j++)
		if (l->items[j].kind == kind && i-- == 0)
			return j;
	return -1;
}

static int count_class(const Kir *k, KBufClass cls, int program)
{
	int n = 0;
	for (int b = 0; b < k->bufs.len; b++)
		n += buf(k, b)->cls == cls && buf(k, b)->program == program;
	return n;
}

/* The let that a MAP stores into buffer b, or -1. */
static int stored_let(const Kernel *m, int b)
{
	for (int s = 0; s < m->stores.len; s++)
		if (m->stores.items[s].buf == b)
			return m->stores.items[s].let;
	return -1;
}

static int loads(const Kernel *m, int b)
{
	for (int i = 0; i < m->lets.len; i++)
		if ((m->lets.items[i].a.kind == KV_LOAD && m->lets.items[i].a.buf == b) ||
		    (m->lets.items[i].b.kind == KV_LOAD && m->lets.items[i].b.buf == b))
			return 1;
	return 0;
}

/* Floats of a buffer (words, for bits) from its type, independently of
 * kir_buf_floats. */
static long floats(const KBuf *kb, int batch, int steps)
{
	Type t = kb->type;
	long n = 1;
	for (int i = 0; i < t.rank; i++)
		n *= t.dim[i];
	if (kb->bits)
		n = (n + 31) / 32;
	return n * (t.batched ? batch : 1) * (t.timed ? steps : 1);
}

/* The inference program, its single time loop and that loop's body. */
typedef struct {
	const KList *prog;
	int loop;           /* index of the LOOP kernel in prog */
	const Kernel *lk;
	const KList *body;
} Infer;

static int infer_of(const Kir *k, Infer *in)
{
	in->prog = &k->prog[PROG_INFER].kernels;
	if (count_kind(in->prog, K_LOOP) != 1)
		return 0;
	in->loop = nth_kind(in->prog, K_LOOP, 0);
	in->lk = &in->prog->items[in->loop];
	in->body = in->lk->body;
	return in->body != NULL;
}

/* ---- the classifier ------------------------------------------------------ */

static void test_compiles(void)
{
	CU_ASSERT_EQUAL_FATAL(models[CLASSIFY].status, 0);
	CU_ASSERT_EQUAL_FATAL(models[PER_STEP].status, 0);
	CU_ASSERT_EQUAL(unit_verify_outcome(models[CLASSIFY].c.graph), 'R');
	CU_ASSERT_EQUAL(unit_verify_outcome(models[PER_STEP].c.graph), 'R');
	/* A loss gives a training program; a bare output does not. */
	CU_ASSERT_TRUE(kir(CLASSIFY)->has_train);
	CU_ASSERT_FALSE(kir(PER_STEP)->has_train);
	CU_ASSERT_EQUAL(kir(CLASSIFY)->steps, 7);
	CU_ASSERT(kir(CLASSIFY)->labels >= 0 && buf(kir(CLASSIFY), kir(CLASSIFY)->labels)->cls == KB_LABELS);
	CU_ASSERT_EQUAL(kir(PER_STEP)->labels, -1);
}

static void test_step_gemms(void)
{
	const Kir *k = kir(CLASSIFY);
	Infer in;
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_FATAL(infer_of(k, &in));
	CU_ASSERT_FALSE(in.lk->reverse);
	CU_ASSERT_EQUAL(in.lk->window, 0);
	/* a = weight_ih x + weight_hh h: two GEMMs, the second accumulating
	 * into the buffer of the first. */
	CU_ASSERT_EQUAL_FATAL(count_kind(in.body, K_GEMM), 2);
	const Kernel *g0 = &in.body->items[nth_kind(in.body, K_GEMM, 0)];
	const Kernel *g1 = &in.body->items[nth_kind(in.body, K_GEMM, 1)];
	CU_ASSERT_EQUAL(g0->gemm, GEMM_XWT);
	CU_ASSERT_EQUAL(g1->gemm, GEMM_XWT);
	CU_ASSERT_FALSE(g0->accumulate);
	CU_ASSERT_TRUE(g1->accumulate);
	CU_ASSERT_EQUAL(g0->out, g1->out);
	CU_ASSERT_EQUAL(buf(k, g0->out)->cls, KB_ACT);
	CU_ASSERT_EQUAL(buf(k, g0->out)->program, PROG_INFER);
	CU_ASSERT_EQUAL(buf(k, g0->out)->type.dim[0], 16);
	CU_ASSERT_EQUAL(buf(k, g0->a)->cls, KB_INPUT);
	CU_ASSERT_EQUAL(buf(k, g0->b)->cls, KB_PARAM);
	CU_ASSERT_STRING_EQUAL(buf(k, g0->b)->what, "h.weight_ih");
	CU_ASSERT_EQUAL(buf(k, g1->a)->cls, KB_STATE);
	CU_ASSERT_STRING_EQUAL(buf(k, g1->b)->what, "h.weight_hh");
	/* The GEMMs come first: the MAP reads what they computed. */
	CU_ASSERT_EQUAL(nth_kind(in.body, K_GEMM, 1), 1);
}

static void test_step_map_in_place(void)
{
	const Kir *k = kir(CLASSIFY);
	Infer in;
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_FATAL(infer_of(k, &in));
	CU_ASSERT_EQUAL(in.body->len, 3);
	CU_ASSERT_EQUAL(count_kind(in.body, K_COPY), 0);
	CU_ASSERT_EQUAL(count_kind(in.body, K_ZERO), 0);
	CU_ASSERT_EQUAL_FATAL(count_kind(in.body, K_MAP), 1);
	const Kernel *m = &in.body->items[nth_kind(in.body, K_MAP, 0)];
	CU_ASSERT_EQUAL(m->n, 4);
	CU_ASSERT_TRUE(m->batched);
	int hs = in.body->items[nth_kind(in.body, K_GEMM, 1)].a;  /* h, read by weight_hh */
	int cs = -1, nstate = 0;
	for (int i = 0; i < in.lk->states.len; i++) {
		int b = in.lk->states.items[i];
		if (b != hs && loads(m, b)) {
			cs = b;  /* c, read by f * c */
			nstate++;
		}
	}
	CU_ASSERT_EQUAL_FATAL(nstate, 1);
	CU_ASSERT_FALSE(loads(m, hs));  /* h is read by the GEMM only */
	/* h_t = o * c_t and c_t = S(...) are stored straight into the states. */
	int lh = stored_let(m, hs), lc = stored_let(m, cs);
	CU_ASSERT_FATAL(lh >= 0 && lc >= 0);
	CU_ASSERT_EQUAL(m->lets.items[lh].op, OP_MUL);
	CU_ASSERT_EQUAL(m->lets.items[lc].op, OP_SPIKE);
	CU_ASSERT_EQUAL(m->lets.items[lh].b.kind, KV_LET);
	CU_ASSERT_EQUAL(m->lets.items[lh].b.let, lc);
	/* The cell's surrogate travels with its let. */
	CU_ASSERT_EQUAL(m->lets.items[lc].sur.kind, SUR_GAUSSIAN);
	CU_ASSERT_DOUBLE_EQUAL(m->lets.items[lc].sur.p[0], 0.5, 1e-7);
	for (int s = 0; s < m->stores.len; s++) {
		CU_ASSERT_EQUAL(m->stores.items[s].off, 0);
		CU_ASSERT_FALSE(m->stores.items[s].accumulate);
	}
	/* last(h): the third state receives the same h. */
	int last = -1;
	for (int i = 0; i < in.lk->states.len; i++)
		if (in.lk->states.items[i] != hs && in.lk->states.items[i] != cs)
			last = in.lk->states.items[i];
	CU_ASSERT_FATAL(last >= 0);
	CU_ASSERT_EQUAL(stored_let(m, last), lh);
}

static void test_init_and_readout(void)
{
	const Kir *k = kir(CLASSIFY);
	Infer in;
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_FATAL(infer_of(k, &in));
	/* h, c and last(h): each zeroed once before the loop, nothing else. */
	CU_ASSERT_EQUAL(count_class(k, KB_STATE, PROG_INFER), 3);
	CU_ASSERT_EQUAL_FATAL(in.lk->states.len, 3);
	CU_ASSERT_EQUAL(in.loop, 3);
	for (int i = 0; i < in.lk->states.len; i++) {
		int b = in.lk->states.items[i], zeroed = 0;
		for (int j = 0; j < in.loop; j++)
			zeroed += in.prog->items[j].kind == K_ZERO && in.prog->items[j].out == b;
		CU_ASSERT_EQUAL(zeroed, 1);
		CU_ASSERT_EQUAL(buf(k, b)->cls, KB_STATE);
		CU_ASSERT_EQUAL(buf(k, b)->program, PROG_INFER);
		CU_ASSERT_EQUAL(buf(k, b)->type.dim[0], 4);
		CU_ASSERT_FALSE(buf(k, b)->type.timed);
	}
	/* y = weight last(h) + bias after the loop, into the output. */
	CU_ASSERT_EQUAL_FATAL(in.prog->len, in.loop + 3);
	const Kernel *gm = &in.prog->items[in.loop + 1], *m = &in.prog->items[in.loop + 2];
	CU_ASSERT_EQUAL_FATAL(gm->kind, K_GEMM);
	CU_ASSERT_EQUAL_FATAL(m->kind, K_MAP);
	CU_ASSERT_EQUAL(gm->gemm, GEMM_XWT);
	CU_ASSERT_FALSE(gm->accumulate);
	CU_ASSERT_STRING_EQUAL(buf(k, gm->b)->what, "y.weight");
	CU_ASSERT_EQUAL(buf(k, gm->a)->cls, KB_STATE);
	CU_ASSERT(stored_let(m, k->output) >= 0);
	CU_ASSERT(loads(m, gm->out));
	CU_ASSERT_EQUAL(m->n, 3);
	/* The output: (B, 3), written once after the last step. */
	const KBuf *out = buf(k, k->output);
	CU_ASSERT_EQUAL(out->cls, KB_OUTPUT);
	CU_ASSERT_EQUAL(count_class(k, KB_OUTPUT, -1), 1);
	CU_ASSERT_FALSE(out->type.timed);
	CU_ASSERT_TRUE(out->type.batched);
	CU_ASSERT_EQUAL(out->type.dim[0], 3);
	for (int i = 0; i < in.body->len; i++)
		CU_ASSERT(in.body->items[i].kind != K_MAP || stored_let(&in.body->items[i], k->output) < 0);
}

static void test_workspace(void)
{
	const Kir *k = kir(CLASSIFY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	long states = 0, scratch = 0;
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = buf(k, b);
		if (kb->cls == KB_STATE && kb->program == PROG_INFER)
			states += floats(kb, 1, k->steps);
		if (kb->cls == KB_ACT && kb->program == PROG_INFER) {
			scratch += floats(kb, 1, k->steps);
			CU_ASSERT_FALSE(kb->type.timed);  /* inference keeps no history */
		}
		CU_ASSERT_EQUAL(kir_buf_floats(k, b, 2), floats(kb, 2, k->steps));
	}
	CU_ASSERT_EQUAL(states, 3 * 4);
	CU_ASSERT(scratch >= 4 * 4);  /* at least the gate pre-activations */
	CU_ASSERT_EQUAL(kir_workspace_floats(k, PROG_INFER, 1), states + scratch);
	CU_ASSERT_EQUAL(kir_workspace_floats(k, PROG_INFER, 5), 5 * (states + scratch));
	/* Training stores the forward values BPTT needs: more than inference. */
	CU_ASSERT(kir_workspace_floats(k, PROG_TRAIN, 1) > states + scratch);
	/* The input is (T, B, 5) and not part of any workspace. */
	for (int b = 0; b < k->bufs.len; b++)
		if (buf(k, b)->cls == KB_INPUT)
			CU_ASSERT_EQUAL(kir_buf_floats(k, b, 2), 7 * 2 * 5);
}

/* The training tape's spike stacks are bits (DESIGN section 5): each one
 * packed by a copy in the forward loop and unpacked by a copy at the start
 * of the backward loop, whose other kernels read the step buffer; compiled
 * for smooth spikes (not 0/1), the same stacks stay floats. */
static void test_spike_tape_bits(void)
{
	const Kir *k = kir(CLASSIFY), *ks = kir(CLASSIFY_SMOOTH);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ks);
	const KList *prog = &k->prog[PROG_TRAIN].kernels;
	long saved = 0;
	int stacks = 0;
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = buf(k, b);
		int spike_stack = kb->cls == KB_ACT && kb->type.timed && kb->type.dtype == DT_SPIKE;
		CU_ASSERT_EQUAL(kb->bits, spike_stack);
		if (!kb->bits)
			continue;
		stacks++;
		saved += (long)k->steps * (kb->type.dim[0] - (kb->type.dim[0] + 31) / 32);
		for (int i = 0; i < prog->len; i++) {
			const Kernel *lp = &prog->items[i];
			CU_ASSERT(lp->kind == K_LOOP || (!kir_reads(lp, b) && !kir_writes(lp, b)));
			if (lp->kind != K_LOOP || !kir_reads(lp, b))
				continue;
			CU_ASSERT(lp->reverse);
			int unpacks = 0;
			for (int j = 0; j < lp->body->len; j++) {
				const Kernel *kn = &lp->body->items[j];
				if (!kir_reads(kn, b))
					continue;
				CU_ASSERT(kn->kind == K_COPY && kn->a == b && !buf(k, kn->out)->bits);
				unpacks++;
			}
			CU_ASSERT_EQUAL(unpacks, 1);
		}
	}
	CU_ASSERT(stacks >= 2);  /* h and c of the slstm layer */
	for (int b = 0; b < ks->bufs.len; b++)
		CU_ASSERT_FALSE(buf(ks, b)->bits);
	/* The bits stacks replace float ones; the step buffers add one step each. */
	CU_ASSERT(kir_workspace_floats(k, PROG_TRAIN, 1) < kir_workspace_floats(ks, PROG_TRAIN, 1));
	CU_ASSERT(kir_workspace_floats(ks, PROG_TRAIN, 1) - kir_workspace_floats(k, PROG_TRAIN, 1) < saved);
	release(CLASSIFY_SMOOTH);
}

/* DESIGN section 2's names, in declaration order, packed back to back; the
 * gradients in the same layout. */
static void test_param_layout(void)
{
	const Kir *k = kir(CLASSIFY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	static const struct {
		const char *name;
		long offset;
	} want[] = {{"h.weight_ih", 0}, {"h.weight_hh", 80}, {"h.bias", 144}, {"y.weight", 160}, {"y.bias", 172}};
	CU_ASSERT_EQUAL_FATAL(count_class(k, KB_PARAM, -1), 5);
	CU_ASSERT_EQUAL(count_class(k, KB_GRAD, -1), 5);
	int p = 0;
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = buf(k, b);
		if (kb->cls == KB_GRAD) {
			CU_ASSERT_FATAL(kb->index >= 0 && kb->index < 5);
			CU_ASSERT_EQUAL(kb->offset, want[kb->index].offset);
		}
		if (kb->cls != KB_PARAM)
			continue;
		CU_ASSERT_STRING_EQUAL(kb->what, want[p].name);
		CU_ASSERT_EQUAL(kb->offset, want[p].offset);
		CU_ASSERT_EQUAL(kb->index, p);
		CU_ASSERT_FALSE(kb->type.batched);
		p++;
	}
	CU_ASSERT_EQUAL(k->nparams, 175);
	CU_ASSERT_EQUAL(ir_param_count(models[CLASSIFY].c.graph), 175);
	release(CLASSIFY);
}

/* ---- per-step output ----------------------------------------------------- */

static void test_per_step_output(void)
{
	const Kir *k = kir(PER_STEP);
	Infer in;
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_FATAL(infer_of(k, &in));
	const KBuf *out = buf(k, k->output);
	CU_ASSERT_EQUAL(out->cls, KB_OUTPUT);
	CU_ASSERT_TRUE(out->type.timed);
	CU_ASSERT_EQUAL(out->type.dim[0], 4);
	CU_ASSERT_EQUAL(kir_buf_floats(k, k->output, 2), 7 * 2 * 4);
	/* h_t goes to step t of the output from the loop's MAP, and to the
	 * state h, from the same let; nothing is left after the loop. */
	CU_ASSERT_EQUAL(count_kind(in.body, K_COPY), 0);
	CU_ASSERT_EQUAL_FATAL(count_kind(in.body, K_MAP), 1);
	const Kernel *m = &in.body->items[nth_kind(in.body, K_MAP, 0)];
	int lo = stored_let(m, k->output);
	CU_ASSERT(lo >= 0);
	int hs = in.body->items[nth_kind(in.body, K_GEMM, 1)].a;
	CU_ASSERT_EQUAL(stored_let(m, hs), lo);
	CU_ASSERT_EQUAL(in.prog->len, in.loop + 1);
	CU_ASSERT_EQUAL(in.lk->states.len, 2);
	CU_ASSERT_EQUAL(count_class(k, KB_STATE, PROG_INFER), 2);
	CU_ASSERT_EQUAL(in.loop, 2);
	/* The output is the caller's array: the workspace holds the states and
	 * the gate buffer only. */
	CU_ASSERT_EQUAL(kir_workspace_floats(k, PROG_INFER, 1), 2 * 4 + 16);
	CU_ASSERT_EQUAL(k->nparams, 160);
	release(PER_STEP);
}

UNIT_SUITE(kernels, "compiler/kernels",
	UNIT_TEST(test_compiles), UNIT_TEST(test_step_gemms), UNIT_TEST(test_step_map_in_place),
	UNIT_TEST(test_init_and_readout), UNIT_TEST(test_workspace), UNIT_TEST(test_spike_tape_bits),
	UNIT_TEST(test_param_layout), UNIT_TEST(test_per_step_output))
