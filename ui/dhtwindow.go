package ui

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/swarmscope/swarmscope/ui/widgets"
)

// dhtTick is how often the DHT window pulls the routing table and the lookup: 2 Hz.
const dhtTick = 500 * time.Millisecond

// dhtOffText is what the DHT window says when the client runs no DHT node.
const dhtOffText = "The DHT is off, so there is no routing table to show and no lookup to run.\n\n" +
	"Turn it on in Settings (Enable DHT) and restart Swarmscope; this window then shows our node " +
	"on the ring of ids, the buckets of its routing table, and lookups as they converge."

// dhtWindow shows the real DHT node the way the course draws a circular DHT: our node and the
// nodes of its routing table on the ring of 160-bit ids, the routing table's buckets, and a
// lookup the user starts, every query a chord to the node asked from the node that named it (or
// from us, for the nodes of our own table). Fields are touched on
// the UI goroutine only, except busy, which the tick goroutine reads.
type dhtWindow struct {
	win fyne.Window
	be  backend
	// do hands work to the UI goroutine: fyne.Do, or a direct call in tests.
	do func(func())

	content   fyne.CanvasObject
	off       *widget.Label
	node      *widget.Label
	ring      *widgets.DHTRing
	buckets   *textTable
	target    *widget.Entry
	lookupBtn *widget.Button
	problem   *widget.Label
	summary   *widget.Label
	hops      *textTable

	ringNodes []widgets.DHTRingNode // reused every refresh
	ringHops  []widgets.DHTRingHop
	busy      atomic.Bool // a refresh is waiting for the UI goroutine
	cancel    context.CancelFunc
	tickDone  chan struct{} // closed when the tick goroutine has ended
	onClosed  func()
	now       func() time.Time
}

// showDHT opens the DHT window, or brings it forward when it is open.
func (w *mainWindow) showDHT() {
	if d := w.dhtWin; d != nil {
		d.win.Show()
		d.win.RequestFocus()
		return
	}
	d := newDHTWindow(w.fyneApp, w.be)
	d.onClosed = func() { w.dhtWin = nil }
	w.dhtWin = d
	d.win.Show()
	d.start()
}

