package persist

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// keySchemaVersion in the meta bucket holds how many migrations have been applied.
var keySchemaVersion = []byte("schema_version")

// A migration moves the database from schema version N to N+1, where N is its index in
// migrations. It runs inside the transaction that also records the new version, so a failure
// leaves the database exactly as it was.
type migration struct {
	name  string
	apply func(tx *bolt.Tx) error
}

// migrations is the schema's history, oldest first. Append to it; never edit or reorder an entry
// that has shipped, because databases in the field have already applied it. Tests append
// test-only steps to check the mechanism.
var migrations = []migration{
	{name: "create the torrents, metainfo, settings and dht buckets", apply: createInitialBuckets},
}

func createInitialBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketTorrents, bucketMetaInfo, bucketSettings, bucketDHT} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// migrate brings the database to len(migrations) in one transaction. A database from a newer
// Swarmscope is refused with *NewerVersionError and left untouched.
func migrate(db *bolt.DB, path string) error {
	err := db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return fmt.Errorf("create bucket %s: %w", bucketMeta, err)
		}
		current, err := readSchemaVersion(meta)
		if err != nil {
			return &damageError{path: path, reason: err}
		}
		latest := uint64(len(migrations))
		if current > latest {
			return &NewerVersionError{What: "schema", Found: current, Known: latest}
		}
		for v := current; v < latest; v++ {
			m := migrations[v]
			if err := m.apply(tx); err != nil {
				return fmt.Errorf("migrate to schema %d (%s): %w", v+1, m.name, err)
			}
		}
		if current == latest {
			return nil
		}
		return meta.Put(keySchemaVersion, binary.BigEndian.AppendUint64(nil, latest))
	})
	var damaged *damageError
	if err != nil && !errors.As(err, &damaged) {
		return fmt.Errorf("persist: database %s: %w", path, err)
	}
	return err
}

func readSchemaVersion(meta *bolt.Bucket) (uint64, error) {
	raw := meta.Get(keySchemaVersion)
	switch len(raw) {
	case 0:
		return 0, nil // a new file: no migration has run yet
	case 8:
		return binary.BigEndian.Uint64(raw), nil
	default:
		return 0, fmt.Errorf("schema version is %d bytes, want 8", len(raw))
	}
}

// SchemaVersion returns the schema version of the open database: the number of migrations
// applied to it.
func (s *Store) SchemaVersion() (uint64, error) {
	var v uint64
	err := s.view("read schema version", func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("bucket %s is missing", bucketMeta)
		}
		var err error
		v, err = readSchemaVersion(meta)
		return err
	})
	return v, err
}
