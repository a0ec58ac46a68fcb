package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/dustin/go-humanize"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// chooseTorrentFile opens a file dialog filtered to .torrent files. Fyne's dialog picks one file
// at a time; several can be dropped on the window at once.
func (w *mainWindow) chooseTorrentFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			w.showProblem("Could not open the file", userWords(err))
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		w.showAddTorrent(path)
	}, w.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".torrent"}))
	if dir := w.be.Settings().DownloadDir; dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(existingParent(dir))); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// addForm is the part of the add dialogs that says where and how: save folder with free space,
// and whether to start at once.
type addForm struct {
	dir    *widget.Entry
	free   *widget.Label
	start  *widget.Check
	needed int64
}

func (w *mainWindow) newAddForm(needed int64) *addForm {
	f := &addForm{dir: widget.NewEntry(), free: widget.NewLabel(""), start: widget.NewCheck("Start downloading now", nil), needed: needed}
	f.dir.SetText(w.be.Settings().DownloadDir)
	f.dir.OnChanged = func(string) { f.updateFree() }
	f.start.SetChecked(true)
	f.free.SizeName = theme.SizeNameCaptionText
	f.updateFree()
	return f
}

func (f *addForm) updateFree() {
	free := freeSpace(strings.TrimSpace(f.dir.Text))
	text := ""
	switch {
	case free < 0:
		text = "Free space unknown"
	case f.needed > 0:
		text = fmt.Sprintf("%s free; this needs %s", sizeText(free), sizeText(f.needed))
		if free < f.needed {
			text += " — not enough space"
		}
	default:
		text = sizeText(free) + " free"
	}
	if f.free.Text != text {
		f.free.SetText(text)
	}
}

func (f *addForm) setNeeded(n int64) {
	f.needed = n
	f.updateFree()
}

// widgets lays the form out; choose opens a folder picker.
func (w *mainWindow) addFormObjects(f *addForm) fyne.CanvasObject {
	choose := widget.NewButton("Choose…", func() {
		fd := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err == nil && l != nil {
				f.dir.SetText(l.Path())
			}
		}, w.win)
		if l, err := storage.ListerForURI(storage.NewFileURI(existingParent(f.dir.Text))); err == nil {
			fd.SetLocation(l)
		}
		fd.Resize(fyne.NewSize(800, 560))
		fd.Show()
	})
	return container.NewVBox(
		widget.NewLabel("Save in"),
		container.NewBorder(nil, nil, nil, choose, f.dir),
		f.free,
		f.start,
	)
}

// spaceShortage says, in words, why dir cannot take the needed bytes when its free space is
// less; nil when it has room, or when free space (free < 0) or the size (needed <= 0, a magnet
// link before its metadata) is unknown.
func spaceShortage(dir string, free, needed int64) error {
	if free < 0 || needed <= 0 || free >= needed {
		return nil
	}
	return problemf("%s does not have room for this torrent: it needs %s, and only %s is free there "+
		"(%s short). Choose another folder, or fewer files, or make room first.",
		dir, sizeText(needed), sizeText(free), sizeText(needed-free))
}

// stillNeeded is how many bytes the wanted files (one flag per file that is not padding, in
// order) will still take in dir: their lengths, less what files already at their paths hold
// (adding a torrent to seed or finish data already there needs no more room for it).
func stillNeeded(info *metainfo.Info, wanted []bool, dir string) int64 {
	paths, err := info.FilePaths(dir)
	if err != nil {
		paths = nil // unsafe names are refused when adding; count every byte
	}
	var n int64
	j := 0
	for i, f := range info.Files {
		if f.Padding {
			continue
		}
		on := j >= len(wanted) || wanted[j]
		j++
		if !on {
			continue
		}
		need := f.Length
		if i < len(paths) && paths[i] != "" {
			if st, err := os.Stat(paths[i]); err == nil && st.Mode().IsRegular() {
				need -= min(st.Size(), f.Length)
			}
		}
		n += need
	}
	return n
}

// rememberDir saves dir as the default download folder when it changed.
func (w *mainWindow) rememberDir(dir string) {
	s := w.be.Settings()
	if s.DownloadDir == dir {
		return
	}
	s.DownloadDir = dir
	if err := w.be.SetSettings(s); err != nil {
		w.showProblem("Could not remember the folder", userWords(err))
	}
}

// fileChoice is the file list of the add dialog: one check box per file.
type fileChoice struct {
	files  []metainfo.File
	wanted []bool
	list   *widget.List
}

