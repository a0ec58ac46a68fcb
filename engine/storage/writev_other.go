//go:build !linux

package storage

import "os"

// writeVecAt writes bufs one after the other at offset off of h.
func writeVecAt(h *os.File, bufs [][]byte, off int64) error {
	for _, b := range bufs {
		if _, err := h.WriteAt(b, off); err != nil {
			return err
		}
		off += int64(len(b))
	}
	return nil
}
