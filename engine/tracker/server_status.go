package tracker

import (
	"encoding/hex"
	"html/template"
	"net/http"
)

// maxStatusRows caps the torrents listed on the status page.
const maxStatusRows = 500

var statusPage = template.Must(template.New("status").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="10">
<title>Swarmscope tracker</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { padding: 0.2em 0.8em; border-bottom: 1px solid #ccc; text-align: right; }
td.hash { font-family: monospace; text-align: left; }
</style>
</head>
<body>
<h1>Swarmscope tracker</h1>
<p>Announce URLs: <code>{{.HTTPURL}}</code> and <code>{{.UDPURL}}</code></p>
<p>{{.Total}} torrents, {{.Seeders}} seeders, {{.Leechers}} leechers, {{.Downloaded}} completed downloads.
This page refreshes every 10 seconds.</p>
{{if .Rows}}<table>
<tr><th>info hash</th><th>seeders</th><th>leechers</th><th>completed</th></tr>
{{range .Rows}}<tr><td class="hash">{{.Hash}}</td><td>{{.Seeders}}</td><td>{{.Leechers}}</td><td>{{.Downloaded}}</td></tr>
{{end}}</table>
{{if .Truncated}}<p>Showing the {{len .Rows}} largest swarms.</p>{{end}}
{{else}}<p>No torrents yet.</p>{{end}}
</body>
</html>
`))

type statusRow struct {
	Hash                          string
	Seeders, Leechers, Downloaded int
}

type statusData struct {
	HTTPURL, UDPURL                      string
	Total, Seeders, Leechers, Downloaded int
	Rows                                 []statusRow
	Truncated                            bool
}

func (s *Server) serveStatus(w http.ResponseWriter, r *http.Request) {
	all, total := s.state.torrentStats(s.state.cfg.MaxTorrents)
	d := statusData{HTTPURL: s.HTTPAnnounceURL(), UDPURL: s.UDPAnnounceURL(), Total: total}
	for i, t := range all {
		d.Seeders += t.Seeders
		d.Leechers += t.Leechers
		d.Downloaded += t.Downloaded
		if i < maxStatusRows {
			d.Rows = append(d.Rows, statusRow{hex.EncodeToString(t.InfoHash[:]), t.Seeders, t.Leechers, t.Downloaded})
		}
	}
	d.Truncated = total > len(d.Rows)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := statusPage.Execute(w, d); err != nil {
		s.state.cfg.Log.Debug("tracker: status page", "err", err)
	}
}
