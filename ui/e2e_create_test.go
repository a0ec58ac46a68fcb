package ui

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// e2eCreateForm is the create dialog's fields.
type e2eCreateForm struct {
	source, trackers, comment *widget.Entry
	private                   *widget.Check
	pieces                    *widget.Select
	create, cancel            *widget.Button
}

func e2eFindCreateForm(t *testing.T, w *mainWindow) e2eCreateForm {
	t.Helper()
	objs := e2eTop(t, w.win)
	if !e2eShows(t, w.win, "Create torrent") {
		t.Fatalf("the create dialog is not shown (labels %q)", e2eTexts(objs))
	}
	var f e2eCreateForm
	for _, o := range objs {
		switch v := o.(type) {
		case *widget.Entry:
			switch {
			case v.MultiLine:
				f.trackers = v
			case v.PlaceHolder == "/path/to/file or folder":
				f.source = v
			default:
				f.comment = v
			}
		case *widget.Check:
			f.private = v
		case *widget.Select:
			f.pieces = v
		}
	}
	if f.source == nil || f.trackers == nil || f.comment == nil || f.private == nil || f.pieces == nil {
		t.Fatalf("create dialog fields missing: %+v", f)
	}
	f.create = e2eButton(t, objs, "Create and seed")
	f.cancel = e2eButton(t, objs, "Cancel")
	return f
}

// TestE2ECreateTorrent drives File ▸ Create torrent… (Ctrl+N) on a real temporary file: the
// chosen trackers, private flag, piece size and comment reach the backend's CreateAndSeed
// together with a progress callback; a progress dialog with a bar names the file while it
// hashes; its Cancel cancels the backend's context and leaves no dialog behind.
//
// The fake reports no progress: the bar is drawn by a goroutine of runCreate, and touching
// widgets from the test at the same time would race Fyne's (migrated_fynedo, unlocked)
// renderer cache. TestE2ECreateFinishes covers the progress dialog closing itself when the
// hashing ends.
func TestE2ECreateTorrent(t *testing.T) {
	a := newE2EApp(t)
	w, be := newE2EWindow(t, a, t.TempDir())
	data := bytes.Repeat([]byte("swarmscope e2e "), 20000) // 300 000 bytes
	src := filepath.Join(t.TempDir(), "share.bin")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}

	started := make(chan struct{})
	returned := make(chan struct{})
	be.create = func(ctx context.Context, path string, opts metainfo.CreateOptions) (metainfo.Hash, *metainfo.MetaInfo, error) {
		defer close(returned)
		close(started)
		<-ctx.Done() // the user cancels
		return metainfo.Hash{}, nil, ctx.Err()
	}

	e2ePress(w, e2eKey(fyne.KeyN))
	f := e2eFindCreateForm(t, w)
	f.source.SetText(src)
	if !e2eShows(t, w.win, sizeText(int64(len(data)))+" to share") {
		t.Errorf("the dialog does not say the size to share: %q", e2eTexts(e2eTop(t, w.win)))
	}
	f.trackers.SetText("http://127.0.0.1:6969/announce\n\nudp://127.0.0.1:1337/announce\n")
	f.comment.SetText("  made by the e2e test  ")
	test.Tap(f.private)
	f.pieces.SetSelected("32 KiB")
	test.Tap(f.create)

	select {
	case <-started:
	case <-time.After(3 * time.Second):
		t.Fatal("Create and seed did not reach the backend")
	}
	calls := be.createCalls()
	if len(calls) != 1 {
		t.Fatalf("CreateAndSeed called %d times, want once", len(calls))
	}
	got := calls[0]
	if got.path != src || !slices.Equal(got.opts.Trackers, []string{"http://127.0.0.1:6969/announce", "udp://127.0.0.1:1337/announce"}) ||
		!got.opts.Private || got.opts.PieceLength != 32<<10 || got.opts.Comment != "made by the e2e test" ||
		got.opts.CreatedBy != "Swarmscope" || got.opts.Progress == nil {
		t.Errorf("CreateAndSeed(%q, %+v); want %q with both trackers, private, 32 KiB pieces, the trimmed comment, "+
			"created by Swarmscope, and a progress callback", got.path, got.opts, src)
	}

	progress := e2eTop(t, w.win)
	if !e2eShows(t, w.win, "Creating torrent") || !e2eShows(t, w.win, "Hashing share.bin…") {
		t.Errorf("no progress dialog naming the file: %q", e2eTexts(progress))
	}
	var bar *widget.ProgressBar
	for _, o := range progress {
		if b, ok := o.(*widget.ProgressBar); ok {
			bar = b
		}
	}
	if bar == nil || bar.Value != 0 {
		t.Fatalf("the progress dialog has bar %v, want one at 0", bar)
	}

	test.Tap(e2eButton(t, progress, "Cancel"))
	select {
	case <-returned:
	case <-time.After(3 * time.Second):
		t.Fatal("Cancel did not cancel the backend's context")
	}
	if w.win.Canvas().Overlays().Top() != nil {
		t.Errorf("a dialog is left after cancelling: %q", e2eTexts(e2eTop(t, w.win)))
	}
}

