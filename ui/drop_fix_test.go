package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/persist"
)

const dropHash = "0123456789abcdef0123456789abcdef01234567"

// TestPlanDropFindsMagnetsTheDriverWrapsAsFiles feeds planDrop what Fyne's GLFW driver
// delivers for dropped link text: storage.NewFileURI(name), after GLFW has percent-decoded the
// name, so the URI's path is $PWD/magnet:?… with the "//" of tracker URLs folded.
func TestPlanDropFindsMagnetsTheDriverWrapsAsFiles(t *testing.T) {
	for _, tc := range []struct {
		dropped  string // the name GLFW hands the driver
		name     string
		trackers []string
	}{
		{"magnet:?xt=urn:btih:" + dropHash + "&dn=x", "x", nil},
		{"magnet:?xt=urn:btih:" + dropHash + "&dn=My Show&tr=http://tracker.example:6969/announce&tr=udp://t2.example:1337",
			"My Show", []string{"http://tracker.example:6969/announce", "udp://t2.example:1337"}},
		{"magnet:?xt=urn:btih:" + dropHash + "&dn=100% legit&tr=https%3A%2F%2Ft.example%2Fannounce",
			"100% legit", []string{"https://t.example/announce"}},
		{"MAGNET:?xt=urn:btih:" + strings.ToUpper(dropHash), "", nil},
	} {
		u := storage.NewFileURI(tc.dropped)
		if u.Scheme() != "file" {
			t.Fatalf("the driver's URI for %q has scheme %q; this test models a file URI", tc.dropped, u.Scheme())
		}
		plan := planDrop([]fyne.URI{u})
		if len(plan.Magnets) != 1 || plan.CreateFrom != "" || len(plan.TorrentFiles) != 0 || len(plan.Rejected) != 0 {
			t.Errorf("drop of %q (path %q) planned %+v, want one magnet", tc.dropped, u.Path(), plan)
			continue
		}
		m, err := checkMagnet(plan.Magnets[0])
		if err != nil {
			t.Errorf("dropped %q became %q, which does not parse: %v", tc.dropped, plan.Magnets[0], err)
			continue
		}
		if m.InfoHash.Hex() != dropHash || m.DisplayName != tc.name || !slices.Equal(m.Trackers, tc.trackers) {
			t.Errorf("dropped %q became %q: hash %s, name %q, trackers %q; want %q, %q",
				tc.dropped, plan.Magnets[0], m.InfoHash.Hex(), m.DisplayName, m.Trackers, tc.name, tc.trackers)
		}
	}
	// A magnet URI as such (other drivers, or a future Fyne) still works, next to real files.
	plan := planDrop([]fyne.URI{mustURI(t, "magnet:?xt=urn:btih:"+dropHash), storage.NewFileURI("/data/magnetic.torrent")})
	if len(plan.Magnets) != 1 || !slices.Equal(plan.TorrentFiles, []string{"/data/magnetic.torrent"}) {
		t.Errorf("plan %+v", plan)
	}
}

// dropBackend records adds; the rest of the backend is unused.
type dropBackend struct {
	backend
	mu       sync.Mutex
	magnets  []string
	files    []string
	settings int
}

func (b *dropBackend) Settings() persist.Settings {
	s := persist.DefaultSettings()
	s.DownloadDir = ""
	return s
}

func (b *dropBackend) SetSettings(persist.Settings) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.settings++
	return nil
}

func (b *dropBackend) AddMagnet(uri string, opts addOptions) (metainfo.Hash, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.magnets = append(b.magnets, uri)
	return metainfo.Hash{1}, nil
}

func (b *dropBackend) AddTorrentFile(path string, opts addOptions) (metainfo.Hash, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.files = append(b.files, path)
	return metainfo.Hash{2}, nil
}

func (b *dropBackend) added() (magnets, files []string, settings int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.magnets), slices.Clone(b.files), b.settings
}

