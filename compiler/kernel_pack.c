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
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

enum { NONE, WRITER, READER, NEITHER };

/* What a loop does with a buffer: NONE, WRITER (copies into it only),
 * READER (reads it only) or NEITHER; r, so far, and then body kernel kn,
 * whose uses of it are `use` (KIR_READ, KIR_WRITE). */
static int combine(int r, const Kernel *kn, int use)
{
	int this = kn->kind == K_COPY && !(use & KIR_READ) ? WRITER : (use & KIR_WRITE) || kn->kind == K_LOOP ? NEITHER : READER;
	return r != NONE && r != this ? NEITHER : this;
}

/* Per buffer b < nb, row 0: NEITHER where a kernel outside the loops of
 * prog touches b; row q: what prog's q-th loop (from 1) does with b. */
typedef struct {
	int nb, rows;
	unsigned char *role;  /* rows * nb */
} Roles;

static unsigned char *row(const Roles *r, int q)
{
	return r->role + (size_t)q * (size_t)r->nb;
}

static Roles roles(const Kir *k, const KList *prog, int nb)
{
	Roles r = {nb, 1, NULL};
	for (int i = 0; i < prog->len; i++)
		r.rows += prog->items[i].kind == K_LOOP;
	r.role = xcalloc((size_t)r.rows * (size_t)nb + 1, 1);
	KUses u;
	kir_uses_init(&u, k);
	for (int i = 0, q = 0; i < prog->len; i++) {
		const Kernel *lp = &prog->items[i];
		unsigned char *rq = row(&r, lp->kind == K_LOOP ? ++q : 0);
		for (int j = 0; j < (lp->kind == K_LOOP ? lp->body->len : 1); j++) {
			const Kernel *kn = lp->kind == K_LOOP ? &lp->body->items[j] : lp;
			kir_uses_add(&u, kn);
			for (int t = 0; t < u.touched.len; t++) {
				int b = u.touched.items[t];
				rq[b] = lp->kind == K_LOOP ? (unsigned char)combine(rq[b], kn, u.use[b]) : NEITHER;
			}
			kir_uses_clear(&u);
		}
	}
	kir_uses_free(&u);
	return r;
}

/* Whether stack b qualifies: a spike stack of the training program that
 * only loops touch, each a WRITER or a READER, at least one of each. */
static int packable(const Kir *k, const Roles *r, int b)
{
	const KBuf *kb = &k->bufs.items[b];
	if (kb->cls != KB_ACT || kb->program != PROG_TRAIN || !kb->type.timed || !kb->type.batched ||
	    kb->type.dtype != DT_SPIKE || kb->type.rank != 1)
		return 0;
	int writers = 0, readers = 0;
	for (int q = 0; q < r->rows; q++) {
		int role = row(r, q)[b];
		if (role == NEITHER)
			return 0;
		writers += role == WRITER;
		readers += role == READER;
	}
	return writers && readers;
}

/* In each loop that reads stacks, its kernels read the step buffers
 * instead (step[b], -1 for a stack not packed), which the loop first
 * unpacks: `copy step[b] <- b` for each, the last stack's first. */
static void unpack(Kir *k, KList *prog, const Roles *r, const int *step)
{
	int *map = xmalloc(sizeof(int) * (size_t)(k->bufs.len + 1));
	for (int b = 0; b < k->bufs.len; b++)
		map[b] = b;
	for (int i = 0, q = 0; i < prog->len; i++) {
		if (prog->items[i].kind != K_LOOP)
			continue;
		const unsigned char *rq = row(r, ++q);
		KList *body = prog->items[i].body, out = {0};
		for (int b = r->nb - 1; b >= 0; b--)
			if (step[b] >= 0 && rq[b] == READER) {
				vec_push(&out, ((Kernel){.kind = K_COPY, .out = step[b], .a = b}));
				map[b] = step[b];
			}
		if (!out.len)
			continue;
		kir_remap_bufs(body, map);
		for (int j = 0; j < body->len; j++)
			vec_push(&out, body->items[j]);
		free(body->items);
		*body = out;
		for (int b = 0; b < r->nb; b++)
			map[b] = b;
	}
	free(map);
}

void kir_pack_spike_stacks(Kir *k)
{
	KList *prog = &k->prog[PROG_TRAIN].kernels;
	KL L = {.k = k, .g = k->g, .program = PROG_TRAIN};
	int nb = k->bufs.len, *step = xmalloc(sizeof(int) * (size_t)(nb + 1));
	Roles r = roles(k, prog, nb);
	for (int b = 0; b < nb; b++) {
		step[b] = -1;
		if (!packable(k, &r, b))
			continue;
		KBuf *kb = &k->bufs.items[b];
		Type t = kb->type;
		t.timed = 0;
		size_t n = strlen(kb->name), base = n > 4 && !strcmp(kb->name + n - 4, "_seq") ? n - 4 : n;
		const char *what = arena_printf(k->arena, "step t of %s", kb->name);
		step[b] = kl_add_buf(&L, KB_ACT, arena_printf(k->arena, "%.*s_step", (int)base, kb->name), what, t);
		k->bufs.items[b].bits = 1;
	}
	unpack(k, prog, &r, step);
	free(r.role);
	free(step);
}
