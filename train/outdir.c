/* outdir.c: see outdir.h. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "io/fileio.h"
#include "io/json.h"
#include "mem/mem.h"
#include "outdir.h"

/* The epoch of one metrics line, or 0 with a message in err and, for a line
 * that is not JSON, the column in *column (else 0). */
static int line_epoch(const char *line, size_t len, int *column, char *err, size_t errlen)
{
	json_t *v;
	json_error_t jerr;
	int epoch = 0;
	*column = 0;
	int rc = json_parse(line, len, &v, &jerr);
	if (rc == JSON_OUT_OF_MEMORY)
		mem_out_of_memory();
	if (rc) {
		*column = jerr.column;
		snprintf(err, errlen, "%s", jerr.text);
		return 0;
	}
	const json_t *e = json_object_get(v, "epoch");
	if (!json_is_object(v))
		snprintf(err, errlen, "%s, not an object", json_a_type(v));
	else if (!json_is_integer(e) || json_integer_value(e) < 1 || json_integer_value(e) > 1 << 30)
		snprintf(err, errlen, "no positive integer \"epoch\"");
	else
		epoch = (int)json_integer_value(e);
	json_decref(v);
	return epoch;
}

int outdir_keep_metrics(const char *path, int epoch, char *err, size_t errlen)
{
	size_t len, keep = 0;
	struct stat st;
	if (stat(path, &st) && errno == ENOENT)
		return 0;
	char *text = fileio_read_all(path, &len, err, errlen), why[300];
	if (!text)
		return -1;
	int rc = 0, past = 0;
	for (size_t at = 0, lineno = 1; at < len && !rc; lineno++) {
		const char *nl = memchr(text + at, '\n', len - at);
		if (!nl)
			break;  /* torn: a run stopped while writing it */
		size_t end = (size_t)(nl - text) + 1;
		int column, e = line_epoch(text + at, end - at, &column, why, sizeof why);
		if (!e) {
			char col[16] = "";
			if (column)
				snprintf(col, sizeof col, "%d:", column);
			snprintf(err, errlen, "%s:%zu:%s %s (a resumed run keeps the lines of the epochs before its "
				 "checkpoint, so each must be what spikec run wrote; mend or move the file)",
				 path, lineno, col, why);
			rc = -1;
		}
		past |= e > epoch;
		if (!past)
			keep = end;
		at = end;
	}
	const void *parts[] = {text};
	if (!rc && keep < len)
		rc = fileio_write_atomic(path, parts, &keep, 1, err, errlen);
	free(text);
	return rc;
}

/* A temporary of one of the files a run writes: a checkpoint or the metrics
 * log. */
static int ours(const char *name, size_t target_len)
{
	static const char ckpt[] = ".safetensors", metrics[] = "metrics.jsonl";
	size_t n = sizeof ckpt - 1;
	return (target_len > n && !strncmp(name + target_len - n, ckpt, n)) ||
	       (target_len == sizeof metrics - 1 && !strncmp(name, metrics, target_len));
}

void outdir_remove_stale(const char *dir, int quiet)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	char path[4400];
	for (struct dirent *de; (de = readdir(d));) {
		size_t target_len;
		long pid = fileio_tmp_pid(de->d_name, &target_len);
		if (!pid || !ours(de->d_name, target_len) || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (remove(path))
			fprintf(stderr, "spikec: warning: cannot remove stale temporary %s: %s\n", path, strerror(errno));
		else if (!quiet)
			fprintf(stderr, "spikec: removed stale temporary %s (process %ld is gone)\n", path, pid);
	}
	closedir(d);
}

FILE *outdir_open(const char *dir, int resuming, int start, int quiet, char *err, size_t errlen)
{
	char path[4200];
	if (fileio_mkdirs(dir)) {
		snprintf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
		return NULL;
	}
	outdir_remove_stale(dir, quiet);
	snprintf(path, sizeof path, "%s/metrics.jsonl", dir);
	if (resuming && outdir_keep_metrics(path, start, err, errlen))
		return NULL;
	FILE *f = fopen(path, resuming ? "a" : "w");
	if (!f)
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
	return f;
}
