"""One libtorrent DHT node on 127.0.0.1 for Swarmscope's DHT interop tests.

It joins no public network: no bootstrap routers, no LSD, UPnP or NAT-PMP.
The test introduces the nodes with "add_node" commands once every node is
listening (a node named in dht_bootstrap_nodes would be treated as a router
and never enter the routing table).

Commands, one per line on stdin:
  add_node <host> <port>
  add_torrent <infohash hex> <save dir>  -- a magnet-style torrent: libtorrent
                                           announces it to the DHT itself
  get_peers <infohash hex>
  quit
Output, one line each:
  listening <port>
  status dht_nodes=<n>                     -- every second
  peers <infohash hex> <ip:port> ...       -- a dht_get_peers reply
  incoming_announce <infohash hex> <ip:port>
  alert <type> <message>                   -- anything else worth seeing
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--timeout", type=float, required=True, help="seconds")
    args = ap.parse_args()
    # session.status() is deprecated but still the simplest node count.
    warnings.simplefilter("ignore", DeprecationWarning)

    settings = {
        "listen_interfaces": "127.0.0.1:%d" % args.port,
        "enable_dht": True,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "dht_bootstrap_nodes": "",
        # Every node of the test is 127.0.0.1, told apart by port only.
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_ignore_dark_internet": False,
        "dht_enforce_node_id": False,
        "dht_prefer_verified_node_ids": False,
        "dht_block_ratelimit": 100000,
        # Announce torrents every few seconds, not every 15 minutes, so a
        # torrent added before the DHT formed is announced soon after.
        "dht_announce_interval": 3,
        "alert_mask": int(lt.alert.category_t.error_notification
                          | lt.alert.category_t.status_notification
                          | lt.alert.category_t.dht_notification
                          | lt.alert.category_t.dht_operation_notification),
    }
    ses = lt.session(settings)

    commands = queue.Queue()

    def read_stdin():
        for line in sys.stdin:
            commands.put(line.split())
        commands.put(["quit"])

    threading.Thread(target=read_stdin, daemon=True).start()

    deadline = time.monotonic() + args.timeout
    next_status = 0.0
    listening = False
    while time.monotonic() < deadline:
        for a in ses.pop_alerts():
            if isinstance(a, lt.listen_succeeded_alert) and not listening:
                listening = True
                print("listening %d" % args.port, flush=True)
            elif isinstance(a, lt.dht_get_peers_reply_alert):
                peers = " ".join("%s:%d" % (ip, port) for ip, port in a.peers())
                print("peers %s %s" % (a.info_hash, peers), flush=True)
            elif isinstance(a, lt.dht_announce_alert):
                print("incoming_announce %s %s:%d" % (a.info_hash, a.ip, a.port), flush=True)
            else:
                print("alert %s %s" % (type(a).__name__, a.message()), flush=True)

        now = time.monotonic()
        if now >= next_status:
            print("status dht_nodes=%d" % ses.status().dht_nodes, flush=True)
            next_status = now + 1.0

        while not commands.empty():
            cmd = commands.get()
            if not cmd:
                continue
            if cmd[0] == "quit":
                sys.stdout.flush()
                os._exit(0)
            elif cmd[0] == "add_node":
                ses.add_dht_node((cmd[1], int(cmd[2])))
            elif cmd[0] == "add_torrent":
                # The Python binding of 2.0.8 does not expose the flags type
                # session.dht_announce needs; a torrent is announced anyway.
                params = lt.parse_magnet_uri("magnet:?xt=urn:btih:" + cmd[1])
                params.save_path = cmd[2]
                params.flags &= ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
                ses.add_torrent(params)
            elif cmd[0] == "get_peers":
                ses.dht_get_peers(lt.sha1_hash(bytes.fromhex(cmd[1])))
            else:
                print("unknown command %s" % cmd, flush=True)

        ses.wait_for_alert(100)

    print("timeout after %.0fs" % args.timeout, flush=True)
    sys.stdout.flush()
    os._exit(2)


if __name__ == "__main__":
    main()
