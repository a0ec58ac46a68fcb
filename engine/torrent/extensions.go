package torrent

import (
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/metadata"
	"github.com/swarmscope/swarmscope/engine/metainfo"
	"github.com/swarmscope/swarmscope/engine/pex"
	"github.com/swarmscope/swarmscope/engine/picker"
	"github.com/swarmscope/swarmscope/engine/wire"
)

// The BEP 10 extensions the loop speaks: ut_metadata (BEP 9) to fetch a
// magnet link's info dictionary and to serve ours, ut_pex (BEP 11) to
// trade peer addresses, and the BEP 5 port message that tells peers where
// our DHT node listens. The codecs and policies live in engine/metadata,
// engine/pex and engine/dht; this file routes messages between them and the
// peers. Private torrents (BEP 27) advertise neither extension and never
// touch the DHT.

// Our extended message IDs: what peers must use when they send us these
// messages (the "m" dictionary of our extension handshake).
const (
	localMetadataID = 1
	localPEXID      = 2
)

// maxHeldHaves caps the "have" messages remembered per peer while the
// number of pieces is unknown (magnet link); past it they are forgotten,
// which only costs the peer some early requests.
const maxHeldHaves = 1 << 16

// extensionState is the torrent's part of the extensions; loop-owned.
type extensionState struct {
	magnet         *metainfo.Magnet // set for torrents added by AddMagnet
	ext            map[picker.PeerKey]*peerExtensions
	fetcher        *metadata.Fetcher // while a magnet link's metadata is missing
	metadataServer *metadata.Server  // once the info is known, unless private
	pexIn          *pex.Receiver     // nil for private torrents

	dhtCancel func()        // ends the torrent's DHT goroutine; nil when none runs
	dhtWake   chan struct{} // the loop nudges the DHT goroutine when peers are wanted
	dhtWant   atomic.Bool   // the loop wants more peers from the DHT
}

// peerExtensions is what the loop knows of one peer's extensions.
type peerExtensions struct {
	metadataID   int // the peer's id for ut_metadata; 0 = it does not speak it
	pexID        int // the peer's id for ut_pex; 0 = it does not speak it
	metadataSize int
	pex          *pex.State // what we told it; nil when PEX is off for it
	portSeen     bool       // it sent a port message already

	// Piece announcements received before we knew the number of pieces
	// (magnet link), replayed once the metadata is in.
	heldBitfield []byte
	heldHaveAll  bool
	heldHaveNone bool
	heldHaves    []uint32
}

// isPrivate reports whether the torrent is private (BEP 27); unknown, and
// so false, while a magnet link's metadata is missing.
func (t *Torrent) isPrivate() bool { return t.info != nil && t.info.Private }

func (t *Torrent) extFor(p *peer) *peerExtensions {
	e := t.ext[p.key]
	if e == nil {
		e = &peerExtensions{}
		t.ext[p.key] = e
	}
	return e
}

// forgetExtensions runs when a peer is dropped.
func (t *Torrent) forgetExtensions(p *peer) {
	delete(t.ext, p.key)
	if t.fetcher != nil {
		t.fetcher.RemovePeer(metadata.PeerKey(p.key))
	}
	if t.pexIn != nil {
		t.pexIn.PeerGone(pex.PeerKey(p.key))
	}
}

// maxMessageLength is the longest message a peer may send: sized by the
// number of pieces, or, before a magnet link's metadata is known, by the
// most pieces an info dictionary under metadata.MaxSize could list.
func (t *Torrent) maxMessageLength() uint32 {
	if t.info == nil {
		return wire.MaxLength(metadata.MaxSize / 20)
	}
	return wire.MaxLength(t.info.NumPieces())
}

