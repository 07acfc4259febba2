#!/usr/bin/env bash
# End-to-end test of vtl through the kernel: boot Debian 12's own kernel in qemu, load vtl.ko,
# start the daemons of tests/e2e/conf/device.conf and run real clients (lsscsi, sg3_utils, mt,
# tar, mtx, tapeinfo, loaderinfo, btape, amtapetype, stenc) against them. See README.md here.
#
#   bash tests/e2e/run.sh            the checks (what scripts/test.sh runs with CI=true)
#   bash tests/e2e/run.sh --bench    the measurements of docs/BENCHMARKS.md (not in CI)
#   bash tests/e2e/run.sh --only mt.ops,tar.variable   a subset (setup checks always run)
#
# Needs root on a Debian 12 host (debootstrap, and qemu serving the root filesystem over 9p
# with the guest's file owners). Without root it prints "skipped: ..." and exits 0, unless
# CI=true, where it fails. Everything it fetches or builds is cached in $VTL_E2E_CACHE
# (default target/e2e); the exit status is 0 only when every required check passed.
set -euo pipefail
exec < /dev/null

E2E=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$E2E/../.." && pwd)
MODE='test'
ONLY=''
while [ $# -gt 0 ]; do
    case $1 in
    --bench) MODE=bench ;;
    --only)
        ONLY=$2
        shift
        ;;
    --only=*) ONLY=${1#--only=} ;;
    -h | --help)
        sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "run.sh: unknown argument $1 (see --help)" >&2
        exit 2
        ;;
    esac
    shift
done

