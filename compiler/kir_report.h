/* kir_report.h: what a model costs, read off its kernel IR (`spikec
 * report`, docs/report.md): parameter bytes, workspace bytes, the BPTT tape
 * and the products of the forward pass, dense and as spike events.
 *
 * SynOps (docs/bench.md, "SynOps"): a product marked `spikes` adds one
 * weight row of m values per active input, so its accumulates per sample
 * are its active inputs times m. Those of the model's input are counted
 * exactly; those of a spike state come from its firing rate (its count over
 * the T steps / T) times the applications that can read a nonzero value. */
#ifndef SPIKEC_KIR_REPORT_H
#define SPIKEC_KIR_REPORT_H

#include "kir.h"

enum { KPRODUCT_UNCOUNTED = -2 };

/* One product x W^T of the forward (infer) program, W of shape (m, k). */
typedef struct {
	const char *x, *w;  /* buffer names */
	int m, k;
	int apps;           /* applications per sample: T inside or over the time loop, else 1 */
	int events;         /* run as spike events (x is 0/1 spikes) */
	int spike;          /* events: the index in Kir.spikes of the value x holds, -1 for the input,
			     * KPRODUCT_UNCOUNTED for a value the train program does not count (a
			     * model without a loss, a spike value without a name) */
	int live;           /* events over a state: the applications that can read a spike (a state
			     * zeroed before the loop is silent at its first step) */
} KProduct;

typedef struct {
	long params;             /* floats */
	long infer_floats;       /* the forward workspace per sample (workspace_floats(1)) */
	long train_floats;       /* the training workspace per sample; 0 without a loss */
	long tape_floats;        /* of it, the tape: per sample */
	long macs;               /* dense multiply-adds of the forward products per sample */
	Vec(KProduct) products;
} KReport;

/* The workspace counts are floats or, for bit-packed spikes, uint32 words:
 * 4 bytes each, as in the emitted <model>_workspace_floats. The tape is the
 * training workspace's buffers that hold every step (T, B, n), written by the
 * forward part of the train program and read by its backward part. */
void kir_report(const Kir *k, KReport *r);
void kir_report_free(KReport *r);

/* The SynOps per sample of product p, given the active inputs of the input
 * per sample and each counted spike value's count per sample (all T steps);
 * 0 for a dense product (and an uncounted one). *active gets the active
 * inputs per sample. */
double kir_report_synops(const Kir *k, const KProduct *p, double input_ones, const double *spike_counts,
			 double *active);

#endif
