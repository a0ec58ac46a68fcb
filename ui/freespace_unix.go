//go:build unix

package ui

import "syscall"

// freeSpace is the bytes available to us in the file system holding dir, or -1 when unknown.
// dir need not exist yet: its nearest existing parent is asked.
func freeSpace(dir string) int64 {
	dir = existingParent(dir)
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * int64(st.Bsize)
}
