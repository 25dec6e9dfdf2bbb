/* fuzz_wav.c: the WAV reader (train/audio.c, through libsndfile) on any
 * bytes, and the log-mel features of what it reads. The first byte picks
 * the rate insisted on: odd, FSDD's 8000 Hz; even, any. libsndfile itself
 * is not instrumented: this finds what our use of it does with odd files. */
#include <stdlib.h>
#include "train/audio.h"
#include "fuzz.h"

static AudioFeatures *features;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char err[512] = "";
	float *x;
	int n, rate;
	if (audio_read_wav(fuzz_file(0, data + 1, size - 1), data[0] & 1 ? FSDD_RATE : 0, &x, &n, &rate, err,
			   sizeof err)) {
		FUZZ_ASSERT(err[0] && !x);
		return 0;
	}
	FUZZ_ASSERT(n >= 1 && x && (rate == FSDD_RATE || !(data[0] & 1)));
	for (int i = 0; i < n; i++)
		FUZZ_ASSERT(x[i] >= -1 && x[i] < 1);
	if (!features)
		features = audio_features_new();
	static float out[FSDD_FEATURES];
	int kept = audio_features(features, x, n, out);
	FUZZ_ASSERT(kept >= 1 && kept <= FSDD_STEPS);
	free(x);
	return 0;
}
