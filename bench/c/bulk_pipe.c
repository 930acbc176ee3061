/* bulk_pipe N: the parent writes N blocks of 64 KiB into a pipe, the child
 * reads 64 KiB at a time to EOF and checks the total. 16384 blocks are
 * 1 GiB. Cost per iteration = the time of one 64 KiB block. */
#include "common.h"

#define BLOCK 65536

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);
	int p[2];
	pid_t parent = getpid(), pid;
	static char buf[BLOCK];

	if (pipe(p) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		long long total = 0;
		ssize_t r;

		child_setup(parent);
		close(p[1]);
		for (;;) {
			r = read(p[0], buf, sizeof buf);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				die("child read");
			if (r == 0)
				break;
			total += r;
		}
		if (total != (long long)n * BLOCK) {
			fprintf(stderr, "child: read %lld bytes, want %lld\n", total, (long long)n * BLOCK);
			_exit(1);
		}
		_exit(0);
	}
	close(p[0]);
	memset(buf, 'x', sizeof buf);
	for (long i = 0; i < n; i++)
		xwrite(p[1], buf, sizeof buf, "write");
	close(p[1]);
	reap(pid);
	return 0;
}
