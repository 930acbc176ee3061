/*
 * Prints the layout of the kernel's SysV IPC structs as this machine's C
 * compiler sees them, for layout_test.go to compare with the Go structs.
 * Only kernel UAPI headers: glibc's own structs (struct msqid_ds etc.) are
 * its translation, not what the system calls read and write.
 *
 * Output lines: "STRUCT size N" and "STRUCT.FIELD OFFSET SIZE".
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/ipc.h>
#include <linux/msg.h>
#include <linux/sem.h>
#include <linux/shm.h>

#define SIZE(s) printf(#s " size %zu\n", sizeof(struct s))
#define FIELD(s, f) \
	printf(#s "." #f " %zu %zu\n", offsetof(struct s, f), sizeof(((struct s *)0)->f))

int main(void)
{
	SIZE(ipc64_perm);
	FIELD(ipc64_perm, key);
	FIELD(ipc64_perm, uid);
	FIELD(ipc64_perm, gid);
	FIELD(ipc64_perm, cuid);
	FIELD(ipc64_perm, cgid);
	FIELD(ipc64_perm, mode);
	FIELD(ipc64_perm, seq);

	SIZE(msqid64_ds);
	FIELD(msqid64_ds, msg_perm);
	FIELD(msqid64_ds, msg_stime);
	FIELD(msqid64_ds, msg_rtime);
	FIELD(msqid64_ds, msg_ctime);
	FIELD(msqid64_ds, msg_cbytes);
	FIELD(msqid64_ds, msg_qnum);
	FIELD(msqid64_ds, msg_qbytes);
	FIELD(msqid64_ds, msg_lspid);
	FIELD(msqid64_ds, msg_lrpid);

	SIZE(semid64_ds);
	FIELD(semid64_ds, sem_perm);
	FIELD(semid64_ds, sem_otime);
	FIELD(semid64_ds, sem_ctime);
	FIELD(semid64_ds, sem_nsems);

	SIZE(sembuf);
	FIELD(sembuf, sem_num);
	FIELD(sembuf, sem_op);
	FIELD(sembuf, sem_flg);

	SIZE(shmid64_ds);
	FIELD(shmid64_ds, shm_perm);
	FIELD(shmid64_ds, shm_segsz);
	FIELD(shmid64_ds, shm_atime);
	FIELD(shmid64_ds, shm_dtime);
	FIELD(shmid64_ds, shm_ctime);
	FIELD(shmid64_ds, shm_cpid);
	FIELD(shmid64_ds, shm_lpid);
	FIELD(shmid64_ds, shm_nattch);

	FIELD(msgbuf, mtype);
	FIELD(msgbuf, mtext);
	return 0;
}
