/* main.c: the Cortex-M4 example firmware (examples/cortex-m4/README.md).
 * Runs a model emitted by `spikec emit --target cortex-m4 --checkpoint CK`
 * with nothing but static arrays: no heap, no stdio, no file. It prints,
 * one float a line as its 8 hexadecimal IEEE 754 bits, the forward outputs
 * of BATCH sequences of a fixed input, then checks stream_step() against
 * them; built with -DLABEL_IS_CLASS=1 (int32 class labels) or 0 (float
 * targets) it then also runs TRAIN_STEPS training steps on those sequences
 * (zero_grad, forward_train, backward, step with lr 1e-3, t from 1),
 * printing each loss, and the forward outputs after them. The same file
 * builds for the host with board_host.c, so tests/mcu/run_mcu.sh compares
 * the two outputs with cmp.
 *
 * Inputs and labels come from a fixed LCG: spikes with probability 0.3
 * (also a valid analog input), or one-hot tokens for a model whose input
 * is tokens (built with -DTOKENS). One input per model. The
 * board (board_qemu.c or board_host.c) gives board_write and the exit
 * status: 0, or 1 when streaming disagrees with the batch forward pass by
 * more than 1e-5 or the header's workspace sizes are not the functions'. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(CAT(MODEL, _), name)
#define K(name) CAT(CAT(MODEL_UPPER, _), name)

#ifndef BATCH
#define BATCH 1
#endif
#ifndef TRAIN_STEPS
#define TRAIN_STEPS 3
#endif

/* The board's output: n bytes of s. */
void board_write(const char *s, size_t n);

enum {
	T = K(STEPS), I = K(INPUTS), O = K(OUTPUTS), TIMED = K(OUTPUT_TIMED),
	OUT_PER_SEQ = O * (TIMED ? T : 1), ROWS = BATCH * (TIMED ? T : 1),
};

static float x[T * BATCH * I], out[OUT_PER_SEQ * BATCH];
static float ws[K(WORKSPACE_FLOATS_PER_SAMPLE) * BATCH];
static float state[K(STATE_FLOATS)], x_t[I], o_t[O];

/* A small LCG: the inputs need no statistical quality. */
static uint64_t lcg = 88172645463325252ULL;
static float uniform(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (float)(lcg >> 40) / 16777216.0f;
}

/* v's bits as 8 hexadecimal digits and a newline. */
static void print_bits(const float *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t u;
		char line[9];
		memcpy(&u, &v[i], sizeof u);
		for (int d = 0; d < 8; d++)
			line[d] = "0123456789abcdef"[(u >> (28 - 4 * d)) & 15];
		line[8] = '\n';
		board_write(line, sizeof line);
	}
}

static void say(const char *s)
{
	board_write(s, strlen(s));
}

static void forward0(const void *params)
{
	if (K(CARRY_STATE))
		memset(ws, 0, sizeof ws);
	FN(forward)(params, x, BATCH, out, ws);
}

#ifdef LABEL_IS_CLASS
#if LABEL_IS_CLASS
typedef int32_t label_t;
enum { LABELS = ROWS };
#else
typedef float label_t;
enum { LABELS = ROWS * O };
#endif
static float params[K(NUM_PARAMS)], grads[K(NUM_PARAMS)], opt_state[K(OPT_STATE_FLOATS)];
static float train_ws[K(TRAIN_WORKSPACE_FLOATS_PER_SAMPLE) * BATCH];
static label_t labels[LABELS];

/* TRAIN_STEPS training steps from the baked weights: prints each loss, then the
 * outputs after them. */
static void train(void)
{
	memcpy(params, FN(weights), sizeof params);
	for (size_t i = 0; i < LABELS; i++)
		labels[i] = LABEL_IS_CLASS ? (label_t)(uniform() * O) : (label_t)uniform();
	for (long t = 1; t <= TRAIN_STEPS; t++) {
		FN(zero_grad)(grads);
		float loss = FN(forward_train)(params, x, labels, BATCH, NULL, train_ws);
		FN(backward)(params, x, labels, BATCH, grads, train_ws);
		FN(step)(params, grads, opt_state, 1e-3f, t);
		print_bits(&loss, 1);
	}
	forward0(params);
	print_bits(out, sizeof out / sizeof *out);
}
#endif

/* Whether the header's constants, which size the static arrays, are what
 * the functions ask for. */
static int sizes_agree(void)
{
	int same = FN(workspace_floats)(BATCH) == sizeof ws / sizeof *ws;
#ifdef LABEL_IS_CLASS
	same = same && FN(train_workspace_floats)(BATCH) == sizeof train_ws / sizeof *train_ws;
#endif
	if (!same)
		say("the header's workspace sizes disagree with workspace_floats()\n");
	return same;
}

int main(void)
{
	if (!sizes_agree())
		return 1;
#ifdef TOKENS
	for (size_t r = 0; r < (size_t)T * BATCH; r++)
		x[r * I + (size_t)(uniform() * I)] = 1.0f;
#else
	for (size_t i = 0; i < sizeof x / sizeof *x; i++)
		x[i] = uniform() < 0.3f ? 1.0f : 0.0f;
#endif
	forward0(FN(weights));
	print_bits(out, sizeof out / sizeof *out);

	/* Streaming: sequence 0, one step per call, against the batch pass. */
	FN(stream_reset)(state);
	int same = 1;
	for (int t = 0; t < T; t++) {
		memcpy(x_t, &x[(size_t)t * BATCH * I], sizeof x_t);
		FN(stream_step)(FN(weights), state, x_t, o_t);
		for (int o = 0; (TIMED || t == T - 1) && o < O; o++) {
			float d = o_t[o] - out[(TIMED ? (size_t)t * BATCH * O : 0) + (size_t)o];
			if (!(d <= 1e-5f && d >= -1e-5f))
				same = 0;
		}
	}
	if (!same)
		say("stream_step() disagrees with forward()\n");
#ifdef LABEL_IS_CLASS
	train();
#endif
	return same ? 0 : 1;
}
