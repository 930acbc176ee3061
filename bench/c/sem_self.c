/* sem_self N: N rounds of V(0) then P(0) on a private set, in one process:
 * the cost of two semop calls that never wait, with no context switch. The
 * reference for what ipcsh adds to each statement (bench/ipcsh/sem_self.ipc). */
#include "common.h"
#include <sys/stat.h>

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);

	cleanup_semid = semget(IPC_PRIVATE, 1, IPC_CREAT | S_IRUSR | S_IWUSR);
	if (cleanup_semid < 0)
		die("semget");
	for (long i = 0; i < n; i++) {
		sem_op(cleanup_semid, 0, 1, "V");
		sem_op(cleanup_semid, 0, -1, "P");
	}
	cleanup();
	return 0;
}
