#!/usr/bin/env bash
# bench/lab.sh — the Swarm Lab's distribution time over the textbook bound,
# Swarmscope next to libtorrent in the same scenario and the same run
# (issue 7). Not part of `make test`: a default run takes a few minutes.
#
# For every N in NS and every one of ROUNDS rounds (interleaved: N = 5, 10,
# 20, then again, so a noisy neighbour hurts every N and both clients
# alike; which client goes first alternates by round), it runs:
#
#   swarmscope  one Swarm Lab run (engine/lab, through bench/lablt): a
#               server and N peers, each a full engine session in one Go
#               process, meeting through the lab's tracker;
#   libtorrent  the same scenario with libtorrent (bench/lablt/ltswarm.py):
#               one seed session and N leecher sessions in one python
#               process, meeting through the same kind of tracker (the
#               lab's, served by bench/lablt; libtorrent keeps its own 300 s
#               floor on the announce interval, see ltswarm.py), with
#               the same per-session upload/download limits (every address
#               in the global peer class, so 127.0.0.1 is limited), the same
#               F and piece size, and libtorrent's default choking.
#
# In both, the seed has checked its copy and every session is open before
# the clock starts, and D runs from the start until the last peer has
# every piece hash-checked; peers stay and seed until then. The bound is
# the textbook's peer-to-peer bound max{F/u_s, F/d_min, N·F/(u_s + N·u)},
# computed by engine/lab from the scenario. Per N the script prints the
# median D/bound of each client, and libtorrent's median over Swarmscope's
# (above 1: Swarmscope is nearer the bound).
#
# Scenarios (SCENARIO=a or b; SIZE, CHUNK, U, US, D in bytes and bytes/s
# override any one of them; D=0 means unlimited download):
#   a  the lab's defaults: F = 8000 KiB, 256 KiB chunks, u = 800 KiB/s,
#      u_s = 8000 KiB/s, d = 8000 KiB/s (bound 3.33 s, 5 s, 6.67 s at
#      N = 5, 10, 20)
#   b  issue 7's libtorrent measurement: F = 16 MiB, 256 KiB pieces,
#      u = 1 MiB/s, u_s = 2 MiB/s, d unlimited (bound 11.4 s, 13.3 s,
#      14.5 s)
#
# LT_FLAGS passes extra flags to ltswarm.py: --tuned (the lab's 1 s / 3 s
# choker timings instead of libtorrent's 15 s / 30 s), --ip-overhead (count
# libtorrent's estimate of TCP/IP headers against the limits; off by
# default because the lab's limiters count payload only).
#
# Network safety: everything listens on and connects from 127.0.0.1; DHT,
# LSD, UPnP, NAT-PMP and PEX are off in libtorrent (Swarmscope's lab has
# none of them). Every run has its own deadline (30 s + 4 × the bound, and
# a hard `timeout` above that); the trap stops only the tracker this script
# started, by PID.
#
# Usage: bench/lab.sh                                (SCENARIO=a NS="5 10 20" ROUNDS=3)
#        SCENARIO=b bench/lab.sh
#        SCENARIO=b NS="10 20" ROUNDS=5 CLIENTS="libtorrent" bench/lab.sh
#        SIZE=$((32<<20)) U=$((2<<20)) US=$((4<<20)) D=0 bench/lab.sh
set -euo pipefail

SCENARIO=${SCENARIO:-a}
NS=${NS:-"5 10 20"}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-"swarmscope libtorrent"}
LT_FLAGS=${LT_FLAGS:-}
case "$SCENARIO" in
a) s_size=$((8000 << 10)) s_chunk=$((256 << 10)) s_u=$((800 << 10)) s_us=$((8000 << 10)) s_d=$((8000 << 10)) ;;
b) s_size=$((16 << 20)) s_chunk=$((256 << 10)) s_u=$((1 << 20)) s_us=$((2 << 20)) s_d=0 ;;
*) echo "bench/lab.sh: SCENARIO must be a or b (then override with SIZE, CHUNK, U, US, D)" >&2; exit 2 ;;
esac
SIZE=${SIZE:-$s_size} CHUNK=${CHUNK:-$s_chunk} U=${U:-$s_u} US=${US:-$s_us} D=${D:-$s_d}
cd "$(dirname "$0")/.."

python=/usr/bin/python3 # python3-libtorrent imports only from the system python
die() { echo "bench/lab.sh: $*" >&2; exit 1; }
command -v go >/dev/null || die "go is not installed"
if [[ " $CLIENTS " == *" libtorrent "* ]]; then
	"$python" -c 'import libtorrent' 2>/dev/null || die "$python cannot import libtorrent (Debian package python3-libtorrent)"
fi

