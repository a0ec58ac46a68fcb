// Package peertest starts real BitTorrent programs on 127.0.0.1 for tests,
// the way net/http/httptest starts servers: aria2c, transmission-cli,
// libtorrent (through python3-libtorrent) and opentracker. Other packages'
// tests use it to prove that Swarmscope's engine and tracker interoperate
// with clients people actually run.
//
// A typical test:
//
//	tr := peertest.StartOpentracker(t)
//	data := peertest.RandomFile(t, seedDir, "payload.bin", 4<<20)
//	torrent := peertest.MakeTorrent(t, data, tr.HTTPURL, 64<<10)
//	tr.Allow(t, peertest.InfoHash(t, torrent))
//	seeder := peertest.StartLibtorrent(t, peertest.ClientOptions{Torrent: torrent, Dir: seedDir}, true)
//	if err := seeder.WaitComplete(ctx); err != nil { t.Fatal(err) } // data checked, seeding
//	// … start our engine as a leecher, or another client with Peers: []string{seeder.Addr()} …
//	peertest.SameFile(t, data, filepath.Join(leechDir, "payload.bin"))
//
// Every process runs in its own process group with a hard deadline
// (ClientOptions.Timeout, DefaultTimeout when zero) and is stopped by
// t.Cleanup, by its process group id only. Its combined output is kept in
// a file (Process.LogPath) and copied into the test log when the test
// fails; set PEERTEST_LOGS=1 to see it on success too. A missing program
// fails the test (never skips it) with the Debian package to install.
//
// # Network safety
//
// Everything listens on and connects from 127.0.0.1 only. DHT, local peer
// discovery (multicast), UPnP, NAT-PMP and peer exchange are off in every
// client, so the clients meet only the peers a test introduces: through a
// tracker on 127.0.0.1 or by a direct connection.
//
// # Who can connect to whom
//
//   - libtorrent dials ClientOptions.Peers (retried every second until
//     connected, so the other side may start later) and peers it gets from
//     trackers, and accepts incoming connections.
//   - aria2c cannot be told to dial a peer: it has no such option. It dials
//     peers it gets from trackers and accepts incoming connections.
//   - transmission-cli 3.00 never dials peers on 127.0.0.0/8, given or from
//     a tracker: others must connect to it (at Process.Addr, or after
//     finding it through a tracker).
//
// So aria2c and transmission-cli can only meet through a tracker, with
// aria2c doing the dialling: start transmission-cli first, or give aria2c
// an AnnounceInterval so it announces again after transmission-cli has.
//
// # Quirks found while building this package
//
// opentracker (Debian package opentracker):
//   - It is built with a whitelist: torrents not listed in the -w file are
//     refused ("Requested download is not authorized for use with this
//     tracker."). Tracker.Allow rewrites the file and sends SIGHUP, which
//     makes it reread the list. An empty list logs "Can't open accesslist
//     file", which is harmless.
//   - -i 127.0.0.1 must come before -p/-P; each port binds to the address
//     given before it, and without -i it listens on every interface.
//   - Started as root it chroots to -d and becomes "nobody" before it reads
//     the whitelist, so the -w path is relative to -d and the folder must be
//     world-readable.
//   - It asks clients to announce only every ~30 minutes (interval 1800+),
//     and its peer list includes the announcing peer itself.
//
// aria2c (Debian package aria2, 1.36):
//   - --interface=127.0.0.1 binds the listener and outgoing connections to
//     loopback; --listen-port alone would listen on every interface.
//   - DHT, DHT6, LPD and PEX are on by default: --enable-dht=false
//     --enable-dht6=false --bt-enable-lpd=false --enable-peer-exchange=false.
//   - A seeder needs --check-integrity=true to accept existing data and
//     --seed-ratio=0.0 (without --seed-time) to seed forever. A leecher with
//     --seed-time=0 exits with status 0 right after completing; with
//     --check-integrity on an empty folder it logs a harmless "Checksum
//     error detected".
//   - Without a terminal the progress readout is printed as plain lines at
//     --summary-interval; a seeder's reads "[#gid SEED(0.0) CN:… SD:…]".
//   - It connects to 127.0.0.1 peers from a tracker without complaint, and
//     --bt-tracker-interval overrides the tracker's interval.
//   - --stop=SEC and --stop-with-process=PID make it stop by itself.
//
// transmission-cli (Debian package transmission-cli, 3.00):
//   - It does not dial peers on 127.0.0.0/8 (see above).
//   - It reads and writes its config folder: always pass -g with a fresh
//     folder, or it uses ~/.config/transmission. DHT, LPD, PEX, uTP and
//     port forwarding are turned off in settings.json there; it still
//     listens on ::1 as well as 127.0.0.1, and binds a UDP socket on the
//     peer port (UDP trackers).
//   - Its status line ("Seeding, uploading to …", "Progress: …") is redrawn
//     with "\r" on a fully buffered stdout when that is not a terminal, so
//     nothing appears until exit; it runs under "stdbuf -o0".
//   - It verifies existing data by itself when a torrent is added (no -v
//     needed) and never exits on its own: a leecher goes on seeding.
//   - It decides interest and unchoking in a 10-second rechoke pulse, so
//     the first block moves up to ~10 s after a peer connects; a 4 MiB
//     transfer with it takes ~15 s.
//   - Speed limits are whole kB/s (1 kB = 1000 bytes).
//   - It logs "RPC Server: Adding address to whitelist" even with
//     rpc-enabled false; no RPC port is opened.
//
// libtorrent (Debian package python3-libtorrent, 2.0):
//   - The module is importable from /usr/bin/python3; a python3 earlier in
//     PATH (pyenv, virtualenv) usually lacks it. RequireLibtorrent finds one.
//   - lt.session(settings, 0): flags 0 leaves out the default plugins
//     (ut_pex among them) and default features (DHT, LSD, UPnP, NAT-PMP);
//     ut_metadata and smart_ban are added back.
//   - allow_multiple_connections_per_ip must be on: every test peer is
//     127.0.0.1, told apart only by port.
//   - Local-network peers, 127.0.0.0/8 included, are exempt from the rate
//     limits unless every address is put in the global peer class
//     (set_peer_class_filter with a rule 0.0.0.0–255.255.255.255); the
//     client script does that when a limit is set.
//   - It listens for uTP on the TCP port even with incoming uTP disabled
//     (on 127.0.0.1 only).
//   - Outgoing connections try plain text first (out_enc_policy disabled)
//     so peers without MSE/PE are not slowed; encrypted ones are accepted.
//   - force_reannounce needs ignore_min_interval, or opentracker's min
//     interval (~15 minutes) delays it; AnnounceInterval uses that.
//
// mktorrent (Debian package mktorrent, 1.1): piece lengths from 32 KiB
// (-l 15) up; -d leaves out the creation date so the info hash depends only
// on the data and piece length, never on the announce URL.
//
// qBittorrent-nox is not wrapped yet.
package peertest
