package persist

import (
	"bytes"
	"testing"
)

func TestDHTNodesRoundTrip(t *testing.T) {
	s, _ := openTemp(t)
	if nodes, err := s.LoadDHTNodes(); err != nil || nodes != nil {
		t.Fatalf("LoadDHTNodes on a new store = %q, %v; want nil, nil", nodes, err)
	}
	want := []byte("\x01\x02compact node info\x00")
	if err := s.SaveDHTNodes(want); err != nil {
		t.Fatalf("SaveDHTNodes: %v", err)
	}
	got, err := s.LoadDHTNodes()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("LoadDHTNodes = %q, %v; want %q", got, err, want)
	}
}
