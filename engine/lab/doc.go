// Package lab is the Swarm Lab: a real BitTorrent swarm on this machine,
// measured against the textbook's bounds on distribution time.
//
// A run starts an embedded tracker and a server (the initial seed) holding
// a generated file of F bytes, then N peers. Every one of them is a full
// engine — its own torrent.Session with its own listener, rate limits,
// piece picker and choker — not a model; they meet through the tracker
// exactly as peers on the Internet do, but everything listens on 127.0.0.1
// only and stops by itself (each run has a timeout).
//
// The lab measures what the course text (Kurose & Ross, chapter 2) reasons
// about:
//
//   - D, the distribution time: from the start until the last peer has
//     every piece verified;
//   - the bounds, from the configured rates (F file size, u_s the server's
//     upload, u_i each peer's upload, d_min the slowest download):
//     client-server D ≥ max{N·F/u_s, F/d_min} and peer-to-peer
//     D ≥ max{F/u_s, F/d_min, N·F/(u_s + Σu_i)} — see ClientServerBound and
//     PeerToPeerBound — and the ratio D/bound;
//   - per node: completion time, bytes uploaded, share ratio, upload
//     utilisation (uploaded / (u_i × time in the swarm)) and how often the
//     others unchoked it, and why (tit-for-tat, optimistic, seeding, or
//     upload-to-everyone);
//   - over time: copies of the rarest piece in the swarm, peers complete.
//
// Experiments switch one thing at a time (Config): client-server versus
// peer-to-peer, rarest first versus random versus sequential piece
// selection, tit-for-tat versus uploading to everyone, free riders, peers
// that leave on completion, a server that leaves early, late joiners.
// Sweep runs both modes over a range of N for the textbook figure, and
// SweepChart draws it (SVG or PNG, no plotting library). Compare runs the
// variants of one of the other teaching experiments (Experiments: piece
// pickers, free riders, leaving) one after another, and ComparisonTable,
// WriteCompareCSV and CompareChart line them up side by side. Peers may
// have their own rates (Config.PeerUploads, PeerDownloads); the bounds
// use the actual u_i and d_min.
//
// A Control in Config pauses and resumes a run (or the run in progress of
// a sweep or comparison): every node's torrent pauses, so no data moves,
// and the lab's clock stops, so every figure counts running time only
// (Result.Pauses records the pauses).
//
// Honesty. The bound is a floor that only a perfect fluid schedule
// reaches; a real swarm pays for start-up (nobody has a piece to trade yet),
// for duplicate blocks in endgame, and for choking decisions made on
// seconds-old rates, so D/bound is above 1 and the gap is the lesson. D can
// never fall below Config.Floor (the bound less the rate limiters' initial
// burst); if it did, the rate limiting would be broken and the run says so.
// And every peer runs in this one process: when the cores are saturated
// the machine, not the protocol, sets the pace. The lab measures its own
// CPU time (and the machine's, on Linux) and flags such runs
// (Result.MachineLimited, Result.Notes). The defaults (DefaultConfig) are
// the textbook example scaled from an hour to ten seconds and keep a
// two-core machine well below saturation at N = 10.
package lab
