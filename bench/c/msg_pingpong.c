/* msg_pingpong N: N round trips of a 1-byte message over one SysV queue:
 * the parent sends type 1 and receives type 2, the child the reverse. */
#include "common.h"
#include <sys/stat.h>

struct msg {
	long type;
	char text[1];
};

static void xsend(int q, long type, const char *what)
{
	struct msg m = {.type = type, .text = {'x'}};

	while (msgsnd(q, &m, sizeof m.text, 0) < 0)
		if (errno != EINTR)
			die(what);
}

static void xrecv(int q, long type, const char *what)
{
	struct msg m;

	while (msgrcv(q, &m, sizeof m.text, type, 0) < 0)
		if (errno != EINTR)
			die(what);
}

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);
	pid_t parent = getpid(), pid;

	cleanup_msqid = msgget(IPC_PRIVATE, IPC_CREAT | S_IRUSR | S_IWUSR);
	if (cleanup_msqid < 0)
		die("msgget");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		child_setup(parent);
		for (long i = 0; i < n; i++) {
			xrecv(cleanup_msqid, 1, "child msgrcv");
			xsend(cleanup_msqid, 2, "child msgsnd");
		}
		_exit(0);
	}
	for (long i = 0; i < n; i++) {
		xsend(cleanup_msqid, 1, "msgsnd");
		xrecv(cleanup_msqid, 2, "msgrcv");
	}
	reap(pid);
	cleanup();
	return 0;
}
