// Package app is the application core the desktop UI and the headless
// commands drive: a Client owns every torrent the user added, on one engine
// session (one listening port; incoming peers are routed by info hash), with
// the settings, the queue and the resume data in a persist database.
//
// # What the UI sees
//
// Torrents and Details return immutable values refreshed a few times a
// second by the client's own goroutine; Events reports what the user should
// hear about (added, completed, error, removed, a replaced database, a
// second instance handing over its arguments). Operations that take time —
// moving files, a forced recheck, removing with data — return at once and
// finish in the background; their outcome shows in the list and as events.
//
// # Resume without re-hashing
//
// Every few seconds (Config.SaveInterval) and on Close the client asks each
// torrent for a checkpoint: the engine takes its verified-piece set, syncs
// the files, and only then hands the set over; the client stats every file
// (size and modification time) and stores sets and stamps of all torrents
// in one persist transaction. A piece is therefore recorded as verified only
// after its data is on stable storage.
//
// On start each torrent comes back with that set as resume data. Files whose
// size or modification time no longer match their stamps have their pieces
// hashed again; the rest is trusted, so a restart with unchanged files
// hashes nothing. A file that held verified pieces and is now missing puts
// the torrent in the Error state ("file … is missing") instead of quietly
// downloading it again; Recheck or Start clears that. Stopping the torrent
// any other way (kill -9, power loss) costs at most the last few seconds of
// progress and a re-hash of the files written since.
//
// # One instance
//
// The database can be open in one process only. New listens on a unix
// socket next to it (swarmscope.sock); a second Swarmscope calls
// SendToRunning to hand its .torrent paths or magnet links to the first one
// instead of failing on the lock.
package app
