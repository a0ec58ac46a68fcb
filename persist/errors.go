package persist

import (
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrLocked matches (with errors.Is) the error Open returns when another Swarmscope has the
// database open. The caller can then pass its work to that instance instead of starting a second
// one.
var ErrLocked = errors.New("database is in use by another Swarmscope")

// ErrNotFound matches the error GetTorrent returns for an info hash the store does not hold.
var ErrNotFound = errors.New("not found")

// LockedError is returned by Open when the database file is locked by another process (or by
// another open handle in this process). It matches ErrLocked.
type LockedError struct {
	Path string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("persist: database %s is in use by another Swarmscope", e.Path)
}

// Unwrap lets errors.Is(err, ErrLocked) succeed.
func (e *LockedError) Unwrap() error { return ErrLocked }

// NewerVersionError reports data written by a newer Swarmscope than this one: a torrent record
// format or a database schema this build cannot read. The data is left untouched.
type NewerVersionError struct {
	What  string // "record format" or "schema"
	Found uint64 // the version in the data
	Known uint64 // the newest version this build understands
}

func (e *NewerVersionError) Error() string {
	return fmt.Sprintf("%s version %d was written by a newer Swarmscope (this one understands up to %d)",
		e.What, e.Found, e.Known)
}

// RecordError says which torrent's record could not be stored or read, and why.
type RecordError struct {
	InfoHash [20]byte
	Op       string // what was being done: "decode record", "encode record", …
	Err      error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("persist: torrent %s: %s: %v", hex.EncodeToString(e.InfoHash[:]), e.Op, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

func recordError(hash [20]byte, op string, err error) error {
	return &RecordError{InfoHash: hash, Op: op, Err: err}
}
