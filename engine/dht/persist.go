package dht

import (
	"context"
	"fmt"

	"github.com/anacrolix/torrent/bencode"
)

// savedTable is the bencoded form of MarshalNodes: our id and the table's
// nodes in compact node info ("nodes": 26 bytes each, "nodes6": 38).
type savedTable struct {
	ID     string `bencode:"id"`
	Nodes  string `bencode:"nodes,omitempty"`
	Nodes6 string `bencode:"nodes6,omitempty"`
}

// MarshalNodes returns the node id and the routing table's good and
// questionable nodes in a compact form, for the app to save and hand to
// LoadNodes (and SavedID) on the next start.
func (n *Node) MarshalNodes() []byte {
	n.mu.Lock()
	nodes := n.table.Nodes(n.now())
	n.mu.Unlock()
	b, err := bencode.Marshal(savedTable{
		ID:     string(n.id[:]),
		Nodes:  string(appendCompactNodes(nil, nodes, false)),
		Nodes6: string(appendCompactNodes(nil, nodes, true)),
	})
	if err != nil {
		// Strings only: bencoding cannot fail.
		panic(fmt.Sprintf("dht: encoding saved nodes: %v", err))
	}
	return b
}

// maxSavedSize bounds the saved form: a full table of IPv6 nodes is
// about 50 KiB.
const maxSavedSize = 1 << 20

func parseSaved(data []byte) (*savedTable, error) {
	if len(data) > maxSavedSize {
		return nil, fmt.Errorf("dht: saved nodes: %d bytes, more than %d", len(data), maxSavedSize)
	}
	var s savedTable
	if err := bencode.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("dht: saved nodes: %w", err)
	}
	if len(s.ID) != IDLen {
		return nil, fmt.Errorf("dht: saved nodes: id is %d bytes, want %d", len(s.ID), IDLen)
	}
	return &s, nil
}

// SavedID returns the node id stored by MarshalNodes, to put in
// Config.ID so a restarted node keeps its id.
func SavedID(data []byte) (ID, error) {
	s, err := parseSaved(data)
	if err != nil {
		return ID{}, err
	}
	return IDFromBytes([]byte(s.ID))
}

// LoadNodes takes nodes saved by MarshalNodes as bootstrap candidates:
// the next bootstrap asks them first (with Start, that is right away).
// Called on a running node, it also pings them now. Only nodes of the
// node's address family are used.
func (n *Node) LoadNodes(data []byte) error {
	s, err := parseSaved(data)
	if err != nil {
		return err
	}
	raw, ipv6 := s.Nodes, false
	if n.ipv6 {
		raw, ipv6 = s.Nodes6, true
	}
	nodes, err := parseCompactNodes([]byte(raw), ipv6, savedNodesLimit)
	if err != nil {
		return fmt.Errorf("dht: saved nodes: %w", err)
	}
	n.addSaved(nodes)
	n.mu.Lock()
	running := n.started
	n.mu.Unlock()
	if running {
		n.goBackground(func() {
			_ = n.Bootstrap(context.Background()) // bounded by the node's life and query timeouts
		})
	}
	return nil
}
