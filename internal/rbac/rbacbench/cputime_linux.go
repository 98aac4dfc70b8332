package rbacbench

import "golang.org/x/sys/unix"

// ThreadCPU is the calling OS thread's CPU time in ns. Benchmarks report
// it per op next to wall time because the shared machine is often busy:
// preemption inflates wall time, not the thread's own CPU time.
func ThreadCPU() int64 {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return ts.Nano()
}
