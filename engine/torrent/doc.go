// Package torrent is the engine core: a Session owns one TCP listener, our
// peer ID, the connection limit and the global rate limits, and runs any
// number of Torrents. Each Torrent ties the other engine packages together —
// storage (pieces on disk), picker (what to request), choker (whom to upload
// to), tracker (where the peers are) and wire (how to talk to them).
//
// One goroutine, the torrent's loop, owns all of a torrent's state: our
// bitfield, the picker, the choker, the peer set and the storage handle.
// Every peer connection has a reader goroutine that decodes messages and
// hands them to the loop over a bounded channel, and a writer goroutine that
// encodes what the loop queued for it, coalescing writes through a
// bufio.Writer and flushing when its queue runs dry. Disk writes, disk reads
// and SHA-1 verification run on a small worker pool, so the loop never
// blocks on the disk. There is no lock around torrent state.
//
// Readers never reach into the loop: a few times a second it publishes an
// immutable Snapshot (stats, per-piece state and availability, per-peer flags,
// rates and choke reasons) that the UI, the command line and the Swarm Lab
// read.
//
// Peers are not trusted. Oversized or malformed messages, requests we cannot
// serve, bad bitfields, blocks we never asked for and wrong info hashes drop
// the peer with the reason logged; a peer whose data fails hash checks is
// banned until the torrent restarts.
package torrent
