#!/usr/bin/env bash
# bench/download.sh — loopback download speed of Swarmscope's engine next to
# libtorrent, aria2c and transmission-cli. Not part of `make test`: it
# writes a 512 MiB file and takes a few minutes.
#
# One libtorrent seeder (engine/peertest's client script) serves a SIZE_MIB
# torrent with 256 KiB pieces on 127.0.0.1. Each downloader fetches it into
# an empty folder; we record wall time to a complete, verified file, CPU
# seconds (user + system) and peak RSS from /usr/bin/time, then compare the
# file with the original (outside the timing). Rounds are interleaved and
# rotated (A B C D, B C D A, ...) so a noisy neighbour, or running first,
# hurts every client alike; medians over RUNS rounds are reported, with the
# ratio ours / theirs.
#
# Swarmscope runs as bench/dlbench (the engine and nothing else) dialling
# the seeder. libtorrent dials the seeder too. aria2c cannot be told a peer,
# and transmission-cli never dials 127.0.0.0/8, so they meet the seeder
# through an embedded tracker (dlbench tracker) that asks for announces
# every 2 s; the seeder dials transmission-cli once it learns of it.
# transmission-cli never exits: its wall time ends when it prints
# "Seeding", polled every 0.1 s, and it is then stopped by PID.
#
# Everything listens on 127.0.0.1 with DHT, LSD, UPnP/NAT-PMP and PEX off,
# and every process has a deadline; the trap stops only the processes this
# script started, by PID.
#
# Usage: bench/download.sh                 (SIZE_MIB=512 RUNS=3)
#        SIZE_MIB=256 RUNS=5 CLIENTS="swarmscope libtorrent" bench/download.sh
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-512}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-"swarmscope libtorrent aria2c transmission"}
DEADLINE=${DEADLINE:-300} # seconds any one download may take
cd "$(dirname "$0")/.."

python=/usr/bin/python3
die() { echo "bench/download.sh: $*" >&2; exit 1; }
for tool in go mktorrent aria2c transmission-cli stdbuf /usr/bin/time "$python"; do
	command -v "$tool" >/dev/null || die "$tool is not installed (Debian packages: mktorrent aria2 transmission-cli coreutils time python3)"
done
"$python" -c 'import libtorrent' 2>/dev/null || die "$python cannot import libtorrent (Debian package python3-libtorrent)"

