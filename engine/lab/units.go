package lab

import "github.com/dustin/go-humanize"

// sizeText prints bytes in binary units, e.g. "7.8 MiB".
func sizeText(n int64) string { return humanize.IBytes(uint64(max(n, 0))) }

// rateText prints bytes/s, "unlimited" for 0.
func rateText(n int64) string {
	if n <= 0 {
		return "unlimited"
	}
	return humanize.IBytes(uint64(n)) + "/s"
}
