package ui

import (
	"hash/fnv"
	"math"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Files table columns.
const (
	fileColName = iota
	fileColSize
	fileColProgress
	fileColPriority

	numFileCols
)

var fileTitles = []string{"Name", "Size", "Progress", "Priority"}
var fileWidths = []float32{420, 90, 90, 110}

// priorityMixed is the priority of a folder whose files do not all have the same one.
const priorityMixed filePriority = -1

// mixedText is how a mixed folder's priority reads (the picker's placeholder).
const mixedText = "mixed"

// noFilesText stands in for the tree while the torrent's file list is unknown (a magnet link
// before its metadata).
const noFilesText = "The files are listed once the torrent's metadata has arrived."

// maxRememberedTrees bounds how many torrents' closed folders the Files tab remembers.
const maxRememberedTrees = 64

// fileNode is a folder or a file of the Files tree.
type fileNode struct {
	name     string
	path     string // folders: the "/"-separated path, the key of its open state
	parent   int32
	depth    int32
	file     int32   // index into the file list; -1 for a folder
	children []int32 // folders first, then files, each by name
	size     int64   // a folder's: the total of the files under it
	done     float64 // bytes done (progress × size), summed up the tree
	progress float64
	prio     filePriority // a folder's: its files' one priority, or priorityMixed
	row      int32        // the table row showing it, -1 inside a closed folder

	// What the table showed, so a refresh redraws only the cells whose text changes; the texts
	// are made when a cell is drawn, for the few rows on screen.
	shownPermille int32 // progress in 0.1 % steps, what percentText shows
	shownPrio     filePriority
	progressText  string
	textPermille  int32 // the permille progressText was made for
	sizeText      string
}

// permille is progress in the 0.1 % steps percentText shows.
func permille(progress float64) int32 {
	return int32(math.Floor(math.Max(0, math.Min(1, progress)) * 1000))
}

// fileTree is a torrent's files as folders and files. nodes[0] is the root, which is not
// shown; every node comes after its parent, so walking the nodes backwards visits every child
// before its folder.
type fileTree struct {
	nodes  []fileNode
	byFile []int32 // the node of each file
}

// buildFileTree makes the tree of files from their "/"-separated paths, with each folder's
// size, progress and priority aggregated from the files under it. A single-file torrent is one
// file node.
func buildFileTree(files []fileRow) *fileTree {
	t := &fileTree{nodes: make([]fileNode, 1, 1+len(files)+len(files)/8), byFile: make([]int32, len(files))}
	t.nodes[0] = fileNode{parent: -1, depth: -1, file: -1}
	type folderKey struct {
		parent int32
		name   string
	}
	folders := map[folderKey]int32{}
	for i, f := range files {
		parent := int32(0)
		parts := strings.Split(f.Path, "/")
		for k, part := range parts[:len(parts)-1] {
			key := folderKey{parent, part}
			n, ok := folders[key]
			if !ok {
				n = t.add(parent, part, -1, 0)
				t.nodes[n].path = strings.Join(parts[:k+1], "/")
				folders[key] = n
			}
			parent = n
		}
		t.byFile[i] = t.add(parent, parts[len(parts)-1], int32(i), f.Size)
	}
	for i := len(t.nodes) - 1; i > 0; i-- {
		if t.nodes[i].file < 0 {
			t.nodes[t.nodes[i].parent].size += t.nodes[i].size // files added theirs in add
		}
	}
	for i := range t.nodes {
		slices.SortStableFunc(t.nodes[i].children, func(a, b int32) int {
			na, nb := &t.nodes[a], &t.nodes[b]
			if fa, fb := na.file < 0, nb.file < 0; fa != fb {
				if fa {
					return -1
				}
				return 1
			}
			if c := strings.Compare(strings.ToLower(na.name), strings.ToLower(nb.name)); c != 0 {
				return c
			}
			return strings.Compare(na.name, nb.name)
		})
	}
	t.update(files)
	return t
}

// add appends a node under parent and returns it; a file's size is added to its folder.
func (t *fileTree) add(parent int32, name string, file int32, size int64) int32 {
	n := int32(len(t.nodes))
	t.nodes = append(t.nodes, fileNode{name: name, parent: parent, depth: t.nodes[parent].depth + 1, file: file, size: size, row: -1, shownPermille: -1, shownPrio: -2, textPermille: -1})
	t.nodes[parent].children = append(t.nodes[parent].children, n)
	if file >= 0 {
		t.nodes[parent].size += size
	}
	return n
}

// update takes the files' progress and priority (files in the order the tree was built from)
// and aggregates them into the folders: a folder's progress is its bytes done over its size,
// its priority its files' one priority or priorityMixed.
func (t *fileTree) update(files []fileRow) {
	const none filePriority = -2
	for i := range t.nodes {
		n := &t.nodes[i]
		if n.file >= 0 {
			f := files[n.file]
			n.progress, n.prio, n.done = f.Progress, f.Priority, f.Progress*float64(f.Size)
		} else {
			n.done, n.prio = 0, none
		}
	}
	for i := len(t.nodes) - 1; i > 0; i-- {
		n := &t.nodes[i]
		if n.file < 0 {
			n.progress = 1
			if n.size > 0 {
				n.progress = n.done / float64(n.size)
			}
		}
		p := &t.nodes[n.parent]
		p.done += n.done
		switch p.prio {
		case none:
			p.prio = n.prio
		case n.prio:
		default:
			p.prio = priorityMixed
		}
	}
}

// filesUnder calls fn with every file in node n (n itself when it is a file).
func (t *fileTree) filesUnder(n int32, fn func(file int32)) {
	if t.nodes[n].file >= 0 {
		fn(t.nodes[n].file)
		return
	}
	for _, c := range t.nodes[n].children {
		t.filesUnder(c, fn)
	}
}

// filesTab shows the torrent's files as a tree in a table: folders with their total size,
// progress and a priority picker that sets every file under them, files with theirs. Changing
// a priority calls setPriority once with every file whose priority changes (by fileRow.Index,
// the file's position in the torrent; the core gets them in one call off the UI goroutine). A refresh of the same files updates the tree in place and redraws only
// the cells that changed; which folders are closed is remembered per torrent.
type filesTab struct {
	content     fyne.CanvasObject
	table       *widget.Table
	hint        *widget.Label
	files       []fileRow
	tree        *fileTree
	rows        []int32 // the visible nodes, in table order
	gen         int     // bumped on every rebuild: callbacks bound to older rows do nothing
	closed      map[string]bool
	remembered  map[uint64]map[string]bool // closed folders by tree (treeKey)
	setPriority func(files []int, p filePriority)
}

func newFilesTab(setPriority func(files []int, p filePriority)) *filesTab {
	f := &filesTab{setPriority: setPriority, remembered: map[uint64]map[string]bool{}, closed: map[string]bool{}}
	f.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(f.rows), numFileCols },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			sel := widget.NewSelect(priorityNames, nil)
			sel.PlaceHolder = mixedText
			sel.Hide()
			name := newFileNameCell()
			name.Hide()
			return container.NewStack(l, sel, name)
		},
		f.updateCell)
	f.table.ShowHeaderColumn = false
	f.table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		return l
	}
	f.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < numFileCols {
			o.(*widget.Label).SetText(fileTitles[id.Col])
		}
	}
	for i, w := range fileWidths {
		f.table.SetColumnWidth(i, w)
	}
	f.hint = widget.NewLabel(noFilesText)
	f.hint.Alignment = fyne.TextAlignCenter
	f.hint.Wrapping = fyne.TextWrapWord
	f.content = container.NewStack(f.table, container.NewCenter(f.hint))
	return f
}

