/* pmq drives glibc's POSIX message queues for the interop tests in
 * mq_glibc_test.go.
 *
 *   pmq NAME open|create=MAXMSG,MSGSIZE|fd=N STEP...
 * (fd=N: use the queue descriptor N the program inherited.)
 * Steps, each answered by one line on stdout:
 *   send=PRIO:TEXT  mq_send                     "send ok" / "send ERRNAME"
 *   recv            mq_receive                  "recv PRIO TEXT" / "recv ERRNAME"
 *   timedrecv=MS    mq_timedreceive, MS from now  as recv
 *   big             mq_send of msgsize+1 bytes  "big EMSGSIZE"
 *   attr            mq_getattr                  "attr MAXMSG MSGSIZE CURMSGS FLAGS"
 *   unlink          mq_unlink(NAME)             "unlink ok"
 *   pong=NAME2      forever: receive a message, send it to queue NAME2
 *                   (the benchmark's echo; it ends when killed)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void result(const char *step, int rc)
{
	if (rc == 0)
		printf("%s ok\n", step);
	else
		printf("%s %s\n", step, strerrorname_np(errno));
}

int main(int argc, char **argv)
{
	mqd_t q;
	struct mq_attr attr;
	char *buf;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: pmq NAME open|create=MAXMSG,MSGSIZE STEP...\n");
		return 2;
	}
	if (strncmp(argv[2], "create=", 7) == 0) {
		memset(&attr, 0, sizeof attr);
		if (sscanf(argv[2] + 7, "%ld,%ld", &attr.mq_maxmsg, &attr.mq_msgsize) != 2)
			return 2;
		q = mq_open(argv[1], O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	} else if (strncmp(argv[2], "fd=", 3) == 0) {
		q = (mqd_t)atoi(argv[2] + 3);
	} else {
		q = mq_open(argv[1], O_RDWR);
	}
	if (q == (mqd_t)-1) {
		printf("mq_open %s\n", strerrorname_np(errno));
		return 1;
	}
	mq_getattr(q, &attr);
	buf = malloc(attr.mq_msgsize + 2);
	for (i = 3; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "send=", 5) == 0) {
			char *colon = strchr(a, ':');
			if (colon == NULL)
				return 2;
			result("send", mq_send(q, colon + 1, strlen(colon + 1), (unsigned)atoi(a + 5)));
		} else if (strcmp(a, "recv") == 0 || strncmp(a, "timedrecv=", 10) == 0) {
			unsigned prio;
			ssize_t n;
			if (a[0] == 'r') {
				n = mq_receive(q, buf, attr.mq_msgsize, &prio);
			} else {
				struct timespec ts;
				long ms = atol(a + 10);
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_sec += ms / 1000;
				ts.tv_nsec += (ms % 1000) * 1000000;
				if (ts.tv_nsec >= 1000000000) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000;
				}
				n = mq_timedreceive(q, buf, attr.mq_msgsize, &prio, &ts);
			}
			if (n < 0)
				printf("recv %s\n", strerrorname_np(errno));
			else
				printf("recv %u %.*s\n", prio, (int)n, buf);
		} else if (strcmp(a, "big") == 0) {
			memset(buf, 'x', attr.mq_msgsize + 1);
			result(a, mq_send(q, buf, attr.mq_msgsize + 1, 0));
		} else if (strcmp(a, "attr") == 0) {
			struct mq_attr now;
			mq_getattr(q, &now);
			printf("attr %ld %ld %ld %ld\n", now.mq_maxmsg, now.mq_msgsize, now.mq_curmsgs, now.mq_flags);
		} else if (strncmp(a, "pong=", 5) == 0) {
			mqd_t back = mq_open(a + 5, O_WRONLY);
			if (back == (mqd_t)-1)
				return 1;
			for (;;) {
				unsigned prio;
				ssize_t n = mq_receive(q, buf, attr.mq_msgsize, &prio);
				if (n < 0 || mq_send(back, buf, n, prio) != 0)
					return 1;
			}
		} else if (strcmp(a, "unlink") == 0) {
			result(a, mq_unlink(argv[1]));
		} else {
			fprintf(stderr, "pmq: unknown step %s\n", a);
			return 2;
		}
		fflush(stdout);
	}
	return 0;
}
