package ipc

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The signal thread gets the kernel's siginfo for a signal sent to it
// with rt_tgsigqueueinfo: the sender's pid, SI_QUEUE and the value; and
// its rt_sigtimedwait's own timeout ends a wait with EAGAIN.
func TestSigThreadTakesSiginfo(t *testing.T) {
	st := TheSigThread()
	got := make(chan Siginfo, 1)
	st.SetDeliver(func(i Siginfo) { got <- i })
	defer st.SetDeliver(nil)
	var set Sigset
	set.Add(unix.SIGUSR2)
	st.Set(set)
	defer st.Set(0)
	tid := SigThreadOf(unix.Getpid())
	if tid == 0 {
		t.Fatal("SigThreadOf found no signal thread in this process")
	}
	if err := Tgsigqueue(unix.Getpid(), tid, unix.SIGUSR2, 1234); err != nil {
		t.Fatal(err)
	}
	select {
	case i := <-got:
		if i.Signo != int32(unix.SIGUSR2) || i.Code != SiQueue || i.Pid != int32(unix.Getpid()) || i.Value != 1234 || i.Uid != uint32(unix.Getuid()) {
			t.Errorf("siginfo %+v", i)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the signal thread did not take the signal")
	}
	expired := make(chan struct{})
	st.SetDeadline(time.Now().Add(50*time.Millisecond), func() { close(expired) })
	select {
	case <-expired:
	case <-time.After(5 * time.Second):
		t.Fatal("rt_sigtimedwait's timeout did not end the wait")
	}
	st.SetDeadline(time.Time{}, nil)
}