// sendExtendedHandshake sends our BEP 10 handshake. It is sent again when
// a magnet link's metadata arrives, to announce metadata_size (and, for a
// private torrent, to switch the extensions off).
func (t *Torrent) sendExtendedHandshake(p *peer) {
	hs := wire.ExtendedHandshake{
		M:    map[string]int{wire.ExtensionMetadata: localMetadataID, wire.ExtensionPEX: localPEXID},
		V:    wire.ClientVersion,
		Port: t.s.port,
		Reqq: ourReqq,
	}
	if t.isPrivate() {
		hs.M = map[string]int{wire.ExtensionMetadata: 0, wire.ExtensionPEX: 0}
	} else if t.metadataServer != nil {
		hs.MetadataSize = t.metadataServer.Size()
	}
	if p.ip.IsValid() {
		hs.YourIP = p.ip
	}
	p.send(wire.NewExtended(wire.ExtendedHandshakeID, hs.Encode()))
}

// onExtended routes a BEP 10 message by the ID we assigned.
func (t *Torrent) onExtended(p *peer, m wire.Message) error {
	if !p.extended {
		return errors.New("sent an extended message without announcing BEP 10 support")
	}
	switch m.ExtendedID {
	case wire.ExtendedHandshakeID:
		return t.onExtendedHandshake(p, m.Payload)
	case localMetadataID:
		return t.onMetadataMessage(p, m.Payload)
	case localPEXID:
		return t.onPEXMessage(p, m.Payload)
	}
	// An ID we never assigned: ignored, as BEP 10 allows.
	return nil
}

// extensionID reads a peer's ID for an extension; BEP 10 IDs are one byte.
func extensionID(m map[string]int, name string) int {
	id := m[name]
	if id < 0 || id > 255 {
		return 0
	}
	return id
}

func (t *Torrent) onExtendedHandshake(p *peer, payload []byte) error {
	hs, err := wire.ParseExtendedHandshake(payload)
	if err != nil {
		return err
	}
	if hs.V != "" {
		p.client = hs.V
	}
	if hs.Reqq > 0 {
		p.reqq = hs.Reqq
	}
	if hs.Port > 0 {
		p.listenPort = hs.Port
	}
	e := t.extFor(p)
	// A later handshake may switch extensions on or off; keys it leaves
	// out keep their earlier value (BEP 10).
	if _, ok := hs.M[wire.ExtensionMetadata]; ok {
		e.metadataID = extensionID(hs.M, wire.ExtensionMetadata)
	}
	if _, ok := hs.M[wire.ExtensionPEX]; ok {
		e.pexID = extensionID(hs.M, wire.ExtensionPEX)
	}
	if hs.MetadataSize > 0 {
		e.metadataSize = hs.MetadataSize
	}
	if t.fetcher != nil && e.metadataID > 0 && e.metadataSize > 0 {
		if err := t.fetcher.AddPeer(metadata.PeerKey(p.key), e.metadataSize); err != nil {
			t.log.Debug("peer's metadata not used", "peer", p.addr, "err", err)
		} else {
			t.requestMetadata(p, time.Now())
		}
	}
	switch {
	case e.pexID == 0 || t.pexIn == nil:
		e.pex = nil
	case e.pex == nil:
		self := []netip.AddrPort{}
		if ap, err := netip.ParseAddrPort(p.addr); err == nil {
			self = append(self, ap)
		}
		if ap, err := netip.ParseAddrPort(p.listenAddr()); err == nil {
			self = append(self, ap)
		}
		e.pex = pex.NewState(self...)
	}
	return nil
}

// onMetadataMessage handles ut_metadata: requests are answered from our
// info dictionary (rejected when we have none or the torrent is private),
// data and rejects feed the Fetcher while a magnet link's metadata is
// missing.
func (t *Torrent) onMetadataMessage(p *peer, payload []byte) error {
	msg, err := metadata.DecodeMessage(payload)
	if errors.Is(err, metadata.ErrUnknownType) {
		return nil // BEP 9: ignore unknown message types
	}
	if err != nil {
		return fmt.Errorf("bad ut_metadata message: %w", err)
	}
	e := t.extFor(p)
	switch msg.Type {
	case metadata.Request:
		if e.metadataID == 0 {
			return nil // it gave us no ID to answer on
		}
		reply := metadata.Message{Type: metadata.Reject, Piece: msg.Piece}
		if t.metadataServer != nil {
			reply = t.metadataServer.Answer(msg.Piece)
		}
		p.send(wire.NewExtended(uint8(e.metadataID), reply.Encode()))
	case metadata.Data:
		if t.fetcher == nil {
			return nil // a late answer after the metadata was complete
		}
		out, err := t.fetcher.OnData(metadata.PeerKey(p.key), msg)
		if err != nil {
			// Often a late answer to a request that timed out; not
			// worth a disconnect.
			t.log.Debug("unexpected metadata piece", "peer", p.addr, "err", err)
			return nil
		}
		t.metadataOutcome(out)
	case metadata.Reject:
		if t.fetcher != nil {
			now := time.Now()
			t.fetcher.OnReject(metadata.PeerKey(p.key), msg.Piece, now)
			t.requestMetadataFromAll(now)
		}
	}
	return nil
}

