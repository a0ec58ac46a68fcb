//go:build unix

package app

import "syscall"

// freeSpace is the space an unprivileged user may still fill under dir, or
// -1 when it cannot be told.
func freeSpace(dir string) int64 {
	var st syscall.Statfs_t
	if dir == "" || syscall.Statfs(dir, &st) != nil {
		return -1
	}
	return int64(st.Bavail) * int64(st.Bsize)
}
