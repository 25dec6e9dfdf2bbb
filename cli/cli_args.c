/* cli_args.c: see cli_args.h. */
#include <string.h>
#include "compiler/diag.h"
#include "cli_args.h"

static int listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
			return 1;
	return 0;
}

CliArgs cli_parse(int argc, char **argv, const char *values, const char *flags)
{
	CliArgs a = {0};
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (arg[0] != '-' || !arg[1]) {
			if (a.model)
				diag_fatal("spikec %s takes one model file, got '%s' and '%s'", argv[0], a.model, arg);
			a.model = arg;
			continue;
		}
		const char *name = arg + 1 + (arg[1] == '-');
		if ((!strcmp(name, "output") || !strcmp(name, "out")) && listed(values, "o"))
			name = "o";
		if (listed(flags, name)) {
			if (!strcmp(name, "dot"))
				a.dot = 1;
			else if (!strcmp(name, "portable"))
				a.portable = 1;
			else if (!strcmp(name, "quiet"))
				a.quiet = 1;
			else if (!strcmp(name, "smooth-spikes"))
				a.smooth_spikes = 1;
			else if (!strcmp(name, "inputs") || !strcmp(name, "input-grads"))
				a.inputs = 1;
			continue;
		}
		if (!listed(values, name))
			diag_fatal("spikec %s: unknown option '%s' (try 'spikec --help')", argv[0], arg);
		if (i + 1 >= argc)
			diag_fatal("spikec %s: option '%s' needs a value", argv[0], arg);
		const char *v = argv[++i];
		if (!strcmp(name, "o"))
			a.out = v;
		else if (!strcmp(name, "after"))
			a.after = v;
		else if (!strcmp(name, "checkpoint"))
			a.checkpoint = v;
		else if (!strcmp(name, "input"))
			a.input = v;
		else if (!strcmp(name, "seed"))
			a.seed = v;
		else if (!strcmp(name, "epochs"))
			a.epochs = v;
		else if (!strcmp(name, "threads"))
			a.threads = v;
		else if (!strcmp(name, "resume"))
			a.resume = v;
		else if (!strcmp(name, "backend"))
			a.backend = v;
		else if (!strcmp(name, "labels"))
			a.labels = v;
		else if (!strcmp(name, "length"))
			a.length = v;
		else if (!strcmp(name, "temperature"))
			a.temperature = v;
		else if (!strcmp(name, "prime"))
			a.prime = v;
	}
	if (!a.model)
		diag_fatal("spikec %s needs a model file: spikec %s model.snn", argv[0], argv[0]);
	return a;
}

int cli_backend_is_llvm(const CliArgs *a)
{
	if (!a->backend || !strcmp(a->backend, "llvm"))
		return 1;
	if (!strcmp(a->backend, "c"))
		return 0;
	diag_fatal("unknown backend '%s'; use --backend llvm (the JIT, default) or --backend c (emitted C)", a->backend);
}
