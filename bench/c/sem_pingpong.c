/* sem_pingpong N: N round trips over a set of two SysV semaphores (both
 * start at 0): the parent does V(0) P(1), the child P(0) V(1). */
#include "common.h"
#include <sys/stat.h>

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);
	pid_t parent = getpid(), pid;

	cleanup_semid = semget(IPC_PRIVATE, 2, IPC_CREAT | S_IRUSR | S_IWUSR);
	if (cleanup_semid < 0)
		die("semget");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		child_setup(parent);
		for (long i = 0; i < n; i++) {
			sem_op(cleanup_semid, 0, -1, "child P");
			sem_op(cleanup_semid, 1, 1, "child V");
		}
		_exit(0);
	}
	for (long i = 0; i < n; i++) {
		sem_op(cleanup_semid, 0, 1, "V");
		sem_op(cleanup_semid, 1, -1, "P");
	}
	reap(pid);
	cleanup();
	return 0;
}
