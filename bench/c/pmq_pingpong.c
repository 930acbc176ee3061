/* pmq_pingpong N: N round trips of a 1-byte message over two POSIX message
 * queues: the parent sends on ping and receives on pong, the child the
 * reverse. Both names are unlinked right after the fork, so nothing can
 * be left behind: the two processes hold the queues by descriptor. */
#include "common.h"
#include <fcntl.h>
#include <mqueue.h>

static mqd_t open_queue(const char *name)
{
	struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 1};
	mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);

	if (q == (mqd_t)-1)
		die(name);
	return q;
}

static void xsend(mqd_t q, const char *what)
{
	while (mq_send(q, "x", 1, 0) < 0)
		if (errno != EINTR)
			die(what);
}

static void xrecv(mqd_t q, const char *what)
{
	char c;

	while (mq_receive(q, &c, 1, NULL) != 1)
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
	mqd_t a = open_queue(ping), b = open_queue(pong);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		child_setup(parent);
		for (long i = 0; i < n; i++) {
			xrecv(a, "child receive");
			xsend(b, "child send");
		}
		_exit(0);
	}
	mq_unlink(ping);
	mq_unlink(pong);
	for (long i = 0; i < n; i++) {
		xsend(a, "send");
		xrecv(b, "receive");
	}
	reap(pid);
	return 0;
}
