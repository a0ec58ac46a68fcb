package persist

import (
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestDefaultSettings(t *testing.T) {
	d := DefaultSettings()
	if d.MaxPeersPerTorrent != 50 || d.UploadSlots != 4 || d.OnStartup != StartTorrents || !d.DHTEnabled {
		t.Errorf("DefaultSettings = %+v", d)
	}
	if err := d.Validate(); err != nil {
		t.Errorf("DefaultSettings are invalid: %v", err)
	}
}

func TestLoadSettingsWithoutSavedReturnsDefaults(t *testing.T) {
	s, _ := openTemp(t)
	got, err := s.LoadSettings()
	if err != nil {
		t.Fatalf("LoadSettings: %v", err)
	}
	if !reflect.DeepEqual(got, DefaultSettings()) {
		t.Errorf("LoadSettings = %+v, want defaults", got)
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	s, _ := openTemp(t)
	want := Settings{
		DownloadDir: "/data/torrents", ListenPort: 51413,
		DownloadLimit: 1 << 20, UploadLimit: 256 << 10,
		AltDownloadLimit: 10 << 10, AltUploadLimit: 5 << 10, AltLimitsEnabled: true,
		MaxPeersPerTorrent: 80, UploadSlots: 6, MaxActiveDownloads: 2, MaxActiveSeeds: 0,
		OnStartup: StartPaused, CloseToTray: true, DHTEnabled: false,
	}
	if err := s.SaveSettings(want); err != nil {
		t.Fatalf("SaveSettings: %v", err)
	}
	got, err := s.LoadSettings()
	if err != nil {
		t.Fatalf("LoadSettings: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadSettings = %+v\nwant %+v", got, want)
	}
}

func putRawSettings(t *testing.T, s *Store, raw string) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSettings).Put(keySettings, []byte(raw)) })
	if err != nil {
		t.Fatal(err)
	}
}

// A newer build may add fields (ignored here); an older one lacks fields added since (they keep
// their defaults).
func TestLoadSettingsToleratesUnknownAndMissingFields(t *testing.T) {
	s, _ := openTemp(t)
	putRawSettings(t, s, `{"listen_port": 7000, "close_to_tray": true, "web_ui_password": "from the future"}`)
	got, err := s.LoadSettings()
	if err != nil {
		t.Fatalf("LoadSettings: %v", err)
	}
	want := DefaultSettings()
	want.ListenPort, want.CloseToTray = 7000, true
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadSettings = %+v\nwant %+v", got, want)
	}
}

func TestLoadSettingsUndecodableGivesDefaultsAndError(t *testing.T) {
	s, _ := openTemp(t)
	putRawSettings(t, s, `{"listen_port": "not a number"`)
	got, err := s.LoadSettings()
	if err == nil || !strings.Contains(err.Error(), "load settings: decode") {
		t.Fatalf("LoadSettings error = %v", err)
	}
	if !reflect.DeepEqual(got, DefaultSettings()) {
		t.Errorf("LoadSettings on error = %+v, want defaults", got)
	}
}

func TestSaveSettingsRejectsInvalid(t *testing.T) {
	s, _ := openTemp(t)
	bad := []func(*Settings){
		func(s *Settings) { s.ListenPort = 70000 },
		func(s *Settings) { s.UploadLimit = -1 },
		func(s *Settings) { s.MaxPeersPerTorrent = 0 },
		func(s *Settings) { s.UploadSlots = 0 },
		func(s *Settings) { s.MaxActiveSeeds = -1 },
		func(s *Settings) { s.OnStartup = "sometimes" },
	}
	for i, edit := range bad {
		settings := DefaultSettings()
		edit(&settings)
		if err := s.SaveSettings(settings); err == nil {
			t.Errorf("case %d: SaveSettings(%+v) succeeded", i, settings)
		}
	}
	if got, _ := s.LoadSettings(); !reflect.DeepEqual(got, DefaultSettings()) {
		t.Errorf("rejected settings were stored: %+v", got)
	}
}
