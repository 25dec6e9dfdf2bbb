/* fsdd.c: the Free Spoken Digit Dataset: a folder of DIGIT_SPEAKER_INDEX.wav
 * recordings, split as FSDD does, as log-mel intensities (audio.c) normalised
 * with the training half's statistics. docs/audio.md has the user's view. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "audio.h"
#include "data.h"
#include "mem/mem.h"

#define DIGITS     10
#define FSDD_SUBDIR "data/fsdd/recordings"
#define FSDD_SOURCE "github.com/Jakobovski/free-spoken-digit-dataset"

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fsdd_find(char *dir, size_t n, char *err, size_t errlen)
{
	char root[PATH_MAX], tried[2 * PATH_MAX + 64] = "";
	const char *env = getenv("SPIKEC_FSDD_DIR");

	if (env && env[0]) {
		if (is_dir(env)) {
			snprintf(dir, n, "%s", env);
			return 0;
		}
		snprintf(err, errlen, "FSDD: SPIKEC_FSDD_DIR is %s, which is not a folder; point it at a folder of "
			 "FSDD recordings (DIGIT_SPEAKER_INDEX.wav), or unset it to use the copy in " FSDD_SUBDIR, env);
		return -1;
	}
	if (data_repo_root(root, sizeof root)) {
		snprintf(dir, n, "%s/" FSDD_SUBDIR, root);
		if (is_dir(dir))
			return 0;
		snprintf(tried, sizeof tried, "%s, ", dir);
	}
	snprintf(dir, n, "./" FSDD_SUBDIR);
	if (is_dir(dir))
		return 0;
	snprintf(err, errlen, "FSDD is missing: no folder %s./" FSDD_SUBDIR "; the recordings ship with spikec in "
		 FSDD_SUBDIR ": restore that folder from the repository (or copy the recordings folder of " FSDD_SOURCE
		 " there), run spikec from the repository, or set SPIKEC_FSDD_DIR to a folder of the recordings", tried);
	return -1;
}

/* FSDD's names: DIGIT_SPEAKER_INDEX.wav, e.g. 3_theo_12.wav. */
static int parse_name(const char *name, int *digit, int *index)
{
	const char *p = name, *us;
	size_t len = strlen(name);

	if (len < 9 || p[0] < '0' || p[0] > '9' || p[1] != '_')
		return 0;
	*digit = p[0] - '0';
	us = strrchr(p, '_');
	if (us == p + 1 || us[1] == '.' || strcmp(name + len - 4, ".wav") != 0)
		return 0;
	*index = 0;
	for (p = us + 1; p < name + len - 4; p++) {
		if (*p < '0' || *p > '9' || *index > 100000)
			return 0;
		*index = *index * 10 + (*p - '0');
	}
	return 1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .wav file names of dir, sorted bytewise: *names (malloc'd), the count
 * returned, or -1 with a message. */
static int list_wavs(const char *dir, char ***names, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	int count = 0, cap = 0;

	*names = NULL;
	if (!d) {
		snprintf(err, errlen, "FSDD: cannot open the folder %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 4 || strcmp(e->d_name + len - 4, ".wav") != 0)
			continue;
		if (count == cap) {
			char **w = mem_realloc(v, (size_t)(cap = cap ? 2 * cap : 256) * sizeof *v);

			if (!w)
				goto oom;
			v = w;
		}
		if (!(v[count] = mem_strdup(e->d_name)))
			goto oom;
		count++;
	}
	closedir(d);
	qsort(v, (size_t)count, sizeof *v, by_name);
	*names = v;
	return count;
oom:
	closedir(d);
	for (int i = 0; i < count; i++)
		free(v[i]);
	free(v);
	snprintf(err, errlen, "FSDD: out of memory listing %s", dir);
	return -1;
}

static int alloc_half(Dataset *d, int count)
{
	d->count = count;
	d->features = FSDD_FEATURES;
	d->classes = DIGITS;
	d->values = mem_malloc(((size_t)count * FSDD_FEATURES + 1) * sizeof *d->values);
	d->labels = mem_malloc(((size_t)count + 1) * sizeof *d->labels);
	return d->values && d->labels ? 0 : -1;
}

int fsdd_load(const char *dir, DataSplit *out, char *err, size_t errlen)
{
	char found[PATH_MAX + 64], path[PATH_MAX + 320], **names = NULL;
	int count, ntest = 0, rc = -1, *steps[2] = {NULL, NULL}, at[2] = {0, 0};
	Dataset *half[2] = {&out->train, &out->test};
	AudioFeatures *feat = NULL;
	double mean[FSDD_MELS], std[FSDD_MELS];

	memset(out, 0, sizeof *out);
	if (!dir) {
		if (fsdd_find(found, sizeof found, err, errlen))
			return -1;
		dir = found;
	}
	if ((count = list_wavs(dir, &names, err, errlen)) < 0)
		return -1;
	for (int i = 0; i < count; i++) {
		int digit, index;

		if (!parse_name(names[i], &digit, &index)) {
			snprintf(err, errlen, "%s/%s: not named DIGIT_SPEAKER_INDEX.wav (e.g. 3_theo_12.wav) as FSDD's "
				 "recordings are, so its digit and split are unknown; rename it or remove it from the folder",
				 dir, names[i]);
			goto done;
		}
		ntest += index < FSDD_TEST_INDEX;
	}
	if (count - ntest == 0 || ntest == 0) {
		snprintf(err, errlen, "FSDD: %s holds %d recordings, %d of them with index < %d (the test set) and %d "
			 "others (the training set); both halves need recordings: point SPIKEC_FSDD_DIR at the recordings "
			 "folder of " FSDD_SOURCE, dir, count, ntest, FSDD_TEST_INDEX, count - ntest);
		goto done;
	}
	steps[0] = mem_malloc((size_t)(count - ntest) * sizeof *steps[0]);
	steps[1] = mem_malloc((size_t)ntest * sizeof *steps[1]);
	if (!steps[0] || !steps[1] || !(feat = audio_features_new()) || alloc_half(half[0], count - ntest) ||
	    alloc_half(half[1], ntest)) {
		snprintf(err, errlen, "FSDD: out of memory for %d recordings", count);
		goto done;
	}
	for (int i = 0; i < count; i++) {
		int digit, index, n, s;
		float *x;

		parse_name(names[i], &digit, &index);
		s = index < FSDD_TEST_INDEX;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (audio_read_wav(path, FSDD_RATE, &x, &n, NULL, err, errlen))
			goto done;
		steps[s][at[s]] = audio_features(feat, x, n, half[s]->values + (size_t)at[s] * FSDD_FEATURES);
		free(x);
		if (steps[s][at[s]] < 0) {
			snprintf(err, errlen, "%s: out of memory for its %d samples", path, n);
			goto done;
		}
		half[s]->labels[at[s]++] = digit;
	}
	audio_band_stats(out->train.values, steps[0], out->train.count, mean, std);
	for (int s = 0; s < 2; s++)
		audio_normalise(half[s]->values, steps[s], half[s]->count, mean, std);
	rc = 0;
done:
	for (int i = 0; i < count; i++)
		free(names[i]);
	free(names);
	free(steps[0]);
	free(steps[1]);
	audio_features_free(feat);
	if (rc)
		data_free(out);
	return rc;
}

static int load(const TrainData *cfg, const char *dir, DataSplit *out, char *err, size_t errlen)
{
	(void)cfg;
	return fsdd_load(dir, out, err, errlen);
}

const DataSource data_fsdd = {DATA_FSDD, load};