func (f *filesTab) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	stack := o.(*fyne.Container)
	label, sel, name := stack.Objects[0].(*widget.Label), stack.Objects[1].(*widget.Select), stack.Objects[2].(*fileNameCell)
	if id.Row >= len(f.rows) {
		return
	}
	n, gen := f.rows[id.Row], f.gen
	node := &f.tree.nodes[n]
	switch id.Col {
	case fileColName:
		label.Hide()
		sel.Hide()
		name.Show()
		isFolder := node.file < 0
		name.set(node.name, int(node.depth), isFolder, isFolder && !f.closed[node.path])
		name.toggle.OnTapped = func() {
			if gen == f.gen {
				f.toggle(n)
			}
		}
		return
	case fileColPriority:
		label.Hide()
		name.Hide()
		sel.Show()
		sel.OnChanged = nil
		if node.prio == priorityMixed {
			if sel.Selected != "" {
				sel.ClearSelected()
			}
		} else if want := node.prio.String(); sel.Selected != want {
			sel.SetSelected(want)
		}
		sel.OnChanged = func(choice string) {
			if gen == f.gen {
				f.choose(n, choice)
			}
		}
		return
	}
	sel.Hide()
	name.Hide()
	label.Show()
	if node.sizeText == "" {
		node.sizeText = sizeText(node.size)
	}
	text := node.sizeText
	if id.Col == fileColProgress {
		if p := permille(node.progress); p != node.textPermille {
			node.progressText, node.textPermille = percentText(node.progress), p
		}
		text = node.progressText
	}
	if label.Text != text {
		label.SetText(text)
	}
}

