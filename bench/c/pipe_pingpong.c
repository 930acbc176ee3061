/* pipe_pingpong N: N round trips of one byte between a parent and its
 * child over two pipes. Cost per iteration = one round trip. */
#include "common.h"

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);
	int ping[2], pong[2];
	pid_t parent = getpid(), pid;
	char b = 'x';

	if (pipe(ping) < 0 || pipe(pong) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		child_setup(parent);
		close(ping[1]);
		close(pong[0]);
		for (long i = 0; i < n; i++) {
			xread(ping[0], &b, 1, "child read");
			xwrite(pong[1], &b, 1, "child write");
		}
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);
	for (long i = 0; i < n; i++) {
		xwrite(ping[1], &b, 1, "write");
		xread(pong[0], &b, 1, "read");
	}
	reap(pid);
	return 0;
}
