package timeline

import "testing"

// A POSIX queue hands out the oldest message of the highest priority: the
// arrow goes from the send of that message, whatever the order of sends.
func TestArrowsPosixQueuePriorities(t *testing.T) {
	ev := seqd(
		n(call("main", "begin", "send", "mq:/jobs", `send q "low" prio=1`), 1),
		n(call("main", "begin", "send", "mq:/jobs", `send q "high" prio=9`), 9),
		n(call("main", "begin", "send", "mq:/jobs", `send q "low2" prio=1`), 1),
		n(call("c", "end", "recv", "mq:/jobs", "recv q"), 9),
		n(call("c", "end", "recv", "mq:/jobs", "recv q"), 1),
		n(call("c", "end", "recv", "mq:/jobs", "recv q"), 1),
	)
	wantArrows(t, ev, "2->4 msg prio 9", "1->5 msg prio 1", "3->6 msg prio 1")
}

// sem v on a POSIX semaphore enables the sem p that takes its token.
func TestArrowsPosixSemaphore(t *testing.T) {
	ev := seqd(
		ops(call("w", "begin", "sem v", "psem:/lock", "sem v s"), "0:1"),
		ops(call("main", "end", "sem p", "psem:/lock", "sem p s"), "0:-1"),
	)
	wantArrows(t, ev, "1->2 sem index 0")
}
