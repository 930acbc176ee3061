/* psem drives glibc's POSIX semaphores for the interop tests in
 * psem_glibc_test.go: a C program the Go semaphores must agree with.
 *
 *   psem named NAME open|create=V STEP...   the semaphore sem_open gives
 *   psem shm NAME OFFSET STEP...            the sem_t at OFFSET in the
 *                                           shared memory object NAME
 * Steps, each answered by one line on stdout:
 *   init=V       sem_init(s, 1, V)                  "init ok"
 *   post         sem_post                           "post ok" / "post EOVERFLOW"
 *   wait         sem_wait                           "wait ok" / "wait EINTR"
 *   trywait      sem_trywait                        "trywait ok" / "trywait EAGAIN"
 *   timedwait=MS sem_timedwait, MS ms from now      "timedwait ETIMEDOUT"...
 *   get          sem_getvalue                       "get V"
 *   dump         the sem_t's 32 bytes               "dump <64 hex digits>"
 *   unlink       sem_unlink(NAME) / shm_unlink      "unlink ok"
 *   ready        nothing: tells the test it is about to go on  "ready"
 *   pong         forever: sem_wait on s, sem_post on the sem_t after it
 *                (the benchmark's echo; it ends when killed)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void result(const char *step, int rc)
{
	if (rc == 0)
		printf("%s ok\n", step);
	else
		printf("%s %s\n", step, strerrorname_np(errno));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	sem_t *s;
	const char *name;
	int i, named;

	if (argc < 4) {
		fprintf(stderr, "usage: psem named NAME open|create=V STEP... | psem shm NAME OFFSET STEP...\n");
		return 2;
	}
	named = strcmp(argv[1], "named") == 0;
	name = argv[2];
	if (named) {
		if (strncmp(argv[3], "create=", 7) == 0)
			s = sem_open(name, O_CREAT | O_EXCL, 0600, (unsigned)atoi(argv[3] + 7));
		else
			s = sem_open(name, 0);
		if (s == SEM_FAILED) {
			printf("sem_open %s\n", strerrorname_np(errno));
			return 1;
		}
	} else {
		int fd = shm_open(name, O_RDWR, 0);
		char *base;
		if (fd < 0) {
			printf("shm_open %s\n", strerrorname_np(errno));
			return 1;
		}
		base = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (base == MAP_FAILED) {
			printf("mmap %s\n", strerrorname_np(errno));
			return 1;
		}
		close(fd);
		s = (sem_t *)(base + atoi(argv[3]));
	}
	for (i = 4; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "init=", 5) == 0) {
			result("init", sem_init(s, 1, (unsigned)atoi(a + 5)));
		} else if (strcmp(a, "post") == 0) {
			result(a, sem_post(s));
		} else if (strcmp(a, "wait") == 0) {
			result(a, sem_wait(s));
		} else if (strcmp(a, "trywait") == 0) {
			result(a, sem_trywait(s));
		} else if (strncmp(a, "timedwait=", 10) == 0) {
			struct timespec ts;
			long ms = atol(a + 10);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += ms / 1000;
			ts.tv_nsec += (ms % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			result("timedwait", sem_timedwait(s, &ts));
		} else if (strcmp(a, "get") == 0) {
			int v;
			sem_getvalue(s, &v);
			printf("get %d\n", v);
		} else if (strcmp(a, "dump") == 0) {
			const unsigned char *p = (const unsigned char *)s;
			int j;
			printf("dump ");
			for (j = 0; j < (int)sizeof(sem_t); j++)
				printf("%02x", p[j]);
			printf("\n");
		} else if (strcmp(a, "unlink") == 0) {
			result(a, named ? sem_unlink(name) : shm_unlink(name));
		} else if (strcmp(a, "pong") == 0) {
			for (;;) {
				if (sem_wait(s) != 0 || sem_post(s + 1) != 0)
					return 1;
			}
		} else if (strcmp(a, "ready") == 0) {
			printf("ready\n");
		} else {
			fprintf(stderr, "psem: unknown step %s\n", a);
			return 2;
		}
		fflush(stdout);
	}
	return 0;
}
