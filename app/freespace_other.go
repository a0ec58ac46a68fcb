//go:build !unix

package app

// freeSpace cannot be told on this system without extra dependencies.
func freeSpace(dir string) int64 { return -1 }
