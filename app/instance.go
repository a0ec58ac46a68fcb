package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/swarmscope/swarmscope/persist"
)

// SocketName is the unix socket a running Swarmscope listens on, in the
// database's folder.
const SocketName = "swarmscope.sock"

// Limits on what a second instance may send: a handful of paths or links
// is all a double-click or a drop produces.
const (
	maxHandoverBytes = 1 << 20
	maxHandoverArgs  = 256
	handoverTimeout  = 10 * time.Second
)

// handover is what a second instance sends, as one JSON object.
type handover struct {
	Args []string `json:"args"`
}

// handoverReply is what it gets back: one result per argument.
type handoverReply struct {
	Results []handoverResult `json:"results"`
}

type handoverResult struct {
	Arg   string `json:"arg"`
	ID    string `json:"id,omitempty"`    // info hash in hex when added
	Error string `json:"error,omitempty"` // why not
}

// socketPath is the socket next to the database at statePath.
func socketPath(statePath string) (string, error) {
	if statePath == "" {
		p, err := persist.DefaultPath()
		if err != nil {
			return "", err
		}
		statePath = p
	}
	return filepath.Join(filepath.Dir(statePath), SocketName), nil
}

// SendToRunning hands args (.torrent paths, magnet links) to the Swarmscope
// that has the database at statePath open ("" = the default database). It
// reports false, with no error, when no instance is running, so the caller
// can start one; true once the running instance took the arguments, with
// an error joining the ones it could not add. Relative paths are resolved
// here, since the running instance has another working folder.
func SendToRunning(statePath string, args []string) (bool, error) {
	path, err := socketPath(statePath)
	if err != nil {
		return false, err
	}
	conn, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
			return false, nil // nobody listening: a stale socket or none
		}
		return false, fmt.Errorf("reach the running Swarmscope at %s: %w", path, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * handoverTimeout))
	msg := handover{Args: make([]string, 0, len(args))}
	var errs []error
	for _, a := range args {
		local, err := LocalArg(a)
		if err != nil {
			errs = append(errs, err) // not sent: the running one could not use it either
			continue
		}
		if !isMagnet(local) {
			if abs, err := filepath.Abs(local); err == nil {
				local = abs
			}
		}
		msg.Args = append(msg.Args, local)
	}
	if err := json.NewEncoder(conn).Encode(msg); err != nil {
		return false, fmt.Errorf("send to the running Swarmscope at %s: %w", path, err)
	}
	var reply handoverReply
	if err := json.NewDecoder(io.LimitReader(conn, maxHandoverBytes)).Decode(&reply); err != nil {
		return true, errors.Join(append(errs,
			fmt.Errorf("the running Swarmscope at %s took the arguments but did not answer: %w", path, err))...)
	}
	for _, r := range reply.Results {
		if r.Error != "" {
			errs = append(errs, fmt.Errorf("%s: %s", r.Arg, r.Error))
		}
	}
	return true, errors.Join(errs...)
}

func isMagnet(s string) bool { return strings.HasPrefix(strings.ToLower(s), "magnet:") }

// LocalArg turns a command-line argument into what the add functions take: a file: URI, as
// desktop launchers pass with Exec=swarmscope %U (file:///home/u/My%20Files/x.torrent), becomes
// the local path it names, percent-decoded; magnet links and plain paths come back unchanged.
// A file URI naming another host (anything but "" and "localhost"), or one that is not
// absolute, is an error in words. Every entry point (the desktop app's start arguments, the
// hand-over to a running instance, the CLI subcommands) goes through here.
func LocalArg(arg string) (string, error) {
	if len(arg) < len("file:") || !strings.EqualFold(arg[:len("file:")], "file:") {
		return arg, nil
	}
	u, err := url.Parse(arg)
	if err != nil {
		return "", fmt.Errorf("%q is not a file URI Swarmscope can read: %w", arg, err)
	}
	if u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "", fmt.Errorf("%q is not an absolute file URI (want file:///path/to/x.torrent)", arg)
	}
	if h := u.Hostname(); h != "" && !strings.EqualFold(h, "localhost") || u.Port() != "" {
		return "", fmt.Errorf("%q names a file on another computer (%s); only files on this computer can be opened", arg, u.Host)
	}
	path := u.Path
	if runtime.GOOS == "windows" && len(path) >= 3 && path[2] == ':' {
		path = path[1:] // file:///C:/x.torrent
	}
	return filepath.FromSlash(path), nil
}

// listenForInstances opens the socket. New holds the database lock, so a
// socket file already there is a leftover of a crash and is replaced.
func (c *Client) listenForInstances() error {
	path, err := socketPath(c.cfg.StatePath)
	if err != nil {
		return err
	}
	if st, err := os.Lstat(path); err == nil {
		if st.Mode()&fs.ModeSocket == 0 {
			return fmt.Errorf("single-instance socket %s: a file that is not a socket is in the way", path)
		}
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("single-instance socket %s: remove the stale one: %w", path, err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("single-instance socket %s: %w", path, err)
	}
	// Only this user may hand us torrents.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("single-instance socket %s: %w", path, err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	c.instance = ln
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed by Close
			}
			c.wg.Add(1)
			go func() {
				defer c.wg.Done()
				c.serveHandover(conn)
			}()
		}
	}()
	return nil
}

// serveHandover adds what a second instance sent and answers it. Anything
// malformed is refused with an error in words; nothing it sends can make
// the client do more than add torrents.
func (c *Client) serveHandover(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(handoverTimeout))
	var msg handover
	if err := json.NewDecoder(io.LimitReader(conn, maxHandoverBytes)).Decode(&msg); err != nil {
		c.log.Warn("second instance sent something unreadable", "err", err)
		return
	}
	if len(msg.Args) > maxHandoverArgs {
		msg.Args = msg.Args[:maxHandoverArgs]
	}
	reply := handoverReply{Results: []handoverResult{}}
	added := 0
	for _, a := range msg.Args {
		r := handoverResult{Arg: a}
		var (
			id  ID
			err error
		)
		// A sender may pass a launcher's file: URI on as it came.
		a, err = LocalArg(a)
		switch {
		case err != nil:
		case isMagnet(a):
			id, err = c.AddMagnet(a, AddOptions{})
		case !filepath.IsAbs(a):
			err = fmt.Errorf("path %q is not absolute", a)
		default:
			id, err = c.AddTorrentFile(a, AddOptions{})
		}
		if err != nil {
			r.Error = err.Error()
		} else {
			r.ID = id.Hex()
			added++
		}
		reply.Results = append(reply.Results, r)
	}
	c.emit(Event{Kind: EventHandedOver,
		Message: fmt.Sprintf("another Swarmscope handed over %d item(s), %d added", len(msg.Args), added)})
	json.NewEncoder(conn).Encode(reply)
}