// TestE2ECreatedDialog: the dialog after creating shows the magnet link of the new torrent,
// "Copy magnet link" puts it on the clipboard, and "Save .torrent…" (Fyne's save dialog,
// starting in the last used folder) writes a .torrent that loads to the same info hash with
// the chosen options.
func TestE2ECreatedDialog(t *testing.T) {
	a := newE2EApp(t)
	w, _ := newE2EWindow(t, a, t.TempDir())
	data := bytes.Repeat([]byte("created "), 10000)
	src := filepath.Join(t.TempDir(), "share.bin")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	trackers := []string{"http://127.0.0.1:6969/announce", "udp://127.0.0.1:1337/announce"}
	created, err := metainfo.Create(context.Background(), src, metainfo.CreateOptions{
		PieceLength: 32 << 10, Trackers: trackers, Private: true, Comment: "made by the e2e test", CreatedBy: "Swarmscope"})
	if err != nil {
		t.Fatal(err)
	}
	w.showCreated(created)

	objs := e2eTop(t, w.win)
	if !e2eShows(t, w.win, "Torrent created") {
		t.Fatalf("the created dialog is not shown: %q", e2eTexts(objs))
	}
	var link *widget.Entry
	for _, o := range objs {
		if e, ok := o.(*widget.Entry); ok {
			link = e
		}
	}
	if link == nil {
		t.Fatal("the created dialog shows no magnet link")
	}
	m, err := metainfo.ParseMagnet(link.Text)
	if err != nil {
		t.Fatalf("the shown magnet link %q does not parse: %v", link.Text, err)
	}
	if m.InfoHash != created.InfoHash || m.DisplayName != "share.bin" || !slices.Equal(m.Trackers, trackers) {
		t.Errorf("magnet %+v, want share.bin's info hash with both trackers", m)
	}

	test.Tap(e2eButton(t, objs, "Copy magnet link"))
	if clip := a.Clipboard().Content(); clip != link.Text {
		t.Errorf("clipboard %q, want the magnet link %q", clip, link.Text)
	}

	out := t.TempDir()
	a.Preferences().SetString("fyne:fileDialogLastFolder", storage.NewFileURI(out).String())
	test.Tap(e2eButton(t, objs, "Save .torrent…"))
	saveObjs := e2eTop(t, w.win)
	var name *widget.Entry
	for _, o := range saveObjs {
		if e, ok := o.(*widget.Entry); ok {
			name = e
		}
	}
	if name == nil || name.Text != "share.bin.torrent" {
		t.Fatalf("the save dialog suggests %v, want share.bin.torrent", name)
	}
	test.Tap(e2eButton(t, saveObjs, "Save"))
	saved := filepath.Join(out, "share.bin.torrent")
	e2eWaitFor(t, "the saved .torrent", func() bool { _, err := os.Stat(saved); return err == nil })
	mi, err := metainfo.Load(saved)
	if err != nil {
		t.Fatalf("the saved .torrent does not load: %v", err)
	}
	if mi.InfoHash != created.InfoHash || !mi.Info.Private || mi.Info.PieceLength != 32<<10 || mi.Info.Length != int64(len(data)) ||
		mi.Comment != "made by the e2e test" || len(mi.AnnounceList) != 2 {
		t.Errorf("saved torrent: hash %x private %v piece %d length %d comment %q tiers %q",
			mi.InfoHash[:4], mi.Info.Private, mi.Info.PieceLength, mi.Info.Length, mi.Comment, mi.AnnounceList)
	}
	if w.win.Canvas().Overlays().Top() != nil && e2eShows(t, w.win, "Could not save the torrent file") {
		t.Errorf("saving reported a problem: %q", e2eTexts(e2eTop(t, w.win)))
	}
}

