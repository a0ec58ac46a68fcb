package ui

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/persist"
)

const (
	trA = "http://a.example/announce"
	trB = "udp://b.example:6969"
	trC = "http://c.example/announce"
	trD = "udp://d.example:1337"
	trE = "http://e.example/announce" // only in the live tracker list
)

// mergeBackend has one torrent, "Album", whose .torrent lists trackers A and B; adding it again
// is a duplicate, any other is added. It records MergeTrackers calls.
type mergeBackend struct {
	backend
	dir      string
	id       metainfo.Hash
	magnet   string // Details().Magnet: "" while the metadata is missing
	live     []trackerRow
	gone     bool // Details finds nothing
	canMerge bool

	mu     sync.Mutex
	merges [][][]string
	adds   int
}

func newMergeBackend(t *testing.T) *mergeBackend {
	id := metainfo.Hash{9, 9}
	own := metainfo.Magnet{InfoHash: id, DisplayName: "Album", Trackers: []string{trA, trB}}
	return &mergeBackend{
		dir: t.TempDir(), id: id, magnet: own.String(), canMerge: true,
		live: []trackerRow{{Tier: 0, URL: trA}, {Tier: 1, URL: trB}, {Tier: 2, URL: trE}},
	}
}

func (b *mergeBackend) Settings() persist.Settings {
	s := persist.DefaultSettings()
	s.DownloadDir = b.dir
	return s
}

func (b *mergeBackend) AddMagnet(uri string, opts addOptions) (metainfo.Hash, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.adds++
	if m, err := metainfo.ParseMagnet(uri); err != nil || m.InfoHash != b.id {
		return metainfo.Hash{1}, err // another torrent: added
	}
	return metainfo.Hash{}, &duplicateError{ID: b.id}
}

func (b *mergeBackend) Details(id metainfo.Hash) (torrentDetails, bool) {
	if id != b.id || b.gone {
		return torrentDetails{}, false
	}
	return torrentDetails{Snap: &torrent.Snapshot{Name: "Album", InfoHash: id}, Magnet: b.magnet, Trackers: b.live}, true
}

func (b *mergeBackend) CanMergeTrackers() bool { return b.canMerge }

func (b *mergeBackend) MergeTrackers(id metainfo.Hash, tiers [][]string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if id != b.id {
		panic("merge into the wrong torrent")
	}
	b.merges = append(b.merges, tiers)
	return nil
}

func (b *mergeBackend) merged() (merges [][][]string, adds int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.merges), b.adds
}

// magnetWith is a magnet link of the test torrent naming trackers.
func magnetWith(b *mergeBackend, trackers ...string) string {
	return metainfo.Magnet{InfoHash: b.id, DisplayName: "album (other source)", Trackers: trackers}.String()
}

func TestDecideMagnetDuplicate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		trackers []string
		setup    func(b *mergeBackend)
		offer    bool
		fresh    []string
		message  string // part of the message when not offering
	}{
		{name: "no trackers", message: "Album is already in the list; nothing was added."},
		{name: "all known", trackers: []string{trB, trA},
			message: "Album is already in the list, with every tracker this link names; nothing was added."},
		{name: "known from the live list", trackers: []string{trE}, message: "with every tracker this link names"},
		{name: "new ones", trackers: []string{trB, trC, trD}, offer: true, fresh: []string{trC, trD}},
		{name: "metadata missing", trackers: []string{trC}, fresh: []string{trC},
			setup:   func(b *mergeBackend) { b.magnet = "" },
			message: "still fetching its metadata"},
		{name: "metadata missing, nothing new", trackers: []string{trA},
			setup:   func(b *mergeBackend) { b.magnet = "" },
			message: "with every tracker this link names"},
		{name: "core cannot merge", trackers: []string{trC}, fresh: []string{trC},
			setup:   func(b *mergeBackend) { b.canMerge = false },
			message: "Album is already in the list; nothing was added."},
		{name: "torrent gone", trackers: []string{trC}, fresh: []string{trC},
			setup:   func(b *mergeBackend) { b.gone = true },
			message: "album (other source) is already in the list; nothing was added."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			be := newMergeBackend(t)
			if tc.setup != nil {
				tc.setup(be)
			}
			link, err := metainfo.ParseMagnet(magnetWith(be, tc.trackers...))
			if err != nil {
				t.Fatal(err)
			}
			d := decideMagnetDuplicate(be, be.id, link)
			if d.ID != be.id || d.Offer != tc.offer || !slices.Equal(d.New, tc.fresh) {
				t.Errorf("decision %+v; want offer %v of %q", d, tc.offer, tc.fresh)
			}
			var tiers [][]string
			for _, u := range tc.trackers {
				tiers = append(tiers, []string{u})
			}
			if !slices.EqualFunc(d.Tiers, tiers, slices.Equal) {
				t.Errorf("tiers %q, want the link's trackers one tier each %q", d.Tiers, tiers)
			}
			if tc.offer != (d.Message == "") || !strings.Contains(d.Message, tc.message) {
				t.Errorf("message %q, want one containing %q", d.Message, tc.message)
			}
		})
	}
}

