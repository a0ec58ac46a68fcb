"""The Swarm Lab's scenario played by libtorrent, for bench/lab.sh.

One python process runs N+1 libtorrent sessions: a seed (the lab's
"server") holding a generated file of --size bytes, and N leechers. Every
session listens on 127.0.0.1 only, with DHT, local peer discovery, UPnP,
NAT-PMP and peer exchange off, and has its own rate limits: the seed uploads
at --us, each leecher uploads at --u and downloads at --d (0 = unlimited).
libtorrent exempts local-network peers (127.0.0.0/8 included) from rate
limits unless every address is put in the global peer class, which this
script does (set_peer_class_filter), as engine/peertest's client does.

They meet through --tracker (bench/lablt's tracker: the lab's own, 1 s
announce interval). As in the lab, every session is open and the seed has
checked its copy before the clock starts; at t = 0 the leechers add the
torrent, and D is the time until the last leecher's torrent_finished_alert
(every piece downloaded and hash-checked). Leechers stay and seed until the
last one is done (the lab's default). Everything else is libtorrent's
defaults (choking, request queues, disk I/O), except:

  - allow_multiple_connections_per_ip (every peer is 127.0.0.1);
  - uTP off (the lab is TCP only), plain-text outgoing handshakes first;
  - rate_limit_ip_overhead off unless --ip-overhead: the lab's limiters
    count payload only, and the bound is in payload bytes;

libtorrent keeps its default min_announce_interval (300 s), so it announces
once in a run and ignores the tracker's 1 s interval: each leecher dials the
peers that announced before it, which already makes a full mesh. With
--min-announce-interval 1 it re-announces every second like the lab's peers,
and then simultaneous dials in both directions ("duplicate peer-id") left
some pairs, the seed's included, without any connection: about one run in
six at N = 5 never finished (libtorrent 2.0.8), and the rest were slower
(median D/bound 1.73 against 1.57 at N = 5 in scenario a).

--tuned additionally scales libtorrent's choker timings the way the lab
scales its own (rechoke 15 s -> 1 s, optimistic unchoke 30 s -> 3 s); off by
default so the comparison is with libtorrent as shipped.

Output: one line "D=<s|nan> bound=<s> finished=<bool> waste=<fraction>
cpu=<process CPU / wall / cores> completed=<k>/<N> first=<s> notes=\"...\""
and, with --verbose, one line per leecher. The process ends by itself after
--timeout seconds of distribution at most (default 30 s + 4 x the bound),
and exits with os._exit so libtorrent's destructors cannot hang it.
"""

import argparse
import os
import sys
import tempfile
import time
import shutil

import libtorrent as lt


def bound(n, size, u, us, d):
    """The textbook's peer-to-peer bound max{F/u_s, F/d_min, N.F/(u_s + N.u)}."""
    b = size / us
    if d > 0:
        b = max(b, size / d)
    return max(b, n * size / (us + n * u))


def make_session(upload, download, args):
    settings = {
        "listen_interfaces": "127.0.0.1:0",
        "outgoing_interfaces": "127.0.0.1",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "out_enc_policy": int(lt.enc_policy.disabled),
        "in_enc_policy": int(lt.enc_policy.enabled),
        "alert_mask": int(lt.alert.category_t.error_notification
                          | lt.alert.category_t.status_notification),
        "upload_rate_limit": upload,
        "download_rate_limit": download,
        "rate_limit_ip_overhead": bool(args.ip_overhead),
        "min_announce_interval": args.min_announce_interval,
        "user_agent": "swarmscope-lab-bench/libtorrent-" + lt.__version__,
    }
    if args.tuned:
        settings["unchoke_interval"] = 1
        settings["optimistic_unchoke_interval"] = 3
    # flags=0: no default plugins (ut_pex among them) and no DHT, LSD,
    # UPnP or NAT-PMP.
    ses = lt.session(settings, 0)
    ses.add_extension("ut_metadata")
    ses.add_extension("smart_ban")
    # Without this, 127.0.0.1 peers are exempt from the rate limits.
    classes = lt.ip_filter()
    classes.add_rule("0.0.0.0", "255.255.255.255", 1 << lt.session.global_peer_class_id)
    ses.set_peer_class_filter(classes)
    return ses


def add_params(ti, save_path):
    p = lt.add_torrent_params()
    p.ti = ti
    p.save_path = save_path
    p.flags = (p.flags | lt.torrent_flags.disable_dht | lt.torrent_flags.disable_lsd
               | lt.torrent_flags.disable_pex) & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
    return p


