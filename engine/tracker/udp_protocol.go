package tracker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// BEP 15 wire constants.
const (
	udpProtocolID = 0x41727101980

	actionConnect  = 0
	actionAnnounce = 1
	actionScrape   = 2
	actionError    = 3

	udpConnectLen       = 16
	udpAnnounceLen      = 98
	udpAnnounceRespLen  = 20
	udpScrapeHeaderLen  = 16
	udpMaxScrapeHashes  = 74 // keeps a scrape request and its answer in one datagram
	udpMaxPacket        = 2048
	udpMaxErrorMessage  = 512
	udpMaxResponsePeers = MaxPeersPerAnswer
)

func putConnectRequest(b []byte, txID uint32) []byte {
	b = binary.BigEndian.AppendUint64(b, udpProtocolID)
	b = binary.BigEndian.AppendUint32(b, actionConnect)
	return binary.BigEndian.AppendUint32(b, txID)
}

func putAnnounceRequest(b []byte, connID uint64, txID uint32, req AnnounceRequest) []byte {
	b = binary.BigEndian.AppendUint64(b, connID)
	b = binary.BigEndian.AppendUint32(b, actionAnnounce)
	b = binary.BigEndian.AppendUint32(b, txID)
	b = append(b, req.InfoHash[:]...)
	b = append(b, req.PeerID[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(max(req.Downloaded, 0)))
	b = binary.BigEndian.AppendUint64(b, uint64(max(req.Left, 0)))
	b = binary.BigEndian.AppendUint64(b, uint64(max(req.Uploaded, 0)))
	b = binary.BigEndian.AppendUint32(b, req.Event.udpEvent())
	b = binary.BigEndian.AppendUint32(b, 0) // IP: the sender's
	b = binary.BigEndian.AppendUint32(b, req.Key)
	numWant := int32(-1)
	if req.NumWant >= 0 {
		numWant = int32(min(req.NumWant, 1<<20))
	}
	b = binary.BigEndian.AppendUint32(b, uint32(numWant))
	return binary.BigEndian.AppendUint16(b, req.Port)
}

func putScrapeRequest(b []byte, connID uint64, txID uint32, hashes [][20]byte) []byte {
	b = binary.BigEndian.AppendUint64(b, connID)
	b = binary.BigEndian.AppendUint32(b, actionScrape)
	b = binary.BigEndian.AppendUint32(b, txID)
	for _, h := range hashes {
		b = append(b, h[:]...)
	}
	return b
}

// udpResponse is a decoded tracker datagram of any action.
type udpResponse struct {
	Action uint32
	TxID   uint32
	Body   []byte // after action and transaction id
}

// parseUDPHeader splits a tracker datagram into action, transaction id and
// body. It fails only when the datagram is too short to have those.
func parseUDPHeader(b []byte) (udpResponse, error) {
	if len(b) < 8 {
		return udpResponse{}, fmt.Errorf("datagram of %d bytes is shorter than a header", len(b))
	}
	return udpResponse{
		Action: binary.BigEndian.Uint32(b),
		TxID:   binary.BigEndian.Uint32(b[4:]),
		Body:   b[8:],
	}, nil
}

// ParseUDPResponse decodes a UDP tracker's answer to a request with the
// given action. Error answers (action 3) become a *FailureError. ipv6 says
// whether peer entries are 18 bytes (the tracker was reached over IPv6)
// rather than 6.
func ParseUDPResponse(b []byte, wantAction uint32, ipv6 bool) (udpResponse, *AnnounceResponse, error) {
	r, err := parseUDPHeader(b)
	if err != nil {
		return r, nil, err
	}
	if r.Action == actionError {
		msg := r.Body
		if len(msg) > udpMaxErrorMessage {
			msg = msg[:udpMaxErrorMessage]
		}
		return r, nil, &FailureError{Reason: limitText(string(msg))}
	}
	if r.Action != wantAction {
		return r, nil, fmt.Errorf("answer has action %d, want %d", r.Action, wantAction)
	}
	switch wantAction {
	case actionConnect:
		if len(r.Body) < 8 {
			return r, nil, errors.New("connect answer too short")
		}
		return r, nil, nil
	case actionAnnounce:
		if len(r.Body) < udpAnnounceRespLen-8 {
			return r, nil, errors.New("announce answer too short")
		}
		resp := &AnnounceResponse{
			Interval: clampSeconds(int64(binary.BigEndian.Uint32(r.Body))),
			Leechers: int(min(binary.BigEndian.Uint32(r.Body[4:]), 1<<31-1)),
			Seeders:  int(min(binary.BigEndian.Uint32(r.Body[8:]), 1<<31-1)),
		}
		entry := 6
		if ipv6 {
			entry = 18
		}
		peers := r.Body[12:]
		// A truncated last entry is dropped rather than failing the answer.
		peers = peers[:len(peers)-len(peers)%entry]
		resp.Peers, _ = appendCompactPeers(nil, peers, entry)
		return r, resp, nil
	case actionScrape:
		if len(r.Body)%12 != 0 {
			return r, nil, fmt.Errorf("scrape answer body of %d bytes is not a multiple of 12", len(r.Body))
		}
		return r, nil, nil
	}
	return r, nil, fmt.Errorf("unknown action %d", wantAction)
}

// parseUDPScrapeBody reads the (seeders, completed, leechers) triples of a
// scrape answer, in the order the hashes were asked.
func parseUDPScrapeBody(body []byte, hashes [][20]byte) map[[20]byte]ScrapeStats {
	stats := make(map[[20]byte]ScrapeStats, len(hashes))
	for i, h := range hashes {
		if len(body) < (i+1)*12 {
			break
		}
		e := body[i*12:]
		stats[h] = ScrapeStats{
			Seeders:    int(min(binary.BigEndian.Uint32(e), 1<<31-1)),
			Downloaded: int(min(binary.BigEndian.Uint32(e[4:]), 1<<31-1)),
			Leechers:   int(min(binary.BigEndian.Uint32(e[8:]), 1<<31-1)),
		}
	}
	return stats
}

// udpRequest is a decoded client datagram, as the server sees it.
type udpRequest struct {
	ConnID   uint64
	Action   uint32
	TxID     uint32
	Announce AnnounceRequest
	Hashes   [][20]byte
}

// parseUDPRequest decodes a client datagram for the server. Datagrams it
// cannot attribute to a transaction give an error with TxID 0 and are dropped.
func parseUDPRequest(b []byte) (udpRequest, error) {
	var r udpRequest
	if len(b) < 16 {
		return r, fmt.Errorf("datagram of %d bytes is shorter than a request header", len(b))
	}
	r.ConnID = binary.BigEndian.Uint64(b)
	r.Action = binary.BigEndian.Uint32(b[8:])
	r.TxID = binary.BigEndian.Uint32(b[12:])
	switch r.Action {
	case actionConnect:
		if r.ConnID != udpProtocolID {
			return r, errors.New("connect request without the protocol id")
		}
	case actionAnnounce:
		if len(b) < udpAnnounceLen {
			return r, fmt.Errorf("announce request of %d bytes, want %d", len(b), udpAnnounceLen)
		}
		a := &r.Announce
		copy(a.InfoHash[:], b[16:36])
		copy(a.PeerID[:], b[36:56])
		a.Downloaded = int64(min(binary.BigEndian.Uint64(b[56:]), 1<<62))
		a.Left = int64(min(binary.BigEndian.Uint64(b[64:]), 1<<62))
		a.Uploaded = int64(min(binary.BigEndian.Uint64(b[72:]), 1<<62))
		a.Event = eventFromUDP(binary.BigEndian.Uint32(b[80:]))
		// b[84:88] is an IP the client would like us to use; we do not.
		a.Key = binary.BigEndian.Uint32(b[88:])
		a.NumWant = int(int32(binary.BigEndian.Uint32(b[92:])))
		a.Port = binary.BigEndian.Uint16(b[96:])
	case actionScrape:
		body := b[16:]
		n := min(len(body)/20, udpMaxScrapeHashes)
		if n == 0 {
			return r, errors.New("scrape request without info hashes")
		}
		r.Hashes = make([][20]byte, n)
		for i := range n {
			r.Hashes[i] = [20]byte(body[i*20 : i*20+20])
		}
	default:
		return r, fmt.Errorf("unknown action %d", r.Action)
	}
	return r, nil
}

func putErrorResponse(b []byte, txID uint32, msg string) []byte {
	b = binary.BigEndian.AppendUint32(b, actionError)
	b = binary.BigEndian.AppendUint32(b, txID)
	return append(b, msg...)
}

func appendCompactAddr(b []byte, ap netip.AddrPort, ipv6 bool) []byte {
	if ipv6 {
		a := ap.Addr().As16()
		b = append(b, a[:]...)
	} else {
		a := ap.Addr().As4()
		b = append(b, a[:]...)
	}
	return binary.BigEndian.AppendUint16(b, ap.Port())
}