// choose applies a priority picked for node n to every file under it that does not have it yet.
func (f *filesTab) choose(n int32, choice string) {
	p := filePriority(slices.Index(priorityNames, choice))
	if p < 0 || f.tree == nil || int(n) >= len(f.tree.nodes) {
		return // "" from clearing a mixed folder's picker
	}
	var changed []int
	f.tree.filesUnder(n, func(file int32) {
		if f.files[file].Priority != p {
			f.files[file].Priority = p
			changed = append(changed, f.files[file].Index)
		}
	})
	if len(changed) == 0 {
		return
	}
	f.tree.update(f.files)
	f.refreshChanged(false)
	if f.setPriority != nil {
		f.setPriority(changed, p)
	}
}

// toggle opens or closes folder n.
func (f *filesTab) toggle(n int32) {
	path := f.tree.nodes[n].path
	if f.closed[path] {
		delete(f.closed, path)
	} else {
		f.closed[path] = true
	}
	f.flatten()
	f.table.Refresh()
}

// flatten lists the nodes the open folders show, in order, and notes each one's row.
func (f *filesTab) flatten() {
	f.rows = f.rows[:0]
	if f.tree == nil {
		return
	}
	nodes := f.tree.nodes
	for i := range nodes {
		nodes[i].row = -1
	}
	var walk func(n int32)
	walk = func(n int32) {
		for _, c := range nodes[n].children {
			nodes[c].row = int32(len(f.rows))
			f.rows = append(f.rows, c)
			if nodes[c].file < 0 && !f.closed[nodes[c].path] {
				walk(c)
			}
		}
	}
	walk(0)
}

// refreshChanged redraws the visible cells whose progress text or priority changed (the whole
// table when all is set).
func (f *filesTab) refreshChanged(all bool) {
	var cells []widget.TableCellID
	nodes := f.tree.nodes
	for i := 1; i < len(nodes); i++ {
		n := &nodes[i]
		if p := permille(n.progress); p != n.shownPermille {
			n.shownPermille = p
			if n.row >= 0 {
				cells = append(cells, widget.TableCellID{Row: int(n.row), Col: fileColProgress})
			}
		}
		if n.prio != n.shownPrio {
			n.shownPrio = n.prio
			if n.row >= 0 {
				cells = append(cells, widget.TableCellID{Row: int(n.row), Col: fileColPriority})
			}
		}
	}
	refreshCells(f.table, all, cells)
}

// sameFiles says whether files are the ones the tree was built from (same paths and sizes).
func (f *filesTab) sameFiles(files []fileRow) bool {
	if f.tree == nil || len(files) != len(f.files) {
		return false
	}
	for i := range files {
		if files[i].Path != f.files[i].Path || files[i].Size != f.files[i].Size {
			return false
		}
	}
	return true
}

