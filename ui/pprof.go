package ui

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// pprofEnv names the environment variable that makes the desktop app serve Go's profiler
// (net/http/pprof under /debug/pprof/) at a loopback address, e.g.
// SWARMSCOPE_PPROF=127.0.0.1:6060; bench/gui -pprof uses it. Other addresses are refused, so
// the profiler is never reachable from the network.
const pprofEnv = "SWARMSCOPE_PPROF"

// servePprof starts the profiler when pprofEnv asks for it.
func servePprof() {
	addr := os.Getenv(pprofEnv)
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		slog.Warn(pprofEnv+" must be a loopback address such as 127.0.0.1:6060; not serving the profiler", "addr", addr)
		return
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		slog.Warn("cannot serve the profiler", "addr", addr, "err", err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
}