func newFileChoice(info *metainfo.Info, changed func()) *fileChoice {
	c := &fileChoice{}
	for _, f := range info.Files {
		if !f.Padding {
			c.files = append(c.files, f)
		}
	}
	c.wanted = make([]bool, len(c.files))
	for i := range c.wanted {
		c.wanted[i] = true
	}
	c.list = widget.NewList(
		func() int { return len(c.files) },
		func() fyne.CanvasObject { return widget.NewCheck("", nil) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			check := o.(*widget.Check)
			check.OnChanged = nil
			check.Text = strings.Join(c.files[id].Path, "/") + "  (" + sizeText(c.files[id].Length) + ")"
			check.SetChecked(c.wanted[id])
			check.OnChanged = func(on bool) {
				c.wanted[id] = on
				if changed != nil {
					changed()
				}
			}
			check.Refresh()
		})
	return c
}

// SetAll checks or clears every file.
func (c *fileChoice) SetAll(on bool) {
	for i := range c.wanted {
		c.wanted[i] = on
	}
	c.list.Refresh()
}

// wantedBytes is the size of the checked files.
func (c *fileChoice) wantedBytes() int64 {
	var n int64
	for i, f := range c.files {
		if c.wanted[i] {
			n += f.Length
		}
	}
	return n
}

// priorities maps the check boxes onto every file of info (padding files included), or nil when
// everything is wanted.
func (c *fileChoice) priorities(info *metainfo.Info) ([]filePriority, error) {
	all, some := true, false
	for _, on := range c.wanted {
		all = all && on
		some = some || on
	}
	if !some {
		return nil, problem("Choose at least one file to download.")
	}
	if all {
		return nil, nil
	}
	out := make([]filePriority, len(info.Files))
	j := 0
	for i, f := range info.Files {
		out[i] = priorityNormal
		if f.Padding {
			continue
		}
		if !c.wanted[j] {
			out[i] = prioritySkip
		}
		j++
	}
	return out, nil
}

// showAddTorrent reads path and asks where to save it and which files to get. Bad files are
// explained and nothing is added.
func (w *mainWindow) showAddTorrent(path string) {
	mi, err := loadTorrentFile(path)
	if err != nil {
		w.showProblem("Cannot add "+filepath.Base(path), err.Error())
		return
	}
	info := mi.Info
	form := w.newAddForm(info.Length)
	var choice *fileChoice
	choice = newFileChoice(info, func() { form.setNeeded(choice.wantedBytes()) })

	title := widget.NewLabel(info.Name)
	title.TextStyle.Bold = true
	title.Truncation = fyne.TextTruncateEllipsis
	facts := widget.NewLabel(fmt.Sprintf("%s in %s %s · %s pieces of %s · info hash %s",
		sizeText(info.Length), humanize.Comma(int64(len(choice.files))), pluralWord(len(choice.files), "file", "files"),
		humanize.Comma(int64(info.NumPieces())), sizeText(info.PieceLength), mi.InfoHash.Hex()))
	facts.SizeName = theme.SizeNameCaptionText
	facts.Wrapping = fyne.TextWrapWord
	problem := newProblemLabel()

	var filesBox fyne.CanvasObject = container.NewVBox()
	if len(choice.files) > 1 {
		all := widget.NewButton("All", func() { choice.SetAll(true); form.setNeeded(choice.wantedBytes()) })
		none := widget.NewButton("None", func() { choice.SetAll(false); form.setNeeded(0) })
		header := container.NewBorder(nil, nil, widget.NewLabel("Files"), container.NewHBox(all, none))
		filesBox = container.NewBorder(header, nil, nil, nil, choice.list)
	}
	content := container.NewBorder(
		container.NewVBox(title, facts, w.addFormObjects(form)),
		problem, nil, nil, filesBox)

	d := dialog.NewCustomWithoutButtons("Add torrent", content, w.win)
	add := widget.NewButton("Add", func() {
		dir := strings.TrimSpace(form.dir.Text)
		prios, err := choice.priorities(info)
		if err == nil && filepath.IsAbs(dir) {
			// Before checkSaveDir, which creates the folder: a refusal changes nothing.
			if short := spaceShortage(dir, freeSpace(dir), stillNeeded(info, choice.wanted, dir)); short != nil {
				w.showProblem("Not enough space", short.Error())
				return
			}
		}
		if err == nil {
			err = checkSaveDir(dir)
		}
		if err != nil {
			problem.SetText(err.Error())
			problem.Show()
			return
		}
		d.Hide()
		w.rememberDir(dir)
		w.addTorrentFile(path, mi, addOptions{SaveDir: dir, Paused: !form.start.Checked, Priorities: prios})
	})
	add.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", d.Hide), add})
	height := float32(330)
	if len(choice.files) > 1 {
		height = 560
	}
	d.Resize(fyne.NewSize(680, height))
	d.Show()
}

