#!/usr/bin/env bash
# Seed the fuzz corpora fuzz/corpus/<target>/ from the mhvtl fixtures
# (../shared/fixtures/mhvtl beside the workspace, or $VTL_FIXTURES), plus a few hand-made
# inputs. Idempotent: each seed is named by the SHA-1 of its bytes, as libFuzzer names its
# own corpus entries. The corpora are not committed (the fixtures hold third-party text).
# Without fixtures only the hand-made seeds are written (a note says so).
set -euo pipefail
cd "$(dirname "$0")"
fx="${VTL_FIXTURES:-../../shared/fixtures/mhvtl}"
corpus=corpus
targets=(index meta mam_legacy mam_tlv mhvtl_data device_conf config_device_conf library_contents decompress barcode cartridge scsi_tape scsi_library control)
for t in "${targets[@]}"; do mkdir -p "$corpus/$t"; done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# add TARGET FILE: copy FILE into the target's corpus under its SHA-1.
add() {
  local sum
  sum=$(sha1sum "$2" | cut -d' ' -f1)
  cp "$2" "$corpus/$1/$sum"
  chmod u+w "$corpus/$1/$sum"
}
# add_bytes TARGET: stdin becomes one seed.
add_bytes() { cat >"$tmp/seed"; add "$1" "$tmp/seed"; }
# le32 N: N as 4 little-endian bytes.
le32() {
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
    $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}
# u32 FILE OFFSET: the little-endian u32 at OFFSET of FILE.
u32() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }
size() { stat -c %s "$1"; }
# cut_bytes FILE OFFSET COUNT: COUNT bytes of FILE from OFFSET.
cut_bytes() { dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=64K status=none; }

# Hand-made seeds (also the only ones when the fixtures are missing).
printf 'E01001L8' | add_bytes barcode
printf 'E01001L8..E01010L8' | add_bytes barcode
printf 'A09..A11' | add_bytes barcode
printf 'W_1.2+3#' | add_bytes barcode
printf 'VERSION: 5\n\nLibrary: 10 CHANNEL: 00\n Home directory: /srv/l10\n\nDrive: 11\n Home directory: /x\n' |
  add_bytes device_conf
printf 'VERSION: 5\n\nLibrary: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Product identification: SDLT 320\n PERSIST: Yes\n\nDrive: 11 CHANNEL: 00 TARGET: 01 LUN: 00\n Library ID: 10 Slot: 01\n Compression: 6\n NAA: 1:2:3\n' |
  add_bytes config_device_conf
printf 'VERSION: 2\nDrive 2: SER1\nPicker 1: P00001L8\nMAP 3: M00001L9\nSlot 1: E01001L8\nSlot 4: \nSlot 5: NOBAR01\n' |
  add_bytes library_contents
{ printf '\x01'; le32 5; printf '\x11\x00\x00'; } | add_bytes decompress
# control: request lines as vtlcmd sends them, one per line.
printf 'open map\nload map MAP001L8\nload map MAP002L8\nlist map\nclose map\nempty map\nadd slot\nstatus --json\n' |
  add_bytes control
printf 'TapeAlert 0x00000000000000ff\nInquiryDataChange\nverbose\ndebug\noffline\nonline\nload E01001L8\nAppend Only Yes\n' |
  add_bytes control
printf 'open map\nload map E01001L8\nload map ABCDEFGHIJKLMNOPQ\nload map A/B\ndelay rewind 31\nexit\n' |
  add_bytes control

have_fixtures=1
[ -d "$fx/legacy" ] && [ -d "$fx/v6" ] || have_fixtures=0
if [ "$have_fixtures" = 0 ]; then
  echo "seed.sh: no mhvtl fixtures at $fx (set VTL_FIXTURES): hand-made seeds only"
  exit 0
fi

