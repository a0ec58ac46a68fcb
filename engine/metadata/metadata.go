// Package metadata moves a torrent's info dictionary between peers with the
// ut_metadata extension (BEP 9), which is how a magnet link, which carries
// only the info hash, becomes a full torrent.
//
// The info dictionary (the "metadata") is cut into PieceSize pieces, the
// last one shorter. A peer announces the metadata size in its extension
// handshake (BEP 10, "metadata_size") and then answers request messages
// with data messages, or with reject messages when it cannot or will not
// serve.
//
// Three parts:
//
//   - DecodeMessage and Message.Encode: the request, data and reject
//     messages, i.e. the payload after the extended message ID.
//   - Fetcher: downloads the metadata from several peers and checks it
//     against the info hash; it names the peers that served bad data.
//   - Server: answers other peers' requests from a raw info dictionary.
//
// Like the picker and the choker these are pure: no I/O, no goroutines, no
// clock (the caller passes now), no locks. The torrent loop owns them, does
// the extension handshake, hands in decoded payloads and sends what comes
// back.
//
// Private torrents (BEP 27) are the loop's to police: their metadata must
// only come from the .torrent file, so the loop must not start a Fetcher
// for them and must not advertise ut_metadata or serve it with a Server.
package metadata

// PieceSize is the size of every metadata piece except possibly the last.
const PieceSize = 16 * 1024

// MaxSize caps the metadata size we are willing to download or serve.
// Real info dictionaries are a few kilobytes to a few megabytes (20 bytes
// of hash per piece); the cap bounds what a peer's claimed size can make
// us allocate.
const MaxSize = 8 << 20

// maxPieces is how many pieces a MaxSize metadata has.
const maxPieces = MaxSize / PieceSize

// NumPieces returns how many pieces metadata of size bytes is cut into.
func NumPieces(size int) int {
	return (size + PieceSize - 1) / PieceSize
}

// pieceLength returns the length of piece in metadata of size bytes; the
// caller has checked that piece is in range.
func pieceLength(size, piece int) int {
	if last := NumPieces(size) - 1; piece == last {
		return size - last*PieceSize
	}
	return PieceSize
}
