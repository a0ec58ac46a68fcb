package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

func mustURI(t *testing.T, s string) fyne.URI {
	t.Helper()
	u, err := storage.ParseURI(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return u
}

func TestPlanDropAddsTorrentsAndMagnets(t *testing.T) {
	magnet := "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=x"
	plan := planDrop([]fyne.URI{
		storage.NewFileURI("/home/a/one.torrent"),
		storage.NewFileURI("/home/a/TWO.TORRENT"),
		storage.NewFileURI(magnet), // what Fyne's GLFW driver makes of dropped link text
	})
	if !slices.Equal(plan.TorrentFiles, []string{"/home/a/one.torrent", "/home/a/TWO.TORRENT"}) {
		t.Errorf("torrent files %v", plan.TorrentFiles)
	}
	if len(plan.Magnets) != 1 {
		t.Fatalf("magnets %v", plan.Magnets)
	}
	m, err := metainfo.ParseMagnet(plan.Magnets[0])
	if err != nil {
		t.Fatalf("dropped magnet %q does not parse: %v", plan.Magnets[0], err)
	}
	if m.InfoHash.Hex() != "0123456789abcdef0123456789abcdef01234567" || m.DisplayName != "x" {
		t.Errorf("magnet %q lost its hash or name: %+v", plan.Magnets[0], m)
	}
	if plan.CreateFrom != "" || len(plan.Rejected) != 0 {
		t.Errorf("unexpected create %q / rejected %v", plan.CreateFrom, plan.Rejected)
	}
}

func TestPlanDropCreatesFromOneItemOnly(t *testing.T) {
	plan := planDrop([]fyne.URI{
		storage.NewFileURI("/data/holiday"),
		storage.NewFileURI("/data/notes.txt"),
		storage.NewFileURI("/data/x.torrent"),
	})
	if plan.CreateFrom != "/data/holiday" {
		t.Errorf("create from %q, want the first non-torrent item", plan.CreateFrom)
	}
	if !slices.Equal(plan.TorrentFiles, []string{"/data/x.torrent"}) {
		t.Errorf("torrent files %v", plan.TorrentFiles)
	}
	if len(plan.Rejected) != 1 || !strings.HasPrefix(plan.Rejected[0], "notes.txt: a new torrent is made from one") {
		t.Errorf("rejected %v", plan.Rejected)
	}
}

func TestPlanDropRejectsRemoteURLs(t *testing.T) {
	plan := planDrop([]fyne.URI{mustURI(t, "https://example.com/a.torrent"), nil})
	if len(plan.Rejected) != 1 || !strings.Contains(plan.Rejected[0], "only local files") {
		t.Errorf("rejected %v", plan.Rejected)
	}
	if planDrop(nil).Empty() != true {
		t.Error("an empty drop should plan nothing")
	}
}
