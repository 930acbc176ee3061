/* forkexec N: N times, fork and exec the program "trivial" (next to this
 * binary) with its stdout on a pipe, read its first output (one byte) and
 * reap it. Cost per iteration = one process started, heard from, reaped. */
#include "common.h"
#include <libgen.h>
#include <limits.h>

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);
	char self[PATH_MAX], prog[PATH_MAX + 16];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	char b;

	if (len < 0)
		die("readlink /proc/self/exe");
	self[len] = 0;
	snprintf(prog, sizeof prog, "%s/trivial", dirname(self));
	for (long i = 0; i < n; i++) {
		int p[2];
		pid_t pid;

		if (pipe(p) < 0)
			die("pipe");
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			if (dup2(p[1], 1) < 0)
				die("dup2");
			close(p[0]);
			close(p[1]);
			execl(prog, "trivial", (char *)NULL);
			die(prog);
		}
		close(p[1]);
		xread(p[0], &b, 1, "read first output");
		close(p[0]);
		reap(pid);
	}
	return 0;
}
