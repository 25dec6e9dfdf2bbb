/* main.c: the spikec command line (DESIGN section 7). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "compiler/diag.h"
#include "backends/llvm/llvm.h"
#include "runtime/gemm.h"
#include "cli.h"

static const CliCommand *const cmds[] = {
	&cli_cmd_check, &cli_cmd_ir, &cli_cmd_emit, &cli_cmd_init, &cli_cmd_infer, &cli_cmd_run,
	&cli_cmd_eval, &cli_cmd_grad, &cli_cmd_sample, &cli_cmd_plot, &cli_cmd_report, &cli_cmd_quantize,
	&cli_cmd_export,
};
#define NCMDS ((int)(sizeof cmds / sizeof *cmds))

static const CliCommand *command(const char *name)
{
	for (int i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	diag_fatal("unknown command '%s' (see 'spikec --help')", name);
}

/* spikec --version: spikec's, the LLVM of the JIT plugin (loading it, 0.15
 * s), the BLAS it links. */
static void version(void)
{
	char err[4400];
	const char *llvm = llvm_plugin_version(err, sizeof err);
	printf("spikec %s\n", SPIKEC_VERSION);
	printf("llvm   %s\n", llvm ? llvm : err);
	printf("blas   %s\n", gemm_backend_config());
}

/* spikec COMMAND [options]: COMMAND's errors name it ("spikec run: error:"). */
int main(int argc, char **argv)
{
	/* A file grown past `ulimit -f` fails its write with EFBIG, which the
	 * writer reports ("File too large"), instead of killing spikec. */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		cli_help_commands(cmds, NCMDS, stderr);
		return 1;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		if (!strcmp(cmd, "help") && argc > 2)
			cli_help(command(argv[2]));
		else
			cli_help_commands(cmds, NCMDS, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		version();
		return 0;
	}
	const CliCommand *c = command(cmd);
	char program[64];
	snprintf(program, sizeof program, "spikec %s", c->name);
	diag_set_program(program);
	CliArgs a = cli_parse(c, argc - 1, argv + 1);
	int rc = c->run(&a);
	cli_args_free(&a);
	return rc;
}
