#!/bin/bash
# The measurements of `tests/e2e/run.sh --bench` (docs/BENCHMARKS.md, "Through the kernel,
# in a VM"), run in the guest. Not a test: it only fails when something does not work.
#   1. dd of 1 GiB to and from the stand-alone drive's /dev/nstN with 64 KiB, 256 KiB and
#      1 MiB blocks, compression off and LZO (written as 16 files of a 64 MiB source made of
#      the guest's own /usr files, so that LZO has real data to work on);
#   2. command latency: TEST UNIT READY through SG_IO after 5 s idle (10 times) and back
#      to back (1000), timed inside one process (guest/sgio_latency.py);
#   3. MOVE MEDIUM slot 1 <-> drive 1: through SG_IO in one process, and as mtx load and
#      unload (5 times each).
# Results: /share/out/bench.md (a Markdown section), raw numbers in /share/out/log/bench.log.
set -o pipefail
. /share/guest/lib.sh
load_units
exec > >(tee "$LOGD/bench.log") 2>&1

. /share/host-info
SA=20
LIB=10
SA_HOME=$(u $SA home)
B=$OUT/bench.md
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
fail() {
    say "bench: FAILED: $*"
    exit 1
}

modprobe -a st sg ch
insmod "/lib/modules/$(uname -r)/extra/vtl.ko" || fail "insmod"
wait_for 10 test -c /dev/vtl/control || fail "no /dev/vtl/control"
mkdir -p "$(u $LIB home)" "$SA_HOME"
mktape --library-contents -C "$CONF" -s 256 > /dev/null || fail "mktape --library-contents"
mktape -H "$SA_HOME" -m BENCH1L6 -s 3072 -t data -d LTO6 > /dev/null || fail "mktape BENCH1L6"
vtlcmd start -C "$CONF" || fail "vtlcmd start"
discover || fail "units missing"
T=$(dev $SA nst)
SG=$(dev $SA sg)
vtlcmd $SA load BENCH1L6 || fail "vtlcmd $SA load"
wait_for 30 ready "$T" || fail "drive $SA not ready"

# The source: 64 MiB of the guest's files (binaries, libraries, perl, text), in RAM.
tar -cf - /usr/lib /usr/share 2> /dev/null | head -c $((64 << 20)) > /dev/shm/src
[ "$(stat -c %s /dev/shm/src)" = $((64 << 20)) ] || fail "source data"
ratio=$(gzip -1 -c /dev/shm/src | wc -c | awk '{ printf "%.2f", 67108864 / $1 }')
say "source: 64 MiB, gzip -1 ratio $ratio"

{
    echo "| block size | compression | write MiB/s | read MiB/s |"
    echo "|---|---|---:|---:|"
} > /tmp/dd.md
for comp in off lzo; do
    if [ $comp = lzo ]; then
        vtlcmd $SA compression lzo || fail "vtlcmd compression lzo"
        mt -f "$T" compression 1 || fail "mt compression 1"
    else
        mt -f "$T" compression 0 || fail "mt compression 0"
    fi
    x sg_modes -p 0x0f "$SG"
    for bs in 64k 256k 1M; do
        mt -f "$T" rewind
        t0=$(now)
        for _ in $(seq 16); do
            dd if=/dev/shm/src of="$T" bs=$bs 2> /dev/null || fail "dd write bs=$bs"
        done
        t1=$(now)
        mt -f "$T" rewind
        t2=$(now)
        for _ in $(seq 16); do
            dd if="$T" of=/dev/null bs=$bs 2> /dev/null || fail "dd read bs=$bs"
        done
        t3=$(now)
        w=$(awk -v s="$(secs "$t0" "$t1")" 'BEGIN { printf "%.0f", 1024 / s }')
        r=$(awk -v s="$(secs "$t2" "$t3")" 'BEGIN { printf "%.0f", 1024 / s }')
        say "dd bs=$bs compression $comp: write $(secs "$t0" "$t1") s ($w MiB/s), read $(secs "$t2" "$t3") s ($r MiB/s)"
        echo "| $bs | $comp | $w | $r |" >> /tmp/dd.md
        x du -sh "$SA_HOME/BENCH1L6"
    done
done
mt -f "$T" rewind

