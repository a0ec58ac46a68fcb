package ui

import (
	"testing"

	"github.com/swarmscope/swarmscope/engine/torrent"
)

func TestUploadWordsAndClass(t *testing.T) {
	cases := []struct {
		name  string
		peer  torrent.PeerSnapshot
		words string
		class uploadClass
	}{
		{"regular", torrent.PeerSnapshot{ChokeReason: "regular unchoke: 2nd fastest uploader to us (1.0 MiB/s)"},
			"we unchoke them: 2nd fastest uploader to us (1.0 MiB/s)", uploadRegular},
		{"optimistic", torrent.PeerSnapshot{Optimistic: true, ChokeReason: "optimistic unchoke (rotates every 30 s)"},
			"optimistic unchoke (rotates every 30 s)", uploadOptimistic},
		{"optimistic without reason", torrent.PeerSnapshot{Optimistic: true}, "optimistic unchoke", uploadOptimistic},
		{"choked", torrent.PeerSnapshot{AmChoking: true, ChokeReason: "choked: not in the top 4 (6th fastest, 0 B/s)"},
			"we choke them: not in the top 4 (6th fastest, 0 B/s)", uploadChoked},
		{"choked before the first rechoke", torrent.PeerSnapshot{AmChoking: true}, "we choke them", uploadChoked},
	}
	for _, c := range cases {
		if got := uploadWords(&c.peer); got != c.words {
			t.Errorf("%s: words %q, want %q", c.name, got, c.words)
		}
		if got := uploadClassOf(&c.peer); got != c.class {
			t.Errorf("%s: class %v, want %v", c.name, got, c.class)
		}
	}
}

func TestDownloadWords(t *testing.T) {
	p := torrent.PeerSnapshot{PeerChoking: true, AmInterested: true, Snubbed: true}
	if got, want := downloadWords(&p), "they choke us; we are interested; snubbed"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	p = torrent.PeerSnapshot{}
	if got, want := downloadWords(&p), "they unchoke us"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPeerFlagWordsFollowFlags(t *testing.T) {
	p := torrent.PeerSnapshot{AmInterested: true, PeerInterested: true, Optimistic: true, Incoming: true}
	flags := p.Flags() // D U O I
	if flags != "DUOI" {
		t.Fatalf("engine flags %q, want DUOI", flags)
	}
	want := "D: we download from them; U: we upload to them; O: optimistic unchoke; I: they connected to us"
	if got := peerFlagWords(flags); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
