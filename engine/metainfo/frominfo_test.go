package metainfo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFromInfoKeepsInfoHashAndTrackers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(path, bytes.Repeat([]byte("swarm"), 10000), 0o644); err != nil {
		t.Fatal(err)
	}
	orig, err := Create(context.Background(), path, CreateOptions{PieceLength: 16384})
	if err != nil {
		t.Fatal(err)
	}
	trackers := []string{"http://a.example/announce", "", "udp://b.example:80"}
	mi, err := FromInfo(orig.Info.Raw, trackers, []string{"http://seed.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if mi.InfoHash != orig.InfoHash {
		t.Fatalf("info hash %s, want %s", mi.InfoHash, orig.InfoHash)
	}
	if !bytes.Equal(mi.Info.Raw, orig.Info.Raw) {
		t.Fatal("info bytes were not kept verbatim")
	}
	if mi.Announce != trackers[0] {
		t.Fatalf("announce %q, want %q", mi.Announce, trackers[0])
	}
	want := [][]string{{trackers[0]}, {trackers[2]}}
	if !slices.EqualFunc(mi.AnnounceList, want, slices.Equal) {
		t.Fatalf("announce-list %q, want %q", mi.AnnounceList, want)
	}
	if !slices.Equal(mi.WebSeeds, []string{"http://seed.example/"}) {
		t.Fatalf("web seeds %q", mi.WebSeeds)
	}
	again, err := Parse(mi.Raw)
	if err != nil || again.InfoHash != orig.InfoHash {
		t.Fatalf("the written .torrent does not parse back to the same hash: %v", err)
	}

	bare, err := FromInfo(orig.Info.Raw, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bare.Announce != "" || len(bare.AnnounceList) != 0 || bare.InfoHash != orig.InfoHash {
		t.Fatalf("trackerless: announce %q, list %q, hash %s", bare.Announce, bare.AnnounceList, bare.InfoHash)
	}
}

func TestFromInfoRejectsBadInfo(t *testing.T) {
	for _, info := range [][]byte{nil, []byte("d4:name3:abce"), []byte("not bencode")} {
		if _, err := FromInfo(info, nil, nil); err == nil {
			t.Errorf("FromInfo(%q) accepted it", info)
		}
	}
}
