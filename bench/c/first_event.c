/* first_event N STAMP: N times, fork and exec STAMP, a program whose first
 * output is the time (CLOCK_MONOTONIC, ns) at which it runs, and measure
 * from just before fork to that time. Prints the median in ms. A pause
 * between launches lets the machine settle, as ipcsh's pool refills. This
 * is the C side of "spawn, to its first event". */
#include "common.h"
#include <time.h>

static long long now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long n = iterations(argc, argv);
	long long *d;

	if (argc < 3) {
		fprintf(stderr, "usage: first_event N STAMP\n");
		return 2;
	}
	d = calloc(n, sizeof *d);
	if (!d)
		die("calloc");
	for (long i = 0; i < n; i++) {
		int p[2];
		char buf[64] = {0};
		long long t0;
		pid_t pid;

		usleep(20000);
		if (pipe(p) < 0)
			die("pipe");
		t0 = now();
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			dup2(p[1], 1);
			execl(argv[2], argv[2], (char *)NULL);
			die(argv[2]);
		}
		close(p[1]);
		if (read(p[0], buf, sizeof buf - 1) <= 0)
			die("read");
		close(p[0]);
		reap(pid);
		d[i] = atoll(buf) - t0;
	}
	qsort(d, n, sizeof *d, cmp);
	printf("%.4f\n", d[n / 2] / 1e6);
	return 0;
}
