// Package tracker talks to BitTorrent trackers and can be one.
//
// It has three parts:
//
//   - Clients: [Announce] and [Scrape] speak HTTP(S) trackers (BEP 3, with the
//     compact peer list of BEP 23 and IPv6 peers of BEP 7) and UDP trackers
//     (BEP 15). Every answer is treated as hostile: bodies are size-capped,
//     peer lists are capped, malformed bytes give an error, never a panic.
//   - [Announcer]: one per torrent. It walks the BEP 12 tiers of a torrent's
//     trackers, keeps to the interval the tracker asks for, sends the
//     started, completed and stopped events, and keeps a per-tracker status
//     for the UI.
//   - [Server]: an embedded tracker answering HTTP and UDP on one port, with a
//     small HTML status page. The Swarm Lab, the tests and the
//     "swarmscope tracker" command use it.
package tracker
