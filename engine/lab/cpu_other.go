//go:build !unix

package lab

import "time"

// processCPUTime is unknown here: the lab then reports 0 % of its own use
// and relies on the outcome checks alone.
func processCPUTime() time.Duration { return 0 }
