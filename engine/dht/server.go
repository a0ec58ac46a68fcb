package dht

import (
	"net/netip"

	"github.com/swarmscope/swarmscope/engine/metainfo"
)

// handleQuery answers one query (on the reader goroutine). Queries beyond
// the per-source rate limit are dropped without an answer, so the node
// cannot be used to reflect traffic at someone else.
func (n *Node) handleQuery(msg *message, from netip.AddrPort) {
	now := n.now()
	n.mu.Lock()
	allowed := n.limiter.Allow(n.rateKey(from), now)
	n.mu.Unlock()
	if !allowed {
		n.stats.rateLimited.Add(1)
		return
	}
	n.stats.queriesIn.Add(1)

	sender := NodeAddr{Addr: from}
	copy(sender.ID[:], msg.A.ID) // 20 bytes, checked by decodeMessage
	n.mu.Lock()
	known := n.table.QueriedBy(sender, now)
	wanted := !known && msg.RO == 0 && n.table.WantsNode(sender.ID, from, now)
	n.mu.Unlock()
	if wanted {
		// Only nodes that answer our queries enter the table: a querier
		// may be behind a NAT that lets answers out but not queries in.
		n.pingInBackground(sender)
	}

	var reply *returnArgs
	var kerr *krpcError
	switch msg.Q {
	case methodPing:
		reply = &returnArgs{}
	case methodFindNode:
		reply, kerr = n.answerFindNode(msg.A)
	case methodGetPeers:
		reply, kerr = n.answerGetPeers(msg.A, from)
	case methodAnnouncePeer:
		reply, kerr = n.answerAnnounce(msg.A, from)
	default:
		kerr = &krpcError{Code: errCodeMethod, Message: "Method Unknown"}
	}
	answer := &message{T: msg.T}
	if kerr != nil {
		answer.Y, answer.E = "e", kerr
	} else {
		reply.ID = string(n.id[:])
		answer.Y, answer.R = "r", reply
	}
	if err := n.send(from, answer); err != nil {
		n.cfg.Logf("dht: answering %s from %s: %v", msg.Q, from, err)
	}
}

// closestCompact returns the "nodes" or "nodes6" value for target.
func (n *Node) closestCompact(target ID) (nodes, nodes6 string) {
	n.mu.Lock()
	closest := n.table.Closest(target, K, n.now())
	n.mu.Unlock()
	compact := string(appendCompactNodes(nil, closest, n.ipv6))
	if n.ipv6 {
		return "", compact
	}
	return compact, ""
}

func (n *Node) answerFindNode(a *queryArgs) (*returnArgs, *krpcError) {
	target, err := IDFromBytes([]byte(a.Target))
	if err != nil {
		return nil, &krpcError{Code: errCodeProtocol, Message: "find_node: target must be 20 bytes"}
	}
	r := &returnArgs{}
	r.Nodes, r.Nodes6 = n.closestCompact(target)
	return r, nil
}

func (n *Node) answerGetPeers(a *queryArgs, from netip.AddrPort) (*returnArgs, *krpcError) {
	if len(a.InfoHash) != IDLen {
		return nil, &krpcError{Code: errCodeProtocol, Message: "get_peers: info_hash must be 20 bytes"}
	}
	var ih metainfo.Hash
	copy(ih[:], a.InfoHash)
	r := &returnArgs{}
	now := n.now()
	n.mu.Lock()
	r.Token = n.tokens.Token(from.Addr(), now)
	peers := n.peers.Get(ih, maxPeersPerGetPeers, now)
	n.mu.Unlock()
	for _, p := range peers {
		r.Values = append(r.Values, string(appendCompactPeer(nil, p)))
	}
	// Nodes always come too: the asker can go on towards the info hash
	// even when we know some peers.
	r.Nodes, r.Nodes6 = n.closestCompact(ID(ih))
	return r, nil
}

func (n *Node) answerAnnounce(a *queryArgs, from netip.AddrPort) (*returnArgs, *krpcError) {
	if len(a.InfoHash) != IDLen {
		return nil, &krpcError{Code: errCodeProtocol, Message: "announce_peer: info_hash must be 20 bytes"}
	}
	port := int(from.Port())
	if a.ImpliedPort == 0 {
		if a.Port == nil || *a.Port <= 0 || *a.Port > 65535 {
			return nil, &krpcError{Code: errCodeProtocol, Message: "announce_peer: port must be 1-65535"}
		}
		port = *a.Port
	}
	var ih metainfo.Hash
	copy(ih[:], a.InfoHash)
	now := n.now()
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.tokens.Valid(a.Token, from.Addr(), now) {
		return nil, &krpcError{Code: errCodeProtocol, Message: "announce_peer: bad token"}
	}
	n.peers.Add(ih, netip.AddrPortFrom(from.Addr(), uint16(port)), now)
	return &returnArgs{}, nil
}
