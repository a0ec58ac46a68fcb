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
			if m, ok := magnetInPath(path); ok {
				plan.Magnets = append(plan.Magnets, m)
			} else if strings.EqualFold(filepath.Ext(path), ".torrent") {
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

// magnetInPath finds a magnet link in the path of a dropped file URI. Fyne's desktop driver
// turns every dropped name into storage.NewFileURI(name), so dropped link text
// "magnet:?xt=…" arrives as the file $PWD/magnet:?xt=… (GLFW has percent-decoded it, and
// filepath.Abs has cleaned it, which folds the "//" of unescaped tracker URLs to "/"). The link
// is the text from "magnet:?" on, with those URL slashes and characters a query may not hold
// raw put back; ok is false when the path holds no magnet link.
func magnetInPath(path string) (string, bool) {
	i := strings.Index(strings.ToLower(filepath.ToSlash(path)), "magnet:?")
	if i < 0 {
		return "", false
	}
	link := filepath.ToSlash(path)[i:]
	for _, scheme := range []string{"http", "https", "udp", "ws", "wss"} {
		link = foldedSlashes(link, scheme+":/")
	}
	var b strings.Builder
	for j := 0; j < len(link); j++ {
		switch c := link[j]; {
		case c == ' ':
			b.WriteString("%20")
		case c == '%' && !(j+2 < len(link) && isHex(link[j+1]) && isHex(link[j+2])):
			b.WriteString("%25")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// foldedSlashes turns each "scheme:/x" (case-insensitive, x not a slash) back into "scheme://x".
func foldedSlashes(s, prefix string) string {
	var b strings.Builder
	for {
		i := strings.Index(strings.ToLower(s), prefix)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(prefix)
		b.WriteString(s[:end])
		if end < len(s) && s[end] != '/' {
			b.WriteByte('/')
		}
		s = s[end:]
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
