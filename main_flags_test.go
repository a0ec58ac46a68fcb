package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// TestByteRateSetAcceptsSizesPerSecond proves the forms the -up-limit and
// -down-limit flags document ("1MiB/s", "500k", 0 for unlimited) and their
// neighbours parse to the right number of bytes per second: SI and IEC
// units, decimals, an optional "/s", spaces around.
func TestByteRateSetAcceptsSizesPerSecond(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"0/s", 0},
		{"12", 12},
		{"500k", 500_000},
		{"500K", 500_000},
		{"500KiB", 500 << 10},
		{"500KiB/s", 500 << 10},
		{"1MiB/s", 1 << 20},
		{"1.5M", 1_500_000},
		{"1.5MiB/s", 3 << 19},
		{" 2 MiB/s ", 2 << 20},
		{"1 GB/s", 1_000_000_000},
	} {
		r := byteRate(-7) // a value Set must replace
		if err := r.Set(tc.in); err != nil {
			t.Errorf("Set(%q): %v", tc.in, err)
			continue
		}
		if int64(r) != tc.want {
			t.Errorf("Set(%q) = %d bytes/s, want %d", tc.in, int64(r), tc.want)
		}
	}
}

// TestByteRateSetRejectsNonRates proves what is not a rate is refused with
// an error that quotes it and says what to type instead, and leaves the
// flag's value as it was.
func TestByteRateSetRejectsNonRates(t *testing.T) {
	for _, in := range []string{"", "fast", "unlimited-ish", "-1", "1e3", "/s", "1MiB/h", "1MiB/s/s", "99999999EiB", "8EiB/s", "9223372036854775808"} {
		r := byteRate(4096)
		err := r.Set(in)
		if err == nil {
			t.Errorf("Set(%q) accepted it as %d bytes/s", in, int64(r))
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "not a rate") || !strings.Contains(msg, "1MiB/s") || !strings.Contains(msg, `"`+in+`"`) {
			t.Errorf("Set(%q): error %q does not quote the value and suggest a form", in, msg)
		}
		if r != 4096 {
			t.Errorf("Set(%q) failed but changed the value to %d", in, int64(r))
		}
	}
}

// TestByteRateString proves how a rate is shown (in -help defaults and
// messages): 0 is "unlimited", anything else binary units per second, and
// an exact value shown that way reads back to itself.
func TestByteRateString(t *testing.T) {
	for _, tc := range []struct {
		r    byteRate
		want string
	}{
		{0, "unlimited"},
		{12, "12 B/s"},
		{500 << 10, "500 KiB/s"},
		{1 << 20, "1.0 MiB/s"},
		{3 << 19, "1.5 MiB/s"},
	} {
		got := tc.r.String()
		if got != tc.want {
			t.Errorf("byteRate(%d).String() = %q, want %q", int64(tc.r), got, tc.want)
			continue
		}
		if tc.r == 0 {
			continue // "unlimited" is for reading; "0" is what one types
		}
		var back byteRate
		if err := back.Set(got); err != nil || back != tc.r {
			t.Errorf("Set(%q) = %d, %v; want %d back", got, int64(back), err, int64(tc.r))
		}
	}
}

// TestByteRateAsFlag proves the type works as a flag.Value the way the
// subcommands use it: a good value reaches the variable, a bad one makes
// the parse fail with the "not a rate" message.
func TestByteRateAsFlag(t *testing.T) {
	newFS := func() (*flag.FlagSet, *byteRate, *byteRate) {
		fs := flag.NewFlagSet("download", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var up, down byteRate
		fs.Var(&up, "up-limit", "upload rate limit")
		fs.Var(&down, "down-limit", "download rate limit")
		return fs, &up, &down
	}
	fs, up, down := newFS()
	if err := fs.Parse([]string{"-up-limit", "1MiB/s", "-down-limit=500k"}); err != nil {
		t.Fatal(err)
	}
	if *up != 1<<20 || *down != 500_000 {
		t.Errorf("parsed -up-limit %d, -down-limit %d; want %d, %d", int64(*up), int64(*down), 1<<20, 500_000)
	}
	fs, up, _ = newFS()
	err := fs.Parse([]string{"-up-limit", "lots"})
	if err == nil || !strings.Contains(err.Error(), `not a rate: "lots"`) {
		t.Errorf("-up-limit lots: %v, want a \"not a rate\" error", err)
	}
	if *up != 0 {
		t.Errorf("a refused -up-limit left %d in the variable", int64(*up))
	}
}
