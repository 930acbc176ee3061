/* psem_pingpong N: N round trips over two named POSIX semaphores (both
 * start at 0): the parent does sem_post(ping) sem_wait(pong), the child
 * sem_wait(ping) sem_post(pong). The names are unlinked right after the
 * fork: the mappings are all either process needs. */
#include "common.h"
#include <fcntl.h>
#include <semaphore.h>

static sem_t *open_sem(const char *name)
{
	sem_t *s = sem_open(name, O_CREAT | O_EXCL, 0600, 0);

	if (s == SEM_FAILED)
		die(name);
	return s;
}

static void xwait(sem_t *s, const char *what)
{
	while (sem_wait(s) < 0)
		if (errno != EINTR)
			die(what);
}

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);
	pid_t parent = getpid(), pid;
	char ping[64], pong[64];

	snprintf(ping, sizeof ping, "/ipcsh-bench-ping-%d", (int)parent);
	snprintf(pong, sizeof pong, "/ipcsh-bench-pong-%d", (int)parent);
	sem_t *a = open_sem(ping), *b = open_sem(pong);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		child_setup(parent);
		for (long i = 0; i < n; i++) {
			xwait(a, "child sem_wait");
			if (sem_post(b) < 0)
				die("child sem_post");
		}
		_exit(0);
	}
	sem_unlink(ping);
	sem_unlink(pong);
	for (long i = 0; i < n; i++) {
		if (sem_post(a) < 0)
			die("sem_post");
		xwait(b, "sem_wait");
	}
	reap(pid);
	return 0;
}
