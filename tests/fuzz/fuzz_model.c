/* fuzz_model.c: the compiler on any model file: pipeline_compile parses,
 * checks, lowers and runs every pass and the kernel lowering with the IR
 * verifier between stages (cli/pipeline.c), so a file that checks must also
 * lower and verify: a verifier failure or internal error aborts. Messages
 * go to stderr (libFuzzer's -close_fd_mask=2 silences them). */
#include "cli/pipeline.h"
#include "compiler/diag.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Compilation c = {0};
	pipeline_compile(&c, fuzz_file(0, data, size), NULL);
	pipeline_free(&c);
	diag_reset();
	return 0;
}
