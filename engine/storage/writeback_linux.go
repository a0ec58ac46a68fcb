package storage

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback starts write-out of h's dirty pages and returns without
// waiting for it (sync_file_range(2) over the whole file with
// SYNC_FILE_RANGE_WRITE only; pages already being written are skipped).
func startWriteback(h *os.File) error {
	rc, err := h.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SyncFileRange(int(fd), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
	}); err != nil {
		return err
	}
	if serr != nil {
		return &os.SyscallError{Syscall: "sync_file_range", Err: serr}
	}
	return nil
}
