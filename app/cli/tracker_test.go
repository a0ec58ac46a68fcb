package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swarmscope/swarmscope/engine/tracker"
)

// syncBuffer is a bytes.Buffer safe to read while Tracker writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestTrackerServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- Tracker(ctx, &stdout, &stderr, TrackerOptions{Listen: "127.0.0.1:0", NumWant: 10}) }()

	urlRE := regexp.MustCompile(`udp://127\.0\.0\.1:\d+/announce`)
	deadline := time.Now().Add(5 * time.Second)
	for !urlRE.MatchString(stdout.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no announce URL printed; stdout %q stderr %q", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	url := urlRE.FindString(stdout.String())
	req := tracker.AnnounceRequest{InfoHash: [20]byte{7}, Port: 1234, NumWant: -1, Event: tracker.Started}
	if _, err := tracker.Announce(ctx, url, req); err != nil {
		t.Fatalf("announce to the running tracker: %v", err)
	}
	if !strings.Contains(stdout.String(), "http://127.0.0.1:") {
		t.Errorf("stdout lacks the HTTP announce URL: %q", stdout.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Tracker did not return within 5 s of cancellation")
	}
}

func TestTrackerReportsBusyAddress(t *testing.T) {
	srv, err := tracker.Listen("127.0.0.1:0", tracker.ServerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	err = Tracker(context.Background(), &bytes.Buffer{}, &bytes.Buffer{}, TrackerOptions{Listen: srv.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), srv.Addr().String()) {
		t.Fatalf("error %v, want one naming the busy address", err)
	}
}