// addTorrentFile adds the file; a duplicate offers to merge the new file's trackers into the
// torrent already in the list.
func (w *mainWindow) addTorrentFile(path string, mi *metainfo.MetaInfo, opts addOptions) {
	go func() {
		id, err := w.be.AddTorrentFile(path, opts)
		fyne.Do(func() {
			var dup *duplicateError
			switch {
			case errors.As(err, &dup):
				w.offerMerge(dup.ID, mi)
			case err != nil:
				w.showProblem("Could not add "+mi.Info.Name, userWords(err))
			default:
				w.list.Select(id)
			}
		})
	}()
}

// offerMerge asks whether to add a duplicate's trackers to the torrent already in the list.
func (w *mainWindow) offerMerge(id metainfo.Hash, mi *metainfo.MetaInfo) {
	name := mi.Info.Name
	if len(mi.AnnounceList) == 0 || !w.be.CanMergeTrackers() {
		w.showProblem("Already in the list", name+" is already in the list; nothing was added.")
		return
	}
	dialog.ShowConfirm("Already in the list",
		name+" is already in the list. Add this file's trackers to it?",
		func(ok bool) {
			if ok {
				w.async("Could not merge the trackers", func() error { return w.be.MergeTrackers(id, mi.AnnounceList) })
			}
		}, w.win)
}

// showAddMagnet asks for a magnet link and a folder; the link is checked as it is typed. A
// magnet link on the clipboard is filled in.
func (w *mainWindow) showAddMagnet() { w.showAddMagnetLink("") }

// showAddMagnetLink is showAddMagnet with the link filled in (a dropped one); "" takes the
// clipboard's.
func (w *mainWindow) showAddMagnetLink(uri string) {
	link := widget.NewMultiLineEntry()
	link.SetPlaceHolder("magnet:?xt=urn:btih:…")
	link.Wrapping = fyne.TextWrapBreak
	link.Validator = func(s string) error { _, err := checkMagnet(s); return err }
	if uri = strings.TrimSpace(uri); uri != "" {
		link.SetText(uri)
	} else if clip := w.fyneApp.Clipboard(); clip != nil && strings.HasPrefix(strings.TrimSpace(clip.Content()), "magnet:") {
		link.SetText(strings.TrimSpace(clip.Content()))
	}
	form := w.newAddForm(0)
	problem := newProblemLabel()
	content := container.NewVBox(widget.NewLabel("Magnet link"), link, w.addFormObjects(form), problem)
	d := dialog.NewCustomWithoutButtons("Add magnet link", content, w.win)
	add := widget.NewButton("Add", func() {
		dir := strings.TrimSpace(form.dir.Text)
		_, err := checkMagnet(link.Text)
		if err == nil && filepath.IsAbs(dir) {
			// Before the metadata comes the size is unknown (needed 0), so this refuses nothing
			// today; it is here so both dialogs decide alike.
			if short := spaceShortage(dir, freeSpace(dir), form.needed); short != nil {
				w.showProblem("Not enough space", short.Error())
				return
			}
		}
		if err == nil {
			err = checkSaveDir(dir)
		}
		if err != nil {
			problem.SetText(err.Error())
			problem.Show()
			return
		}
		d.Hide()
		w.rememberDir(dir)
		w.addMagnet(strings.TrimSpace(link.Text), addOptions{SaveDir: dir, Paused: !form.start.Checked}, true)
	})
	add.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", d.Hide), add})
	d.Resize(fyne.NewSize(620, 380))
	d.Show()
}

// addMagnet adds the magnet link uri in the background and, when selectIt is set, selects the
// new torrent. When its torrent is already in the list, it offers to add the link's trackers
// that torrent lacks (offerMagnetMerge), as a duplicate .torrent file offers its own. Tests wait
// for it with w.asyncRunning.Wait().
func (w *mainWindow) addMagnet(uri string, opts addOptions, selectIt bool) {
	w.asyncRunning.Add(1)
	go func() {
		defer w.asyncRunning.Done()
		id, err := w.be.AddMagnet(uri, opts)
		var dup *duplicateError
		var merge magnetDuplicate
		isDup := errors.As(err, &dup)
		if isDup {
			link, _ := metainfo.ParseMagnet(uri) // it parsed before the core found the duplicate
			merge = decideMagnetDuplicate(w.be, dup.ID, link)
		}
		fyne.Do(func() {
			switch {
			case isDup:
				w.offerMagnetMerge(merge)
			case err != nil:
				w.showProblem("Could not add the magnet link", userWords(err))
			case selectIt:
				w.list.Select(id)
			}
		})
	}()
}