work=$(mktemp -d /tmp/swarmscope-labbench.XXXXXX)
tracker_pid=
cleanup() {
	if [[ -n $tracker_pid ]]; then
		kill -TERM "$tracker_pid" 2>/dev/null || true
		wait "$tracker_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/lablt" ./bench/lablt
scenario=(-size "$SIZE" -chunk "$CHUNK" -u "$U" -us "$US" -d "$D")

# field KEY LINE: the value of KEY=... in a key=value line.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -1; }

declare -A bound
total_bound=0
for n in $NS; do
	line=$("$work/lablt" bound -n "$n" "${scenario[@]}")
	bound[$n]=$(field bound "$line")
	total_bound=$(awk -v a="$total_bound" -v b="${bound[$n]}" 'BEGIN { print a + b }')
done

if [[ " $CLIENTS " == *" libtorrent "* ]]; then
	# The lab's tracker, for libtorrent; it stops by itself well after the
	# last run could have ended, or when the trap stops it.
	deadline=$(awk -v b="$total_bound" -v r="$ROUNDS" -v k="$(wc -w <<<"$NS")" 'BEGIN { printf "%ds", r * (4 * b + 60 * k) + 300 }')
	"$work/lablt" tracker -deadline "$deadline" >"$work/tracker.url" 2>"$work/tracker.log" &
	tracker_pid=$!
	for _ in $(seq 50); do
		[[ -s $work/tracker.url ]] && break
		sleep 0.1
	done
	tracker_url=$(head -1 "$work/tracker.url")
	[[ $tracker_url == http://127.0.0.1:* ]] || die "the tracker did not start: $(cat "$work/tracker.log")"
fi

echo "scenario $SCENARIO: F=$SIZE B, chunk=$CHUNK B, u=$U B/s, u_s=$US B/s, d=$D B/s (0 = unlimited); N in {$NS}; $ROUNDS rounds"
echo "libtorrent $("$python" -c 'import libtorrent as lt; print(lt.__version__)' 2>/dev/null || echo -) ${LT_FLAGS:+(flags: $LT_FLAGS)}; $(nproc) cores; $(go version | cut -d' ' -f3)"

# run CLIENT N: one run; prints its line and records D/bound (99 when it did
# not finish, as bench/labbench counts it).
run() {
	local client=$1 n=$2 line ratio hard
	hard=$(awk -v b="${bound[$n]}" 'BEGIN { printf "%d", 4 * b + 120 }')
	case $client in
	swarmscope)
		line=$(timeout -k 5 "$hard" "$work/lablt" swarmscope -n "$n" "${scenario[@]}" 2>"$work/err") || line="D=nan error=\"$(tail -1 "$work/err")\""
		;;
	libtorrent)
		# shellcheck disable=SC2086 # LT_FLAGS is a list of flags
		line=$(timeout -k 5 "$hard" "$python" bench/lablt/ltswarm.py --n "$n" --size "$SIZE" --piece "$CHUNK" \
			--u "$U" --us "$US" --d "$D" --tracker "$tracker_url" $LT_FLAGS 2>"$work/err") ||
			[[ $line == D=* ]] || line="D=nan error=\"$(tail -1 "$work/err")\""
		;;
	esac
	local d
	d=$(field D "$line")
	if [[ $d == nan || -z $d ]]; then
		ratio=99
	else
		ratio=$(awk -v d="$d" -v b="${bound[$n]}" 'BEGIN { printf "%.3f", d / b }')
	fi
	echo "$ratio" >>"$work/$client-$n"
	printf "round %d  N=%-3d %-10s D/bound=%-6s %s\n" "$round" "$n" "$client" "$ratio" "$line"
}

for round in $(seq "$ROUNDS"); do
	order=$CLIENTS
	if ((round % 2 == 0)); then
		order=$(tr ' ' '\n' <<<"$CLIENTS" | tac | tr '\n' ' ')
	fi
	for n in $NS; do
		for client in $order; do
			run "$client" "$n"
		done
	done
done

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
runs() { [[ -f $1 ]] && tr '\n' ' ' <"$1" | sed 's/ $//' || echo -; }

echo
echo "scenario $SCENARIO, median D/bound over $ROUNDS rounds (goal: swarmscope <= 1.25 and below libtorrent)"
printf "%-4s %-9s %-11s %-24s %-11s %-24s %s\n" N bound swarmscope "(runs)" libtorrent "(runs)" "libtorrent/swarmscope"
for n in $NS; do
	ss=- lt=- rel=-
	[[ -f $work/swarmscope-$n ]] && ss=$(median "$work/swarmscope-$n")
	[[ -f $work/libtorrent-$n ]] && lt=$(median "$work/libtorrent-$n")
	if [[ $ss != - && $lt != - ]]; then
		rel=$(awk -v a="$lt" -v b="$ss" 'BEGIN { printf "%.2f", a / b }')
	fi
	printf "%-4s %-9s %-11s %-24s %-11s %-24s %s\n" "$n" "$(printf %.2fs "${bound[$n]}")" "$ss" "($(runs "$work/swarmscope-$n"))" \
		"$lt" "($(runs "$work/libtorrent-$n"))" "$rel"
done
