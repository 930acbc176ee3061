"""sem_self.py N: the C sem_self with sysv_ipc: N rounds of release then
acquire on one semaphore, in one process, in a function as a Python
programmer would write a hot loop."""

import sys

import sysv_ipc


def main(n):
    s = sysv_ipc.Semaphore(sysv_ipc.IPC_PRIVATE, sysv_ipc.IPC_CREX, mode=0o600, initial_value=0)
    try:
        for _ in range(n):
            s.release()
            s.acquire()
    finally:
        s.remove()


main(int(sys.argv[1]))
