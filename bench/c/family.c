/* family N: N times, start a family of 64 children — fork, and exec the
 * program "trivial" (next to this binary), all 64 before any is reaped —
 * then reap them all. Cost per iteration = 64 processes started and
 * reaped, as `spawn w[i]` x 64 then `wait w` in bench/ipcsh/family.ipc.
 * The children's one byte of output goes to this program's stdout. */
#include "common.h"
#include <libgen.h>
#include <limits.h>

#define MEMBERS 64

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);
	char self[PATH_MAX], prog[PATH_MAX + 16];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	pid_t pids[MEMBERS];

	if (len < 0)
		die("readlink /proc/self/exe");
	self[len] = 0;
	snprintf(prog, sizeof prog, "%s/trivial", dirname(self));
	for (long i = 0; i < n; i++) {
		for (int m = 0; m < MEMBERS; m++) {
			pids[m] = fork();
			if (pids[m] < 0)
				die("fork");
			if (pids[m] == 0) {
				execl(prog, "trivial", (char *)NULL);
				die(prog);
			}
		}
		for (int m = 0; m < MEMBERS; m++)
			reap(pids[m]);
	}
	return 0;
}