# skip REASON: not possible here; a failure under CI=true, a notice otherwise.
skip() {
    if [ "${CI:-}" = true ]; then
        echo "e2e: FAILED: cannot run the end-to-end test: $*" >&2
        exit 1
    fi
    echo "skipped: $*"
    exit 0
}
[ "$(uname -m)" = x86_64 ] || skip "the harness boots an amd64 kernel and needs an x86_64 host"
[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, and qemu serving the guest's root over 9p)"
command -v apt-get > /dev/null || skip "needs a Debian host (apt-get)"
export PATH="$HOME/.cargo/bin:/usr/sbin:/sbin:$PATH"

CACHE=${VTL_E2E_CACHE:-$REPO/target/e2e}
RUN=$CACHE/run
SHARE=$RUN/share
mkdir -p "$CACHE" "$RUN"
# One run at a time per cache (they share the run directory and the VM's disk image).
exec 9> "$CACHE/.lock"
if ! flock -n 9; then
    echo "e2e: another run.sh is using $CACHE (set VTL_E2E_CACHE for a separate one)" >&2
    exit 1
fi
rm -f "$RUN/timings"
: > "$RUN/timings"

# VM settings. TCG: /dev/kvm may exist and still be unusable (nested PVM); ACCEL=kvm CPU=host
# on a machine with real KVM. One vCPU: the host's other cores build (and see --bench).
ACCEL=${ACCEL:-tcg,thread=multi}
CPU=${CPU:-max}
if [ "$MODE" = bench ]; then
    # One vCPU measures faster than two under TCG here: with two, each command crosses
    # vCPUs (the client on one, the daemon on the other) and the host's cores are shared.
    SMP=${SMP:-1}
    MEM=${MEM:-2048}
    DISK_GB=${DISK_GB:-8}
    GUEST_TIMEOUT=${GUEST_TIMEOUT:-2400}
else
    SMP=${SMP:-1}
    MEM=${MEM:-1024}
    DISK_GB=${DISK_GB:-4}
    GUEST_TIMEOUT=${GUEST_TIMEOUT:-900}
fi
VM_TIMEOUT=$((GUEST_TIMEOUT + 120))
CONSOLE_CAP=${CONSOLE_CAP:-4000000}

. "$E2E/lib/host.sh"
trap 'stop_vm' EXIT
trap 'stop_vm; exit 130' INT TERM

say "mode $MODE; cache $CACHE"
if ! host_deps > "$CACHE/host-deps.out" 2>&1; then
    cat "$CACHE/host-deps.out" >&2
    skip "qemu and the VM tools could not be installed (see above)"
fi
step "kernel version" resolve_kver
set_kernel_paths
say "kernel $KVER"
step "kernel fetch" fetch_kernel
step "module build" build_module
step "cargo build" build_bins
step "rootfs" build_rootfs
step "initramfs" build_initramfs
step "share" prepare_share
step "VM run" run_vm

say "step timings:"
sed 's/^/    /' "$RUN/timings"

OUT=$SHARE/out
tail_logs() {
    echo "---- console (last 40 lines of $RUN/console.log)"
    tail -n 40 "$RUN/console.log" 2> /dev/null || true
    local f
    for f in "$OUT"/daemons/*.log "$OUT"/stage2.log; do
        [ -s "$f" ] || continue
        echo "---- $f (last 25 lines)"
        tail -n 25 "$f"
    done
}

if [ "$MODE" = bench ]; then
    if [ -s "$OUT/bench.md" ] && [ -e "$OUT/done" ]; then
        cp "$OUT/bench.md" "$RUN/bench.md"
        say "measurements (also in $RUN/bench.md):"
        cat "$OUT/bench.md"
        exit 0
    fi
    say "FAILED: the measurements did not complete"
    tail_logs
    exit 1
fi

# Assert on the guest's verdicts: every check of checks.list must have one; PASS is required,
# MISSING is accepted only for checks listed as known-missing; anything else fails.
RES=$OUT/results.tsv
fails=0
declare -A verdict detail policy
order=()
while read -r id pol _; do
    case $id in '' | '#'*) continue ;; esac
    policy[$id]=$pol
    order+=("$id")
done < "$E2E/checks.list"
if [ -f "$RES" ]; then
    while IFS=$'\t' read -r st id det; do
        [ -n "$id" ] || continue
        verdict[$id]=$st
        detail[$id]=$det
    done < "$RES"
fi
# With --only, the setup and clean-up checks still run (and count).
selected() {
    [ -z "$ONLY" ] || [ "${policy[$1]}" = setup ] || [ "${policy[$1]}" = cleanup ] ||
        [[ ",$ONLY," == *",$1,"* ]]
}
printf '\n%-34s %-8s %s\n' CHECK RESULT DETAIL
for id in "${order[@]}"; do
    selected "$id" || continue
    st=${verdict[$id]:-NONE}
    det=${detail[$id]:-}
    case $st in
    PASS) ;;
    MISSING)
        if [ "${policy[$id]}" != known-missing ]; then
            st="FAIL"
            det="reported missing, but it is required: $det"
        else
            st="MISSING"
        fi
        ;;
    NONE)
        st=FAIL
        det="no result (the guest did not get there)"
        ;;
    *) st=FAIL ;;
    esac
    [ "$st" = FAIL ] && fails=$((fails + 1))
    printf '%-34s %-8s %s\n' "$id" "$st" "$det"
done
for id in "${!verdict[@]}"; do
    if [ -z "${policy[$id]:-}" ]; then
        printf '%-34s %-8s %s\n' "$id" FAIL "not in tests/e2e/checks.list"
        fails=$((fails + 1))
    fi
done
if [ ! -e "$OUT/done" ]; then
    echo "the guest's test script did not finish"
    fails=$((fails + 1))
fi
echo
if [ "$fails" -gt 0 ]; then
    say "FAILED: $fails check(s); logs of each check in $OUT/log/"
    for id in "${order[@]}"; do
        selected "$id" || continue
        if [ "${verdict[$id]:-}" = FAIL ] && [ -s "$OUT/log/$id.log" ]; then
            echo "---- $OUT/log/$id.log (last 15 lines)"
            tail -n 15 "$OUT/log/$id.log"
        fi
    done
    tail_logs
    exit 1
fi
say "all required checks passed ($(grep -c . "$RES") results; logs in $OUT/log/)"