def write_random_file(path, size):
    with open(path, "wb") as f:
        left = size
        while left > 0:
            k = min(left, 1 << 20)
            f.write(os.urandom(k))
            left -= k


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--size", type=int, required=True, help="F, bytes")
    ap.add_argument("--piece", type=int, required=True, help="piece size, bytes")
    ap.add_argument("--u", type=int, required=True, help="each leecher's upload, bytes/s")
    ap.add_argument("--us", type=int, required=True, help="the seed's upload, bytes/s")
    ap.add_argument("--d", type=int, default=0, help="each leecher's download, bytes/s (0 = unlimited)")
    ap.add_argument("--tracker", required=True, help="announce URL on 127.0.0.1")
    ap.add_argument("--dir", default="", help="work folder (default: a new temporary one, removed)")
    ap.add_argument("--timeout", type=float, default=0, help="seconds of distribution (0: 30 + 4 x bound)")
    ap.add_argument("--ip-overhead", action="store_true", help="count estimated TCP/IP overhead against the limits")
    ap.add_argument("--tuned", action="store_true", help="lab-scaled choker timings (1 s rechoke, 3 s optimistic)")
    ap.add_argument("--min-announce-interval", type=int, default=300,
                    help="libtorrent's floor on the tracker's interval, seconds (default: libtorrent's 300)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if not args.tracker.startswith("http://127.0.0.1:"):
        sys.exit("ltswarm: the tracker must be on 127.0.0.1")

    b = bound(args.n, args.size, args.u, args.us, args.d)
    timeout = args.timeout or 30 + 4 * b
    own_dir = not args.dir
    work = args.dir or tempfile.mkdtemp(prefix="swarmscope-lablt-")
    try:
        code = run(args, work, b, timeout)
    finally:
        if own_dir:
            shutil.rmtree(work, ignore_errors=True)
    sys.stdout.flush()
    os._exit(code)


def run(args, work, b, timeout):
    seed_dir = os.path.join(work, "server")
    os.makedirs(seed_dir, exist_ok=True)
    write_random_file(os.path.join(seed_dir, "lab-file.bin"), args.size)
    fs = lt.file_storage()
    lt.add_files(fs, os.path.join(seed_dir, "lab-file.bin"))
    # v1 only, like the lab's torrents (libtorrent 2.0 makes hybrids by default).
    ct = lt.create_torrent(fs, args.piece, flags=lt.create_torrent.v1_only)
    ct.add_tracker(args.tracker)
    ct.set_creator("swarmscope lab bench")
    lt.set_piece_hashes(ct, seed_dir)
    ti = lt.torrent_info(lt.bencode(ct.generate()))

    # Every session opens before the clock starts, as in the lab.
    seed = make_session(args.us, 0, args)
    leechers = [make_session(args.u, args.d, args) for _ in range(args.n)]

    # The seed checks its copy (and announces) before t = 0.
    sh = seed.add_torrent(add_params(ti, seed_dir))
    deadline = time.monotonic() + 60
    while not sh.status().is_seeding:
        if time.monotonic() > deadline:
            print('D=nan bound=%.3f finished=false notes="the seed did not finish checking within 60 s"' % b)
            return 1
        seed.wait_for_alert(50)
        seed.pop_alerts()
    # Let its first announce reach the tracker, so the first leechers find it.
    time.sleep(0.2)

    cpu0 = time.process_time()
    t0 = time.monotonic()
    handles = []
    for i, ses in enumerate(leechers):
        d = os.path.join(work, "peer-%03d" % (i + 1))
        os.makedirs(d, exist_ok=True)
        handles.append(ses.add_torrent(add_params(ti, d)))
    done = [None] * args.n
    errors = []
    end = t0 + timeout
    next_poll = t0
    polled = 0
    while None in done and time.monotonic() < end:
        for i, ses in enumerate(leechers):
            for a in ses.pop_alerts():
                if isinstance(a, lt.torrent_finished_alert) and done[i] is None:
                    done[i] = time.monotonic() - t0
                elif a.category() & lt.alert.category_t.error_notification and len(errors) < 5:
                    errors.append("peer %d: %s" % (i + 1, a.message()))
        seed.pop_alerts()
        now = time.monotonic()
        if now >= next_poll:
            # A fallback, should an alert be lost: the status says so too.
            next_poll = now + 0.25
            for i, h in enumerate(handles):
                if done[i] is None and h.status().is_finished:
                    done[i] = now - t0
                    polled += 1
        time.sleep(0.01)
    wall = time.monotonic() - t0
    cpu = (time.process_time() - cpu0) / wall / (os.cpu_count() or 1)

    up = wasted = 0
    for h in [sh] + handles:
        st = h.status()
        up += st.total_payload_upload
        wasted += st.total_redundant_bytes + st.total_failed_bytes
    finished = None not in done
    notes = list(errors)
    if polled:
        notes.append("%d completions seen in the status (polled every 0.25 s) before their alert" % polled)
    if not finished:
        notes.append("timed out after %.0f s: %d of %d peers complete" % (timeout, args.n - done.count(None), args.n))
        for i, h in enumerate(handles):
            if done[i] is None:
                st = h.status()
                notes.append("peer %d stuck at %.0f%%, %d peers connected (%d seeds), %d known, state %s" % (
                    i + 1, 100 * st.progress, st.num_peers, st.num_seeds, st.list_peers, st.state))
        st = sh.status()
        notes.append("seed: %d peers connected, uploading %d B/s" % (st.num_peers, st.upload_payload_rate))
    D = max(done) if finished else float("nan")
    if finished and D < 0.9 * b:
        notes.append("D is well below the bound: the rate limits did not hold")
    if args.verbose:
        for i, t in enumerate(done):
            st = handles[i].status()
            print("  peer %d complete=%s up=%d down=%d" % (
                i + 1, "%.3f" % t if t is not None else "-", st.total_payload_upload, st.total_payload_download))
    print('D=%s bound=%.3f finished=%s waste=%.4f cpu=%.2f completed=%d/%d first=%s notes="%s"' % (
        "%.3f" % D if finished else "nan", b, "true" if finished else "false",
        wasted / up if up else 0.0, cpu, args.n - done.count(None), args.n,
        "%.3f" % min(t for t in done if t is not None) if any(t is not None for t in done) else "nan",
        "; ".join(notes).replace('"', "'")))
    return 0 if finished else 2


if __name__ == "__main__":
    main()
