//go:build !unix

package ui

// freeSpace is not measured on this system.
func freeSpace(string) int64 { return -1 }
