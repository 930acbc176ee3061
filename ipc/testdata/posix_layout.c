/* posix_layout prints the sizes and offsets of the C library's POSIX IPC
 * structs that the Go side passes to the kernel or shares with C, in the
 * format of layout.c, for TestPosixLayoutMatchesC. */
#define _GNU_SOURCE
#include <limits.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#define FIELD(s, f) printf("%s.%s %zu %zu\n", #s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f))

int main(void)
{
	printf("mq_attr size %zu\n", sizeof(struct mq_attr));
	FIELD(mq_attr, mq_flags);
	FIELD(mq_attr, mq_maxmsg);
	FIELD(mq_attr, mq_msgsize);
	FIELD(mq_attr, mq_curmsgs);
	printf("sigevent size %zu\n", sizeof(struct sigevent));
	FIELD(sigevent, sigev_value);
	FIELD(sigevent, sigev_signo);
	FIELD(sigevent, sigev_notify);
	printf("sem_t size %zu align %zu\n", sizeof(sem_t), _Alignof(sem_t));
	printf("SEM_VALUE_MAX %d\n", SEM_VALUE_MAX);
	printf("SIGEV_SIGNAL %d\n", SIGEV_SIGNAL);
	return 0;
}
