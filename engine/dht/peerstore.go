package dht

import (
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// Peer store limits. Announces expire after PeerTTL unless renewed (BEP 5
// leaves the lifetime to the implementation; 30 minutes is common, and
// clients re-announce about every 15).
const (
	PeerTTL             = 30 * time.Minute
	maxStoredInfoHashes = 2000
	maxPeersPerInfoHash = 200
	maxPeersPerGetPeers = 50 // 50 × 8 bytes keeps a response well under 1500 bytes
)

// swarm is the peers announced for one info hash, each with its expiry.
type swarm struct {
	peers        map[netip.AddrPort]time.Time
	lastAnnounce time.Time
}

// peerStore keeps the peers other nodes announced to us. It is bounded in
// info hashes and in peers per info hash, and pure: the caller passes the
// time in.
type peerStore struct {
	swarms map[metainfo.Hash]*swarm
	rng    *rand.Rand
}

func newPeerStore(rng *rand.Rand) *peerStore {
	return &peerStore{swarms: make(map[metainfo.Hash]*swarm), rng: rng}
}

// Add records that peer announced ih at now. When the store is full the
// info hash announced least recently makes room; when a swarm is full the
// peer closest to expiry does.
func (s *peerStore) Add(ih metainfo.Hash, peer netip.AddrPort, now time.Time) {
	sw, ok := s.swarms[ih]
	if !ok {
		if len(s.swarms) >= maxStoredInfoHashes {
			s.Expire(now)
		}
		if len(s.swarms) >= maxStoredInfoHashes {
			s.evictStalest()
		}
		sw = &swarm{peers: make(map[netip.AddrPort]time.Time)}
		s.swarms[ih] = sw
	}
	sw.lastAnnounce = now
	if _, known := sw.peers[peer]; !known && len(sw.peers) >= maxPeersPerInfoHash {
		var oldest netip.AddrPort
		var oldestExpiry time.Time
		for p, exp := range sw.peers {
			if oldestExpiry.IsZero() || exp.Before(oldestExpiry) {
				oldest, oldestExpiry = p, exp
			}
		}
		delete(sw.peers, oldest)
	}
	sw.peers[peer] = now.Add(PeerTTL)
}

func (s *peerStore) evictStalest() {
	var stalest metainfo.Hash
	var when time.Time
	first := true
	for ih, sw := range s.swarms {
		if first || sw.lastAnnounce.Before(when) {
			stalest, when, first = ih, sw.lastAnnounce, false
		}
	}
	delete(s.swarms, stalest)
}

// Get returns up to max live peers of ih, a random selection when there
// are more.
func (s *peerStore) Get(ih metainfo.Hash, max int, now time.Time) []netip.AddrPort {
	sw, ok := s.swarms[ih]
	if !ok {
		return nil
	}
	var out []netip.AddrPort
	for p, exp := range sw.peers {
		if now.Before(exp) {
			out = append(out, p)
		}
	}
	if len(out) > max {
		s.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		out = out[:max]
	}
	return out
}

// Expire drops expired peers and info hashes left without peers.
func (s *peerStore) Expire(now time.Time) {
	for ih, sw := range s.swarms {
		for p, exp := range sw.peers {
			if !now.Before(exp) {
				delete(sw.peers, p)
			}
		}
		if len(sw.peers) == 0 {
			delete(s.swarms, ih)
		}
	}
}

// Counts returns the number of info hashes and of peers stored.
func (s *peerStore) Counts() (infoHashes, peers int) {
	for _, sw := range s.swarms {
		peers += len(sw.peers)
	}
	return len(s.swarms), peers
}