// newDHTWindow builds the window; start begins the 2 Hz refresh.
func newDHTWindow(a fyne.App, be backend) *dhtWindow {
	w := &dhtWindow{win: a.NewWindow("DHT"), be: be, do: fyne.Do, now: time.Now}
	w.off = widget.NewLabel(dhtOffText)
	w.off.Wrapping = fyne.TextWrapWord
	w.off.Hide()
	w.node = widget.NewLabel("")
	w.node.Wrapping = fyne.TextWrapWord
	w.ring = widgets.NewDHTRing()
	w.buckets = newTextTable(
		[]string{"Bucket", "Prefix", "Share of ids", "Distance from us", "Good", "Quest.", "Bad", "Spare", "Changed"},
		[]float32{60, 150, 90, 130, 50, 55, 45, 50, 80})
	w.target = widget.NewEntry()
	w.target.SetPlaceHolder("Info hash (40 hex digits) or magnet link; empty: a random id")
	w.target.OnSubmitted = func(string) { w.lookUp() }
	w.lookupBtn = widget.NewButton("Look up", w.lookUp)
	w.lookupBtn.Importance = widget.HighImportance
	w.problem = newProblemLabel()
	w.summary = widget.NewLabel("No lookup yet: type an info hash or a magnet link (or nothing) and press Look up.")
	w.summary.Wrapping = fyne.TextWrapWord
	w.hops = newTextTable(
		[]string{"#", "Step", "Node asked", "Via (named by)", "Shared bits", "Distance to target", "Outcome", "RTT", "Its answer"},
		[]float32{40, 45, 150, 150, 85, 120, 80, 70, 200})

	left := container.NewBorder(w.node, widgets.NewDHTRingLegend(), nil, nil, w.ring)
	lookup := container.NewBorder(
		container.NewVBox(
			widget.NewLabelWithStyle("Lookup", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			container.NewBorder(nil, nil, nil, w.lookupBtn, w.target),
			w.problem, w.summary),
		nil, nil, nil, w.hops.Table)
	table := container.NewBorder(
		widget.NewLabelWithStyle("Routing table", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, w.buckets.Table)
	right := container.NewVSplit(table, lookup)
	right.Offset = 0.45
	split := container.NewHSplit(left, right)
	split.Offset = 0.4
	w.content = split
	w.win.SetContent(container.NewStack(split, container.NewPadded(w.off)))
	w.win.Resize(fyne.NewSize(1280, 800))
	w.win.SetOnClosed(func() {
		w.stop()
		if w.onClosed != nil {
			w.onClosed()
		}
	})
	return w
}

// start shows the current state and refreshes it twice a second until the window closes.
func (w *dhtWindow) start() {
	w.refresh()
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.tickDone = cancel, make(chan struct{})
	go w.tick(ctx, w.tickDone)
}

// stop ends the refresh.
func (w *dhtWindow) stop() {
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
}

// tick fetches from the backend off the UI goroutine and hands the result over, skipping a tick
// while the previous one is still waiting to be drawn.
func (w *dhtWindow) tick(ctx context.Context, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(dhtTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if w.busy.Load() {
			continue
		}
		data := w.fetch()
		w.busy.Store(true)
		w.do(func() {
			defer w.busy.Store(false)
			if ctx.Err() == nil {
				w.apply(data)
			}
		})
	}
}

// dhtData is one refresh's worth of backend answers.
type dhtData struct {
	info      dhtInfo
	on        bool
	lookup    dhtLookupInfo
	hasLookup bool
}

func (w *dhtWindow) fetch() dhtData {
	var d dhtData
	d.info, d.on = w.be.DHT()
	if d.on {
		d.lookup, d.hasLookup = w.be.DHTLastLookup()
	}
	return d
}

// refresh fetches and applies at once, on the UI goroutine.
func (w *dhtWindow) refresh() { w.apply(w.fetch()) }

// lookUp starts a lookup of what the entry says; the next refresh shows it.
func (w *dhtWindow) lookUp() {
	if err := w.be.DHTLookup(w.target.Text); err != nil {
		w.problem.SetText(err.Error())
		w.problem.Show()
		return
	}
	w.problem.Hide()
	w.refresh()
}

// apply shows one refresh's data.
func (w *dhtWindow) apply(d dhtData) {
	if !d.on {
		w.content.Hide()
		w.off.Show()
		w.ring.Clear()
		return
	}
	w.off.Hide()
	w.content.Show()
	info := d.info
	w.node.SetText(fmt.Sprintf("Our node %s at %s: %d nodes known (%d good, %d questionable, %d bad) "+
		"in %d buckets; %d queries sent, %d answered, %d timed out; %d received.",
		shortID(info.ID), info.Addr, info.Nodes, info.Good, info.Questionable, info.Bad, len(info.Buckets),
		info.QueriesOut, info.Responses, info.Timeouts, info.QueriesIn))
	w.buckets.SetRows(bucketRows(info.Buckets, w.now()))

	w.ringNodes = w.ringNodes[:0]
	for _, b := range info.Buckets {
		for _, n := range b.Nodes {
			w.ringNodes = append(w.ringNodes, widgets.DHTRingNode{At: widgets.IDFraction(n.ID), State: n.State})
		}
	}
	w.ring.SetTable(widgets.IDFraction(info.ID), w.ringNodes)

	if !d.hasLookup {
		return
	}
	l := d.lookup
	w.ringHops = w.ringHops[:0]
	for _, h := range l.Hops {
		rh := widgets.DHTRingHop{At: widgets.IDFraction(h.Node), Step: h.Step, Outcome: h.Outcome}
		if h.ViaAddr != "" {
			rh.Via, rh.HasVia = widgets.IDFraction(h.Via), true
		}
		w.ringHops = append(w.ringHops, rh)
	}
	w.ring.SetLookup(widgets.IDFraction(l.Target), w.ringHops)
	w.summary.SetText(lookupSummary(l))
	w.hops.SetRows(hopRows(l.Hops))
}

// shortID is an id's first 16 hex digits, enough to tell nodes apart.
func shortID(id [20]byte) string { return hex.EncodeToString(id[:8]) + "…" }

// distanceText is the XOR distance of two ids sharing prefix leading bits, as a power of two: it
// lies between 2^(159−prefix) and 2^(160−prefix).
func distanceText(prefix int) string {
	switch {
	case prefix >= 160:
		return "0 (same id)"
	case prefix < 0:
		return ""
	}
	return "~2^" + strconv.Itoa(159-prefix)
}

// bucketRows are the routing table's rows. A bucket other than the last holds the ids that
// share exactly i leading bits with ours, at distance 2^(159−i) to 2^(160−i); the last holds the
// ids closer still, our own among them.
func bucketRows(buckets []dhtBucket, now time.Time) [][]string {
	rows := make([][]string, len(buckets))
	for i, b := range buckets {
		var good, quest, bad int
		for _, n := range b.Nodes {
			switch n.State {
			case widgets.DHTRingGood:
				good++
			case widgets.DHTRingQuestionable:
				quest++
			default:
				bad++
			}
		}
		bits := len(b.Prefix)
		prefix := b.Prefix
		if bits > 12 {
			prefix = prefix[:12] + "… (" + strconv.Itoa(bits) + " bits)"
		}
		if prefix == "" {
			prefix = "(any)"
		}
		distance := fmt.Sprintf("2^%d – 2^%d", 159-b.Index, 160-b.Index)
		index := strconv.Itoa(b.Index)
		if b.ContainsSelf {
			distance = fmt.Sprintf("< 2^%d", 160-b.Index)
			index += " (us)"
		}
		changed := ""
		if !b.LastChanged.IsZero() {
			changed = agoText(now.Sub(b.LastChanged))
		}
		rows[i] = []string{index, prefix, shareText(bits), distance,
			strconv.Itoa(good), strconv.Itoa(quest), strconv.Itoa(bad), strconv.Itoa(b.Replacements), changed}
	}
	return rows
}

// shareText is the part of the id space a prefix of bits bits covers: 1/2^bits.
func shareText(bits int) string {
	switch {
	case bits == 0:
		return "all"
	case bits <= 10:
		return "1/" + strconv.Itoa(1<<bits)
	}
	return "1/2^" + strconv.Itoa(bits)
}

func agoText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(max(d, 0)/time.Second)) + " s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min ago"
	}
	return strconv.Itoa(int(d/time.Hour)) + " h ago"
}

