package persist

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// PutTorrent stores rec under its info hash, replacing whatever was there: a record without
// MetaInfo also removes previously stored metainfo.
func (s *Store) PutTorrent(rec TorrentRecord) error {
	if err := rec.validate(); err != nil {
		return recordError(rec.InfoHash, "put", err)
	}
	encoded := encodeRecord(&rec)
	return s.update("put torrent", func(tx *bolt.Tx) error {
		torrents, metainfo, err := torrentBuckets(tx)
		if err != nil {
			return err
		}
		key := rec.InfoHash[:]
		if err := torrents.Put(key, encoded); err != nil {
			return recordError(rec.InfoHash, "put record", err)
		}
		switch {
		case len(rec.MetaInfo) == 0:
			err = metainfo.Delete(key)
		case !bytes.Equal(metainfo.Get(key), rec.MetaInfo):
			// Skipping an identical rewrite matters: pausing a torrent should not copy a
			// multi-megabyte .torrent through the database again.
			err = metainfo.Put(key, rec.MetaInfo)
		}
		if err != nil {
			return recordError(rec.InfoHash, "put metainfo", err)
		}
		return nil
	})
}

// GetTorrent returns the record stored under hash, or an error matching ErrNotFound.
func (s *Store) GetTorrent(hash [20]byte) (TorrentRecord, error) {
	var rec TorrentRecord
	err := s.view("get torrent", func(tx *bolt.Tx) error {
		torrents, metainfo, err := torrentBuckets(tx)
		if err != nil {
			return err
		}
		raw := torrents.Get(hash[:])
		if raw == nil {
			return recordError(hash, "get", ErrNotFound)
		}
		rec, err = readRecord(hash, raw, metainfo)
		return err
	})
	return rec, err
}

// ListTorrents returns every stored torrent, ordered by the time it was added and then by info
// hash, so the list looks the same on every start.
//
// A record that cannot be decoded does not hide the others: ListTorrents returns all records it
// could read together with an error joining one *RecordError per unreadable record, so the
// caller can restore what it can and tell the user about the rest.
func (s *Store) ListTorrents() ([]TorrentRecord, error) {
	var (
		list       []TorrentRecord
		unreadable []error
	)
	err := s.view("list torrents", func(tx *bolt.Tx) error {
		torrents, metainfo, err := torrentBuckets(tx)
		if err != nil {
			return err
		}
		return torrents.ForEach(func(k, v []byte) error {
			hash, err := hashFromKey(k)
			if err != nil {
				unreadable = append(unreadable, err)
				return nil
			}
			rec, err := readRecord(hash, v, metainfo)
			if err != nil {
				unreadable = append(unreadable, err)
				return nil
			}
			list = append(list, rec)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b TorrentRecord) int {
		if c := a.Added.Compare(b.Added); c != 0 {
			return c
		}
		return bytes.Compare(a.InfoHash[:], b.InfoHash[:])
	})
	return list, errors.Join(unreadable...)
}

// DeleteTorrent removes the torrent's record and metainfo. Deleting a torrent that is not stored
// is not an error.
func (s *Store) DeleteTorrent(hash [20]byte) error {
	return s.update("delete torrent", func(tx *bolt.Tx) error {
		torrents, metainfo, err := torrentBuckets(tx)
		if err != nil {
			return err
		}
		if err := torrents.Delete(hash[:]); err != nil {
			return recordError(hash, "delete record", err)
		}
		if err := metainfo.Delete(hash[:]); err != nil {
			return recordError(hash, "delete metainfo", err)
		}
		return nil
	})
}

// SaveProgress records the progress of many torrents in one transaction: after a crash either
// all of updates are stored or none. Sync each piece's data to disk before passing a bitfield
// that marks it verified (see the package documentation).
//
// Updates naming a torrent that is no longer stored are ignored (it was removed while the update
// was on its way). An update with a malformed bitfield fails the whole call before anything is
// written. A stored record that cannot be decoded is left as it is while the others are saved;
// the returned error then joins one *RecordError per such record.
func (s *Store) SaveProgress(updates []ProgressUpdate) error {
	for i := range updates {
		if err := checkBitfield(updates[i].Bitfield, updates[i].NumPieces); err != nil {
			return recordError(updates[i].InfoHash, "save progress", err)
		}
	}
	var unreadable []error
	err := s.update("save progress", func(tx *bolt.Tx) error {
		torrents, _, err := torrentBuckets(tx)
		if err != nil {
			return err
		}
		for i := range updates {
			u := &updates[i]
			raw := torrents.Get(u.InfoHash[:])
			if raw == nil {
				continue
			}
			rec, err := decodeRecord(raw)
			if err != nil {
				unreadable = append(unreadable, recordError(u.InfoHash, "save progress: decode record", err))
				continue
			}
			u.apply(&rec)
			if err := torrents.Put(u.InfoHash[:], encodeRecord(&rec)); err != nil {
				return recordError(u.InfoHash, "save progress: put record", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(unreadable...)
}

func torrentBuckets(tx *bolt.Tx) (torrents, metainfo *bolt.Bucket, err error) {
	torrents, metainfo = tx.Bucket(bucketTorrents), tx.Bucket(bucketMetaInfo)
	if torrents == nil || metainfo == nil {
		return nil, nil, fmt.Errorf("bucket %s or %s is missing", bucketTorrents, bucketMetaInfo)
	}
	return torrents, metainfo, nil
}

// readRecord decodes a stored record and attaches its metainfo, copying both out of bbolt's
// memory.
func readRecord(hash [20]byte, raw []byte, metainfo *bolt.Bucket) (TorrentRecord, error) {
	rec, err := decodeRecord(raw)
	if err != nil {
		return TorrentRecord{}, recordError(hash, "decode record", err)
	}
	rec.InfoHash = hash
	if mi := metainfo.Get(hash[:]); len(mi) > 0 {
		rec.MetaInfo = bytes.Clone(mi)
	}
	return rec, nil
}

func hashFromKey(k []byte) ([20]byte, error) {
	var hash [20]byte
	if len(k) != len(hash) {
		return hash, fmt.Errorf("persist: torrents bucket: key %x is %d bytes, not a 20-byte info hash", k, len(k))
	}
	copy(hash[:], k)
	return hash, nil
}