// metadataOutcome applies what a completed copy of the metadata showed.
func (t *Torrent) metadataOutcome(out metadata.Outcome) {
	for _, key := range out.Bad {
		if bad := t.peers[picker.PeerKey(key)]; bad != nil {
			reason := "sent metadata that does not match the info hash"
			t.banned[bad.addr] = reason
			t.dropPeer(bad, errors.New(reason))
		}
	}
	if out.HashFailed {
		t.log.Info("metadata copy failed verification; fetching again", "suspects", len(out.Suspects))
	}
	if out.Info != nil {
		t.metadataArrived(out.Info)
		return
	}
	t.requestMetadataFromAll(time.Now())
}

// requestMetadata sends p the metadata requests the Fetcher wants now.
func (t *Torrent) requestMetadata(p *peer, now time.Time) {
	e := t.ext[p.key]
	if t.fetcher == nil || e == nil || e.metadataID == 0 {
		return
	}
	for _, r := range t.fetcher.NextRequests(metadata.PeerKey(p.key), now) {
		p.send(wire.NewExtended(uint8(e.metadataID), r.Encode()))
	}
}

func (t *Torrent) requestMetadataFromAll(now time.Time) {
	for _, p := range t.peers {
		t.requestMetadata(p, now)
	}
}

// onPEXMessage turns the addresses a peer tells us of into candidates.
func (t *Torrent) onPEXMessage(p *peer, payload []byte) error {
	if t.pexIn == nil {
		return nil // private: we did not offer ut_pex
	}
	msg, err := pex.Decode(payload)
	if err != nil {
		return fmt.Errorf("bad ut_pex message: %w", err)
	}
	fresh, accepted := t.pexIn.Accept(pex.PeerKey(p.key), msg, time.Now())
	if !accepted {
		t.log.Debug("PEX message ignored: sent too soon after the last", "peer", p.addr)
		return nil
	}
	addrs := make([]string, 0, len(fresh))
	for _, c := range fresh {
		if t.isOurAddress(c.Addr) {
			t.pexIn.Forget(c.Addr)
			continue
		}
		addrs = append(addrs, c.Addr.String())
	}
	if len(addrs) > 0 {
		t.addCandidates(addrs, SourcePEX)
	}
	return nil
}

// sendPEX tells each PEX-speaking peer, at most once a minute, which peers
// we are connected to now (pex.State keeps the pace and the difference).
func (t *Torrent) sendPEX(now time.Time) {
	if t.pexIn == nil || !t.active() {
		return
	}
	var swarm []pex.Peer
	for _, q := range t.peers {
		ap, ok := q.pexAddr()
		if !ok {
			continue
		}
		var flags pex.Flags
		if !q.incoming {
			flags |= pex.FlagReachable // we reached it
		}
		if q.have.Len() > 0 && q.have.All() {
			flags |= pex.FlagSeed
		}
		swarm = append(swarm, pex.Peer{Addr: ap, Flags: flags})
	}
	for _, p := range t.peers {
		e := t.ext[p.key]
		if e == nil || e.pex == nil {
			continue
		}
		e.pex.SetPeers(swarm)
		if payload, ok := e.pex.Message(now); ok {
			p.send(wire.NewExtended(uint8(e.pexID), payload))
		}
	}
}

