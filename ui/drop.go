package ui

import (
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
)

// dropPlan is what to do with items dropped on the window: .torrent files and magnet links are
// added; any other single file or folder becomes a new torrent (the create dialog opens for it).
// Anything left over is listed in Rejected with the reason in words.
type dropPlan struct {
	TorrentFiles []string // local .torrent paths, in drop order
	Magnets      []string // magnet: URIs
	CreateFrom   string   // a file or folder to make a torrent of; "" for none
	Rejected     []string // one line per item we will not act on, saying why
}

// Empty reports whether the plan does nothing at all.
func (p dropPlan) Empty() bool {
	return len(p.TorrentFiles) == 0 && len(p.Magnets) == 0 && p.CreateFrom == "" && len(p.Rejected) == 0
}

// planDrop sorts dropped URIs into a dropPlan. It touches no files: whether a path exists is
// found out by whoever acts on it, and said in words there. Only one item can become a new
// torrent per drop; further candidates are rejected, since a torrent of several unrelated places
// on disk cannot be made.
func planDrop(uris []fyne.URI) dropPlan {
	var plan dropPlan
	var others []string
	for _, u := range uris {
		if u == nil {
			continue
		}
		switch strings.ToLower(u.Scheme()) {
		case "magnet":
			// Fyne's URI type rewrites "magnet:?…" as "magnet://?…"; rebuild the usual form.
			plan.Magnets = append(plan.Magnets, "magnet:?"+u.Query())
		case "file":
			path := u.Path()
			if strings.EqualFold(filepath.Ext(path), ".torrent") {
				plan.TorrentFiles = append(plan.TorrentFiles, path)
			} else {
				others = append(others, path)
			}
		default:
			plan.Rejected = append(plan.Rejected, u.String()+": only local files, folders and magnet links can be dropped")
		}
	}
	if len(others) > 0 {
		plan.CreateFrom = others[0]
		for _, o := range others[1:] {
			plan.Rejected = append(plan.Rejected, filepath.Base(o)+
				": a new torrent is made from one file or folder at a time; drop it on its own, or put the items in one folder")
		}
	}
	return plan
}
