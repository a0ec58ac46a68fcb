package ui

import (
	"context"
	"errors"

	"github.com/swarmscope/swarmscope/app"
	"github.com/swarmscope/swarmscope/engine/dht"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/torrent"
	"github.com/swarmscope/swarmscope/persist"
	"github.com/swarmscope/swarmscope/ui/widgets"
)

// clientBackend adapts *app.Client to the window's backend: it translates the core's summaries,
// details, events and errors into the UI's types. It keeps no state of its own.
type clientBackend struct {
	c      *app.Client
	events chan uiEvent
}

// newClientBackend starts translating c's events; the translation goroutine ends when c closes
// its event channel.
func newClientBackend(c *app.Client) *clientBackend {
	b := &clientBackend{c: c, events: make(chan uiEvent, 64)}
	go func() {
		defer close(b.events)
		for ev := range c.Events() {
			if ue, ok := eventFromApp(ev); ok {
				select {
				case b.events <- ue:
				default: // nobody is listening; events are advisory
				}
			}
		}
	}()
	return b
}

func eventFromApp(ev app.Event) (uiEvent, bool) {
	kinds := map[app.EventKind]eventKind{
		app.EventAdded: eventAdded, app.EventCompleted: eventCompleted, app.EventError: eventError,
		app.EventRemoved: eventRemoved, app.EventRecovered: eventRecovered, app.EventHandedOver: eventHandedOver,
	}
	k, ok := kinds[ev.Kind]
	return uiEvent{Kind: k, ID: ev.ID, Name: ev.Name, Err: ev.Message}, ok
}

func (b *clientBackend) Events() <-chan uiEvent { return b.events }

// rowFromSummary is one list row.
func rowFromSummary(s app.Summary) listRow {
	groups := map[app.State]group{
		app.Queued: groupQueued, app.Checking: groupChecking, app.Downloading: groupDownloading,
		app.Seeding: groupSeeding, app.Paused: groupPaused, app.Moving: groupChecking, app.Error: groupError,
		app.FetchingMetadata: groupDownloading,
	}
	status := s.State.String()
	if s.State == app.Error && s.Message != "" {
		status = "error: " + s.Message
	}
	return listRow{
		ID: s.ID, Name: s.Name, Size: s.Size, Progress: s.Progress, Status: status, Group: groups[s.State],
		DownRate: s.DownRate, UpRate: s.UpRate, Seeds: s.Seeds, Peers: s.Peers,
		SwarmSeeds: s.SwarmSeeds, SwarmPeers: s.SwarmPeers, ETA: s.ETA, Ratio: s.Ratio,
		Added: s.Added,
	}
}

func (b *clientBackend) Torrents() []listRow {
	sums := b.c.Torrents()
	rows := make([]listRow, len(sums))
	for i, s := range sums {
		rows[i] = rowFromSummary(s)
	}
	return rows
}

func (b *clientBackend) Details(id metainfo.Hash) (torrentDetails, bool) {
	d, ok := b.c.Details(id)
	if !ok {
		return torrentDetails{}, false
	}
	return detailsFromApp(d), true
}

// detailsFromApp converts the core's details; a torrent without an engine (error before start,
// moving) gets an empty snapshot so the tabs show zeros rather than stale data.
func detailsFromApp(d app.Details) torrentDetails {
	snap := d.Snapshot
	if snap == nil {
		snap = &torrent.Snapshot{Name: d.Name, InfoHash: d.ID, TotalSize: d.Size, PieceLength: d.PieceLength, NumPieces: d.NumPieces}
	}
	out := torrentDetails{
		Snap: snap, SavePath: d.SaveDir, Comment: d.Comment, CreatedBy: d.CreatedBy, Created: d.CreationDate,
		Added: d.Added, Magnet: d.Magnet, Private: d.Private,
		TotalDown: d.Downloaded, TotalUp: d.Uploaded, Ratio: d.Ratio,
	}
	for _, f := range d.Files {
		out.Files = append(out.Files, fileRow{Index: f.Index, Path: f.Path, Size: f.Size, Progress: f.Progress, Priority: filePriority(f.Priority)})
	}
	for _, t := range snap.Trackers {
		msg := t.LastError
		if msg == "" {
			msg = t.Warning
		}
		out.Trackers = append(out.Trackers, trackerRow{
			Tier: t.Tier, URL: t.URL, Status: t.State.String(), Message: msg,
			Seeds: t.Seeders, Leechers: t.Leechers, NextAnnounce: t.NextAnnounce,
		})
	}
	return out
}

func (b *clientBackend) Status() statusInfo {
	st := b.c.Status()
	return statusInfo{
		DownRate: st.DownRate, UpRate: st.UpRate, Port: st.ListenPort, PortProblem: st.ListenNote,
		FreeDisk: st.FreeSpace, DHTNodes: st.DHTNodes,
	}
}

func toAppOptions(o addOptions) app.AddOptions {
	opts := app.AddOptions{SaveDir: o.SaveDir, Paused: o.Paused}
	for _, p := range o.Priorities {
		opts.FilePriorities = append(opts.FilePriorities, app.FilePriority(p))
	}
	return opts
}

// fromAppError turns the core's duplicate error into the UI's.
func fromAppError(err error) error {
	var dup *app.DuplicateError
	if errors.As(err, &dup) {
		return &duplicateError{ID: dup.ID}
	}
	return err
}

