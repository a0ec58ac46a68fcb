package lab

import (
	"fmt"
	"strings"

	"github.com/dustin/go-humanize"
)

// sizeText prints bytes in binary units, e.g. "7.8 MiB".
func sizeText(n int64) string { return humanize.IBytes(uint64(max(n, 0))) }

// rateText prints bytes/s, "unlimited" for 0.
func rateText(n int64) string {
	if n <= 0 {
		return "unlimited"
	}
	return humanize.IBytes(uint64(n)) + "/s"
}

// RatesText prints a list of rates as ParseRates reads it back: "800 KiB/s"
// for one, "512 KiB/s, 1.0 MiB/s" for several; 0 is "unlimited".
func RatesText(rates []int64) string {
	parts := make([]string, len(rates))
	for i, r := range rates {
		parts[i] = rateText(r)
	}
	return strings.Join(parts, ", ")
}

// ParseRates reads one rate or a comma-separated list of them, each in
// bytes per second with an optional unit and "/s": "1MiB/s",
// "512KiB/s,1MiB/s,2MiB/s", "500k". "0" and "unlimited" read as 0
// (unlimited, for a download). The error names the entry it could not read.
func ParseRates(s string) ([]int64, error) {
	var out []int64
	for part := range strings.SplitSeq(s, ",") {
		text := strings.TrimSpace(part)
		if strings.EqualFold(text, "unlimited") {
			out = append(out, 0)
			continue
		}
		v, err := humanize.ParseBytes(strings.TrimSpace(strings.TrimSuffix(text, "/s")))
		if text == "" || err != nil || v > 1<<50 {
			if strings.Contains(s, ",") {
				return nil, fmt.Errorf("%q in %q is not a rate (write e.g. 512KiB/s,1MiB/s)", text, s)
			}
			return nil, fmt.Errorf("%q is not a rate (write e.g. 1MiB/s, 500KiB/s, or a list like 512KiB/s,1MiB/s)", text)
		}
		out = append(out, int64(v))
	}
	return out, nil
}
