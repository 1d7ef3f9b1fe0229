//go:build !linux

package report

import "time"

// threadCPU is not available here: 0.
func threadCPU() time.Duration { return 0 }
