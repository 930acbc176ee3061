"""sem_pingpong.py N: the C sem_pingpong with sysv_ipc. sysv_ipc makes one
set per Semaphore object, so this uses two sets of one semaphore each
(the C program and the others use one set of two): the parent releases
(V) a and acquires (P) b, the child the reverse, N times."""

import os
import signal
import sys

import sysv_ipc


def main():
    n = int(sys.argv[1])
    a = sysv_ipc.Semaphore(sysv_ipc.IPC_PRIVATE, sysv_ipc.IPC_CREX, mode=0o600, initial_value=0)
    try:
        b = sysv_ipc.Semaphore(sysv_ipc.IPC_PRIVATE, sysv_ipc.IPC_CREX, mode=0o600, initial_value=0)
    except BaseException:
        a.remove()
        raise

    def cleanup(*_):
        for s in (a, b):
            try:
                s.remove()
            except sysv_ipc.Error:
                pass  # already removed by the other process

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: (cleanup(), os._exit(1)))
    pid = os.fork()
    if pid == 0:
        try:
            for _ in range(n):
                a.acquire()
                b.release()
        except BaseException as e:  # noqa: BLE001 - report, clean up, stop
            print("child:", e, file=sys.stderr)
            cleanup()
            os._exit(1)
        os._exit(0)
    try:
        for _ in range(n):
            a.release()
            b.acquire()
        _, status = os.waitpid(pid, 0)
    finally:
        cleanup()
    if status:
        sys.exit("child failed: status %d" % status)


main()
