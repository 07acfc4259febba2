#!/usr/bin/env bash
# Run every cargo-fuzz target of vtl for SECONDS each (default 30); fail on any crash.
#
#   bash fuzz/run.sh [SECONDS]
#
# Installs cargo-fuzz when it is missing, seeds the corpora from the mhvtl fixtures
# (fuzz/seed.sh), builds every target once, then runs them FUZZ_JOBS at a time with their
# scratch cartridges on tmpfs. Prints one line per target (executions, seconds, result) and
# exits 1 when any target crashed, timed out or ran out of memory: the input is then in
# fuzz/artifacts/<target>/ and the log tail is printed.
#
# cargo-fuzz needs nightly compiler flags (-Z sanitizer, sanitizer coverage); the stable
# toolchain accepts them with RUSTC_BOOTSTRAP=1, which this script sets for cargo-fuzz only.
#
# Environment:
#   FUZZ_TARGETS    targets to run (space separated; default: all)
#   FUZZ_JOBS       targets run at the same time (default: number of CPUs)
#   FUZZ_RUNS       stop a target after this many executions (default: no limit)
#   FUZZ_SANITIZER  address (default) or none (about twice as many executions per second;
#                   libvtlcart has no unsafe code, but zlib and the compression crates do)
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-30}"
case "$secs" in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
export PATH="$HOME/.cargo/bin:$PATH"
all=(index meta mam_legacy mam_tlv mhvtl_data device_conf config_device_conf library_contents decompress barcode cartridge scsi_tape scsi_library control)
read -r -a targets <<<"${FUZZ_TARGETS:-${all[*]}}"
jobs="${FUZZ_JOBS:-$(nproc)}"
runs="${FUZZ_RUNS:--1}"
san="${FUZZ_SANITIZER:-address}"

# Longest input per target (bytes).
max_len() {
  case "$1" in
    index | decompress | cartridge) echo 65536 ;;
    scsi_tape | scsi_library) echo 16384 ;;
    meta) echo 8192 ;;
    mam_tlv | device_conf | config_device_conf | library_contents) echo 4096 ;;
    mam_legacy | mhvtl_data) echo 2048 ;;
    barcode) echo 64 ;;
    control) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

start=$SECONDS
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --version '^0.13' --locked
fi
echo "== seeding fuzz/corpus"
bash seed.sh
echo "== building the fuzz targets (sanitizer: $san)"
flags=(-O -a -s "$san")
triple=$(rustc -vV | sed -n 's/^host: //p')
# cargo-fuzz builds into $CARGO_TARGET_DIR when it is set (relative paths are taken from fuzz/).
target_dir="${CARGO_TARGET_DIR:-target}"
RUSTC_BOOTSTRAP=1 cargo fuzz build "${flags[@]}" --target "$triple"
built=$SECONDS

tmp=$(mktemp -d /dev/shm/vtl-fuzz.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/logs" "$tmp/rc" "$tmp/scratch"

run_one() {
  local t=$1 rc=0
  mkdir -p "artifacts/$t" "corpus/$t"
  # The binaries built above, not `cargo fuzz run`: sources edited while this runs do not
  # change what the later targets test.
  TMPDIR="$tmp/scratch" "$target_dir/$triple/release/$t" -artifact_prefix="artifacts/$t/" \
    -max_total_time="$secs" -runs="$runs" -max_len="$(max_len "$t")" -timeout=30 \
    -rss_limit_mb=2048 -print_final_stats=1 "corpus/$t" >"$tmp/logs/$t" 2>&1 || rc=$?
  echo "$rc" >"$tmp/rc/$t"
}

echo "== running ${#targets[@]} targets for ${secs}s each, $jobs at a time"
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$t" &
done
wait

failed=()
printf '%-12s %14s %8s  %s\n' target executions seconds result
for t in "${targets[@]}"; do
  log="$tmp/logs/$t"
  rc=$(cat "$tmp/rc/$t" 2>/dev/null || echo "?")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  if [ "$rc" = 0 ]; then result=ok; else result="FAILED (exit $rc)"; failed+=("$t"); fi
  printf '%-12s %14s %8s  %s\n' "$t" "${execs:-?}" "${took:-?}" "$result"
done
echo "== build $((built - start))s, total $((SECONDS - start))s"
if [ ${#failed[@]} -gt 0 ]; then
  for t in "${failed[@]}"; do
    echo "== $t: what failed (inputs in fuzz/artifacts/$t/)"
    grep -m 3 -A 2 -E "panicked at|ERROR: (libFuzzer|AddressSanitizer)" "$tmp/logs/$t" || true
    grep -E "Test unit written|^SUMMARY" "$tmp/logs/$t" || tail -n 20 "$tmp/logs/$t"
  done
  exit 1
fi
