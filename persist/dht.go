package persist

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

var keyDHTNodes = []byte("nodes")

// SaveDHTNodes stores the DHT routing table so the next start can bootstrap from known nodes.
// The bytes are opaque here; the DHT package owns their format.
func (s *Store) SaveDHTNodes(nodes []byte) error {
	return s.update("save DHT nodes", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDHT)
		if b == nil {
			return fmt.Errorf("bucket %s is missing", bucketDHT)
		}
		return b.Put(keyDHTNodes, nodes)
	})
}

// LoadDHTNodes returns the bytes last given to SaveDHTNodes, or nil if there are none.
func (s *Store) LoadDHTNodes() ([]byte, error) {
	var nodes []byte
	err := s.view("load DHT nodes", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDHT)
		if b == nil {
			return fmt.Errorf("bucket %s is missing", bucketDHT)
		}
		if raw := b.Get(keyDHTNodes); raw != nil {
			nodes = bytes.Clone(raw)
		}
		return nil
	})
	return nodes, err
}
