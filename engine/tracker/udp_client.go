package tracker

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"
)

// udpConnectionLifetime is how long a client may use a connection id (BEP 15).
const udpConnectionLifetime = time.Minute

type udpConnection struct {
	id      uint64
	expires time.Time
}

// udpSession is one request/answer exchange with a UDP tracker over its own
// socket, with the BEP 15 retransmission schedule shared between the connect
// step and the request proper.
type udpSession struct {
	c       *Client
	ctx     context.Context
	conn    *net.UDPConn
	key     string // resolved tracker address, for the connection-id cache
	ipv6    bool
	attempt int // the n in 15·2^n
	buf     []byte
}

func (c *Client) dialUDP(ctx context.Context, u *url.URL) (*udpSession, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "udp", u.Host)
	if err != nil {
		return nil, err
	}
	conn := nc.(*net.UDPConn)
	remote := conn.RemoteAddr().(*net.UDPAddr)
	return &udpSession{
		c:    c,
		ctx:  ctx,
		conn: conn,
		key:  remote.String(),
		ipv6: remote.IP.To4() == nil,
	}, nil
}

func (c *Client) udpAnnounce(ctx context.Context, u *url.URL, req AnnounceRequest) (*AnnounceResponse, error) {
	s, err := c.dialUDP(ctx, u)
	if err != nil {
		return nil, err
	}
	defer s.conn.Close()
	_, resp, err := s.request(actionAnnounce, func(b []byte, connID uint64, txID uint32) []byte {
		return putAnnounceRequest(b, connID, txID, req)
	})
	return resp, err
}

func (c *Client) udpScrape(ctx context.Context, u *url.URL, hashes [][20]byte) (map[[20]byte]ScrapeStats, error) {
	s, err := c.dialUDP(ctx, u)
	if err != nil {
		return nil, err
	}
	defer s.conn.Close()
	stats := make(map[[20]byte]ScrapeStats, len(hashes))
	for len(hashes) > 0 {
		batch := hashes[:min(len(hashes), udpMaxScrapeHashes)]
		hashes = hashes[len(batch):]
		r, _, err := s.request(actionScrape, func(b []byte, connID uint64, txID uint32) []byte {
			return putScrapeRequest(b, connID, txID, batch)
		})
		if err != nil {
			return nil, err
		}
		for h, st := range parseUDPScrapeBody(r.Body, batch) {
			stats[h] = st
		}
	}
	return stats, nil
}

// request sends one announce or scrape, connecting first when there is no
// fresh connection id, and retransmits on silence.
func (s *udpSession) request(action uint32, build func(b []byte, connID uint64, txID uint32) []byte) (udpResponse, *AnnounceResponse, error) {
	stopWatch := context.AfterFunc(s.ctx, func() {
		// Wake a blocked read at once when the caller gives up.
		s.conn.SetReadDeadline(time.Unix(1, 0))
	})
	defer stopWatch()
	for {
		connID, err := s.connectionID()
		if err != nil {
			return udpResponse{}, nil, fmt.Errorf("connect: %w", err)
		}
		txID := randomUint32()
		r, resp, err := s.exchange(build(nil, connID, txID), txID, action)
		if errors.Is(err, errNoAnswer) {
			if err := s.nextAttempt(); err != nil {
				return r, nil, err
			}
			continue
		}
		var failure *FailureError
		if errors.As(err, &failure) {
			// The id may be what the tracker objects to; get a new one next time.
			s.c.forgetConnectionID(s.key)
		}
		return r, resp, err
	}
}

// connectionID returns a cached connection id, or connects for a new one.
func (s *udpSession) connectionID() (uint64, error) {
	if id, ok := s.c.cachedConnectionID(s.key); ok {
		return id, nil
	}
	for {
		txID := randomUint32()
		r, _, err := s.exchange(putConnectRequest(nil, txID), txID, actionConnect)
		if errors.Is(err, errNoAnswer) {
			if err := s.nextAttempt(); err != nil {
				return 0, err
			}
			continue
		}
		if err != nil {
			return 0, err
		}
		id := binary.BigEndian.Uint64(r.Body)
		s.c.storeConnectionID(s.key, id)
		return id, nil
	}
}

var errNoAnswer = errors.New("no answer")

// nextAttempt doubles the wait, or says why we give up.
func (s *udpSession) nextAttempt() error {
	if err := s.ctx.Err(); err != nil {
		return fmt.Errorf("no answer after %d tries: %w", s.attempt+1, err)
	}
	if d, ok := s.ctx.Deadline(); ok && !time.Now().Before(d) {
		// The socket deadline can fire a moment before the context's timer.
		return fmt.Errorf("no answer after %d tries: %w", s.attempt+1, context.DeadlineExceeded)
	}
	if s.attempt >= s.c.UDPMaxRetries {
		return fmt.Errorf("no answer after %d tries", s.attempt+1)
	}
	s.attempt++
	return nil
}

// exchange sends pkt once and waits up to UDPTimeout·2^attempt for the
// answer carrying txID. Datagrams with another transaction id (late answers,
// spoofing) are skipped and the wait goes on.
func (s *udpSession) exchange(pkt []byte, txID, action uint32) (udpResponse, *AnnounceResponse, error) {
	if _, err := s.conn.Write(pkt); err != nil {
		return udpResponse{}, nil, fmt.Errorf("send: %w", err)
	}
	wait := s.c.UDPTimeout << min(s.attempt, 16)
	deadline := time.Now().Add(wait)
	if d, ok := s.ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	s.conn.SetReadDeadline(deadline)
	if s.ctx.Err() != nil {
		// Cancelled before (or while) we set the deadline: do not block.
		return udpResponse{}, nil, errNoAnswer
	}
	if s.buf == nil {
		s.buf = make([]byte, 64<<10) // any datagram fits; longer ones would be cut
	}
	buf := s.buf
	for {
		n, err := s.conn.Read(buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return udpResponse{}, nil, errNoAnswer
			}
			// E.g. ICMP port unreachable: nothing listens there.
			return udpResponse{}, nil, fmt.Errorf("receive: %w", err)
		}
		r, resp, err := ParseUDPResponse(buf[:n], action, s.ipv6)
		if r.TxID != txID || len(buf[:n]) < 8 {
			continue
		}
		if err != nil {
			return r, nil, err
		}
		r.Body = append([]byte(nil), r.Body...)
		return r, resp, nil
	}
}

func (c *Client) cachedConnectionID(key string) (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	conn, ok := c.connID[key]
	if !ok || !c.now().Before(conn.expires) {
		return 0, false
	}
	return conn.id, true
}

func (c *Client) storeConnectionID(key string, id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	// Keep the cache small: drop expired entries as we go.
	for k, v := range c.connID {
		if !now.Before(v.expires) {
			delete(c.connID, k)
		}
	}
	if len(c.connID) < 4096 {
		c.connID[key] = udpConnection{id: id, expires: now.Add(udpConnectionLifetime)}
	}
}

func (c *Client) forgetConnectionID(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.connID, key)
}

func randomUint32() uint32 {
	var b [4]byte
	rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
