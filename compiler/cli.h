/* cli.h: the spikec commands; each takes its own argv (argv[0] is the
 * command name) and returns the exit status. */
#ifndef SPIKEC_CLI_H
#define SPIKEC_CLI_H

#define SPIKEC_VERSION_STRING "0.1.0"

int cli_check(int argc, char **argv);
int cli_ir(int argc, char **argv);
int cli_emit(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_infer(int argc, char **argv);
int cli_unimplemented(int argc, char **argv);

#endif