func (b *clientBackend) AddTorrentFile(path string, o addOptions) (metainfo.Hash, error) {
	id, err := b.c.AddTorrentFile(path, toAppOptions(o))
	return id, fromAppError(err)
}

func (b *clientBackend) AddMagnet(uri string, o addOptions) (metainfo.Hash, error) {
	id, err := b.c.AddMagnet(uri, toAppOptions(o))
	return id, fromAppError(err)
}

func (b *clientBackend) CreateAndSeed(ctx context.Context, path string, o metainfo.CreateOptions) (metainfo.Hash, *metainfo.MetaInfo, error) {
	id, mi, err := b.c.CreateAndSeed(ctx, path, o)
	return id, mi, fromAppError(err)
}

func (b *clientBackend) Start(id metainfo.Hash) error   { return b.c.Start(id) }
func (b *clientBackend) Pause(id metainfo.Hash) error   { return b.c.Pause(id) }
func (b *clientBackend) Recheck(id metainfo.Hash) error { return b.c.Recheck(id) }

func (b *clientBackend) SetSaveDir(id metainfo.Hash, dir string) error {
	return b.c.SetSaveDir(id, dir)
}
func (b *clientBackend) Remove(id metainfo.Hash, deleteData bool) error {
	return b.c.Remove(id, deleteData)
}
func (b *clientBackend) SetFilePriorities(id metainfo.Hash, files []int, p filePriority) error {
	return b.c.SetFilePriorities(id, files, app.FilePriority(p))
}

// trackerMerger is the core's MergeTrackers, which the contract names but the core may not have
// yet; until it does, the duplicate dialog does not offer merging.
type trackerMerger interface {
	MergeTrackers(id app.ID, tiers [][]string) error
}

func (b *clientBackend) CanMergeTrackers() bool {
	_, ok := any(b.c).(trackerMerger)
	return ok
}

func (b *clientBackend) MergeTrackers(id metainfo.Hash, tiers [][]string) error {
	m, ok := any(b.c).(trackerMerger)
	if !ok {
		return errors.New("this version of Swarmscope cannot merge trackers")
	}
	return m.MergeTrackers(id, tiers)
}
func (b *clientBackend) Settings() persist.Settings           { return b.c.Settings() }
func (b *clientBackend) SetSettings(s persist.Settings) error { return b.c.SetSettings(s) }

func (b *clientBackend) DHT() (dhtInfo, bool) {
	v, ok := b.c.DHTView()
	if !ok {
		return dhtInfo{}, false
	}
	st := v.Stats
	info := dhtInfo{
		ID: v.ID, Addr: v.Addr.String(),
		Nodes: st.Nodes, Good: st.Good, Questionable: st.Questionable, Bad: st.Bad,
		QueriesIn: st.QueriesIn, QueriesOut: st.QueriesOut, Responses: st.Responses, Timeouts: st.Timeouts,
	}
	states := map[dht.NodeState]widgets.DHTRingNodeState{
		dht.Good: widgets.DHTRingGood, dht.Questionable: widgets.DHTRingQuestionable, dht.Bad: widgets.DHTRingBad,
	}
	for _, bk := range v.Buckets {
		row := dhtBucket{
			Index: bk.Index, Prefix: bk.Prefix, ContainsSelf: bk.ContainsSelf,
			LastChanged: bk.LastChanged, Replacements: bk.Replacements,
		}
		for _, n := range bk.Nodes {
			row.Nodes = append(row.Nodes, dhtNode{ID: n.ID, Addr: n.Addr.String(), State: states[n.State], LastSeen: n.LastSeen})
		}
		info.Buckets = append(info.Buckets, row)
	}
	return info, true
}

func (b *clientBackend) DHTLookup(target string) error {
	_, err := b.c.DHTLookup(context.Background(), target)
	return err
}

func (b *clientBackend) DHTLastLookup() (dhtLookupInfo, bool) {
	ls := b.c.DHTLookups()
	if len(ls) == 0 {
		return dhtLookupInfo{}, false
	}
	return dhtLookupFromApp(ls[0]), true
}

// dhtLookupFromApp reads a lookup's trace as far as it got.
func dhtLookupFromApp(l app.DHTLookup) dhtLookupInfo {
	tr := l.Trace
	info := dhtLookupInfo{Target: tr.Target, Random: l.Random, Method: tr.Method, Peers: l.Peers}
	// Done first: once it is closed, the figures read below are the final ones.
	select {
	case <-tr.Done():
		info.Done = true
		if err := tr.Err(); err != nil {
			info.Err = err.Error()
		}
	default:
	}
	info.Steps, info.Duration = tr.Steps(), tr.Duration()
	outcomes := map[dht.HopOutcome]widgets.DHTRingOutcome{
		dht.Pending: widgets.DHTRingPending, dht.Answered: widgets.DHTRingAnswered,
		dht.TimedOut: widgets.DHTRingTimedOut, dht.Failed: widgets.DHTRingFailed,
	}
	for _, h := range tr.Hops() {
		hop := dhtHop{
			Step: h.Step, Node: h.Node.ID, Addr: h.Node.Addr.String(), Prefix: h.Prefix,
			Outcome: outcomes[h.Outcome], RTT: h.RTT, BestPrefix: h.BestPrefix,
			NodesReturned: h.NodesReturned, PeersReturned: h.PeersReturned,
		}
		if h.Via.Addr.IsValid() {
			hop.Via, hop.ViaAddr = h.Via.ID, h.Via.Addr.String()
		}
		info.Hops = append(info.Hops, hop)
	}
	return info
}