// TestE2ECreateRefusesAndCancels: Create and seed with no source or a missing file says so in
// the dialog and calls nothing; Cancel closes it without creating.
func TestE2ECreateRefusesAndCancels(t *testing.T) {
	a := newE2EApp(t)
	w, be := newE2EWindow(t, a, t.TempDir())
	w.showCreate("")
	f := e2eFindCreateForm(t, w)
	test.Tap(f.create)
	if !e2eShows(t, w.win, "Choose the file or folder to share.") {
		t.Errorf("an empty source says %q", e2eTexts(e2eTop(t, w.win)))
	}
	missing := filepath.Join(t.TempDir(), "gone")
	f.source.SetText(missing)
	test.Tap(f.create)
	found := false
	for _, o := range e2eTop(t, w.win) {
		if l, ok := o.(*widget.Label); ok && len(l.Text) > 0 && bytes.Contains([]byte(l.Text), []byte("Cannot share "+missing)) {
			found = true
		}
	}
	if !found {
		t.Errorf("a missing source says %q", e2eTexts(e2eTop(t, w.win)))
	}
	test.Tap(f.cancel)
	if w.win.Canvas().Overlays().Top() != nil {
		t.Error("Cancel left the dialog open")
	}
	if n := len(be.createCalls()); n != 0 {
		t.Errorf("CreateAndSeed called %d times", n)
	}
}

// TestE2ECreateFinishes: when hashing ends the progress dialog closes itself and the result
// follows — the "created" dialog on success, a problem dialog on failure — without the crash
// Fyne's SetOnClosed(nil) caused (it chains callbacks and then calls the nil one).
func TestE2ECreateFinishes(t *testing.T) {
	src := filepath.Join(t.TempDir(), "done.bin")
	if err := os.WriteFile(src, bytes.Repeat([]byte("x"), 70000), 0o644); err != nil {
		t.Fatal(err)
	}
	mi, err := metainfo.Create(context.Background(), src, metainfo.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"success", nil, "is being seeded from where it is"},
		{"failure", errors.New("disk full"), "Could not create the torrent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newE2EApp(t)
			w, be := newE2EWindow(t, a, t.TempDir())
			be.create = func(ctx context.Context, path string, opts metainfo.CreateOptions) (metainfo.Hash, *metainfo.MetaInfo, error) {
				if tc.err != nil {
					return metainfo.Hash{}, nil, tc.err
				}
				return mi.InfoHash, mi, nil
			}
			w.runCreate(src, metainfo.CreateOptions{})
			deadline := time.Now().Add(3 * time.Second)
			for !strings.Contains(e2eTexts(e2eTop(t, w.win)), tc.want) {
				if time.Now().After(deadline) {
					t.Fatalf("after the hashing ended the window shows %q, want %q", e2eTexts(e2eTop(t, w.win)), tc.want)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if e2eShows(t, w.win, "Creating torrent") {
				t.Error("the progress dialog is still shown after the hashing ended")
			}
		})
	}
}
