package tracker

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Stop while the first announce awaits its answer still sends "stopped":
// the tracker may already have listed us (the embedded tracker did, in a
// test that stopped a torrent right after resuming it).
func TestStopWhileStartedIsUnansweredSendsStopped(t *testing.T) {
	var (
		mu     sync.Mutex
		events []string
	)
	received := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	srv := newLoopbackHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/announce" {
			http.NotFound(w, r)
			return
		}
		ev := r.URL.Query().Get("event")
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
		if ev == "started" {
			received <- struct{}{}
			select { // the answer is slow: we stop before it comes
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		io.WriteString(w, "d8:intervali1800e5:peers0:e")
	})
	a := NewAnnouncer(AnnouncerConfig{
		Tiers:    [][]string{{srv.URL + "/announce"}},
		InfoHash: [20]byte{0x5e}, Port: 7000,
		Stats:       func() Stats { return Stats{Left: 10} },
		StopTimeout: 5 * time.Second,
	})
	a.Start(context.Background())
	select {
	case <-received:
	case <-time.After(10 * time.Second):
		t.Fatal("the started announce never reached the tracker")
	}
	a.Stop()
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 || events[1] != "stopped" {
		t.Errorf("events %q, want started then stopped", events)
	}
}
