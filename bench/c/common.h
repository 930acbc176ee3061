/*
 * Shared by the C baselines: argument parsing, and removal of every SysV
 * object a program made on every way out (normal end, error in parent or
 * child, SIGTERM/SIGINT from the runner, death of the parent).
 *
 * The objects are IPC_PRIVATE, so nothing but these ids can find them: a
 * program that dies without removing them leaks them until reboot.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

/* Ids to remove, -1 when none; the paths of FIFOs and their directory. */
static int cleanup_msqid = -1, cleanup_semid = -1, cleanup_shmid = -1;
static char cleanup_paths[3][256];

/* Async-signal-safe: only system calls. Removing an id twice (parent and
 * child both failing) is harmless: the second call gets EINVAL. */
static inline void cleanup(void)
{
	if (cleanup_msqid >= 0)
		msgctl(cleanup_msqid, IPC_RMID, NULL);
	if (cleanup_semid >= 0)
		semctl(cleanup_semid, 0, IPC_RMID);
	if (cleanup_shmid >= 0)
		shmctl(cleanup_shmid, IPC_RMID, NULL);
	if (cleanup_paths[0][0])
		unlink(cleanup_paths[0]);
	if (cleanup_paths[1][0])
		unlink(cleanup_paths[1]);
	if (cleanup_paths[2][0])
		rmdir(cleanup_paths[2]);
}

static inline void on_signal(int sig)
{
	cleanup();
	_exit(128 + sig);
}

/* die reports a failed call and removes the objects. If this is the child,
 * removing them also wakes the parent blocked on them (EIDRM), so one
 * failure stops both processes instead of leaving one blocked forever. */
static inline void die(const char *what)
{
	int e = errno;
	fprintf(stderr, "%s: %s\n", what, strerror(e));
	cleanup();
	_exit(1);
}

/* iterations parses argv[1], the count every baseline takes, and installs
 * the signal handlers. */
static inline long iterations(int argc, char **argv)
{
	char *end;
	long n;

	if (argc < 2) {
		fprintf(stderr, "usage: %s ITERATIONS\n", argv[0]);
		exit(2);
	}
	n = strtol(argv[1], &end, 10);
	if (*end || n <= 0) {
		fprintf(stderr, "%s: bad iteration count %s\n", argv[0], argv[1]);
		exit(2);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	/* A write to a pipe whose reader died must be an error that cleans
	 * up (EPIPE), not a silent death by SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return n;
}

/* child_setup makes the child follow its parent: if the parent dies the
 * child gets SIGTERM and cleans up, rather than blocking forever. */
static inline void child_setup(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
		die("prctl");
	if (getppid() != parent)
		on_signal(SIGTERM);
}

/* reap waits for the child and fails unless it exited 0. */
static inline void reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child failed (status 0x%x)\n", status);
		cleanup();
		exit(1);
	}
}

/* xread and xwrite treat a short transfer or EOF as an error:
 * each ping-pong message is one byte, so short means broken. */
static inline void xread(int fd, void *buf, size_t n, const char *what)
{
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		die(what);
	if ((size_t)r != n) {
		errno = EPIPE;
		die(what);
	}
}

static inline void xwrite(int fd, const void *buf, size_t n, const char *what)
{
	ssize_t r;

	do
		r = write(fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		die(what);
	if ((size_t)r != n) {
		errno = EIO;
		die(what);
	}
}

/* sem_op is one semop(2) on semaphore i of the set. */
static inline void sem_op(int semid, unsigned short i, short delta, const char *what)
{
	struct sembuf op = {.sem_num = i, .sem_op = delta, .sem_flg = 0};

	while (semop(semid, &op, 1) < 0)
		if (errno != EINTR)
			die(what);
}

#endif
