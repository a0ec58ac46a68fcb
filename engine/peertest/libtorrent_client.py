"""A minimal libtorrent client for Swarmscope's interop tests (engine/peertest).

It seeds or downloads one torrent on 127.0.0.1 with every discovery feature
off (DHT, local peer discovery, UPnP, NAT-PMP, peer exchange), so it only
meets the peers a test gives it: through the torrent's tracker, through
--peer (connect_peer, retried every second since the other side may start
later), or by accepting connections on --port.

Output, one line each (the Go side parses "complete"):
  status <state> progress=<0..1> peers=<n> down=<B/s> up=<B/s> uploaded=<B> downloaded=<B>
  alert <category> <message>
  complete            -- the torrent has all pieces, checked
A leecher exits 0 after "complete"; a seeder keeps seeding until it is killed
or --timeout passes. Exit status 2: --timeout passed before completion.
"""

import argparse
import os
import sys
import time

import libtorrent as lt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--torrent", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--seed", action="store_true")
    ap.add_argument("--peer", action="append", default=[], help="host:port to connect to")
    ap.add_argument("--upload-limit", type=int, default=0, help="bytes/s, 0 = unlimited")
    ap.add_argument("--download-limit", type=int, default=0, help="bytes/s, 0 = unlimited")
    ap.add_argument("--announce-interval", type=float, default=0,
                    help="seconds between announces, overriding the tracker's interval; 0 = the tracker's")
    ap.add_argument("--timeout", type=float, required=True, help="seconds")
    args = ap.parse_args()

    settings = {
        "listen_interfaces": "127.0.0.1:%d" % args.port,
        "outgoing_interfaces": "127.0.0.1",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        # uTP would add a second transport for our engine's peers to face;
        # the interop tests are about the TCP wire protocol.
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        # Every test peer is 127.0.0.1, distinguished only by port.
        "allow_multiple_connections_per_ip": True,
        # Plain-text handshakes first (still accepts encrypted ones), so a
        # peer without MSE/PE is not slowed by a failed encrypted attempt.
        "out_enc_policy": int(lt.enc_policy.disabled),
        "in_enc_policy": int(lt.enc_policy.enabled),
        "alert_mask": int(lt.alert.category_t.error_notification
                          | lt.alert.category_t.status_notification
                          | lt.alert.category_t.storage_notification  # cache_flushed_alert
                          | lt.alert.category_t.tracker_notification),
        "upload_rate_limit": args.upload_limit,
        "download_rate_limit": args.download_limit,
        "user_agent": "swarmscope-peertest/libtorrent-" + lt.__version__,
    }
    # flags=0: no default plugins (ut_pex among them) and no default
    # features (DHT, LSD, UPnP, NAT-PMP); add back the harmless plugins.
    ses = lt.session(settings, 0)
    ses.add_extension("ut_metadata")
    ses.add_extension("smart_ban")

    if args.upload_limit or args.download_limit:
        # libtorrent exempts local-network peers (127.0.0.0/8 included)
        # from the global rate limits; putting every address into the
        # global peer class makes the limits apply to them.
        classes = lt.ip_filter()
        classes.add_rule("0.0.0.0", "255.255.255.255", 1 << lt.session.global_peer_class_id)
        ses.set_peer_class_filter(classes)

    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(args.torrent)
    params.save_path = args.dir
    params.flags = (params.flags | lt.torrent_flags.disable_dht | lt.torrent_flags.disable_lsd
                    | lt.torrent_flags.disable_pex) & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
    handle = ses.add_torrent(params)

    peers = []
    for p in args.peer:
        host, _, port = p.rpartition(":")
        peers.append((host, int(port)))

    deadline = time.monotonic() + args.timeout
    next_connect = 0.0
    next_status = 0.0
    next_announce = time.monotonic() + args.announce_interval
    completed = False
    while True:
        now = time.monotonic()
        if now >= deadline:
            print("timeout after %.0fs (%s)" % (args.timeout, "complete" if completed else "incomplete"), flush=True)
            sys.exit(0 if completed else 2)

        for a in ses.pop_alerts():
            print("alert %s %s" % (type(a).__name__, a.message()), flush=True)

        st = handle.status()
        if now >= next_status:
            print("status %s progress=%.4f peers=%d down=%d up=%d uploaded=%d downloaded=%d" % (
                st.state, st.progress, st.num_peers, st.download_rate, st.upload_rate,
                st.all_time_upload, st.all_time_download), flush=True)
            next_status = now + 1.0

        if not completed and st.is_seeding:
            completed = True
            print("complete", flush=True)
            if not args.seed:
                leave(ses, handle)

        ready = st.state in (lt.torrent_status.downloading, lt.torrent_status.seeding,
                             lt.torrent_status.finished)
        if peers and ready and now >= next_connect:
            connected = {(p.ip[0], p.ip[1]) for p in handle.get_peer_info()}
            for peer in peers:
                if peer not in connected:
                    handle.connect_peer(peer)
            next_connect = now + 1.0

        if args.announce_interval > 0 and now >= next_announce:
            # opentracker asks for ~30 minutes between announces; a test
            # whose peers start in the "wrong" order cannot wait that long.
            handle.force_reannounce(0, -1, lt.reannounce_flags_t.ignore_min_interval)
            next_announce = now + args.announce_interval

        ses.wait_for_alert(100)


def leave(ses, handle):
    """Flushes the torrent's writes, removes it (which closes its files) and
    exits with status 0 without running the session's destructor during
    interpreter shutdown, where python-libtorrent can crash and turn a
    finished download into a failed exit status.

    libtorrent 2.0 hashes blocks as they arrive, so a piece can pass (and
    the torrent turn seeding) while its blocks still wait in the disk
    queue; exiting then leaves them unwritten. flush_cache waits them out
    (cache_flushed_alert) -- seen on a loaded machine as a downloaded file
    that differed from the original."""
    handle.flush_cache()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(isinstance(a, lt.cache_flushed_alert) for a in ses.pop_alerts()):
            break
        ses.wait_for_alert(100)
    ses.remove_torrent(handle)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any(isinstance(a, lt.torrent_removed_alert) for a in ses.pop_alerts()):
            break
        ses.wait_for_alert(100)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
