/* fork N: forkexec without the exec: N times, fork a child that writes one
 * byte to a pipe and exits; read the byte and reap the child. */
#include "common.h"

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);
	char b = 'x';

	for (long i = 0; i < n; i++) {
		int p[2];
		pid_t pid;

		if (pipe(p) < 0)
			die("pipe");
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(p[0]);
			xwrite(p[1], &b, 1, "child write");
			_exit(0);
		}
		close(p[1]);
		xread(p[0], &b, 1, "read first output");
		close(p[0]);
		reap(pid);
	}
	return 0;
}
