// Package persist is Swarmscope's on-disk memory: the torrents the user added, how far each one
// got, the settings, and the DHT routing table, kept in one bbolt database file so they survive
// restarts and crashes. It is the only package in the program that imports bbolt, and it knows
// nothing about the engine: records are plain values ([20]byte info hashes, bitfield bytes).
//
// # Layout
//
// The database (by default [DefaultPath]) holds these buckets:
//
//	meta      "schema_version" → 8-byte big-endian count of applied migrations
//	torrents  info hash → TorrentRecord without its metainfo (versioned binary, see below)
//	metainfo  info hash → the raw .torrent bytes, verbatim
//	settings  "settings" → Settings as JSON
//	dht       "nodes" → the DHT routing table, opaque bytes
//
// Metainfo lives in its own bucket because it is large (20 bytes per piece) and never changes,
// while progress is rewritten every few seconds: keeping them apart means [Store.SaveProgress]
// rewrites a few kilobytes per torrent instead of the whole .torrent.
//
// Each torrent record starts with a format version and ends with a CRC-32C, so a record written
// by a newer Swarmscope is refused with a [*NewerVersionError] and a damaged one is reported
// rather than trusted. The schema as a whole is versioned in the meta bucket and upgraded by an
// ordered list of migrations that [Open] runs in one transaction.
//
// # Crash safety and the ordering contract
//
// Every write is one bbolt transaction, and bbolt commits are atomic and fsynced: after a crash
// the database holds either all of a transaction or none of it. [Store.SaveProgress] uses this to
// record many torrents' progress at once.
//
// That only makes resume data trustworthy if callers keep one rule: sync a piece's data to disk
// (storage.Sync) BEFORE recording that piece as verified with SaveProgress. The other order
// leaves a window where a crash loses the data but keeps the claim, and on restart Swarmscope
// would serve zeros as verified data. The FileStamps saved with the bitfield cover the remaining
// case — files changed while Swarmscope was not running — by letting resume re-hash only the
// pieces of files whose size or modification time no longer match.
//
// # Damage and a second instance
//
// [Open] fails fast with an error matching [ErrLocked] when another Swarmscope holds the
// database, so the caller can hand its work to that instance instead of hanging. A database that
// cannot be read is moved aside to NAME.corrupt-YYYYMMDD-HHMMSS and replaced by a fresh one;
// [Store.Recovered] tells the caller what happened so the user can be told too.
//
// A [Store] is safe for concurrent use by several goroutines.
package persist
