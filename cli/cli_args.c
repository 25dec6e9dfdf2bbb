/* cli_args.c: see cli_args.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/diag.h"
#include "cli_args.h"

#define WIDTH 100      /* help text wraps before this column */
#define OPT_COLUMN 26  /* where an option's help starts */
#define LONG_ONLY 256  /* getopt_long's val of option i without a letter: LONG_ONLY + i */

static int nopts(const CliCommand *cmd)
{
	int n = 0;
	while (cmd->opts[n].name)
		n++;
	return n;
}

/* A space that wrap prints but never breaks at: "[--seed S]" stays whole. */
#define GLUE '\x1f'

/* Writes text from column col (where the cursor is), breaking lines at
 * spaces before WIDTH and starting continuation lines at column indent. */
static void wrap(FILE *f, const char *text, int col, int indent)
{
	for (int first = 1; *text; first = 0) {
		int len = (int)strcspn(text, " ");
		if (!first && col + 1 + len > WIDTH)
			col = fprintf(f, "\n%*s", indent, "") - 1;
		else if (!first)
			col += fprintf(f, " ");
		for (int i = 0; i < len; i++)
			fputc(text[i] == GLUE ? ' ' : text[i], f);
		col += len;
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

/* "model.snn --required V [--optional V] ..." */
static void synopsis(const CliCommand *cmd, StrBuf *sb)
{
	sb_printf(sb, cmd->operands_optional ? "[%s]" : "%s", cmd->operands);
	for (const CliOpt *o = cmd->opts; o->name; o++) {
		if (!o->help)
			continue;
		int req = o->flags & CLI_REQUIRED;
		sb_printf(sb, " %s--%s%s%s%s%s", req ? "" : "[", o->name, o->value ? (char[]){GLUE, 0} : "",
			  o->value ? o->value : "", o->flags & CLI_REPEAT ? (char[]){GLUE, '.', '.', '.', 0} : "",
			  req ? "" : "]");
	}
}

/* "  -o, --output F   help", the help aligned at OPT_COLUMN. */
static void help_line(const char *names, const char *help)
{
	int col = printf("  %s", names);
	col += printf("%*s", col < OPT_COLUMN ? OPT_COLUMN - col : 1, "");
	wrap(stdout, help, col, OPT_COLUMN);
}

void cli_help(const CliCommand *cmd)
{
	StrBuf sb = {0};
	synopsis(cmd, &sb);
	int col = printf("usage: spikec %s ", cmd->name);
	wrap(stdout, sb.buf, col, col);
	printf("\n%s\n", cmd->summary);
	if (cmd->about)
		printf("\n%s\n", cmd->about);
	printf("\noptions:\n");
	for (const CliOpt *o = cmd->opts; o->name; o++) {
		if (!o->help)
			continue;
		sb.len = 0;
		if (o->letter)
			sb_printf(&sb, "-%c, ", o->letter);
		else
			sb_puts(&sb, "    ");
		sb_printf(&sb, "--%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
		StrBuf help = {0};
		sb_puts(&help, o->help);
		for (const CliOpt *alias = o + 1; alias->name && !alias->help; alias++)
			sb_printf(&help, " (--%s is the same)", alias->name);
		help_line(sb.buf, help.buf);
		sb_free(&help);
	}
	help_line("-h, --help", "this text");
	sb_free(&sb);
}

void cli_help_commands(const CliCommand *const *cmds, int n, FILE *f)
{
	int w = 0;  /* the longest name, and two spaces */
	for (int i = 0; i < n; i++)
		w = (int)strlen(cmds[i]->name) > w ? (int)strlen(cmds[i]->name) : w;
	fprintf(f, "usage: spikec COMMAND [options]\n\ncommands:\n");
	for (int i = 0; i < n; i++)
		wrap(f, cmds[i]->summary, fprintf(f, "  %-*s", w + 2, cmds[i]->name), w + 4);
	fprintf(f, "\n'spikec COMMAND --help' or 'spikec help COMMAND' shows the options of a command.\n"
		   "spikec --version prints the version.\n");
}

static _Noreturn void usage_error(const CliCommand *cmd, const char *what, const char *arg)
{
	diag_fatal("%s '%s' (see 'spikec %s --help')", what, arg, cmd->name);
}

/* Whether arg is an option whose value is the next argument. */
static int takes_next(const CliCommand *cmd, const char *arg)
{
	for (const CliOpt *o = cmd->opts; o->name; o++)
		if (o->value && (arg[0] == '-' && arg[1] == '-' ? !strcmp(arg + 2, o->name)
							   : arg[0] == '-' && arg[1] == o->letter && !arg[2]))
			return 1;
	return 0;
}

/* The old parser took long options after one dash (-checkpoint F), which
 * getopt would read as letters (-c -h ...): those are named before parsing. */
static void reject_single_dash(const CliCommand *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];
		if (takes_next(cmd, a)) {
			i++;
			continue;
		}
		if (a[0] != '-' || a[1] == '-' || !a[1] || !a[2])
			continue;
		size_t len = strcspn(a + 1, "=");
		for (const CliOpt *o = cmd->opts; o->name; o++)
			if (strlen(o->name) == len && !strncmp(a + 1, o->name, len))
				diag_fatal("'%s' is not an option: long options take two dashes, '-%s' (see 'spikec %s --help')",
					   a, a, cmd->name);
	}
}

/* A long option given with a name that getopt_long did not take: unknown,
 * or the prefix of several. */
static _Noreturn void bad_long(const CliCommand *cmd, const char *arg)
{
	size_t len = strcspn(arg + 2, "=");
	StrBuf sb = {0};
	int matches = 0;
	for (const CliOpt *o = cmd->opts; o->name; o++)
		if (!strncmp(o->name, arg + 2, len)) {
			sb_printf(&sb, "%s--%s", matches ? ", " : "", o->name);
			matches++;
		}
	if (matches > 1)
		diag_fatal("option '%.*s' is ambiguous: %s (see 'spikec %s --help')", (int)len + 2, arg, sb.buf, cmd->name);
	char name[256];
	snprintf(name, sizeof name, "%.*s", (int)len + 2, arg);
	usage_error(cmd, "unknown option", name);
}

static void set(const CliOpt *o, CliArgs *a, const char *value)
{
	char *field = (char *)a + o->field;
	if (!o->value)
		*(int *)field = 1;
	else if (o->flags & CLI_REPEAT)
		vec_push((CliList *)field, value);
	else
		*(const char **)field = value;
}

static void positional(const CliCommand *cmd, CliArgs *a, const char *arg)
{
	if (a->model)
		diag_fatal("expected one model file, got '%s' and '%s' (see 'spikec %s --help')", a->model, arg,
			   cmd->name);
	a->model = arg;
}

CliArgs cli_parse(const CliCommand *cmd, int argc, char **argv)
{
	reject_single_dash(cmd, argc, argv);
	int n = nopts(cmd);
	struct option *longs = xcalloc((size_t)n + 2, sizeof *longs);
	char *shorts = xcalloc(2 * (size_t)n + 8, 1);
	strcpy(shorts, "-:h");  /* positionals in order, ':' for a missing value */
	for (int i = 0; i < n; i++) {
		const CliOpt *o = &cmd->opts[i];
		longs[i] = (struct option){o->name, o->value ? required_argument : no_argument, NULL,
					   o->letter ? o->letter : LONG_ONLY + i};
		if (o->letter)
			strcat(strcat(shorts, (char[]){o->letter, 0}), o->value ? ":" : "");
	}
	longs[n] = (struct option){"help", no_argument, NULL, 'h'};
	CliArgs a = {0};
	optind = 0;
	opterr = 0;
	/* getopt_long returns 1 for a positional, ':' for a missing value and
	 * '?' with optopt set to the option of an unwanted value (--dot=1), to
	 * an unknown letter, or to 0 for an unknown or ambiguous long option. */
	for (int c; (c = getopt_long(argc, argv, shorts, longs, NULL)) != -1;) {
		const char *arg = argv[optind - 1];
		if (c == 1) {
			positional(cmd, &a, optarg);
		} else if (c == 'h') {
			cli_help(cmd);
			exit(0);
		} else if (c == ':') {
			diag_fatal("option '%s' needs a value (see 'spikec %s --help')", arg, cmd->name);
		} else if (c == '?' && (optopt >= LONG_ONLY || (optopt == 'h' && !strncmp(arg, "--", 2)))) {
			diag_fatal("option '--%s' takes no value (see 'spikec %s --help')",
				   optopt == 'h' ? "help" : cmd->opts[optopt - LONG_ONLY].name, cmd->name);
		} else if (c == '?' && optopt) {
			usage_error(cmd, "unknown option", (char[]){'-', (char)optopt, 0});
		} else if (c == '?') {
			bad_long(cmd, arg);
		} else {
			int i = 0;
			while (i < n && (c >= LONG_ONLY ? i != c - LONG_ONLY : cmd->opts[i].letter != c))
				i++;
			set(&cmd->opts[i], &a, optarg);
		}
	}
	for (int i = optind; i < argc; i++)
		positional(cmd, &a, argv[i]);
	free(longs);
	free(shorts);
	if (!a.model && !cmd->operands_optional)
		diag_fatal("no model file given (usage: spikec %s %s ...; see 'spikec %s --help')", cmd->name,
			   cmd->operands, cmd->name);
	for (const CliOpt *o = cmd->opts; o->name; o++) {
		const char *f = (const char *)&a + o->field;
		if ((o->flags & CLI_REQUIRED) && (o->value ? !*(const char *const *)f : !*(const int *)f))
			diag_fatal("missing --%s%s%s (see 'spikec %s --help')", o->name, o->value ? " " : "",
				   o->value ? o->value : "", cmd->name);
	}
	return a;
}

void cli_args_free(CliArgs *a)
{
	vec_free(&a->checkpoints);
	vec_free(&a->metrics);
}

int cli_backend_is_llvm(const CliArgs *a)
{
	if (!a->backend || !strcmp(a->backend, "llvm"))
		return 1;
	if (!strcmp(a->backend, "c"))
		return 0;
	diag_fatal("unknown backend '%s'; use --backend llvm (the JIT, default) or --backend c (emitted C)", a->backend);
}
