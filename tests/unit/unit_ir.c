/* unit_ir.c: see unit_ir.h. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unit_ir.h"

int unit_verify_outcome(const Graph *g)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit no_core = {0, 0};
		setrlimit(RLIMIT_CORE, &no_core);
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		ir_verify(g, "test");
		_exit(0);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return '?';
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 'R';
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT ? 'A' : 'X';
}

