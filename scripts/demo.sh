#!/usr/bin/env bash
# The main job on an embedded default: build vtl, write a default configuration into
# ./vtl-demo/etc, create a small library of cartridges in ./vtl-demo/media with mktape,
# preload a real file onto one of them with preload_tape, and dump, verify and extract it
# with dump_tape. Safe to run again (it starts from scratch).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release --locked -q
BIN="${CARGO_TARGET_DIR:-target}/release"
DEMO=${VTL_DEMO_DIR:-$PWD/vtl-demo}
rm -rf "$DEMO"
mkdir -p "$DEMO/etc" "$DEMO/media"

# The embedded default: one STK L700 library (10) with two LTO-8 drives, as mhvtl generates.
cat > "$DEMO/etc/device.conf" <<CONF
VERSION: 5

Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00
 Vendor identification: STK
 Product identification: L700
 Unit serial number: XYZZY_A
 NAA: 10:22:33:44:ab:00:00:00
 Home directory: $DEMO/media
 PERSIST: False
 Backoff: 400

Drive: 11 CHANNEL: 00 TARGET: 01 LUN: 00
 Library ID: 10 Slot: 01
 Vendor identification: IBM
 Product identification: ULT3580-TD8
 Unit serial number: XYZZY_A1
 NAA: 10:22:33:44:ab:00:01:00
 Compression: factor 1 enabled 1
 Compression type: lzo
 Backoff: 400

Drive: 12 CHANNEL: 00 TARGET: 02 LUN: 00
 Library ID: 10 Slot: 02
 Vendor identification: IBM
 Product identification: ULT3580-TD8
 Unit serial number: XYZZY_A2
 NAA: 10:22:33:44:ab:00:02:00
 Compression: factor 1 enabled 1
 Compression type: lzo
 Backoff: 400
CONF

export VTL_CONFIG_DIR="$DEMO/etc"
echo "== mktape: 8 data cartridges, a WORM and a cleaning cartridge in library 10"
$BIN/mktape -l 10 -m E01001L8..E01008L8 -s 500 -t data -d LTO8 -v
$BIN/mktape -l 10 -m W01001L8 -s 500 -t WORM -d LTO8
$BIN/mktape -l 10 -m CLN101L8 -s 500 -t clean -d LTO8
$BIN/mktape -l 10 -m E01009L8 -s 500 -t data -d LTO8 --format v6
ls "$DEMO/media"
echo "== preload_tape: write a real file onto E01001L8 (LZO, 64 KiB blocks), verify, extract, compare"
SRC=/etc/services
[ -r "$SRC" ] || SRC=$PWD/README.md
$BIN/preload_tape -m E01001L8 -F "$SRC" -b 65536 -c LZO -v
$BIN/dump_tape --verify -m E01001L8
$BIN/dump_tape -m E01001L8 --extract 0 -o "$DEMO/extracted"
cmp "$SRC" "$DEMO/extracted" && echo "tape file 0 of E01001L8 is identical to $SRC"
echo "== dump_tape --verify --json -m E01009L8 (v6 layout)"
$BIN/dump_tape --verify --json -m E01009L8
echo "== done: cartridges are in $DEMO/media, configuration in $DEMO/etc"
