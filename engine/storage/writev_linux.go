package storage

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// maxIovecs stays within IOV_MAX (1024 on Linux).
const maxIovecs = 1024

// writeVecAt writes bufs one after the other at offset off of h with
// pwritev(2), resuming after short writes.
func writeVecAt(h *os.File, bufs [][]byte, off int64) error {
	rc, err := h.SyscallConn()
	if err != nil {
		return err
	}
	var werr error
	if err := rc.Write(func(fd uintptr) bool {
		werr = pwritevAll(int(fd), bufs, off)
		return true
	}); err != nil {
		return err
	}
	return werr
}

func pwritevAll(fd int, bufs [][]byte, off int64) error {
	for len(bufs) > 0 {
		if len(bufs[0]) == 0 {
			bufs = bufs[1:]
			continue
		}
		n, err := unix.Pwritev(fd, bufs[:min(len(bufs), maxIovecs)], off)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return &os.SyscallError{Syscall: "pwritev", Err: err}
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		off += int64(n)
		for n > 0 {
			k := min(n, len(bufs[0]))
			bufs[0] = bufs[0][k:]
			n -= k
			if len(bufs[0]) == 0 {
				bufs = bufs[1:]
			}
		}
	}
	return nil
}
