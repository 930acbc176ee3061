"""msg_pingpong.py N: the C msg_pingpong with sysv_ipc (Debian's
python3-sysv-ipc, run by /usr/bin/python3): N round trips of a 1-byte
message over one private queue, parent sends type 1, receives type 2."""

import os
import signal
import sys

import sysv_ipc


def main():
    n = int(sys.argv[1])
    q = sysv_ipc.MessageQueue(sysv_ipc.IPC_PRIVATE, sysv_ipc.IPC_CREX, mode=0o600)

    def cleanup(*_):
        try:
            q.remove()
        except sysv_ipc.Error:
            pass  # already removed by the other process

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: (cleanup(), os._exit(1)))
    pid = os.fork()
    if pid == 0:
        try:
            for _ in range(n):
                q.receive(type=1)
                q.send(b"y", type=2)
        except BaseException as e:  # noqa: BLE001 - report, clean up, stop
            print("child:", e, file=sys.stderr)
            cleanup()
            os._exit(1)
        os._exit(0)
    try:
        for _ in range(n):
            q.send(b"x", type=1)
            q.receive(type=2)
        _, status = os.waitpid(pid, 0)
    finally:
        cleanup()
    if status:
        sys.exit("child failed: status %d" % status)


main()
