/* cli_args.h: the option parser shared by the commands. */
#ifndef SPIKEC_CLI_ARGS_H
#define SPIKEC_CLI_ARGS_H

typedef struct {
	const char *model;
	const char *out;         /* -o DIR / --output F */
	const char *after;       /* --after STAGE */
	const char *checkpoint;  /* --checkpoint F */
	const char *input;       /* --input x.npy */
	const char *seed;        /* --seed S */
	const char *epochs;      /* --epochs N */
	const char *threads;     /* --threads N */
	const char *resume;      /* --resume CKPT */
	const char *backend;     /* --backend c|llvm */
	const char *labels;      /* --labels y.npy */
	const char *length;      /* --length N */
	const char *temperature; /* --temperature X */
	const char *prime;       /* --prime TEXT */
	int dot, portable, quiet, smooth_spikes, inputs;
} CliArgs;

/* Parses `argv` (argv[0] is the command). `values` and `flags` list, space
 * separated, the options this command accepts (without dashes; "o" also
 * accepts --output). Anything else is a user error that exits. */
CliArgs cli_parse(int argc, char **argv, const char *values, const char *flags);
/* --backend: 1 for llvm (the default), 0 for c; anything else is a user
 * error that exits. */
int cli_backend_is_llvm(const CliArgs *a);

#endif
