/* outdir.h: a run's output folder: what the run finds there before it
 * writes, and its metrics log. */
#ifndef SPIKEC_TRAIN_OUTDIR_H
#define SPIKEC_TRAIN_OUTDIR_H

#include <stddef.h>
#include <stdio.h>

/* Makes the output folder dir (and its parents), removes the temporaries of
 * killed runs there (outdir_remove_stale) and opens dir/metrics.jsonl: to
 * append to, kept to `start` epochs' lines (outdir_keep_metrics) when
 * resuming, else new. NULL with err set when one of them fails. */
FILE *outdir_open(const char *dir, int resuming, int start, int quiet, char *err, size_t errlen);

/* Rewrites the metrics log at path (one JSON object a line, each with an
 * integer "epoch") so that it keeps the lines before the first one past
 * epoch: what a run resumed from that epoch's checkpoint continues. A last
 * line without its newline is what a run killed or stopped by a full disk
 * left half-written, and is dropped too. A missing file is fine. Returns -1 with "PATH:LINE: what is wrong" (or why
 * it cannot be read or written) in err. */
int outdir_keep_metrics(const char *path, int epoch, char *err, size_t errlen);

/* Removes the temporaries that a killed run left in dir: the checkpoints'
 * and the metrics log's (fileio_write_atomic's NAME.tmp.PID) whose process
 * no longer exists. Each removal is said on stderr unless quiet; anything
 * else in dir, a live process's temporaries included, stays. */
void outdir_remove_stale(const char *dir, int quiet);

#endif
