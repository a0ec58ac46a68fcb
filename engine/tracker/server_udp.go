package tracker

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
)

// maxUDPPeersIPv6 keeps an IPv6 announce answer within a 1500-byte MTU.
const maxUDPPeersIPv6 = 80

func (s *Server) serveUDP() {
	buf := make([]byte, udpMaxPacket)
	var out []byte
	for {
		n, from, err := s.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // e.g. ICMP errors surfaced on the socket
		}
		out = s.handleUDP(out[:0], buf[:n], from)
		if len(out) > 0 {
			s.udp.WriteToUDPAddrPort(out, from)
		}
	}
}

// handleUDP answers one datagram, appending the answer to out (nothing for
// datagrams we cannot attribute to a transaction).
func (s *Server) handleUDP(out, pkt []byte, from netip.AddrPort) []byte {
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	req, err := parseUDPRequest(pkt)
	if err != nil {
		if len(pkt) < 16 {
			return out
		}
		return putErrorResponse(out, req.TxID, err.Error())
	}
	st := s.state
	switch req.Action {
	case actionConnect:
		out = binary.BigEndian.AppendUint32(out, actionConnect)
		out = binary.BigEndian.AppendUint32(out, req.TxID)
		return binary.BigEndian.AppendUint64(out, st.connectionID(from, st.window()))
	}
	if !st.validConnectionID(from, req.ConnID) {
		return putErrorResponse(out, req.TxID, "connection id invalid or expired")
	}
	switch req.Action {
	case actionAnnounce:
		family, ipv6 := familyIPv4, from.Addr().Is6()
		if ipv6 {
			family = familyIPv6
			req.Announce.NumWant = min(req.Announce.NumWant, maxUDPPeersIPv6)
			if req.Announce.NumWant < 0 {
				req.Announce.NumWant = min(st.cfg.NumWant, maxUDPPeersIPv6)
			}
		}
		ans, err := st.announce(from.Addr(), req.Announce, family)
		if err != nil {
			st.cfg.Log.Debug("tracker: refused UDP announce", "from", from, "err", err)
			return putErrorResponse(out, req.TxID, err.Error())
		}
		out = binary.BigEndian.AppendUint32(out, actionAnnounce)
		out = binary.BigEndian.AppendUint32(out, req.TxID)
		out = binary.BigEndian.AppendUint32(out, uint32(ans.Interval.Seconds()))
		out = binary.BigEndian.AppendUint32(out, uint32(ans.Leechers))
		out = binary.BigEndian.AppendUint32(out, uint32(ans.Seeders))
		for _, p := range ans.Peers {
			out = appendCompactAddr(out, p.addr, ipv6)
		}
		return out
	case actionScrape:
		out = binary.BigEndian.AppendUint32(out, actionScrape)
		out = binary.BigEndian.AppendUint32(out, req.TxID)
		for _, t := range st.scrape(req.Hashes) {
			out = binary.BigEndian.AppendUint32(out, uint32(t.Seeders))
			out = binary.BigEndian.AppendUint32(out, uint32(t.Downloaded))
			out = binary.BigEndian.AppendUint32(out, uint32(t.Leechers))
		}
		return out
	}
	return out
}