// treeKey identifies a torrent's file list by its paths, to remember its closed folders.
func treeKey(files []fileRow) uint64 {
	h := fnv.New64a()
	for _, file := range files {
		h.Write([]byte(file.Path))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// Show shows files: a new file list (another torrent, or a magnet's metadata arrived) builds
// the tree anew; the same files update it in place, redrawing only the changed cells.
func (f *filesTab) Show(files []fileRow) {
	if f.sameFiles(files) {
		for i, file := range files {
			f.files[i].Progress, f.files[i].Priority = file.Progress, file.Priority
		}
		f.tree.update(f.files)
		f.refreshChanged(false)
		return
	}
	f.files = append(f.files[:0], files...)
	key := treeKey(files)
	f.closed = f.remembered[key]
	if f.closed == nil {
		if len(f.remembered) >= maxRememberedTrees {
			for k := range f.remembered {
				delete(f.remembered, k)
				break
			}
		}
		f.closed = map[string]bool{}
		f.remembered[key] = f.closed
	}
	f.tree = buildFileTree(f.files)
	f.gen++
	f.flatten()
	if len(files) == 0 {
		f.hint.Show()
	} else {
		f.hint.Hide()
	}
	f.refreshChanged(true)
}

// fileNameCell is the Name column of the Files tree: indented by depth, an open/close arrow for
// folders, a folder or file icon, and the name.
type fileNameCell struct {
	widget.BaseWidget
	depth  int
	toggle *widget.Button
	icon   *widget.Icon
	label  *widget.Label
}

func newFileNameCell() *fileNameCell {
	c := &fileNameCell{
		toggle: widget.NewButtonWithIcon("", theme.MenuExpandIcon(), nil),
		icon:   widget.NewIcon(theme.FileIcon()),
		label:  widget.NewLabel(""),
	}
	c.toggle.Importance = widget.LowImportance
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.ExtendBaseWidget(c)
	return c
}

// set shows one node; the arrow shows only for folders, pointing down when open.
func (c *fileNameCell) set(name string, depth int, folder, open bool) {
	if c.label.Text != name {
		c.label.SetText(name)
	}
	icon, arrow := theme.FileIcon(), theme.MenuExpandIcon()
	if folder {
		icon = theme.FolderIcon()
		if open {
			icon, arrow = theme.FolderOpenIcon(), theme.MenuDropDownIcon()
		}
	}
	if c.icon.Resource != icon {
		c.icon.SetResource(icon)
	}
	if c.toggle.Icon != arrow {
		c.toggle.SetIcon(arrow)
	}
	if folder == c.toggle.Hidden {
		if folder {
			c.toggle.Show()
		} else {
			c.toggle.Hide()
		}
	}
	if c.depth != depth {
		c.depth = depth
		c.Refresh()
	}
}

func (c *fileNameCell) CreateRenderer() fyne.WidgetRenderer {
	return &fileNameRenderer{c: c, objects: []fyne.CanvasObject{c.toggle, c.icon, c.label}}
}

type fileNameRenderer struct {
	c       *fileNameCell
	objects []fyne.CanvasObject
}

func (r *fileNameRenderer) Layout(size fyne.Size) {
	c := r.c
	iconSize := theme.IconInlineSize()
	x := float32(c.depth) * iconSize
	toggle := c.toggle.MinSize().Height
	c.toggle.Resize(fyne.NewSquareSize(toggle))
	c.toggle.Move(fyne.NewPos(x, (size.Height-toggle)/2))
	x += toggle
	c.icon.Resize(fyne.NewSquareSize(iconSize))
	c.icon.Move(fyne.NewPos(x, (size.Height-iconSize)/2))
	x += iconSize
	c.label.Move(fyne.NewPos(x, 0))
	c.label.Resize(fyne.NewSize(max(0, size.Width-x), size.Height))
}

func (r *fileNameRenderer) MinSize() fyne.Size {
	t, l := r.c.toggle.MinSize(), r.c.label.MinSize()
	return fyne.NewSize(t.Height+theme.IconInlineSize()+l.Width, max(t.Height, l.Height))
}

func (r *fileNameRenderer) Refresh() {
	r.Layout(r.c.Size())
	for _, o := range r.objects {
		o.Refresh()
	}
}

func (r *fileNameRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *fileNameRenderer) Destroy()                     {}
