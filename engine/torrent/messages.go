package torrent

import (
	"errors"
	"fmt"
	"time"

	"github.com/swarmscope/swarmscope/engine/bitfield"
	"github.com/swarmscope/swarmscope/engine/wire"
)

// handlePeerMessage applies one message from a peer's reader. A protocol
// violation drops the peer with the reason.
func (t *Torrent) handlePeerMessage(pm peerMessage) {
	p := pm.peer
	if p.gone {
		putBlockBuffer(pm.buf)
		return
	}
	if pm.err != nil {
		t.dropPeer(p, pm.err)
		return
	}
	p.lastReceived = time.Now()
	if t.info == nil {
		// A magnet link whose metadata is still missing.
		putBlockBuffer(pm.buf)
		if err := t.onMessageWithoutInfo(p, pm.msg); err != nil {
			t.dropPeer(p, err)
		}
		return
	}
	if err := t.onMessage(p, pm.msg, pm.buf); err != nil {
		t.dropPeer(p, err)
	}
}

// errFastWithoutSupport is returned for BEP 6 messages from a peer that did
// not set the fast bit in its handshake.
var errFastWithoutSupport = errors.New("sent a fast-extension message without announcing BEP 6 support")

func (t *Torrent) onMessage(p *peer, m wire.Message, buf *[]byte) error {
	if m.KeepAlive {
		return nil
	}
	n := t.info.NumPieces()
	checkIndex := func(what string) error {
		if int(m.Index) >= n {
			return fmt.Errorf("%s: piece index %d out of range (torrent has %d pieces)", what, m.Index, n)
		}
		return nil
	}
	switch m.ID {
	case wire.Choke:
		if !p.peerChoking {
			p.peerChoking = true
			if !p.fast {
				// BEP 3: a choke discards our requests. Blocks already
				// in flight may still arrive; they are waste, not abuse.
				t.picker.PeerChoked(p.key)
				for b := range p.requested {
					p.cancelled[b] = time.Now()
				}
				clear(p.requested)
			}
		}
	case wire.Unchoke:
		if p.peerChoking {
			p.peerChoking = false
			t.fillRequests(p)
		}
	case wire.Interested:
		if !p.peerInterested {
			p.peerInterested = true
			t.rechokeWanted = true
		}
	case wire.NotInterested:
		if p.peerInterested {
			p.peerInterested = false
			t.rechokeWanted = true
		}
	case wire.Have:
		if err := checkIndex("have"); err != nil {
			return err
		}
		i := int(m.Index)
		if !p.have.Has(i) {
			p.have.Set(i)
			t.picker.PeerHave(p.key, i)
			if !p.amInterested && !t.have.Has(i) && !t.complete {
				t.setInterested(p, true)
			}
			t.fillRequests(p)
		}
		if t.complete && p.have.All() {
			return errors.New("both of us are seeds")
		}
	case wire.Bitfield:
		// BEP 3 wants the bitfield first, but clients differ (aria2 sends
		// have none, then a bitfield); a later one replaces what we knew.
		bf, err := bitfield.FromBytes(m.Bitfield, n)
		if err != nil {
			return fmt.Errorf("bad bitfield: %w", err)
		}
		p.have = bf
		t.picker.PeerBitfield(p.key, bf)
		t.peerPiecesChanged(p)
		if t.complete && bf.All() {
			return errors.New("both of us are seeds")
		}
	case wire.HaveAll, wire.HaveNone:
		if !p.fast {
			return errFastWithoutSupport
		}
		if m.ID == wire.HaveAll {
			p.have.SetAll()
			t.picker.PeerHaveAll(p.key)
			if t.complete {
				return errors.New("both of us are seeds")
			}
		} else {
			p.have.ClearAll()
			t.picker.PeerHaveNone(p.key)
		}
		t.peerPiecesChanged(p)
	case wire.Request:
		return t.onRequest(p, m)
	case wire.Cancel:
		t.onCancel(p, m)
	case wire.Piece:
		return t.onBlock(p, m, buf)
	case wire.Port:
		t.onDHTPort(p, m.Port)
	case wire.Suggest:
		if !p.fast {
			return errFastWithoutSupport
		}
		return checkIndex("suggest piece")
	case wire.Reject:
		if !p.fast {
			return errFastWithoutSupport
		}
		return t.onReject(p, m)
	case wire.AllowedFast:
		if !p.fast {
			return errFastWithoutSupport
		}
		if err := checkIndex("allowed fast"); err != nil {
			return err
		}
		if len(p.allowedFast) < maxAllowedFast {
			p.allowedFast = append(p.allowedFast, int(m.Index))
		}
		if p.peerChoking {
			t.fillRequests(p)
		}
	case wire.Extended:
		return t.onExtended(p, m)
	default:
		// Unknown message types are ignored, as BEP 3 asks.
	}
	return nil
}

// peerPiecesChanged re-evaluates interest and requests after a bitfield or
// have all / have none.
func (t *Torrent) peerPiecesChanged(p *peer) {
	t.setInterested(p, !t.complete && p.have.HasAnyNotIn(t.have))
	t.fillRequests(p)
}

func (t *Torrent) setInterested(p *peer, on bool) {
	if p.amInterested == on {
		return
	}
	p.amInterested = on
	if on {
		p.send(wire.Message{ID: wire.Interested})
	} else {
		p.send(wire.Message{ID: wire.NotInterested})
	}
}
