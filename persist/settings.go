package persist

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

var keySettings = []byte("settings")

// StartBehavior says what happens to saved torrents when Swarmscope starts.
type StartBehavior string

const (
	StartTorrents StartBehavior = "start"  // resume every torrent that was not paused
	StartPaused   StartBehavior = "paused" // load every torrent paused
)

// Settings are the user's preferences. They are stored as JSON: fields this build does not know
// (written by a newer one) are ignored, and fields missing from the stored copy (added since it
// was saved) keep their DefaultSettings values.
type Settings struct {
	DownloadDir string `json:"download_dir"` // where new torrents are saved
	ListenPort  int    `json:"listen_port"`  // TCP port for incoming peers; 0 picks a free one

	// Global rate limits in bytes per second; 0 means unlimited.
	DownloadLimit int64 `json:"download_limit"`
	UploadLimit   int64 `json:"upload_limit"`

	// The alternative ("turtle") limits replace the global ones while AltLimitsEnabled is set.
	AltDownloadLimit int64 `json:"alt_download_limit"`
	AltUploadLimit   int64 `json:"alt_upload_limit"`
	AltLimitsEnabled bool  `json:"alt_limits_enabled"`

	MaxPeersPerTorrent int `json:"max_peers_per_torrent"`
	UploadSlots        int `json:"upload_slots"` // regular unchoke slots per torrent

	// How many torrents may download, and seed, at once; 0 means no limit. The rest wait in queue.
	MaxActiveDownloads int `json:"max_active_downloads"`
	MaxActiveSeeds     int `json:"max_active_seeds"`

	OnStartup   StartBehavior `json:"on_startup"`
	CloseToTray bool          `json:"close_to_tray"` // closing the window keeps Swarmscope running
	DHTEnabled  bool          `json:"dht_enabled"`
}

// DefaultSettings returns the settings of a fresh install.
func DefaultSettings() Settings {
	downloads := ""
	if home, err := os.UserHomeDir(); err == nil {
		downloads = filepath.Join(home, "Downloads")
	}
	return Settings{
		DownloadDir:        downloads,
		ListenPort:         6881,
		AltDownloadLimit:   50 << 10,
		AltUploadLimit:     50 << 10,
		MaxPeersPerTorrent: 50,
		UploadSlots:        4,
		MaxActiveDownloads: 3,
		MaxActiveSeeds:     5,
		OnStartup:          StartTorrents,
		DHTEnabled:         true,
	}
}

// Validate reports the first setting that makes no sense.
func (s Settings) Validate() error {
	switch {
	case s.ListenPort < 0 || s.ListenPort > 65535:
		return fmt.Errorf("listen port %d is outside 0–65535", s.ListenPort)
	case s.DownloadLimit < 0, s.UploadLimit < 0, s.AltDownloadLimit < 0, s.AltUploadLimit < 0:
		return errors.New("rate limits cannot be negative")
	case s.MaxPeersPerTorrent < 1:
		return fmt.Errorf("max peers per torrent is %d, need at least 1", s.MaxPeersPerTorrent)
	case s.UploadSlots < 1:
		return fmt.Errorf("upload slots is %d, need at least 1", s.UploadSlots)
	case s.MaxActiveDownloads < 0 || s.MaxActiveSeeds < 0:
		return errors.New("max active downloads and seeds cannot be negative")
	case s.OnStartup != StartTorrents && s.OnStartup != StartPaused:
		return fmt.Errorf("start-up behaviour %q is neither %q nor %q", s.OnStartup, StartTorrents, StartPaused)
	}
	return nil
}

// LoadSettings returns the saved settings, or DefaultSettings if none were saved. If the saved
// copy cannot be decoded or is invalid it returns DefaultSettings together with the error, so the
// caller can carry on and tell the user.
func (s *Store) LoadSettings() (Settings, error) {
	settings := DefaultSettings()
	err := s.view("load settings", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		if b == nil {
			return fmt.Errorf("bucket %s is missing", bucketSettings)
		}
		raw := b.Get(keySettings)
		if raw == nil {
			return nil
		}
		if err := json.Unmarshal(raw, &settings); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		return settings.Validate()
	})
	if err != nil {
		return DefaultSettings(), err
	}
	return settings, nil
}

// SaveSettings validates and stores settings.
func (s *Store) SaveSettings(settings Settings) error {
	if err := settings.Validate(); err != nil {
		return fmt.Errorf("persist: save settings: %w", err)
	}
	raw, err := json.Marshal(settings)
	if err != nil {
		return fmt.Errorf("persist: save settings: encode: %w", err)
	}
	return s.update("save settings", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		if b == nil {
			return fmt.Errorf("bucket %s is missing", bucketSettings)
		}
		return b.Put(keySettings, raw)
	})
}
