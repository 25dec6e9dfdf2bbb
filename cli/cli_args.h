/* cli_args.h: each command's command line, declared once as a table of
 * options that drives both its parsing (getopt_long: --name VALUE,
 * --name=VALUE, -o VALUE, -- to end the options) and its --help text. */
#ifndef SPIKEC_CLI_ARGS_H
#define SPIKEC_CLI_ARGS_H

#include <stddef.h>
#include <stdio.h>
#include "compiler/util.h"

typedef Vec(const char *) CliList;

/* What the options of all commands set; a command's table names the fields
 * it fills. Values stay NULL (flags 0, lists empty) when not given. */
typedef struct {
	const char *model;       /* the positional model file */
	const char *out, *after, *checkpoint, *input, *seed, *epochs, *threads, *resume, *backend, *labels, *length,
		*temperature, *prime, *sample, *samples, *target, *dt;
	CliList checkpoints, metrics;  /* options that may be given several times */
	int dot, portable, quiet, smooth_spikes, inputs, strict, raster, signal, data, json, quantized, nir, exact_reset;
} CliArgs;

enum {
	CLI_REQUIRED = 1,  /* the command fails without it (a flag or a value option, not CLI_REPEAT) */
	CLI_REPEAT = 2,    /* each occurrence is appended to a CliList field */
};

/* One option. A flag has no value and sets an int field to 1; a value
 * option sets a const char * field (the last occurrence wins) or, with
 * CLI_REPEAT, appends to a CliList. An entry with NULL help is an alias of
 * the entry before it that sets the same field; help names it on that
 * entry's line. */
typedef struct {
	const char *name;   /* the long option, without dashes */
	char letter;        /* the short option (-o), 0 for none */
	const char *value;  /* what the value looks like in help ("DIR"); NULL for a flag */
	int flags;          /* CLI_REQUIRED, CLI_REPEAT */
	size_t field;       /* CLI_FIELD(name) */
	const char *help;
} CliOpt;

#define CLI_FIELD(f) offsetof(CliArgs, f)

/* Options several commands share, with the same meaning. */
#define CLI_OPT_BACKEND                                                                                     \
	{"backend", 0, "llvm|c", 0, CLI_FIELD(backend),                                                     \
	 "llvm JIT-compiles through LLVM (the default); c compiles the emitted C with the system compiler. " \
	 "Both give the same bits (docs/backends.md)"}
#define CLI_OPT_JSON                                                                                        \
	{"json", 0, NULL, 0, CLI_FIELD(json), "print one JSON object instead of text (docs/cli-json.md)"}
#define CLI_OPT_QUANTIZED                                                                                   \
	{"quantized", 0, NULL, 0, CLI_FIELD(quantized),                                                     \
	 "the integer forward pass, with a checkpoint from 'spikec quantize' (docs/quantize.md)"}
#define CLI_OPT_STRICT                                                                                      \
	{"strict", 0, NULL, 0, CLI_FIELD(strict),                                                           \
	 "fail, rather than warn, when the checkpoint was not written from this model file (its metadata "  \
	 "names another model or model hash, or none)"}

typedef struct {
	const char *name;      /* spikec NAME */
	const char *operands;  /* "model.snn" */
	int operands_optional; /* the model file may be left out (plot --metrics) */
	const char *summary;   /* one line, for the command list */
	const char *about;     /* further lines for --help, or NULL */
	const CliOpt *opts;    /* ends with {0} */
	int (*run)(const CliArgs *a);
} CliCommand;

/* Parses argv (argv[0] is the command name) by cmd's table. -h and --help
 * print cli_help to stdout and exit 0; an unknown option, a missing value,
 * a missing required option or a second model file is a user error that
 * exits 1. */
CliArgs cli_parse(const CliCommand *cmd, int argc, char **argv);
/* Frees what cli_parse allocated (the lists; the strings are argv's). */
void cli_args_free(CliArgs *a);
/* The usage line, summary and options of cmd, to stdout. */
void cli_help(const CliCommand *cmd);
/* The list of commands, to f. */
void cli_help_commands(const CliCommand *const *cmds, int n, FILE *f);
/* --backend: 1 for llvm (the default), 0 for c; anything else is a user
 * error that exits. */
int cli_backend_is_llvm(const CliArgs *a);

#endif
