package report

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time the calling thread has used (lock the
// goroutine to its thread first), or 0 when it cannot tell. On a shared
// machine it varies less than wall time.
func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
