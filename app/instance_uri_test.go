package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLocalArgTurnsFileURIsIntoPaths(t *testing.T) {
	magnet := "magnet:?xt=urn:btih:" + strings.Repeat("ab", 20) + "&dn=My%20Files"
	for _, tc := range []struct{ in, want string }{
		{"file:///home/u/My%20Files/x.torrent", "/home/u/My Files/x.torrent"},
		{"file://localhost/home/u/x.torrent", "/home/u/x.torrent"},
		{"FILE://LocalHost/home/u/x.torrent", "/home/u/x.torrent"},
		{"file:/home/u/x.torrent", "/home/u/x.torrent"},
		{"file:///tmp/%C3%A9t%C3%A9%20100%25%23%3F.torrent", "/tmp/été 100%#?.torrent"},
		{"file:///tmp/a+b.torrent", "/tmp/a+b.torrent"}, // "+" is not a space in a path
		{magnet, magnet},
		{"/home/u/My%20Files/x.torrent", "/home/u/My%20Files/x.torrent"}, // a plain path stays as typed
		{"relative/x.torrent", "relative/x.torrent"},
		{"", ""},
	} {
		got, err := LocalArg(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("LocalArg(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, words string }{
		{"file://fileserver/share/x.torrent", "another computer"},
		{"file://localhost:8080/x.torrent", "another computer"},
		{"file:x.torrent", "not an absolute file URI"},
		{"file://", "not an absolute file URI"},
		{"file:///tmp/bad%zz.torrent", "not a file URI"},
	} {
		got, err := LocalArg(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.words) {
			t.Errorf("LocalArg(%q) = %q, %v; want an error saying %q", tc.in, got, err, tc.words)
		}
	}
}

// TestHandOverOfALauncherFileURI: a second instance started as the desktop entry does
// (Exec=swarmscope %U) hands the running one a percent-encoded file URI of a .torrent in a
// folder with a space; the running one must add that file, and a URI of another host is
// refused in words without reaching it.
func TestHandOverOfALauncherFileURI(t *testing.T) {
	db, dir := filepath.Join(t.TempDir(), "state.db"), t.TempDir()
	c := openClient(t, testConfig(t, db, dir))

	data := filepath.Join(dir, "handed over.bin")
	writeRandom(t, data, 64<<10)
	folder := filepath.Join(t.TempDir(), "My Files")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	torrentFile := filepath.Join(folder, "handed over #1.torrent")
	mi := makeTorrent(t, data, 16<<10)
	if err := os.WriteFile(torrentFile, mi.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	uri := "file://" + strings.ReplaceAll(strings.ReplaceAll(filepath.ToSlash(torrentFile), " ", "%20"), "#", "%23")

	ok, err := SendToRunning(db, []string{uri, "file://elsewhere/x.torrent"})
	if !ok {
		t.Fatalf("SendToRunning found no running instance (err %v)", err)
	}
	if err == nil || !strings.Contains(err.Error(), "another computer") {
		t.Errorf("hand-over error %v, want the remote file URI refused in words", err)
	}
	if err != nil && strings.Contains(err.Error(), "%20") {
		t.Errorf("hand-over error %v: the local file URI was not turned into a path", err)
	}
	waitEvent(t, c, EventHandedOver, ID{}, 5*time.Second)
	waitState(t, c, mi.InfoHash, Seeding, 10*time.Second)
	if n := len(c.Torrents()); n != 1 {
		t.Errorf("%d torrents after the hand-over, want 1", n)
	}

	// A sender that passes the URI on unconverted is served too.
	c2Data := filepath.Join(dir, "raw.bin")
	writeRandom(t, c2Data, 32<<10)
	mi2 := makeTorrent(t, c2Data, 16<<10)
	raw := filepath.Join(folder, "raw uri.torrent")
	if err := os.WriteFile(raw, mi2.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	conn, err := netDialUnix(filepath.Join(filepath.Dir(db), SocketName))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rawURI := "file://localhost" + strings.ReplaceAll(filepath.ToSlash(raw), " ", "%20")
	if err := json.NewEncoder(conn).Encode(handover{Args: []string{rawURI}}); err != nil {
		t.Fatal(err)
	}
	var reply handoverReply
	if err := json.NewDecoder(conn).Decode(&reply); err != nil {
		t.Fatal(err)
	}
	if len(reply.Results) != 1 || reply.Results[0].Error != "" || reply.Results[0].ID != mi2.InfoHash.Hex() {
		t.Errorf("reply %+v, want %s added", reply, mi2.InfoHash.Hex())
	}
}
