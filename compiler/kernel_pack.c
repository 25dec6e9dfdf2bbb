/* kernel_pack.c: spikes on the training tape kept as bits (DESIGN.md
 * section 5).
 *
 * The forward loop stacks spike values for the backward pass (`copy
 * h_h_seq <- h_h`, one step's rows at step t). A spike is 0 or 1, so such a
 * stack is stored one bit per value (KBuf.bits): the forward copy packs it,
 * and every backward loop that reads it first unpacks step t into one
 * step's float rows, which its kernels read instead. A stack qualifies when
 * only loop bodies touch it, each loop either only copies into it or only
 * reads it. Packing is exact, so the bits of every result stay the same;
 * the tape shrinks 32-fold. */
#include <string.h>
#include "kernels.h"

enum { NONE, WRITER, READER, NEITHER };

/* What loop `lp` does with buffer b: NONE, WRITER (copies into it only),
 * READER (reads it only) or NEITHER. */
static int role(const Kernel *lp, int b)
{
	int r = NONE;
	for (int i = 0; i < lp->body->len; i++) {
		const Kernel *kn = &lp->body->items[i];
		int reads = kir_reads(kn, b), writes = kir_writes(kn, b);
		if (!reads && !writes)
			continue;
		int this = kn->kind == K_COPY && !reads ? WRITER : writes || kn->kind == K_LOOP ? NEITHER : READER;
		if (r != NONE && r != this)
			return NEITHER;
		r = this;
	}
	return r;
}

static int packable(const Kir *k, const KList *prog, int b)
{
	const KBuf *kb = &k->bufs.items[b];
	if (kb->cls != KB_ACT || kb->program != PROG_TRAIN || !kb->type.timed || !kb->type.batched ||
	    kb->type.dtype != DT_SPIKE || kb->type.rank != 1)
		return 0;
	int writers = 0, readers = 0;
	for (int i = 0; i < prog->len; i++) {
		const Kernel *kn = &prog->items[i];
		if (kn->kind != K_LOOP)  {
			if (kir_reads(kn, b) || kir_writes(kn, b))
				return 0;
			continue;
		}
		int r = role(kn, b);
		if (r == NEITHER)
			return 0;
		writers += r == WRITER;
		readers += r == READER;
	}
	return writers && readers;
}

/* Unpacks stack b into step buffer u at the start of loop lp, whose
 * kernels then read u. */
static void unpack_in(Kernel *lp, int b, int u)
{
	for (int i = 0; i < lp->body->len; i++)
		kir_rename_buf(&lp->body->items[i], b, u);
	vec_push(lp->body, lp->body->items[0]);
	for (int i = lp->body->len - 1; i > 0; i--)
		lp->body->items[i] = lp->body->items[i - 1];
	lp->body->items[0] = (Kernel){.kind = K_COPY, .out = u, .a = b};
}

void kir_pack_spike_stacks(Kir *k)
{
	KList *prog = &k->prog[PROG_TRAIN].kernels;
	KL L = {.k = k, .g = k->g, .program = PROG_TRAIN};
	for (int b = 0, nb = k->bufs.len; b < nb; b++) {
		if (!packable(k, prog, b))
			continue;
		KBuf *kb = &k->bufs.items[b];
		Type step = kb->type;
		step.timed = 0;
		size_t n = strlen(kb->name), base = n > 4 && !strcmp(kb->name + n - 4, "_seq") ? n - 4 : n;
		const char *what = arena_printf(k->arena, "step t of %s", kb->name);
		int u = kl_add_buf(&L, KB_ACT, arena_printf(k->arena, "%.*s_step", (int)base, kb->name), what, step);
		k->bufs.items[b].bits = 1;
		for (int i = 0; i < prog->len; i++)
			if (prog->items[i].kind == K_LOOP && role(&prog->items[i], b) == READER)
				unpack_in(&prog->items[i], b, u);
	}
}