func newMergeWindow(t *testing.T, be *mergeBackend) *mainWindow {
	a := test.NewTempApp(t)
	w := &mainWindow{fyneApp: a, win: a.NewWindow("main"), be: be}
	w.win.Resize(fyne.NewSize(900, 700))
	return w
}

// tapButton taps the button labelled text in the topmost dialog.
func tapButton(t *testing.T, w *mainWindow, text string) {
	t.Helper()
	for _, o := range topOverlay(t, w) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no %q button in the dialog: %s", text, labelsText(topOverlay(t, w)))
}

// TestDuplicateMagnetOffersItsNewTrackers: adding, from the add-magnet dialog, a magnet link of
// a torrent already in the list asks whether to add the link's new trackers, and on yes hands
// the core every tracker of the link, one tier each; no adds nothing.
func TestDuplicateMagnetOffersItsNewTrackers(t *testing.T) {
	be := newMergeBackend(t)
	w := newMergeWindow(t, be)
	w.showAddMagnetLink(magnetWith(be, trA, trC, trD))
	tapButton(t, w, "Add")
	w.asyncRunning.Wait()
	text := labelsText(topOverlay(t, w))
	if !strings.Contains(text, "Album is already in the list. Add this link's 2 new trackers to it?") ||
		!strings.Contains(text, trC+"\n"+trD) || strings.Contains(text, trA) {
		t.Fatalf("the duplicate dialog says %q; want it to offer %s and %s only", text, trC, trD)
	}
	if merges, adds := be.merged(); adds != 1 || len(merges) != 0 {
		t.Fatalf("%d adds, merges %q before the answer", adds, merges)
	}
	tapButton(t, w, "Yes")
	w.asyncRunning.Wait()
	merges, _ := be.merged()
	if want := [][][]string{{{trA}, {trC}, {trD}}}; len(merges) != 1 || !slices.EqualFunc(merges[0], want[0], slices.Equal) {
		t.Fatalf("MergeTrackers got %q, want %q", merges, want)
	}

	// Again, answering no: nothing more reaches the core.
	w.showAddMagnetLink(magnetWith(be, trC, "udp://f.example:1"))
	tapButton(t, w, "Add")
	w.asyncRunning.Wait()
	tapButton(t, w, "No")
	w.asyncRunning.Wait()
	if merges, adds := be.merged(); adds != 2 || len(merges) != 1 {
		t.Errorf("after no: %d adds, merges %q; want 2 adds and still one merge", adds, merges)
	}
}

// TestDuplicateMagnetWithoutNewTrackersJustSaysSo: a duplicate link that brings no tracker the
// torrent lacks gets the plain "already in the list" and no merge, from the dialog and from a
// drop of several links alike.
func TestDuplicateMagnetWithoutNewTrackersJustSaysSo(t *testing.T) {
	be := newMergeBackend(t)
	w := newMergeWindow(t, be)
	w.showAddMagnetLink(magnetWith(be, trB, trE))
	tapButton(t, w, "Add")
	w.asyncRunning.Wait()
	text := labelsText(topOverlay(t, w))
	if !strings.Contains(text, "Album is already in the list, with every tracker this link names; nothing was added.") {
		t.Fatalf("the duplicate dialog says %q", text)
	}
	for _, o := range topOverlay(t, w) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Yes" {
			t.Fatal("a duplicate without new trackers asks a question")
		}
	}

	// Two dropped links are added without the dialog; the duplicate with a new tracker still
	// gets the offer. (Only one of them may show a dialog: the test driver runs fyne.Do on the
	// calling goroutine, so two would draw at once.)
	w2 := newMergeWindow(t, be)
	other := metainfo.Magnet{InfoHash: metainfo.Hash{1}, Trackers: []string{trA}}.String()
	w2.handleDrop(dropPlan{Magnets: []string{other, magnetWith(be, trD)}})
	w2.asyncRunning.Wait()
	found := false
	for o := w2.win.Canvas().Overlays().Top(); o != nil; {
		if strings.Contains(labelsText(objectsIn(t, o)), "Add this link's 1 new tracker to it?") {
			found = true
		}
		w2.win.Canvas().Overlays().Remove(o)
		o = w2.win.Canvas().Overlays().Top()
	}
	if !found {
		t.Error("a dropped duplicate link with a new tracker was not offered the merge")
	}
	if merges, adds := be.merged(); adds != 3 || len(merges) != 0 {
		t.Errorf("%d adds, merges %q; want 3 adds and no merge", adds, merges)
	}
}
