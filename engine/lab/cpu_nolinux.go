//go:build !linux

package lab

// readSystemTimes is only implemented on Linux; elsewhere the machine's
// busy fraction is reported as unknown.
func readSystemTimes() (systemTimes, bool) { return systemTimes{}, false }