work=$(mktemp -d /tmp/swarmscope-dlbench.XXXXXX)
started=() # PIDs of long-running helpers, stopped on exit
cleanup() {
	for pid in "${started[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${started[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_line FILE TEXT SECONDS: waits until FILE contains TEXT.
wait_line() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

echo "building bench/dlbench..." >&2
go build -o "$work/dlbench" ./bench/dlbench

tport=$(free_port)
"$work/dlbench" tracker -addr "127.0.0.1:$tport" -for 2h >"$work/tracker.log" 2>&1 &
started+=($!)
wait_line "$work/tracker.log" "tracker http" 10 || die "tracker did not start: $(cat "$work/tracker.log")"

echo "writing ${SIZE_MIB} MiB of random data and its torrent (256 KiB pieces)..." >&2
mkdir -p "$work/seed"
head -c "${SIZE_MIB}M" /dev/urandom >"$work/seed/bench.bin"
mktorrent -l 18 -d -a "http://127.0.0.1:$tport/announce" -o "$work/bench.torrent" "$work/seed/bench.bin" >/dev/null

sport=$(free_port)
"$python" -u engine/peertest/libtorrent_client.py --torrent "$work/bench.torrent" --dir "$work/seed" \
	--port "$sport" --seed --timeout 7200 --upload-limit 0 --download-limit 0 --announce-interval 1 \
	>"$work/seeder.log" 2>&1 &
started+=($!)
wait_line "$work/seeder.log" "^complete" 120 || die "libtorrent seeder did not finish checking: $(tail -5 "$work/seeder.log")"
echo "seeder ready on 127.0.0.1:$sport" >&2

now() { date +%s.%N; }

# record NAME WALL TIMEFILE: appends "wall cpu rss_kib" for one run. The
# figures are time's last line: a stopped transmission-cli makes it write
# "Command terminated by signal 15" first.
record() {
	read -r _ user sys rss < <(tail -n 1 "$3")
	echo "$2 $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') $rss" >>"$work/$1.results"
}

verify() {
	cmp -s "$work/seed/bench.bin" "$1/bench.bin" || die "$2: $1/bench.bin differs from the original"
}

run_swarmscope() {
	local dir=$work/dl-swarmscope t0 t1
	mkdir -p "$dir"
	t0=$(now)
	/usr/bin/time -f "%e %U %S %M" -o "$work/time.out" timeout "$DEADLINE" \
		"$work/dlbench" download -torrent "$work/bench.torrent" -dir "$dir" -peer "127.0.0.1:$sport" \
		-timeout "${DEADLINE}s" >"$work/swarmscope.log" 2>&1 || die "swarmscope failed: $(tail -5 "$work/swarmscope.log")"
	t1=$(now)
	record swarmscope "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" "$work/time.out"
	verify "$dir" swarmscope
	rm -rf "$dir"
}

run_libtorrent() {
	local dir=$work/dl-libtorrent t0 t1
	mkdir -p "$dir"
	t0=$(now)
	/usr/bin/time -f "%e %U %S %M" -o "$work/time.out" timeout "$DEADLINE" \
		"$python" -u engine/peertest/libtorrent_client.py --torrent "$work/bench.torrent" --dir "$dir" \
		--port "$(free_port)" --peer "127.0.0.1:$sport" --timeout "$DEADLINE" \
		--upload-limit 0 --download-limit 0 --announce-interval 0 \
		>"$work/libtorrent.log" 2>&1 || die "libtorrent leecher failed: $(tail -5 "$work/libtorrent.log")"
	t1=$(now)
	record libtorrent "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" "$work/time.out"
	verify "$dir" libtorrent
	rm -rf "$dir"
}

run_aria2c() {
	local dir=$work/dl-aria2c t0 t1
	mkdir -p "$dir"
	t0=$(now)
	/usr/bin/time -f "%e %U %S %M" -o "$work/time.out" timeout "$DEADLINE" \
		aria2c --dir="$dir" --listen-port="$(free_port)" --interface=127.0.0.1 --disable-ipv6=true \
		--enable-dht=false --enable-dht6=false --bt-enable-lpd=false --enable-peer-exchange=false \
		--bt-min-crypto-level=plain --bt-require-crypto=false --file-allocation=none \
		--seed-time=0 --stop="$DEADLINE" --summary-interval=0 --console-log-level=warn \
		"$work/bench.torrent" >"$work/aria2c.log" 2>&1 || die "aria2c failed: $(tail -5 "$work/aria2c.log")"
	t1=$(now)
	record aria2c "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" "$work/time.out"
	verify "$dir" aria2c
	rm -rf "$dir"
}

run_transmission() {
	local dir=$work/dl-transmission conf=$work/transmission-config port t0 t1 timepid child
	rm -rf "$conf"
	mkdir -p "$dir" "$conf"
	port=$(free_port)
	cat >"$conf/settings.json" <<JSON
{"bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1", "peer-port": $port,
 "peer-port-random-on-start": false, "dht-enabled": false, "lpd-enabled": false, "pex-enabled": false,
 "utp-enabled": false, "port-forwarding-enabled": false, "rpc-enabled": false, "blocklist-enabled": false,
 "watch-dir-enabled": false, "incomplete-dir-enabled": false, "rename-partial-files": false,
 "encryption": 0, "start-added-torrents": true, "ratio-limit-enabled": false}
JSON
	t0=$(now)
	/usr/bin/time -f "%e %U %S %M" -o "$work/time.out" timeout "$DEADLINE" \
		stdbuf -o0 -e0 transmission-cli --config-dir "$conf" --download-dir "$dir" --port "$port" \
		--no-portmap --no-blocklist --encryption-tolerated --no-uplimit --no-downlimit \
		"$work/bench.torrent" >"$work/transmission.log" 2>&1 &
	timepid=$!
	started+=("$timepid")
	wait_line "$work/transmission.log" "Seeding, uploading to" "$DEADLINE" || die "transmission-cli did not complete: $(tail -c 300 "$work/transmission.log")"
	t1=$(now)
	# Stop transmission-cli itself (time → timeout → transmission-cli); time
	# then writes its figures.
	child=$(pgrep -P "$(pgrep -P "$timepid")")
	kill -TERM "$child"
	wait "$timepid" || true
	record transmission "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" "$work/time.out"
	verify "$dir" transmission
	rm -rf "$dir"
}

# Warm-up, untimed: write and delete as much data as one download writes.
# On a virtual machine the first touch of guest memory the host has not yet
# backed is slow; without this the first client of the first round pays
# for every page the page cache takes, and the others do not.
head -c "${SIZE_MIB}M" /dev/zero >"$work/warm.bin"
sync
rm -f "$work/warm.bin"

read -ra clients <<<"$CLIENTS"
for run in $(seq "$RUNS"); do
	# Rotate the order each round, so no client always runs right after the
	# same other one (or first).
	for ((i = 0; i < ${#clients[@]}; i++)); do
		c=${clients[$(((i + run - 1) % ${#clients[@]}))]}
		echo "round $run/$RUNS: $c" >&2
		"run_$c"
		tail -1 "$work/$c.results" | awk -v c="$c" -v mib="$SIZE_MIB" '{ printf "  %-13s %6.2f s  %7.1f MiB/s  %5.2f CPU s  %4d MiB peak RSS\n", c, $1, mib / $1, $2, $3 / 1024 }' >&2
	done
done

# median FILE COLUMN
median() { awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo
echo "download of ${SIZE_MIB} MiB (256 KiB pieces) from one libtorrent seeder on loopback, $(nproc) cores, median of $RUNS rounds:"
printf '  %-13s %8s %10s %8s %9s   %s\n' client wall MiB/s "CPU s" "RSS MiB" "ours/theirs: speed, CPU, RSS"
ours_wall=$(median "$work/swarmscope.results" 1 2>/dev/null || true)
ours_cpu=$(median "$work/swarmscope.results" 2 2>/dev/null || true)
ours_rss=$(median "$work/swarmscope.results" 3 2>/dev/null || true)
for c in $CLIENTS; do
	w=$(median "$work/$c.results" 1)
	cpu=$(median "$work/$c.results" 2)
	rss=$(median "$work/$c.results" 3)
	ratio=""
	if [[ $c != swarmscope && -n $ours_wall ]]; then
		ratio=$(awk -v ow="$ours_wall" -v w="$w" -v oc="$ours_cpu" -v cc="$cpu" -v orss="$ours_rss" -v r="$rss" \
			'BEGIN { printf "%.2fx  %.2fx  %.2fx", w / ow, oc / cc, orss / r }')
	fi
	printf '  %-13s %7.2fs %10.1f %8.2f %9.0f   %s\n' "$c" "$w" "$(awk -v m="$SIZE_MIB" -v w="$w" 'BEGIN { print m / w }')" "$cpu" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "$ratio"
done
