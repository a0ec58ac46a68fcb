// Package dht is Swarmscope's own implementation of the BitTorrent
// Mainline DHT (BEP 5, with the IPv6 "nodes6" extension of BEP 32): the
// distributed hash table that lets a client find the peers of a torrent
// without a tracker, and tell others that it has one.
//
// The torrent engine uses a Node to find peers for magnet links (GetPeers)
// and to announce torrents it seeds (Announce). The app saves and restores
// the routing table (MarshalNodes, LoadNodes) and shows it to students
// (Buckets, LookupTrace).
//
// # From the course's circular DHT to Kademlia
//
// The course notes describe a circular DHT: node and key identifiers live
// on a ring, a key belongs to the node that follows it on the ring, and
// each node keeps "shortcuts" (fingers) to the nodes at distance 1, 2, 4,
// 8, … ahead, so a lookup halves the remaining distance with every hop and
// needs about log2(N) hops.
//
// Kademlia, which BitTorrent uses, keeps the same idea with a different
// notion of distance. Identifiers are 160-bit numbers (an info hash is the
// key; a node picks a random id) and the distance between two of them is
// their XOR, read as a number. Two ids are close when they share a long
// common prefix of bits. The routing table is a list of buckets: bucket i
// holds up to K = 8 nodes whose id shares exactly i leading bits with ours.
// Bucket 0 covers half of the id space, bucket 1 a quarter, bucket 2 an
// eighth — these are the shortcuts of the ring, one per power of two, but
// with K nodes each instead of one finger, so a lookup survives nodes that
// have left. A lookup asks the nodes it knows closest to the key for nodes
// even closer; each answer typically shares at least one more prefix bit
// with the key (the hop halves the distance, as a finger does), so the
// lookup converges in about log2(N) steps. It asks α = 3 nodes in parallel
// and stops when the K closest nodes it has heard of have all answered.
// The nodes closest to an info hash are the ones that store its peers, the
// way the successor of a key stores it on the ring. LookupTrace records,
// for every query of a lookup, which step it belonged to and how many
// prefix bits the answer's nodes shared with the key, so the UI can draw
// the convergence on the real network.
//
// Unlike the ring, XOR is symmetric: the nodes that we find useful also
// find us useful, so a node learns its table from the queries it receives
// as well as from the answers to its own.
//
// # Structure
//
// A Node owns one UDP socket and one goroutine reading it. Incoming queries
// are answered on that goroutine; answers to our own queries are matched to
// the waiting caller by transaction id and source address. The routing
// table (Table), the token issuer, the peer store and the per-source rate
// limiter are plain structs with no I/O and no clock of their own: the
// Node passes the time in, and tests drive them with a fake clock.
//
// # Hostile input
//
// Packets larger than MaxPacketSize, undecodable KRPC, answers with an
// unknown transaction id or from the wrong address, node ids that are not
// 20 bytes and addresses with port 0 are dropped. Queries are rate limited
// per source so the node cannot be used to amplify traffic, and every map
// (pending transactions, peers, limiters, lookup candidates) is bounded.
package dht
