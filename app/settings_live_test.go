package app

import (
	"path/filepath"
	"testing"
)

// Peers per torrent and upload slots reach the running engine when the
// settings are saved, without a restart.
func TestSettingsApplyPeerCapAndSlotsAtOnce(t *testing.T) {
	c := openClient(t, testConfig(t, filepath.Join(t.TempDir(), "state.db"), t.TempDir()))
	s := c.Settings()
	s.MaxPeersPerTorrent, s.UploadSlots = 7, 6
	if err := c.SetSettings(s); err != nil {
		t.Fatal(err)
	}
	if got := c.session.MaxPeersPerTorrent(); got != 7 {
		t.Errorf("engine peer cap %d after saving 7", got)
	}
	if got := c.session.UploadSlots(); got != 6 {
		t.Errorf("engine upload slots %d after saving 6", got)
	}
}