for f in "$fx"/etc/*/device.conf; do add device_conf "$f"; add config_device_conf "$f"; done
for f in "$fx"/etc/*/library_contents.*; do add library_contents "$f"; done
for d in "$fx"/legacy/* "$fx"/v6/*; do
  pcl=$(basename "$d")
  printf '%s' "$pcl" | add_bytes barcode
  if [ -f "$d/meta" ] && [ ! -f "$d/mam" ]; then
    # Legacy: the MAM is the start of meta, the filemark section the rest.
    head -c 1024 "$d/meta" | add_bytes mam_legacy
    { printf '\x02\x03\x00'; tail -c +1025 "$d/meta"; } | add_bytes meta
  fi
  if [ -f "$d/mam" ]; then
    if [ "$(u32 "$d/mam" 4)" = 4 ]; then add mam_tlv "$d/mam"; else add mam_legacy "$d/mam"; fi
  fi
  [ -f "$d/mhvtl_data" ] && add mhvtl_data "$d/mhvtl_data"
  for m in "$d"/meta.*; do
    [ -f "$m" ] && { printf '\x02\x03\x01'; cat "$m"; } | add_bytes meta
  done
  # Index files, and the stored bytes of up to 8 data blocks of each.
  for i in "$d"/indx "$d"/indx.*; do
    [ -f "$i" ] && [ "$(size "$i")" -gt 0 ] || continue
    head -c 65536 "$i" | add_bytes index
    data="${i/indx/data}"
    n=$(($(size "$i") / 512))
    [ "$n" -gt 8 ] && n=8
    for ((r = 0; r < n; r++)); do
      o=$((r * 512))
      [ "$(u32 "$i" $((o + 8)))" = 11 ] || continue
      off=$(u32 "$i" "$o")
      flags=$(u32 "$i" $((o + 12)))
      bsize=$(u32 "$i" $((o + 20)))
      disk=$(u32 "$i" $((o + 24)))
      [ "$disk" -gt 0 ] && [ "$disk" -le 65536 ] && [ "$bsize" -le 1048576 ] || continue
      [ -f "$data" ] && [ "$(size "$data")" -ge $((off + disk)) ] || continue
      if ((flags & 4)); then kind='\x01'; elif ((flags & 1)); then kind='\x02'; else kind='\x00'; fi
      { printf "$kind"; le32 "$bsize"; cut_bytes "$data" "$off" "$disk"; } |
        add_bytes decompress
    done
  done
  # The whole cartridge, packed as the cartridge target reads it (small tapes only).
  [ "$(du -sb "$d" | cut -f1)" -le 65536 ] || continue
  {
    if [ -f "$d/mam" ]; then
      mode=1
      [ -f "$d/mhvtl_data" ] || mode=$((mode | 4))
      if [ -f "$d/data.0" ]; then
        parts=$(ls "$d" | grep -c '^data\.[0-9]$')
        mode=$((mode | (parts - 1) << 4))
        files=(mam mhvtl_data)
        for ((p = 0; p < parts; p++)); do files+=("meta.$p" "indx.$p" "data.$p"); done
      else
        mode=$((mode | 2))
        files=(mam mhvtl_data meta indx data)
      fi
    else
      mode=0
      files=(meta indx data)
    fi
    printf "$(printf '\\x%02x' "$mode")"
    for f in "${files[@]}"; do
      if [ -f "$d/$f" ]; then le32 "$(size "$d/$f")"; cat "$d/$f"; else le32 0; fi
    done
  } | add_bytes cartridge
done
# scsi_tape: command sequences as st, mt and sg3_utils send them. rec NEXUS "CDB hex"
# "DATA-OUT hex" appends one record ([nexus<<6 | cdb length][cdb][u16 LE length][data]).
hexbytes() { local h; for h in $1; do printf "\\x$h"; done; }
rec() {
  local n=$1 cdb=($2) data=($3)
  printf "$(printf '\\x%02x' $(($1 << 6 | ${#cdb[@]})))"
  hexbytes "$2"
  printf "$(printf '\\x%02x\\x%02x' $((${#data[@]} & 255)) $((${#data[@]} >> 8)))"
  hexbytes "$3"
}
{
  printf '\x00'
  rec 0 "00 00 00 00 00 00" ""                       # TUR: power on UA
  rec 0 "03 00 00 00 12 00" ""                       # REQUEST SENSE
  rec 0 "00 00 00 00 00 00" ""                       # TUR: medium changed UA
  rec 0 "05 00 00 00 06 00" ""                       # READ BLOCK LIMITS
  rec 0 "1a 00 00 00 0c 00" ""                       # MODE SENSE(6) block descriptor
  rec 0 "0a 00 00 00 08 00" "41 42 43 44 45 46 47 48" # WRITE(6) 8 bytes
  rec 0 "10 00 00 00 01 00" ""                       # WRITE FILEMARKS 1
  rec 0 "01 00 00 00 00 00" ""                       # REWIND
  rec 0 "08 00 00 01 00 00" ""                       # READ(6) 256: ILI
  rec 0 "08 00 00 01 00 00" ""                       # READ(6): filemark
  rec 0 "11 01 00 00 01 00" ""                       # SPACE 1 filemark
  rec 0 "11 03 00 00 00 00" ""                       # SPACE EOD
  rec 0 "34 00 00 00 00 00 00 00 00 00" ""           # READ POSITION
  rec 0 "2b 00 00 00 00 00 00 00 00 00" ""           # LOCATE 0
  rec 0 "15 10 00 00 1c 00" "00 00 10 08 00 00 00 00 00 00 02 00 0f 0e 40 80 00 00 00 01 00 00 00 01 00 00 00 00" # MODE SELECT page 0x0F
  rec 0 "4d 00 40 00 00 00 00 01 00 00" ""           # LOG SENSE page 0
  rec 0 "12 01 83 00 ff 00" ""                       # INQUIRY VPD 0x83
  rec 1 "5f 00 00 00 00 00 00 00 18 00" "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00" # PR OUT REGISTER
  rec 1 "5e 00 00 00 00 00 00 00 ff 00" ""           # PR IN READ KEYS
  rec 0 "a3 0c 00 00 00 00 00 00 ff ff 00 00" ""     # REPORT SUPPORTED OPERATION CODES
  rec 0 "44 00 00 00 00 00 00 ff ff 00" ""           # REPORT DENSITY SUPPORT
  rec 0 "1b 00 00 00 00 00" ""                       # UNLOAD
} | add_bytes scsi_tape
# scsi_tape: LTFS's format into two partitions and a write to each, programmable early
# warning, volume statistics.
{
  printf '\x00'
  rec 0 "00 00 00 00 00 00" ""                       # TUR: power on UA
  rec 0 "00 00 00 00 00 00" ""                       # TUR: medium changed UA
  rec 0 "5a 00 11 00 00 00 00 00 1c 00" ""           # MODE SENSE(10) page 0x11, 28 bytes
  rec 0 "55 10 00 00 00 00 00 00 20 00" "00 00 00 10 00 00 00 08 00 00 00 00 00 00 00 00 11 0e 03 01 3c 03 00 00 00 01 ff ff 00 00 00 00" # MODE SELECT(10) page 0x11: IDP, 1 byte + rest
  rec 0 "04 00 02 00 00 00" ""                       # FORMAT MEDIUM 2h
  rec 0 "92 02 00 01 00 00 00 00 00 00 00 00 00 00 00 00" "" # LOCATE(16) CP partition 1
  rec 0 "0a 00 00 00 08 00" "41 42 43 44 45 46 47 48" # WRITE(6) 8 bytes
  rec 0 "10 00 00 00 01 00" ""                       # WRITE FILEMARKS 1
  rec 0 "34 06 00 00 00 00 00 00 00 00" ""           # READ POSITION long
  rec 0 "4d 00 57 00 00 00 00 ff ff 00" ""           # LOG SENSE page 0x17
  rec 0 "55 10 00 00 00 00 00 00 30 00" "00 00 00 10 00 00 00 08 00 00 00 00 00 00 00 00 50 01 00 1c 00 00 00 0a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" # MODE SELECT(10) page 0x10/0x01 PEWS 10
  rec 0 "91 01 00 00 ff ff ff ff ff ff ff ff 00 00 00 00" "" # SPACE(16) -1 filemark
  rec 0 "0b 00 00 80 00 00" ""                       # SET CAPACITY half
} | add_bytes scsi_tape
# scsi_tape: stenc's encryption life cycle (SECURITY PROTOCOL OUT set data encryption with
# a 32-byte key and a U-KAD, IN status pages, an encrypted write, reads with a wrong key and
# the right one) and logical block protection (mode page 0x0A/0xF0 RS-CRC, a protected write
# and read), to aim the fuzzer at those parsers.
{
  printf '\x00'
  rec 0 "00 00 00 00 00 00" ""                       # TUR: power on UA
  rec 0 "00 00 00 00 00 00" ""                       # TUR: medium changed UA
  rec 0 "a2 20 00 10 00 00 00 00 00 40 00 00" ""     # SPIN capabilities
  rec 0 "b5 20 00 10 00 00 00 00 00 3d 00 00" "00 10 00 39 40 40 02 02 01 00 01 00 00 00 00 00 00 00 00 20 40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d 5e 5f 00 00 00 05 4b 45 59 2d 41"
  rec 0 "a2 20 00 20 00 00 00 00 00 40 00 00" ""     # SPIN data encryption status
  rec 0 "0a 00 00 00 10 00" "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"
  rec 0 "10 00 00 00 01 00" ""                       # WRITE FILEMARKS 1
  rec 0 "01 00 00 00 00 00" ""                       # REWIND
  rec 0 "a2 20 00 21 00 00 00 00 00 40 00 00" ""     # SPIN next block status
  rec 0 "b5 20 00 10 00 00 00 00 00 34 00 00" "00 10 00 30 40 40 00 02 01 00 01 00 00 00 00 00 00 00 00 20 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77 77"
  rec 0 "08 00 00 00 10 00" ""                       # READ: incorrect key
  rec 0 "b5 20 00 10 00 00 00 00 00 3d 00 00" "00 10 00 39 40 40 02 02 01 00 01 00 00 00 00 00 00 00 00 20 40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d 5e 5f 00 00 00 05 4b 45 59 2d 41"
  rec 0 "08 00 00 00 10 00" ""                       # READ: plaintext
} | add_bytes scsi_tape
{
  printf '\x00'
  rec 0 "00 00 00 00 00 00" ""
  rec 0 "00 00 00 00 00 00" ""
  rec 0 "15 10 00 00 24 00" "00 00 00 00 4a f0 00 1c 01 04 c0 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"                # MODE SELECT 0x0A/0xF0 RS-CRC
  rec 0 "0a 00 00 00 29 00" "02 03 05 07 0b 0d 11 13 17 1d 1f 25 29 2b 2f 35 3b 3d 43 47 49 4f 53 59 61 65 67 6b 6d 71 7f 83 89 8b 95 97 9d 73 3d 4d ca"    # WRITE with its RS-CRC
  rec 0 "01 00 00 00 00 00" ""
  rec 0 "08 00 00 00 29 00" ""                       # READ with LBP_R
  rec 0 "01 00 00 00 00 00" ""
  rec 0 "13 10 00 00 25 00" ""                       # VERIFY VLBPM
} | add_bytes scsi_tape
# scsi_library: what mtx sends (status, load, unload, transfer, exchange, inventory) and the
# other SMC commands, on the STK L700 personality (setup byte 0: picker 1, MAP 10-11, drives
# 500-501, slots 1000-1005; slot 1004 and MAP 11 are empty).
{
  printf '\x00'
  rec 0 "00 00 00 00 00 00" ""                       # TUR: power on UA
  rec 0 "12 00 00 00 60 00" ""                       # INQUIRY
  rec 0 "1a 08 1d 00 ff 00" ""                       # MODE SENSE(6) 0x1D element address assignment
  rec 0 "b8 10 00 00 ff ff 00 00 ff ff 00 00" ""     # READ ELEMENT STATUS, all, VOLTAG
  rec 0 "a5 00 00 01 03 e8 01 f4 00 00 00 00" ""     # MOVE MEDIUM slot 1000 -> drive 500 (load)
  rec 0 "b8 14 01 f4 00 02 01 00 ff ff 00 00" ""     # READ ELEMENT STATUS drives, VOLTAG, DVCID
  rec 0 "a5 00 00 01 01 f4 03 eb 00 00 00 00" ""     # MOVE MEDIUM drive 500 -> slot 1003 (unload)
  rec 0 "a5 00 00 01 03 e9 03 ec 00 00 00 00" ""     # MOVE MEDIUM slot 1001 -> slot 1004 (transfer)
  rec 0 "a6 00 00 01 03 ec 03 eb 03 ec 00 00" ""     # EXCHANGE MEDIUM 1004 <-> 1003
  rec 0 "2b 00 00 01 03 e8 00 00 00 00" ""           # POSITION TO ELEMENT 1000
  rec 0 "07 00 00 00 00 00" ""                       # INITIALIZE ELEMENT STATUS (inventory)
  rec 0 "e7 01 03 e8 00 00 00 04 00 00" ""           # INITIALIZE ELEMENT STATUS WITH RANGE
  rec 0 "1b 00 00 0a 00 00" ""                       # OPEN IMPORT/EXPORT ELEMENT 10
  rec 0 "1b 00 00 0a 01 00" ""                       # CLOSE IMPORT/EXPORT ELEMENT 10
  rec 0 "1e 00 00 00 01 00" ""                       # PREVENT MEDIUM REMOVAL
  rec 0 "a5 00 00 01 00 0a 03 ed 00 00 00 00" ""     # MOVE MEDIUM MAP 10 -> slot 1005
  rec 0 "1e 00 00 00 00 00" ""                       # ALLOW MEDIUM REMOVAL
  rec 0 "a5 00 00 01 03 ea 01 f5 00 00 00 00" ""     # MOVE MEDIUM cleaning slot 1002 -> drive 501
  rec 0 "4d 00 6e 00 00 00 00 01 00 00" ""           # LOG SENSE 0x2E TapeAlert
  rec 0 "5a 08 3f 00 00 00 00 10 00 00" ""           # MODE SENSE(10) all pages
  rec 1 "a0 00 00 00 00 00 00 00 01 00 00 00" ""     # REPORT LUNS
} | add_bytes scsi_library

for t in "${targets[@]}"; do
  echo "seed.sh: $t: $(ls "$corpus/$t" | wc -l) inputs"
done
