/* fifo_pingpong N: the pipe ping-pong over two named FIFOs in a fresh
 * directory under $TMPDIR (or /tmp). The FIFOs are unlinked as soon as
 * both processes have them open. */
#include "common.h"
#include <fcntl.h>
#include <sys/stat.h>

static int xopen(const char *path, int flags)
{
	int fd;

	do
		fd = open(path, flags);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		die(path);
	return fd;
}

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);
	const char *tmp = getenv("TMPDIR");
	char *ping = cleanup_paths[0], *pong = cleanup_paths[1], *dir = cleanup_paths[2];
	pid_t parent = getpid(), pid;
	int r, w;
	char b = 'x';

	if (snprintf(dir, sizeof cleanup_paths[2], "%s/fifo_pingpong.XXXXXX", tmp && *tmp ? tmp : "/tmp") >= (int)sizeof cleanup_paths[2]) {
		dir[0] = 0;
		errno = ENAMETOOLONG;
		die("TMPDIR");
	}
	if (!mkdtemp(dir)) {
		dir[0] = 0;
		die("mkdtemp");
	}
	if (snprintf(ping, sizeof cleanup_paths[0], "%s/ping", dir) >= (int)sizeof cleanup_paths[0] ||
	    snprintf(pong, sizeof cleanup_paths[1], "%s/pong", dir) >= (int)sizeof cleanup_paths[1]) {
		errno = ENAMETOOLONG;
		die(dir);
	}
	if (mkfifo(ping, 0600) < 0 || mkfifo(pong, 0600) < 0)
		die("mkfifo");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		child_setup(parent);
		r = xopen(ping, O_RDONLY);
		w = xopen(pong, O_WRONLY);
		for (long i = 0; i < n; i++) {
			xread(r, &b, 1, "child read");
			xwrite(w, &b, 1, "child write");
		}
		_exit(0);
	}
	/* Opens pair up in the same order in both processes, so neither
	 * blocks forever waiting for the other end. */
	w = xopen(ping, O_WRONLY);
	r = xopen(pong, O_RDONLY);
	cleanup();
	ping[0] = pong[0] = dir[0] = 0;
	for (long i = 0; i < n; i++) {
		xwrite(w, &b, 1, "write");
		xread(r, &b, 1, "read");
	}
	reap(pid);
	return 0;
}