// pexAddr is the address other peers could reach q at: the one we dialled,
// or for a peer that connected to us, its IP with the listen port its
// extension handshake gave (its source port is of no use to anyone).
func (q *peer) pexAddr() (netip.AddrPort, bool) {
	addr := q.addr
	if q.incoming {
		if q.listenPort == 0 {
			return netip.AddrPort{}, false
		}
		addr = q.listenAddr()
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
}

// dialFinished records the end of a dial and frees the PEX receiver's
// room for that address.
func (t *Torrent) dialFinished(r dialResult) {
	delete(t.dialing, r.addr)
	if r.err != nil {
		t.log.Debug("dial failed", "err", r.err)
	}
	if t.pexIn != nil {
		if ap, err := netip.ParseAddrPort(r.addr); err == nil {
			t.pexIn.Forget(ap)
		}
	}
	t.dialMore()
}

// onMessageWithoutInfo handles a peer's message while a magnet link's
// metadata is missing: piece announcements are held for later, the
// extensions work as usual, and data requests cannot be served yet.
func (t *Torrent) onMessageWithoutInfo(p *peer, m wire.Message) error {
	if m.KeepAlive {
		return nil
	}
	e := t.extFor(p)
	switch m.ID {
	case wire.Choke:
		p.peerChoking = true
	case wire.Unchoke:
		p.peerChoking = false
	case wire.Interested:
		p.peerInterested = true
	case wire.NotInterested:
		p.peerInterested = false
	case wire.Bitfield:
		e.heldBitfield, e.heldHaveAll, e.heldHaveNone, e.heldHaves = m.Bitfield, false, false, nil
	case wire.Have:
		if len(e.heldHaves) < maxHeldHaves {
			e.heldHaves = append(e.heldHaves, m.Index)
		}
	case wire.HaveAll, wire.HaveNone:
		if !p.fast {
			return errFastWithoutSupport
		}
		e.heldBitfield, e.heldHaves = nil, nil
		e.heldHaveAll, e.heldHaveNone = m.ID == wire.HaveAll, m.ID == wire.HaveNone
	case wire.Piece:
		return errors.New("sent a block we never asked for (we have no metadata yet)")
	case wire.Extended:
		return t.onExtended(p, m)
	case wire.Port:
		t.onDHTPort(p, m.Port)
	}
	// Requests and the fast extension's hints wait for the metadata: we
	// are choking the peer, so its requests may be ignored (BEP 3).
	return nil
}

// adoptFetchPeers turns the peers connected while the metadata was being
// fetched into ordinary peers: their held piece announcements are checked
// against the real number of pieces, they hear what we have, and they get
// a fresh extension handshake with our metadata_size.
func (t *Torrent) adoptFetchPeers() {
	n := t.info.NumPieces()
	for _, p := range t.peers {
		if p.have.Len() == n {
			continue // connected after the metadata arrived
		}
		e := t.extFor(p)
		p.have, p.allowedFast = bitfield.New(n), nil
		if err := e.replayHeld(p); err != nil {
			t.dropPeer(p, err)
			continue
		}
		t.picker.PeerBitfield(p.key, p.have)
		if p.extended {
			t.sendExtendedHandshake(p)
		}
		for _, i := range t.have.Indexes() {
			p.send(wire.Message{ID: wire.Have, Index: uint32(i)})
		}
		if t.complete && p.have.All() {
			t.dropPeer(p, errors.New("both of us are seeds"))
			continue
		}
		t.peerPiecesChanged(p)
	}
	t.rechokeWanted = true
}

// replayHeld applies the piece announcements held while the number of
// pieces was unknown.
func (e *peerExtensions) replayHeld(p *peer) error {
	n := p.have.Len()
	defer func() { e.heldBitfield, e.heldHaves = nil, nil }()
	switch {
	case e.heldHaveAll:
		p.have.SetAll()
	case e.heldBitfield != nil:
		bf, err := bitfield.FromBytes(e.heldBitfield, n)
		if err != nil {
			return fmt.Errorf("bad bitfield: %w", err)
		}
		p.have = bf
	}
	for _, i := range e.heldHaves {
		if int(i) >= n {
			return fmt.Errorf("have: piece index %d out of range (torrent has %d pieces)", i, n)
		}
		p.have.Set(int(i))
	}
	return nil
}
