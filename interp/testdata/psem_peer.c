/* The C side of the POSIX semaphore interop tests (psem_test.go): glibc's
 * own sem_open, sem_init, sem_wait and sem_post against ipcsh's.
 *
 *   psem_peer named A B      sem_open A and B (made by the script), then
 *                            sleep, sem_post A (wakes the script's sem p),
 *                            sem_wait B (woken by the script's sem v).
 *   psem_peer unnamed M      shm_open M, map it, sem_init(s, 1, 0) at 0
 *                            and 32, say "ready" on stdout, then as above
 *                            with the two unnamed semaphores.
 *
 * The sleep makes the other side's wait a real futex wait, not a token
 * already there; exit 0 means both wake-ups happened.
 */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void nap(void) {
	struct timespec ts = {0, 150 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

static int handshake(sem_t *a, sem_t *b) {
	nap();
	if (sem_post(a) != 0) { perror("sem_post"); return 1; }
	struct timespec abs;
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_sec += 10;
	if (sem_timedwait(b, &abs) != 0) { perror("sem_timedwait"); return 1; }
	int v = -1;
	sem_getvalue(b, &v);
	printf("c: woken, value %d\n", v);
	return 0;
}

int main(int argc, char **argv) {
	if (argc == 4 && strcmp(argv[1], "named") == 0) {
		sem_t *a = sem_open(argv[2], 0);
		sem_t *b = sem_open(argv[3], 0);
		if (a == SEM_FAILED || b == SEM_FAILED) { perror("sem_open"); return 1; }
		return handshake(a, b);
	}
	if (argc == 3 && strcmp(argv[1], "unnamed") == 0) {
		int fd = shm_open(argv[2], O_RDWR, 0);
		if (fd < 0) { perror("shm_open"); return 1; }
		char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) { perror("mmap"); return 1; }
		sem_t *a = (sem_t *)m, *b = (sem_t *)(m + 32);
		if (sem_init(a, 1, 0) != 0 || sem_init(b, 1, 0) != 0) { perror("sem_init"); return 1; }
		printf("ready\n");
		fflush(stdout);
		return handshake(a, b);
	}
	fprintf(stderr, "usage: psem_peer named A B | unnamed M\n");
	return 2;
}
