"""One libtorrent session on 127.0.0.1 for Swarmscope's DHT and PEX interop
tests (engine/torrent). Derived from engine/dht/testdata/libtorrent_dht.py.

It joins no public network: no bootstrap routers (dht_bootstrap_nodes is
empty), no LSD, UPnP or NAT-PMP. With --dht it runs a DHT node that knows
only the nodes the test names with "add_node" once every node is listening
(a node named in dht_bootstrap_nodes would be treated as a router and never
enter the routing table). With --pex the ut_pex plugin is on (it is off
otherwise); ut_metadata and smart_ban are always on.

Commands, one per line on stdin:
  add_node <host> <port>                 -- a DHT node
  add_torrent <.torrent path> <save dir> -- checks what is in save dir
  add_magnet <magnet uri> <save dir>
  connect <infohash hex> <host> <port>   -- connect_peer
  quit
Output, one line each:
  listening <port>
  status dht_nodes=<n>                   -- every second
  torrent <infohash hex> state=<state> progress=<0..1> peers=<n>  -- every second
  peer <infohash hex> <ip:port> pid=<hex> source=<names> dir=<in|out>
                                         -- every second, on metadata and on complete
  metadata <infohash hex>                -- a magnet link's metadata arrived
  connecting <infohash hex> <ip:port>    -- an outgoing connection starts
  complete <infohash hex>                -- all pieces, checked (once)
  closed <infohash hex>                  -- after "complete" of a magnet
                                            link: the torrent was removed,
                                            its files closed
  alert <type> <message>                 -- anything else worth seeing
It exits after --timeout seconds whatever happens.
"""

import argparse
import os
import queue
import sys
import threading
import time
import warnings

import libtorrent as lt

SOURCES = [("tracker", lt.peer_info.tracker), ("dht", lt.peer_info.dht), ("pex", lt.peer_info.pex),
           ("lsd", lt.peer_info.lsd), ("resume", lt.peer_info.resume_data)]


def source_names(src):
    names = [name for name, bit in SOURCES if src & bit]
    return ",".join(names) if names else "none"


