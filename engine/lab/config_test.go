package lab

import (
	"slices"
	"strings"
	"testing"

	"github.com/swarmscope/swarmscope/engine/picker"
)

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"1:30:5", []int{1, 6, 11, 16, 21, 26, 30}},
		{"5:5", []int{5}},
		{"1:20", []int{1, 5, 9, 13, 17, 20}},
		{"2:4", []int{2, 3, 4}},
		{"10:20:10", []int{10, 20}},
	} {
		got, err := ParseRange(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseRange(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "5", "0:3", "5:2", "1:2:0", "a:b", "1:2:3:4", "1:100000"} {
		if got, err := ParseRange(bad); err == nil {
			t.Errorf("ParseRange(%q) = %v, want an error", bad, got)
		}
	}
}

func TestParseNames(t *testing.T) {
	if m, err := ParseMode("cs"); err != nil || m != ClientServer {
		t.Errorf("ParseMode(cs) = %v, %v", m, err)
	}
	if m, err := ParseMode("P2P"); err != nil || m != PeerToPeer {
		t.Errorf("ParseMode(P2P) = %v, %v", m, err)
	}
	if c, err := ParseChoking("all"); err != nil || c != UploadToAll {
		t.Errorf("ParseChoking(all) = %v, %v", c, err)
	}
	for _, s := range []picker.Strategy{picker.RarestFirst, picker.Random, picker.Sequential} {
		if got, err := ParseStrategy(StrategyName(s)); err != nil || got != s {
			t.Errorf("ParseStrategy(%q) = %v, %v; want %v", StrategyName(s), got, err, s)
		}
	}
	for _, f := range []func() error{
		func() error { _, err := ParseMode("mesh"); return err },
		func() error { _, err := ParseChoking("never"); return err },
		func() error { _, err := ParseStrategy("newest"); return err },
	} {
		if err := f(); err == nil || !strings.Contains(err.Error(), "want") {
			t.Errorf("a bad name gave %v, want an error that lists the choices", err)
		}
	}
}

func TestValidateSaysWhatIsWrong(t *testing.T) {
	good := DefaultConfig()
	if err := good.Validate(); err != nil {
		t.Fatalf("the defaults do not validate: %v", err)
	}
	for _, tc := range []struct {
		change func(*Config)
		want   string
	}{
		{func(c *Config) { c.Peers = 0 }, "peers"},
		{func(c *Config) { c.PieceLength = 100 << 10 }, "power of two"},
		{func(c *Config) { c.SeedUpload = 0 }, "server upload"},
		{func(c *Config) { c.PeerUpload = 0 }, "peer upload"},
		{func(c *Config) { c.FreeRiders = 1.5 }, "free riders"},
		{func(c *Config) { c.LateJoiners = -0.1 }, "late joiners"},
		{func(c *Config) { c.FileSize = 0 }, "file size"},
	} {
		c := DefaultConfig()
		tc.change(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate() = %v, want an error about %q", err, tc.want)
		}
	}
	// Client-server peers need no upload rate.
	cs := DefaultConfig()
	cs.Mode, cs.PeerUpload = ClientServer, 0
	if err := cs.Validate(); err != nil {
		t.Errorf("client-server without peer upload: %v", err)
	}
}