# Latency: TEST UNIT READY after 5 s idle (10 times) and back to back (1000), timed around
# the SG_IO ioctl inside one process (starting a program costs more than the command here).
python3 "$GUEST/sgio_latency.py" tur "$SG" 5 10 1000 > /tmp/lat.txt || fail "sgio_latency.py tur"
cat /tmp/lat.txt
read -r -a lat <<< "$(sed -n 's/^idle_ms: //p' /tmp/lat.txt)"
b2b=$(sed -n 's/^burst_us: //p' /tmp/lat.txt)
t0=$(now)
/bin/true
t1=$(now)
spawn=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')

# MOVE MEDIUM slot 1 -> drive 1 and back: through SG_IO in one process, then through mtx
# (each run including mtx's start).
LSG=$(dev $LIB sg)
vtlcmd $LIB status --json > /tmp/lib.json || fail "vtlcmd $LIB status --json"
a_t=$(python3 "$GUEST/e2e.py" addr /tmp/lib.json picker 1)
a_s=$(python3 "$GUEST/e2e.py" addr /tmp/lib.json slot 1)
a_d=$(python3 "$GUEST/e2e.py" addr /tmp/lib.json drive 1)
python3 "$GUEST/sgio_latency.py" move "$LSG" "$a_t" "$a_s" "$a_d" 5 > /tmp/move.txt ||
    fail "sgio_latency.py move"
cat /tmp/move.txt
read -r -a mv_there <<< "$(sed -n 's/^move_ms: //p' /tmp/move.txt)"
read -r -a mv_back <<< "$(sed -n 's/^back_ms: //p' /tmp/move.txt)"
loads=()
unloads=()
for _ in $(seq 5); do
    t0=$(now)
    mtx -f "$LSG" load 1 0 > /dev/null || fail "mtx load"
    t1=$(now)
    mtx -f "$LSG" unload 1 0 > /dev/null || fail "mtx unload"
    t2=$(now)
    loads+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }')")
    unloads+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.0f", (b - a) * 1000 }')")
done
say "mtx load (ms): ${loads[*]}; mtx unload (ms): ${unloads[*]}"
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

vtlcmd stop -C "$CONF" || say "vtlcmd stop failed"
rmmod vtl || say "rmmod failed"

{
    echo "Measured $(date -u +%Y-%m-%d) by \`bash tests/e2e/run.sh --bench\`: Debian 12 kernel $(uname -r)"
    echo "in QEMU $qemu, accelerator $accel (TCG, no KVM: every guest instruction is translated, so"
    echo "these numbers are far below bare metal; compare them with each other, not with a real"
    echo "drive), $(nproc) vCPU(s), $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB, on a host with $host_cores cores ($host_cpu); media"
    echo "on an ext4 virtio disk (a sparse file on the host)."
    echo "Drive: stand-alone $(u $SA vendor) $(u $SA product), cartridge LTO-6 of 3 GiB; 1 GiB per run as 16"
    echo "files of one 64 MiB source (the guest's /usr files, gzip -1 ratio $ratio), \`dd\` through st."
    echo
    cat /tmp/dd.md
    echo
    echo "| latency | median | runs |"
    echo "|---|---:|---|"
    echo "| TEST UNIT READY after 5 s idle (SG_IO, ms) | $(median "${lat[@]}") | ${lat[*]} |"
    echo "| TEST UNIT READY back to back, mean of 1000 (SG_IO, µs) | $b2b | |"
    echo "| MOVE MEDIUM slot 1 → drive 1 (SG_IO, ms) | $(median "${mv_there[@]}") | ${mv_there[*]} |"
    echo "| MOVE MEDIUM drive 1 → slot 1 (SG_IO, ms) | $(median "${mv_back[@]}") | ${mv_back[*]} |"
    echo "| \`mtx load 1 0\` (MOVE MEDIUM slot → drive, ms; includes starting mtx) | $(median "${loads[@]}") | ${loads[*]} |"
    echo "| \`mtx unload 1 0\` (MOVE MEDIUM drive → slot, ms; includes starting mtx) | $(median "${unloads[@]}") | ${unloads[*]} |"
    echo "| starting \`/bin/true\` (ms), for scale | $spawn | |"
} > "$B"
cat "$B"
touch "$OUT/done"
