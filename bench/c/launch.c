/* launch N PROG [ARGS...]: run PROG N times, one after another, and fail
 * unless each exits 0. The start-up rows time it, so every contestant is
 * started the same way (fork, execvp, waitpid). */
#include "common.h"

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);

	if (argc < 3) {
		fprintf(stderr, "usage: launch N PROG [ARGS...]\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execvp(argv[2], argv + 2);
			die(argv[2]);
		}
		reap(pid);
	}
	return 0;
}