func newDropWindow(t *testing.T) (*mainWindow, *dropBackend) {
	a := test.NewTempApp(t)
	be := &dropBackend{}
	w := &mainWindow{fyneApp: a, win: a.NewWindow("main"), be: be}
	w.win.Resize(fyne.NewSize(900, 700))
	return w, be
}

// objectsIn is every object drawn under o, o included.
func objectsIn(t *testing.T, o fyne.CanvasObject) []fyne.CanvasObject {
	out := []fyne.CanvasObject{o}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, objectsIn(t, c)...)
		}
	case fyne.Widget:
		for _, c := range test.TempWidgetRenderer(t, v).Objects() {
			out = append(out, objectsIn(t, c)...)
		}
	}
	return out
}

// topOverlay is everything in the topmost dialog, failing when none is shown.
func topOverlay(t *testing.T, w *mainWindow) []fyne.CanvasObject {
	t.Helper()
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is shown")
	}
	return objectsIn(t, top)
}

func labelsText(objs []fyne.CanvasObject) string {
	var b strings.Builder
	for _, o := range objs {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	}
	return b.String()
}

// TestDroppedMagnetOpensTheAddDialog: one dropped magnet link (as the driver delivers it)
// opens the add-magnet dialog with the link filled in and adds nothing by itself, as one
// dropped .torrent opens the add-torrent dialog; several magnets are added at once.
func TestDroppedMagnetOpensTheAddDialog(t *testing.T) {
	w, be := newDropWindow(t)
	link := "magnet:?xt=urn:btih:" + dropHash + "&dn=x"
	w.handleDrop(planDrop([]fyne.URI{storage.NewFileURI(link)}))
	w.asyncRunning.Wait()
	var entry *widget.Entry
	for _, o := range topOverlay(t, w) {
		if e, ok := o.(*widget.Entry); ok && e.MultiLine {
			entry = e
		}
	}
	if entry == nil || entry.Text != link {
		t.Fatalf("the add-magnet dialog is not shown with the link filled in (entry %v)", entry)
	}
	if magnets, _, _ := be.added(); len(magnets) != 0 {
		t.Fatalf("a dropped magnet was added without the dialog: %q", magnets)
	}

	w2, be2 := newDropWindow(t)
	other := "magnet:?xt=urn:btih:" + strings.Repeat("ab", 20)
	w2.handleDrop(planDrop([]fyne.URI{storage.NewFileURI(link), storage.NewFileURI(other)}))
	w2.asyncRunning.Wait()
	magnets, _, _ := be2.added()
	slices.Sort(magnets)
	if !slices.Equal(magnets, []string{link, other}) {
		t.Errorf("two dropped magnets added %q, want both", magnets)
	}

	// One .torrent: its dialog, and nothing added yet.
	w3, be3 := newDropWindow(t)
	path := writeBigTorrent(t, 1<<20)
	w3.handleDrop(planDrop([]fyne.URI{storage.NewFileURI(path)}))
	if !strings.Contains(labelsText(topOverlay(t, w3)), "big.bin") {
		t.Error("the add-torrent dialog did not open for a dropped .torrent")
	}
	if _, files, _ := be3.added(); len(files) != 0 {
		t.Errorf("a dropped .torrent was added without the dialog: %q", files)
	}
}

// writeBigTorrent writes a .torrent of one file of length bytes (no data needed) and returns
// its path.
func writeBigTorrent(t *testing.T, length int64) string {
	t.Helper()
	pieceLength := int64(16 << 10)
	for (length+pieceLength-1)/pieceLength > 50_000 {
		pieceLength *= 2
	}
	n := (length + pieceLength - 1) / pieceLength
	pieces := strings.Repeat("\x00", int(n)*20)
	raw := fmt.Sprintf("d4:infod6:lengthi%de4:name7:big.bin12:piece lengthi%de6:pieces%d:%see",
		length, pieceLength, len(pieces), pieces)
	if _, err := metainfo.Parse([]byte(raw)); err != nil {
		t.Fatalf("test torrent: %v", err)
	}
	path := filepath.Join(t.TempDir(), "big.torrent")
	if err := os.WriteFile(path, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
