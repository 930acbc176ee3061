/* shm_handoff N: N hand-offs of a 4 KiB slot in a SysV shared segment,
 * guarded by two semaphores: the parent fills the slot and V(0)s; the
 * child P(0)s, copies the slot out and V(1)s; the parent P(1)s. */
#include "common.h"
#include <sys/stat.h>

#define SLOT 4096

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);
	pid_t parent = getpid(), pid;
	static char block[SLOT], got[SLOT];
	char *slot;

	cleanup_semid = semget(IPC_PRIVATE, 2, IPC_CREAT | S_IRUSR | S_IWUSR);
	if (cleanup_semid < 0)
		die("semget");
	cleanup_shmid = shmget(IPC_PRIVATE, SLOT, IPC_CREAT | S_IRUSR | S_IWUSR);
	if (cleanup_shmid < 0)
		die("shmget");
	slot = shmat(cleanup_shmid, NULL, 0);
	if (slot == (void *)-1)
		die("shmat");
	/* Marked for removal now: the segment lives while attached (the child
	 * inherits the attachment through fork) and cannot leak. */
	if (shmctl(cleanup_shmid, IPC_RMID, NULL) < 0)
		die("shmctl IPC_RMID");
	cleanup_shmid = -1;
	memset(block, 'x', sizeof block);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		child_setup(parent);
		for (long i = 0; i < n; i++) {
			sem_op(cleanup_semid, 0, -1, "child P");
			memcpy(got, slot, SLOT);
			sem_op(cleanup_semid, 1, 1, "child V");
		}
		/* Uses what was copied, so the copy is real work. */
		if (got[0] != 'x' || got[SLOT - 1] != 'x') {
			errno = EIO;
			die("child: slot content");
		}
		_exit(0);
	}
	for (long i = 0; i < n; i++) {
		memcpy(slot, block, SLOT);
		sem_op(cleanup_semid, 0, 1, "V");
		sem_op(cleanup_semid, 1, -1, "P");
	}
	reap(pid);
	cleanup();
	return 0;
}