def print_peers(ih, handle):
    for p in handle.get_peer_info():
        print("peer %s %s:%d pid=%s source=%s dir=%s" % (
            ih, p.ip[0], p.ip[1], p.pid.to_bytes().hex(), source_names(p.source),
            "out" if p.flags & lt.peer_info.outgoing_connection else "in"), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--timeout", type=float, required=True, help="seconds")
    ap.add_argument("--dht", action="store_true", help="run a DHT node")
    ap.add_argument("--pex", action="store_true", help="enable ut_pex")
    ap.add_argument("--no-seed-dial", action="store_true",
                    help="a seeding torrent only accepts connections (seeding_outgoing_connections off)")
    args = ap.parse_args()
    # session.status() is deprecated but still the simplest node count.
    warnings.simplefilter("ignore", DeprecationWarning)

    settings = {
        "listen_interfaces": "127.0.0.1:%d" % args.port,
        "outgoing_interfaces": "127.0.0.1",
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        # The tests are about the TCP wire protocol.
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        # Every test peer and node is 127.0.0.1, told apart by port only.
        "allow_multiple_connections_per_ip": True,
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_ignore_dark_internet": False,
        "dht_enforce_node_id": False,
        "dht_prefer_verified_node_ids": False,
        "dht_block_ratelimit": 100000,
        # Announce torrents to the DHT (get_peers + announce_peer) every few
        # seconds, not every 15 minutes.
        "dht_announce_interval": 3,
        "out_enc_policy": int(lt.enc_policy.disabled),
        "in_enc_policy": int(lt.enc_policy.enabled),
        "alert_mask": int(lt.alert.category_t.error_notification
                          | lt.alert.category_t.status_notification
                          | lt.alert.category_t.connect_notification
                          | lt.alert.category_t.dht_notification),
        "user_agent": "swarmscope-torrenttest/libtorrent-" + lt.__version__,
        "seeding_outgoing_connections": not args.no_seed_dial,
    }
    # flags=0: no default plugins and no default features; flags=0 also
    # forces enable_dht off, so the DHT is switched on afterwards.
    ses = lt.session(settings, 0)
    ses.add_extension("ut_metadata")
    ses.add_extension("smart_ban")
    if args.pex:
        ses.add_extension("ut_pex")
    ses.apply_settings({"enable_dht": args.dht})

    commands = queue.Queue()

    def read_stdin():
        for line in sys.stdin:
            commands.put(line.split())
        commands.put(["quit"])

    threading.Thread(target=read_stdin, daemon=True).start()

    handles = {}       # infohash hex -> handle
    complete = set()   # infohash hex
    downloads = set()  # infohash hex of magnet links, removed once complete
    deadline = time.monotonic() + args.timeout
    next_status = 0.0
    listening = False
    while time.monotonic() < deadline:
        for a in ses.pop_alerts():
            if isinstance(a, lt.listen_succeeded_alert):
                if not listening:
                    listening = True
                    print("listening %d" % args.port, flush=True)
            elif isinstance(a, lt.peer_connect_alert):
                ih = str(a.handle.info_hash()) if a.handle.is_valid() else "?"
                print("connecting %s %s:%d" % (ih, a.ip[0], a.ip[1]), flush=True)
            elif isinstance(a, lt.torrent_removed_alert):
                print("closed %s" % a.info_hash, flush=True)
            elif isinstance(a, lt.metadata_received_alert):
                print("metadata %s" % a.handle.info_hash(), flush=True)
                print_peers(str(a.handle.info_hash()), a.handle)
            else:
                print("alert %s %s" % (type(a).__name__, a.message()), flush=True)

        now = time.monotonic()
        if now >= next_status:
            next_status = now + 1.0
            print("status dht_nodes=%d" % ses.status().dht_nodes, flush=True)
            for ih, h in list(handles.items()):
                st = h.status()
                print("torrent %s state=%s progress=%.4f peers=%d" % (ih, st.state, st.progress, st.num_peers),
                      flush=True)
                print_peers(ih, h)

        for ih, h in list(handles.items()):
            if ih not in complete and h.status().is_seeding:
                complete.add(ih)
                print_peers(ih, h)
                print("complete %s" % ih, flush=True)
                if ih in downloads:
                    # Removing the torrent closes its files, so the test
                    # reads what is on disk.
                    del handles[ih]
                    ses.remove_torrent(h)

        while not commands.empty():
            cmd = commands.get()
            if not cmd:
                continue
            if cmd[0] == "quit":
                sys.stdout.flush()
                os._exit(0)
            elif cmd[0] == "add_node":
                ses.add_dht_node((cmd[1], int(cmd[2])))
            elif cmd[0] in ("add_torrent", "add_magnet"):
                if cmd[0] == "add_torrent":
                    params = lt.add_torrent_params()
                    params.ti = lt.torrent_info(cmd[1])
                else:
                    params = lt.parse_magnet_uri(cmd[1])
                    downloads.add(str(params.info_hashes.v1))
                params.save_path = cmd[2]
                params.flags &= ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
                if not args.pex:
                    params.flags |= lt.torrent_flags.disable_pex
                if not args.dht:
                    params.flags |= lt.torrent_flags.disable_dht
                h = ses.add_torrent(params)
                handles[str(h.info_hash())] = h
            elif cmd[0] == "connect":
                h = handles.get(cmd[1])
                if h is None:
                    print("unknown torrent %s" % cmd[1], flush=True)
                else:
                    h.connect_peer((cmd[2], int(cmd[3])))
            else:
                print("unknown command %s" % cmd, flush=True)

        ses.wait_for_alert(100)

    print("timeout after %.0fs" % args.timeout, flush=True)
    sys.stdout.flush()
    os._exit(2)


if __name__ == "__main__":
    main()
