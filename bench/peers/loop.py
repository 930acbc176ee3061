"""loop.py N: `x += 1` N times, the interpreter-overhead reference for
`quiet repeat N { x += 1 }`. In a function, where Python keeps x in a
fast local slot, as a Python programmer would write a hot loop."""

import sys


def main(n):
    x = 0
    for _ in range(n):
        x += 1
    if x != n:
        sys.exit("x is %d, want %d" % (x, n))


main(int(sys.argv[1]))