// magnetDuplicate is what to do about a magnet link whose torrent is already in the list.
type magnetDuplicate struct {
	ID   metainfo.Hash
	Name string
	// New are the link's trackers (tr=) the torrent does not have yet, in the link's order.
	New []string
	// Tiers is what MergeTrackers gets: every tracker of the link, one tier each, in the link's
	// order (the core skips those the torrent has), as a duplicate .torrent passes its tiers.
	Tiers [][]string
	// Offer says to ask whether to add New; when not, Message says why nothing was added.
	Offer   bool
	Message string
}

// maxListedTrackers is how many new trackers the question names before "and N more".
const maxListedTrackers = 6

// decideMagnetDuplicate compares link's trackers with those of torrent id, already in the list:
// the trackers of its .torrent (its own magnet link in Details names every one of every tier)
// and those it announces to. It asks the backend, so call it off the UI goroutine.
func decideMagnetDuplicate(be backend, id metainfo.Hash, link *metainfo.Magnet) magnetDuplicate {
	d := magnetDuplicate{ID: id, Name: "This magnet link's torrent"}
	if link != nil && link.DisplayName != "" {
		d.Name = link.DisplayName
	}
	det, ok := be.Details(id)
	if ok && det.Snap != nil && det.Snap.Name != "" {
		d.Name = det.Snap.Name
	}
	have := map[string]bool{}
	if own, err := metainfo.ParseMagnet(det.Magnet); ok && err == nil {
		for _, u := range own.Trackers {
			have[u] = true
		}
	}
	for _, tr := range det.Trackers {
		have[tr.URL] = true
	}
	if link != nil {
		for _, u := range link.Trackers {
			if u == "" {
				continue
			}
			d.Tiers = append(d.Tiers, []string{u})
			if !have[u] {
				have[u] = true
				d.New = append(d.New, u)
			}
		}
	}
	already := d.Name + " is already in the list"
	switch {
	case len(d.Tiers) == 0 || !ok:
		d.Message = already + "; nothing was added."
	case len(d.New) == 0:
		d.Message = already + ", with every tracker this link names; nothing was added."
	case det.Magnet == "":
		// No .torrent yet (a magnet link still fetching its metadata): the core cannot change
		// its trackers.
		d.Message = already + " and still fetching its metadata; nothing was added. Add this link " +
			"again once the metadata has arrived to add its trackers."
	case !be.CanMergeTrackers():
		d.Message = already + "; nothing was added."
	default:
		d.Offer = true
	}
	return d
}

// offerMagnetMerge asks whether to add a duplicate magnet link's new trackers to the torrent
// already in the list, or says why there is nothing to add.
func (w *mainWindow) offerMagnetMerge(d magnetDuplicate) {
	if !d.Offer {
		w.showProblem("Already in the list", d.Message)
		return
	}
	listed := d.New
	more := ""
	if len(listed) > maxListedTrackers {
		more = fmt.Sprintf("\n… and %d more", len(listed)-maxListedTrackers)
		listed = listed[:maxListedTrackers]
	}
	n := len(d.New)
	dialog.ShowConfirm("Already in the list",
		fmt.Sprintf("%s is already in the list. Add this link's %d new %s to it?\n\n%s%s",
			d.Name, n, pluralWord(n, "tracker", "trackers"), strings.Join(listed, "\n"), more),
		func(ok bool) {
			if ok {
				w.async("Could not merge the trackers", func() error { return w.be.MergeTrackers(d.ID, d.Tiers) })
			}
		}, w.win)
}

// handleDrop acts on a drop plan: one .torrent file or one magnet link opens its add dialog
// (several are added to the default folder at once), a folder or file opens the create dialog,
// and what it will not do is explained.
func (w *mainWindow) handleDrop(p dropPlan) {
	for _, path := range p.TorrentFiles {
		mi, err := loadTorrentFile(path)
		if err != nil {
			w.showProblem("Cannot add "+filepath.Base(path), err.Error())
			continue
		}
		if len(p.TorrentFiles) == 1 {
			w.showAddTorrent(path)
			continue
		}
		// Several at once: add them all with the default folder rather than a dialog each.
		w.addTorrentFile(path, mi, addOptions{})
	}
	for _, m := range p.Magnets {
		uri := m
		if len(p.Magnets) == 1 {
			w.showAddMagnetLink(uri)
			continue
		}
		// Several at once: add them all with the default folder, as several .torrent files.
		w.addMagnet(uri, addOptions{}, false)
	}
	if p.CreateFrom != "" {
		w.showCreate(p.CreateFrom)
	}
	if len(p.Rejected) > 0 {
		w.showProblem("Some dropped items were not used", strings.Join(p.Rejected, "\n"))
	}
}
