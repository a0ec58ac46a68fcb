package tracker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"sync"
	"time"
)

// Server is the embedded tracker: HTTP and UDP announce and scrape on one
// port, and a status page at "/". Start one with Listen; stop it with Close.
type Server struct {
	state *trackerState
	addr  netip.AddrPort

	tcp  net.Listener
	udp  *net.UDPConn
	http *http.Server

	closeOnce sync.Once
	done      chan struct{}
	wg        sync.WaitGroup
}

// Listen binds TCP and UDP on the same address and starts serving. With
// port 0 it picks a free port that is free for both protocols.
func Listen(addr string, cfg ServerConfig) (*Server, error) {
	tcp, udp, err := listenBoth(addr)
	if err != nil {
		return nil, fmt.Errorf("tracker: listen %s: %w", addr, err)
	}
	s := &Server{
		state: newTrackerState(cfg),
		addr:  tcp.Addr().(*net.TCPAddr).AddrPort(),
		tcp:   tcp,
		udp:   udp,
		done:  make(chan struct{}),
	}
	s.addr = netip.AddrPortFrom(s.addr.Addr().Unmap(), s.addr.Port())
	s.http = &http.Server{
		Handler:           s.httpHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.http.Serve(tcp)
	}()
	// A few readers on one socket keep both cores busy under load.
	for range max(2, runtime.GOMAXPROCS(0)) {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveUDP()
		}()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.expireLoop()
	}()
	return s, nil
}

func listenBoth(addr string) (net.Listener, *net.UDPConn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	var lastErr error
	for range 10 {
		tcp, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, nil, err
		}
		bound := tcp.Addr().(*net.TCPAddr)
		udpAddr := &net.UDPAddr{IP: bound.IP, Port: bound.Port, Zone: bound.Zone}
		udp, err := net.ListenUDP("udp", udpAddr)
		if err == nil {
			return tcp, udp, nil
		}
		tcp.Close()
		lastErr = err
		if port != "0" {
			break // a fixed port taken for UDP: retrying will not help
		}
	}
	return nil, nil, fmt.Errorf("binding UDP on the TCP port of %s: %w", host, lastErr)
}

// Addr is the bound address, for both TCP and UDP.
func (s *Server) Addr() netip.AddrPort { return s.addr }

// HTTPAnnounceURL is the http:// announce URL of this tracker.
func (s *Server) HTTPAnnounceURL() string { return "http://" + s.addr.String() + "/announce" }

// UDPAnnounceURL is the udp:// announce URL of this tracker.
func (s *Server) UDPAnnounceURL() string { return "udp://" + s.addr.String() + "/announce" }

// Torrents returns the swarms the tracker knows, most peers first.
func (s *Server) Torrents() []TorrentStats {
	out, _ := s.state.torrentStats(s.state.cfg.MaxTorrents)
	return out
}

// Close stops serving and waits (briefly) for the serving goroutines.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.done)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if e := s.http.Shutdown(ctx); e != nil {
			s.http.Close()
		}
		err = s.udp.Close()
		s.wg.Wait()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
	})
	return err
}

func (s *Server) expireLoop() {
	tick := time.NewTicker(max(s.state.cfg.PeerTimeout/4, 100*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-tick.C:
			s.state.expire()
		}
	}
}