// lookupSummary is the lookup in one line: what, how far it got, how close it came.
func lookupSummary(l dhtLookupInfo) string {
	what := "info hash " + shortID(l.Target)
	if l.Random {
		what = "random id " + shortID(l.Target)
	}
	state := "running"
	switch {
	case l.Done && l.Err != "":
		state = "failed: " + l.Err
	case l.Done:
		state = "done"
	}
	closest, answered := -1, 0
	for _, h := range l.Hops {
		if h.Outcome == widgets.DHTRingAnswered {
			answered++
			closest = max(closest, h.Prefix)
		}
	}
	near := "no node answered yet"
	if closest >= 0 {
		near = fmt.Sprintf("closest node that answered shares %d bits with the target (distance %s)", closest, distanceText(closest))
	}
	// find_node asks for nodes only; get_peers also finds peers.
	peers := ""
	switch {
	case l.Method == "find_node":
	case l.Peers == 1:
		peers = "; 1 peer found"
	default:
		peers = fmt.Sprintf("; %d peers found", l.Peers)
	}
	return fmt.Sprintf("%s of %s, %s: %d queries (%d answered), %d steps; %s%s; %.1f s.",
		l.Method, what, state, len(l.Hops), answered, l.Steps, near, peers, l.Duration.Seconds())
}

// hopRows are the lookup's queries in the order they were sent.
func hopRows(hops []dhtHop) [][]string {
	rows := make([][]string, len(hops))
	for i, h := range hops {
		rtt, answer := "", ""
		if h.Outcome != widgets.DHTRingPending {
			rtt = strconv.Itoa(int(h.RTT/time.Millisecond)) + " ms"
		}
		if h.Outcome == widgets.DHTRingAnswered {
			answer = fmt.Sprintf("%d nodes", h.NodesReturned)
			if h.BestPrefix >= 0 {
				answer += fmt.Sprintf(", best shares %d bits", h.BestPrefix)
			}
			switch {
			case h.PeersReturned == 1:
				answer += ", 1 peer"
			case h.PeersReturned > 1:
				answer += fmt.Sprintf(", %d peers", h.PeersReturned)
			}
		}
		via := h.ViaAddr
		if via == "" {
			via = "our table"
		}
		rows[i] = []string{strconv.Itoa(i + 1), strconv.Itoa(h.Step), h.Addr, via, strconv.Itoa(h.Prefix),
			distanceText(h.Prefix), h.Outcome.String(), rtt, answer}
	}
	return rows
}
