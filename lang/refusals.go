package lang

// refusals ends the reference: the few places where ipcsh answers before
// the kernel. Everything else a statement is given goes to its system
// call, and the script sees the kernel's errno.
const refusals = `
## Where ipcsh refuses before the kernel

Where a statement maps to a system call, an argument the kernel judges
goes to the kernel, and the script sees its errno: ` + "`sem p s[10]`" + ` on a set
of ten is EFBIG, ` + "`excl`" + ` without ` + "`create`" + ` on a missing key ENOENT, ` + "`recv q\ntype=-1 except nowait`" + ` on an empty queue ENOMSG, ` + "`mode=`" + ` on an open
EACCES when it asks for more than the object allows. ipcsh refuses on its
own only what would harm the interpreter, or what C would silently turn
into some other call. Then ` + "`err`" + ` is the errno a C program would have
got, or ` + "`ERROR`" + ` where a C program gets none (a crash, or a silently
different value):

| Refused | ` + "`err`" + ` | What a C program gets |
|---|---|---|
| a memory view out of range (` + "`a[0:9999]`" + `, ` + "`a.i64[99]`" + `) | ERROR | other memory, or SIGSEGV |
| a store through a ` + "`rdonly`" + ` attachment or mapping | EACCES | SIGSEGV (SEGV_ACCERR) |
| a view of memory already detached or unmapped | ERROR | SIGSEGV, or whatever is mapped there now |
| a value that does not fit a view (` + "`a.u8[0] = 256`" + `) | ERROR | the value silently truncated |
| ` + "`detach`" + `, ` + "`munmap`" + ` of memory already released | EINVAL | EINVAL from shmdt; munmap unmaps whatever is there now |
| ` + "`mmap ... rdonly`" + ` of a file shorter than ` + "`size=`" + ` | ERROR | the map, then SIGBUS at the first byte past the end |
| ` + "`mmap`" + ` with a negative ` + "`size=`" + ` | ERROR | a huge size_t: ENOMEM |
| ` + "`read FD N`" + ` with N negative | ERROR | a huge size_t: EFAULT |
| ` + "`recv max=`" + ` above 1 GiB | ERROR | a receive into a buffer that large, which ipcsh would have to allocate |
| an fd name used after ` + "`close`" + ` | EBADF | EBADF, or, once the number is reused, a call on another file (here possibly the interpreter's own) |
| ` + "`wait`" + ` for a process already waited for, or not a child | ECHILD | ECHILD, or, once the pid is reused, another child reaped |
| ` + "`kill`" + ` of a process that has exited | ESRCH | ESRCH, or, once the pid is reused, an unrelated process signalled |
| ` + "`pclose`" + ` twice | ECHILD | undefined (the FILE is freed) |
| a key wider than 32 bits | ERROR | key_t truncated: some other key |
| ` + "`mode=`" + ` of a get with 01000 or 02000 (IPC_CREAT, IPC_EXCL) | ERROR | a create the run would not know to remove: write ` + "`create`" + `, ` + "`excl`" + ` |
| a ` + "`mode=`" + ` that no mode_t holds | ERROR | mode_t truncated |
| a semaphore index outside 0..65535 (sem_num) | ERROR | the unsigned short wraps: another semaphore |
| a ` + "`sem op`" + ` delta outside -32768..32767 (sem_op) | ERROR | the short wraps: another operation |
| ` + "`sem setall`" + `, ` + "`init=`" + ` values outside 0..65535; ` + "`sem set`" + ` outside an int | ERROR | the value wraps (inside those ranges the kernel answers ERANGE above 32767) |
| ` + "`sem setall`" + ` with fewer or more values than the set has | ERROR | SETALL reads nsems values, past the end of a short array |
| ` + "`exit N`" + ` outside 0..255 | ERROR | exit(256) is status 0 |
| a value of the wrong type (a string for ` + "`key=`" + `, a pipe for an fd) | ERROR | a compile error |

Two answers come from below the kernel: ` + "`mmap ... size=0`" + ` is EINVAL
from Go's x/sys/unix, as mmap(2) gives it, and ` + "`recv ... timeout=`" + ` on a
SysV queue is ipcsh's own timer (msgrcv has none), which ends with EAGAIN.
`
