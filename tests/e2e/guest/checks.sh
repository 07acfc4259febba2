#!/bin/bash
# The e2e checks, run in the guest. `checks.sh` runs every check of /share/checks.list in
# order (lib.sh run_all); `checks.sh --run ID` runs one (what run_all does for each).
# Expectations come from /etc/vtl/device.conf and library_contents.10 (tests/e2e/conf).
#
# Which unit does what (device.conf ids):
#   10 library STK L700: mtx, loaderinfo, status against vtlcmd
#   11 IBM LTO-8  (E2E005L8): mt, tar variable-block, sg_logs/sg_modes/sg_read_attr, tapeinfo
#   12 IBM LTO-8  (E2E002L8): btape test and autochanger (which then loads slot 1 here)
#   13 HP LTO-6   (E2E011L6): tar fixed-block, kill -9 of its daemon
#   14 HP LTO-6   (E2E012L6): stenc
#   20 stand-alone IBM LTO-6 (its own home): amtapetype, fill to the end
set -o pipefail
. /share/guest/lib.sh
load_units
load_devs

LIB=10
SA=20 # the stand-alone drive
SA_HOME=$(u $SA home)
LIB_HOME=$(u $LIB home)
LIB_SIZE=256 # MiB, every library cartridge
AMANDA_TAPE=SA0001L6
AMANDA_SIZE=48
FILL_TAPE=SA0002L6
FILL_SIZE=24

# ------------------------------------------------------------------------------------------
check_module_load() {
    x modprobe -a st sg ch
    local ko=/lib/modules/$(uname -r)/extra/vtl.ko
    expect_ok "insmod vtl.ko" insmod "$ko"
    x lsmod
    if wait_for 10 test -c /dev/vtl/control; then
        ok "/dev/vtl/control exists"
    else
        bad "no /dev/vtl/control after insmod"
    fi
    x ls -l /dev/vtl
    dmesg | tail -n 20
    detail "$(modinfo -F version "$ko" 2> /dev/null | sed 's/^/version /')"
}

check_media_create() {
    mkdir -p "$LIB_HOME" "$SA_HOME" "$DATA"
    expect_ok "mktape --library-contents" mktape --library-contents -C "$CONF" -s $LIB_SIZE
    local el n=0
    for el in $(compgen -v LCT_ | grep -Ev '_count$'); do
        [ -n "${!el}" ] || continue
        n=$((n + 1))
        if [ -d "$LIB_HOME/${!el}" ]; then ok "${!el} created"; else bad "no $LIB_HOME/${!el}"; fi
    done
    # The stand-alone drive's cartridges, in its own home: small ones to fill quickly.
    expect_ok "mktape $AMANDA_TAPE" mktape -H "$SA_HOME" -m $AMANDA_TAPE -s $AMANDA_SIZE -t data -d LTO6
    expect_ok "mktape $FILL_TAPE" mktape -H "$SA_HOME" -m $FILL_TAPE -s $FILL_SIZE -t data -d LTO6
    x dump_tape -H "$LIB_HOME" -m E2E001L8
    detail "$n library cartridges of $LIB_SIZE MiB, 2 stand-alone"
}

check_daemons_start() {
    local t0 t1
    t0=$(uptime_s)
    cap "$OUT/daemons/start.out" timeout 90 vtlcmd start -C "$CONF"
    local rc=$?
    t1=$(uptime_s)
    if [ $rc = 0 ]; then ok "vtlcmd start returned"; else bad "vtlcmd start failed (exit status $rc)"; fi
    # vtlcmd start returns once every unit is visible to the kernel: no waiting here.
    if discover; then
        ok "every unit of device.conf has a SCSI device right after vtlcmd start"
    else
        bad "units missing right after vtlcmd start returned"
        wait_for 20 discover && note "they appeared later"
    fi
    cat "$STATE/dev.sh"
    local id
    for id in $U_ids; do
        if [ -n "$(lu_pids "$id")" ]; then
            ok "unit $id: daemon $(lu_pids "$id" | tr '\n' ' ')holds $(lu_node "$id")"
        else
            bad "unit $id: no process holds $(lu_node "$id")"
        fi
    done
    x ps -eo pid,args | grep -E 'vtl(tape|library)' | grep -v grep
    detail "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "vtlcmd start took %.1f s", b - a }'), $(daemon_pids | wc -l) daemons"
}

# ------------------------------------------------------------------------------------------
check_identity_lsscsi() {
    cap "$STATE/lsscsi" lsscsi -g
    local id type want sgn stn addr
    for id in $U_ids; do
        addr=$(dev "$id" addr)
        sgn=$(dev "$id" sg)
        if [ "$(u "$id" kind)" = library ]; then
            type=mediumx
            stn=$(dev "$id" sch)
            stn=${stn:-/dev/sch[0-9]+}
        else
            type=tape
            stn=$(dev "$id" st)
        fi
        want="^\[$(re_quote "$addr")\] +$type +$(re_quote "$(u "$id" vendor)") +$(re_quote "$(u "$id" product)") +$(re_quote "$(u "$id" revision)") +$stn +$sgn *$"
        expect_line "unit $id at [$addr]: $type $(u "$id" vendor) $(u "$id" product) $(u "$id" revision) $stn $sgn" "$STATE/lsscsi" "$want"
    done
    detail "$(grep -c . "$STATE/lsscsi") units listed"
}

check_identity_sg_inq() {
    local id f pdt
    for id in $U_ids; do
        f=$STATE/inq.$id
        cap "$f" sg_inq "$(dev "$id" sg)" || bad "sg_inq unit $id failed"
        if [ "$(u "$id" kind)" = library ]; then pdt=8; else pdt=1; fi
        expect_line "unit $id peripheral device type $pdt" "$f" "PDT=$pdt( |$)"
        expect_line "unit $id vendor" "$f" "^ +Vendor identification: $(re_quote "$(u "$id" vendor)") *$"
        expect_line "unit $id product" "$f" "^ +Product identification: $(re_quote "$(u "$id" product)") *$"
        expect_line "unit $id revision" "$f" "^ +Product revision level: $(re_quote "$(u "$id" revision)") *$"
        expect_line "unit $id serial (VPD 0x80 via sg_inq)" "$f" "^ +Unit serial number: $(re_quote "$(u "$id" serial)") *$"
    done
}

check_identity_vpd_80() {
    local id f
    for id in $U_ids; do
        f=$STATE/vpd80.$id
        cap "$f" sg_vpd -p sn "$(dev "$id" sg)" || bad "sg_vpd -p sn unit $id failed"
        expect_line "unit $id VPD 0x80" "$f" "^ +Unit serial number: $(re_quote "$(u "$id" serial)") *$"
    done
}

check_identity_vpd_83() {
    local id f
    for id in $U_ids; do
        f=$STATE/vpd83.$id
        x sg_vpd -p di "$(dev "$id" sg)"
        echo "+ sg_vpd -p 0x83 -r $(dev "$id" sg)"
        if ! sg_vpd -p 0x83 -r "$(dev "$id" sg)" > "$f"; then
            bad "sg_vpd -p 0x83 unit $id failed"
            continue
        fi
        if python3 "$GUEST/e2e.py" vpd83 "$f" "$(u "$id" naa)" "$(u "$id" vendor)" \
            "$(u "$id" product)" "$(u "$id" serial)"; then
            ok "unit $id VPD 0x83: NAA $(u "$id" naa) and T10 vendor ID designators"
        else
            bad "unit $id VPD 0x83 designators differ from device.conf"
        fi
    done
}

# ------------------------------------------------------------------------------------------
# lib_agree NAME EXPECT...: mtx status and vtlcmd status --json agree with each other and
# with EXPECT (see e2e.py mtx).
lib_agree() {
    local name=$1 sg
    shift
    sg=$(dev $LIB sg)
    cap "$STATE/mtx.$name" mtx -f "$sg" status || bad "mtx status ($name) failed"
    vstatus $LIB "$STATE/lib.$name.json" || bad "vtlcmd $LIB status --json ($name) failed: $(cat "$STATE/lib.$name.json.err")"
    echo "+ e2e.py mtx (mtx status vs vtlcmd $LIB status --json) $*"
    if python3 "$GUEST/e2e.py" mtx "$STATE/mtx.$name" "$STATE/lib.$name.json" "$@"; then
        ok "$name: mtx status and vtlcmd status agree${*:+, and $*}"
    else
        bad "$name: mtx status, vtlcmd status and the expected contents disagree (see the log)"
    fi
}
# mtx_do CMD...: run mtx -f <library sg> CMD... as a check step.
mtx_do() { expect_ok "mtx $*" mtx -f "$(dev $LIB sg)" "$@"; }

check_library_status() {
    local exp=() n
    for ((n = 1; n <= LCT_slot_count; n++)); do
        local v=LCT_slot_$n
        exp+=("s$n=${!v:--}")
    done
    for ((n = 1; n <= LCT_map_count; n++)); do
        local v=LCT_map_$n
        exp+=("m$n=${!v:--}")
    done
    for ((n = 1; n <= LCT_drive_count; n++)); do exp+=("d$n=-"); done
    lib_agree initial "${exp[@]}"
    expect_line "mtx header: $LCT_drive_count drives, $((LCT_slot_count + LCT_map_count)) slots, $LCT_map_count import/export" \
        "$STATE/mtx.initial" "Storage Changer .*:$LCT_drive_count Drives, $((LCT_slot_count + LCT_map_count)) Slots \( $LCT_map_count Import/Export \)"
    x vtlcmd $LIB status
    detail "$LCT_drive_count drives, $LCT_slot_count slots, $LCT_map_count mail slots as library_contents.10 says"
}

check_library_load_unload() {
    mtx_do load 1 0
    lib_agree load d1=E2E001L8 s1=-
    vstatus 11 "$STATE/d11.json"
    expect_eq "drive 11 (vtlcmd status) holds" "$(python3 "$GUEST/e2e.py" json "$STATE/d11.json" cartridge)" E2E001L8
    x mt -f "$(dev 11 nst)" status
    mtx_do unload 1 0
    lib_agree unload d1=- s1=E2E001L8
    vstatus 11 "$STATE/d11.json"
    expect_eq "drive 11 (vtlcmd status) after unload" "$(python3 "$GUEST/e2e.py" json "$STATE/d11.json" cartridge)" ""
    # A second personality: an LTO-6 cartridge into an HP drive (drive 3 = device 13).
    mtx_do load 13 2
    lib_agree load-hp d3=E2E013L6 s13=-
    mtx_do unload 13 2
    lib_agree unload-hp d3=- s13=E2E013L6
}

check_library_transfer() {
    mtx_do transfer 2 21
    lib_agree transfer s2=- s21=E2E002L8
    mtx_do transfer 21 2
    lib_agree transfer-back s2=E2E002L8 s21=-
}

check_library_exchange() {
    mtx_do exchange 3 4
    lib_agree exchange s3=E2E004L8 s4=E2E003L8
    mtx_do exchange 3 4
    lib_agree exchange-back s3=E2E003L8 s4=E2E004L8
}

check_library_inventory() {
    mtx_do inventory
    lib_agree inventory s1=E2E001L8 s24=- m1=E2E021L8 d1=-
}

check_library_map() {
    # Export slot 6 to the mail slot (element 2 of the map = mtx storage element 26), see it
    # from the operator side, import it back.
    local map2=$((LCT_slot_count + 2))
    mtx_do transfer 6 $map2
    lib_agree export s6=- m2=E2E006L8
    cap "$STATE/listmap" vtlcmd $LIB list map || bad "vtlcmd $LIB list map failed"
    expect_line "vtlcmd list map shows E2E006L8" "$STATE/listmap" "E2E006L8"
    mtx_do transfer $map2 6
    lib_agree import s6=E2E006L8 m2=-
}

check_drives_load() {
    # 11 <- slot 5, 12 <- slot 2 (btape), 13 <- slot 11, 14 <- slot 12; 20 (stand-alone) by vtlcmd.
    mtx_do load 5 0
    mtx_do load 2 1
    mtx_do load 11 2
    mtx_do load 12 3
    lib_agree drives d1=E2E005L8 d2=E2E002L8 d3=E2E011L6 d4=E2E012L6
    expect_ok "vtlcmd $SA load $AMANDA_TAPE (stand-alone drive, its own home)" vtlcmd $SA load $AMANDA_TAPE
    local id
    for id in 11 12 13 14 $SA; do
        if wait_for 30 ready "$(dev $id nst)"; then
            ok "drive $id ready"
        else
            bad "drive $id not ready: $(sg_turs -v "$(dev $id nst)" 2>&1 | tail -n2 | tr '\n' ' ')"
        fi
    done
}

# ------------------------------------------------------------------------------------------
check_mt_status() {
    local t=$(dev 11 nst)
    cap "$STATE/mtst" mt -f "$t" status || bad "mt status failed"
    expect_line "at file 0 block 0 after the load" "$STATE/mtst" "File number=0, block number=0"
    expect_line "density code of LTO-8 media (0x5e)" "$STATE/mtst" "Density code 0x5e"
    expect_line "variable block mode" "$STATE/mtst" "Tape block size 0 bytes"
    expect_line "BOT and ONLINE" "$STATE/mtst" "BOT.*ONLINE|ONLINE.*BOT"
    expect_no_line "not write protected" "$STATE/mtst" "WR_PROT"
}

# tell T: the block number `mt tell` reports.
tell() { mt -f "$1" tell 2>&1 | sed -n 's/^At block \([0-9]*\)\./\1/p'; }
expect_tell() {
    local got
    got=$(tell "$2")
    if [ "$got" = "$3" ]; then ok "$1: at block $got"; else bad "$1: mt tell says '${got}', expected $3"; fi
}

check_mt_ops() {
    local t=$(dev 11 nst) f
    mkdir -p /tmp/mt
    for f in 0 1 2; do head -c $(((5 - f) * 1024)) /dev/urandom > /tmp/mt/f$f; done
    # erase: write something, rewind, erase; the tape is then empty.
    x mt -f "$t" rewind
    x dd if=/tmp/mt/f0 of="$t" bs=1024
    expect_ok "mt rewind" mt -f "$t" rewind
    expect_ok "mt erase" mt -f "$t" erase
    x mt -f "$t" rewind
    expect_ok "mt eod" mt -f "$t" eod
    expect_tell "EOD of an erased tape" "$t" 0
    # Three files of 5, 4, 3 blocks of 1 KiB, each closed by a filemark (st writes it at close):
    # blocks 0-4, FM 5, 6-9, FM 10, 11-13, FM 14, EOD at 15.
    x mt -f "$t" rewind
    for f in 0 1 2; do
        expect_ok "write file $f" dd if=/tmp/mt/f$f of="$t" bs=1024
    done
    expect_tell "after three files" "$t" 15
    expect_ok "mt rewind" mt -f "$t" rewind
    expect_tell "rewound" "$t" 0
    expect_ok "mt fsf 2" mt -f "$t" fsf 2
    expect_tell "after fsf 2" "$t" 11
    cap "$STATE/mt" mt -f "$t" status
    expect_line "mt status after fsf 2: file 2 block 0" "$STATE/mt" "File number=2, block number=0"
    expect_ok "mt bsf 1" mt -f "$t" bsf 1
    expect_tell "after bsf 1 (before the filemark that ends file 1)" "$t" 10
    expect_ok "mt eod" mt -f "$t" eod
    expect_tell "at EOD" "$t" 15
    expect_ok "mt seek 6" mt -f "$t" seek 6
    expect_tell "after seek 6" "$t" 6
    echo "+ dd if=$t bs=1024 (file 1 from its first block)"
    if dd if="$t" bs=1024 of=/tmp/mt/r1 2> /dev/null && cmp /tmp/mt/f1 /tmp/mt/r1; then
        ok "file 1 read back after seek"
    else
        bad "file 1 read back after seek differs"
    fi
    # weof in the middle: the filemark becomes the new end of data.
    expect_ok "mt seek 11" mt -f "$t" seek 11
    expect_ok "mt weof 1" mt -f "$t" weof 1
    expect_tell "after weof" "$t" 12
    x mt -f "$t" rewind
    expect_ok "mt eod" mt -f "$t" eod
    expect_tell "EOD after the weof" "$t" 12
    x mt -f "$t" rewind
    x mt -f "$t" fsf 2
    echo "+ dd if=$t bs=1024 (file 2, now empty)"
    local n
    n=$(dd if="$t" bs=1024 2> /dev/null | wc -c)
    expect_eq "bytes in file 2 after the weof" "$n" 0
    x mt -f "$t" rewind
    echo "+ dd if=$t bs=1024 (file 0)"
    if dd if="$t" bs=1024 of=/tmp/mt/r0 2> /dev/null && cmp /tmp/mt/f0 /tmp/mt/r0; then
        ok "file 0 intact"
    else
        bad "file 0 differs"
    fi
    x mt -f "$t" rewind
}

check_mt_setblk() {
    local t=$(dev 11 nst)
    expect_ok "mt setblk 512" mt -f "$t" setblk 512
    cap "$STATE/mt" mt -f "$t" status
    expect_line "block size 512" "$STATE/mt" "Tape block size 512 bytes"
    x mt -f "$t" rewind
    head -c 4096 /dev/urandom > /tmp/blk
    expect_ok "write 8 blocks of 512" dd if=/tmp/blk of="$t" bs=4096
    x mt -f "$t" rewind
    expect_tell "rewound" "$t" 0
    x mt -f "$t" fsf 1
    expect_tell "after the file of 8 fixed blocks and its filemark" "$t" 9
    x mt -f "$t" rewind
    if dd if="$t" bs=4096 of=/tmp/blk.r 2> /dev/null && cmp /tmp/blk /tmp/blk.r; then
        ok "fixed blocks read back"
    else
        bad "fixed blocks read back differ"
    fi
    expect_ok "mt setblk 0" mt -f "$t" setblk 0
    cap "$STATE/mt" mt -f "$t" status
    expect_line "variable block mode again" "$STATE/mt" "Tape block size 0 bytes"
    x mt -f "$t" rewind
}

# tar_three T WHAT: three archives separated by filemarks on T, each read back identical.
tar_three() {
    local t=$1 what=$2 i
    rm -rf /tmp/tar && mkdir -p /tmp/tar
    for i in 0 1 2; do mktree /tmp/tar/src$i $i; done
    x mt -f "$t" rewind
    for i in 0 1 2; do
        expect_ok "tar -c archive $i ($what)" tar -c -b 20 -f "$t" -C /tmp/tar/src$i .
    done
    cap "$STATE/mt" mt -f "$t" status
    expect_line "three files written" "$STATE/mt" "File number=3, block number=0"
    for i in 2 0 1; do
        x mt -f "$t" rewind
        [ $i -gt 0 ] && x mt -f "$t" fsf $i
        mkdir -p /tmp/tar/dst$i
        expect_ok "tar -x archive $i" tar -x -b 20 -f "$t" -C /tmp/tar/dst$i
        if same_tree /tmp/tar/src$i /tmp/tar/dst$i; then
            ok "archive $i read back identical"
        else
            bad "archive $i read back differs"
        fi
    done
    x mt -f "$t" rewind
    x mt -f "$t" eod
    cap "$STATE/mt" mt -f "$t" status
    # st spaces filemarks until BLANK CHECK, so it knows the file but not the block (-1).
    expect_line "EOD after the third filemark (file 3)" "$STATE/mt" "File number=3, block number=(0|-1),"
    expect_line "st status EOD" "$STATE/mt" "^ EOD "
    x mt -f "$t" rewind
}

check_tar_variable() {
    local t=$(dev 11 nst)
    x mt -f "$t" setblk 0
    tar_three "$t" "variable blocks, 10240-byte records"
}

check_tar_fixed() {
    local t=$(dev 13 nst)
    expect_ok "mt setblk 10240" mt -f "$t" setblk 10240
    cap "$STATE/mt" mt -f "$t" status
    expect_line "block size 10240" "$STATE/mt" "Tape block size 10240 bytes"
    expect_line "density code of LTO-6 media (0x5a)" "$STATE/mt" "Density code 0x5a"
    tar_three "$t" "fixed 10240-byte blocks"
    expect_ok "mt setblk 0" mt -f "$t" setblk 0
}

# ------------------------------------------------------------------------------------------
check_sg_logs() {
    local sg=$(dev 11 sg)
    cap "$STATE/logs" sg_logs "$sg" || bad "sg_logs (supported pages) failed"
    cp "$STATE/logs" "$STATE/logs.supported"
    local p
    for p in 0x02 0x03 0x0c 0x2e 0x31; do
        expect_line "log page $p supported" "$STATE/logs" "^ +$p "
    done
    # TapeAlert from the operator side: flags 3 (hard error) and 5 (read failure).
    expect_ok "vtlcmd 11 TapeAlert" vtlcmd 11 TapeAlert 0x0000000000000014
    cap "$STATE/logs" sg_logs -p 0x2e "$sg" || bad "sg_logs -p 0x2e failed"
    expect_line "TapeAlert flag 3 (hard error) set" "$STATE/logs" "Hard error: 1"
    expect_line "TapeAlert flag 5 (read failure) set" "$STATE/logs" "Read failure: 1"
    expect_line "TapeAlert flag 4 (media) clear" "$STATE/logs" "Media: 0"
    if ! grep -q "Hard error: 1" "$STATE/logs"; then
        # Diagnosis for whoever fixes it: sg_logs first reads 4 bytes (to learn the page
        # length), then the page. Does one read of the whole page show the flags?
        x vtlcmd 11 TapeAlert 0x0000000000000014
        cap "$STATE/logs1" sg_logs -m 1024 -p 0x2e "$sg"
        grep -q "Hard error: 1" "$STATE/logs1" &&
            note "with a single LOG SENSE (sg_logs -m 1024) the flags show: the 4-byte read that only returned the page header cleared them"
    fi
    x vtlcmd 11 TapeAlert 0x0000000000000000
    cap "$STATE/logs" sg_logs -p 0x31 "$sg" || bad "sg_logs -p 0x31 failed"
    expect_line "tape capacity page: maximum capacity $LIB_SIZE MiB" "$STATE/logs" "[Mm]ain partition maximum capacity.*: $LIB_SIZE$"
    x sg_logs -p 0x0c "$sg"
    x sg_logs -p 0x02 "$sg"
    # IBM performance characteristics (what LTFS reads for cartridge health): parameter
    # 0001h of subpage 0, one byte, 100 (0x64); subpage 0x64 parameter 7113h, 4 bytes.
    expect_line "log page 0x37 supported" "$STATE/logs.supported" "^ +0x37 "
    cap "$STATE/logs37" sg_logs -p 0x37 -H "$sg" || bad "sg_logs -p 0x37 failed"
    expect_line "log page 0x37: media efficiency 100" "$STATE/logs37" "b7 00 00 05 00 01 03 01 +64"
    cap "$STATE/logs37" sg_logs -p 0x37,0x64 -H "$sg" || bad "sg_logs -p 0x37,0x64 failed"
    expect_line "log page 0x37/0x64: capacity loss 0" "$STATE/logs37" "f7 64 00 08 71 13 03 04 +00 00 00 00"
}

check_sg_modes() {
    local sg=$(dev 11 sg)
    cap "$STATE/modes" sg_modes -a "$sg" || bad "sg_modes -a failed"
    expect_line "block descriptor: density 0x5e (LTO-8 media)" "$STATE/modes" "^ +Density code=0x5e$"
    expect_line "data compression page (0x0f)" "$STATE/modes" "^>> Data Compression, page_control: current"
    expect_line "device configuration page (0x10)" "$STATE/modes" "^>> Device configuration, page_control: current"
    expect_line "read-write error recovery page (0x01)" "$STATE/modes" "^>> Read-Write error recovery"
    # The bytes of page 0x0f (the line after its title): byte 2 bit 7 DCE, bit 6 DCC.
    local hex b2
    hex=$(sed -n '/^>> Data Compression/{n;p;}' "$STATE/modes")
    read -r _ _ _ b2 _ <<< "$hex"
    expect_eq "DCE (device.conf: Compression enabled 1)" "$(((16#${b2:-0} >> 7) & 1))" 1
    expect_eq "DCC (compression capable)" "$(((16#${b2:-0} >> 6) & 1))" 1
    # Drive 20 has Compression: ... enabled 0.
    cap "$STATE/modes20" sg_modes -p 0x0f "$(dev $SA sg)"
    hex=$(sed -n '/^>> Data Compression/{n;p;}' "$STATE/modes20")
    read -r _ _ _ b2 _ <<< "$hex"
    expect_eq "drive $SA DCE (device.conf: enabled 0)" "$(((16#${b2:-0} >> 7) & 1))" 0
    expect_eq "drive $SA DCC (capable all the same)" "$(((16#${b2:-0} >> 6) & 1))" 1
    # IBM vendor pages: 0x24 byte 2 = LBP methods (RS-CRC 0x40, CRC32C 0x20 on LTO-8),
    # 0x25 read/write control (32 bytes); VPD page 0xB5 lists the same two methods.
    cap "$STATE/modes24" sg_modes -p 0x24 "$sg" || bad "sg_modes -p 0x24 failed"
    expect_line "mode page 0x24: RS-CRC and CRC32C" "$STATE/modes24" "a4 16 60 00"
    cap "$STATE/modes25" sg_modes -p 0x25 "$sg" || bad "sg_modes -p 0x25 failed"
    expect_line "mode page 0x25: 32 bytes" "$STATE/modes25" "a5 1e 00 00"
    cap "$STATE/vpdb5" sg_vpd -p 0xb5 "$sg" || bad "sg_vpd -p 0xb5 failed"
    expect_line "VPD 0xB5: RS-CRC" "$STATE/vpdb5" "method: 1, info_len: 4, LBP_W_C=1, LBP_R_C=1, RBDP_C=1"
    expect_line "VPD 0xB5: CRC32C" "$STATE/vpdb5" "method: 2, info_len: 4, LBP_W_C=1, LBP_R_C=1, RBDP_C=1"
}

check_sg_read_attr() {
    local sg=$(dev 11 sg)
    cap "$STATE/attr" sg_read_attr "$sg" || bad "sg_read_attr failed"
    expect_line "maximum capacity $LIB_SIZE MiB" "$STATE/attr" "Maximum capacity in partition.*: $LIB_SIZE( |$)"
    expect_line "barcode E2E005L8" "$STATE/attr" "Barcode.*E2E005L8"
    x sg_read_attr -s 0x01 "$sg"
}

check_tapeinfo() {
    local sg=$(dev 11 sg)
    x vtlcmd 11 TapeAlert 0x0000000000000004
    cap "$STATE/ti" tapeinfo -f "$sg" || bad "tapeinfo failed"
    expect_line "product type" "$STATE/ti" "^Product Type: Tape Drive"
    expect_line "vendor" "$STATE/ti" "^Vendor ID: '$(re_quote "$(u 11 vendor)") *'"
    expect_line "product" "$STATE/ti" "^Product ID: '$(re_quote "$(u 11 product)") *'"
    expect_line "revision" "$STATE/ti" "^Revision: '$(re_quote "$(u 11 revision)")'"
    expect_line "serial number (VPD 0x80)" "$STATE/ti" "^SerialNumber: '$(re_quote "$(u 11 serial)")'"
    expect_line "ready" "$STATE/ti" "^Ready: yes"
    expect_line "density" "$STATE/ti" "^Density Code: 0x5e"
    expect_line "BOP" "$STATE/ti" "^BOP: yes"
    expect_line "TapeAlert flag 3 reported" "$STATE/ti" "^TapeAlert\[3\]:"
    if ! grep -q "^TapeAlert\[3\]:" "$STATE/ti"; then
        # Diagnosis: tapeinfo reads page 0x2e with PC 00b (threshold values), sg_logs with
        # 01b (cumulative). What does each return, and does the first read clear the flags?
        x vtlcmd 11 TapeAlert 0x0000000000000004
        cap "$STATE/pc0" sg_raw -r 512 "$sg" 4d 00 2e 00 00 00 00 02 00 00
        cap "$STATE/pc1" sg_raw -r 512 "$sg" 4d 00 6e 00 00 00 00 02 00 00
        note "tapeinfo's LOG SENSE uses PC 00b; see the two reads above (flag 3 is parameter 0003h)"
    fi
    x vtlcmd 11 TapeAlert 0x0000000000000000
}

check_loaderinfo() {
    local sg=$(dev $LIB sg)
    cap "$STATE/li" loaderinfo -f "$sg" || bad "loaderinfo failed"
    expect_line "product type" "$STATE/li" "^Product Type: Medium Changer"
    expect_line "vendor" "$STATE/li" "^Vendor ID: '$(re_quote "$(u $LIB vendor)") *'"
    expect_line "product" "$STATE/li" "^Product ID: '$(re_quote "$(u $LIB product)") *'"
    expect_line "$LCT_slot_count storage elements" "$STATE/li" "^Number of Storage Elements: $LCT_slot_count$"
    expect_line "$LCT_map_count import/export elements" "$STATE/li" "^Number of Import/Export Elements: $LCT_map_count$"
    expect_line "$LCT_drive_count data transfer elements" "$STATE/li" "^Number of Data Transfer Elements: $LCT_drive_count$"
    expect_line "one medium transport element" "$STATE/li" "^Number of Medium Transport Elements: 1$"
    expect_line "element address assignment page" "$STATE/li" "^EAAP: Yes"
    expect_line "device capabilities page" "$STATE/li" "^Device Configuration Page: Yes"
    grep -q "^Bar Code Reader: Yes" "$STATE/li" || note "loaderinfo reports no bar code reader (INQUIRY byte 55 is vendor specific; mtx status shows the volume tags)"
}

# ------------------------------------------------------------------------------------------
# btape_run TIMEOUT LINE...: btape on Drive-2 (bacula_conf's configuration) answering its
# prompts with LINEs; its output in $STATE/btape and the log, its exit status checked.
btape_run() {
    local t=$1 rc
    shift
    echo "+ btape -c /etc/bacula/bacula-sd-e2e.conf Drive-2 <<< '$*'"
    printf '%s\n' "$@" | timeout "$t" btape -c /etc/bacula/bacula-sd-e2e.conf Drive-2 > "$STATE/btape" 2>&1
    rc=$?
    sed -e 's/^/  | /' -e '$a\' "$STATE/btape"
    expect_eq "btape exit status" "$rc" 0
}

bacula_conf() {
    mkdir -p /var/lib/bacula /run/bacula
    sed -e "s|@CHANGER@|$(dev $LIB sg)|g" -e "s|@NST@|$(dev 12 nst)|g" \
        /share/conf/bacula-sd.conf > /etc/bacula/bacula-sd-e2e.conf
    # Debian's /etc/bacula/scripts/mtx-changer.conf as it is: offline=0, no sleeps.
}

check_bacula_btape_test() {
    bacula_conf
    # btape's "test" writes 2 x 10000 records of the block size (here 16 KiB, not the
    # default 63 KiB: a quarter of the data, the same commands), then asks whether to test
    # the autochanger: "no" (bacula.btape_autochanger does).
    btape_run 540 test no quit
    expect_line "device opened" "$STATE/btape" "open device \"Drive-2\" \($(re_quote "$(dev 12 nst)")\): OK"
    expect_line "wrote 10000 blocks (first file)" "$STATE/btape" "Wrote 10000 blocks of [0-9]+ bytes"
    expect_eq "write, rewind and re-read tests that succeeded" \
        "$(count_lines "$STATE/btape" "^=== Test Succeeded. End Write, rewind, and re-read test ===")" 2
    expect_line "append test: EOD in file 4" "$STATE/btape" "We should be in file 4. I am at file 4. This is correct!"
    expect_line "backspace over EOF" "$STATE/btape" "Backspaced over EOF OK"
    expect_line "backspace record" "$STATE/btape" "Backspace record OK"
    expect_line "forward space files test done" "$STATE/btape" "^=== End Forward space files test ==="
    expect_eq "positions btape found correct (append test 2, forward space test 4)" \
        "$(count_lines "$STATE/btape" "This is correct!")" 6
    expect_no_line "nothing btape calls not correct" "$STATE/btape" "NOT correct|not correct"
    expect_no_line "no failure marks" "$STATE/btape" "!!!!|ERR=|Bad status|I/O error([^s]|$)"
    # The scan of the append test must equal btape's "sample correct output" (which is
    # written for 64448-byte blocks: the byte counts are left out of the comparison).
    local scan sample norm='s/ of [0-9]* bytes in file/ in file/; s/, bytes = .*//'
    scan=$(sed -n '/^Doing Bacula scan of blocks:/,/^Total files=/p' "$STATE/btape" | sed '1d' | sed "$norm")
    sample=$(sed -n '/^=== Sample correct output ===/,/^=== End sample correct output ===/p' "$STATE/btape" |
        sed '1d;$d' | sed "$norm")
    echo "block scan (byte counts left out):"
    echo "$scan"
    if [ -n "$scan" ] && [ "$scan" = "$sample" ]; then
        ok "the block scan equals btape's sample correct output"
    else
        bad "the block scan differs from btape's sample correct output"
    fi
}

check_bacula_btape_autochanger() {
    bacula_conf
    btape_run 280 autochanger y quit
    expect_line "autochanger test succeeded" "$STATE/btape" "The test autochanger worked!!"
    expect_no_line "no failure marks" "$STATE/btape" "!!!!|ERR=|Bad status"
    lib_agree after-btape
}

# ------------------------------------------------------------------------------------------
check_amanda_amtapetype() {
    local t=$(dev $SA nst)
    # amtapetype first guesses whether the drive compresses: 60 s of random data, then as
    # many bytes of a fixed pattern. On a cartridge that fills within those 60 s (any small
    # one) the pattern pass asks for one block more than fitted, and amtapetype dies with
    # ENOSPC, unless the drive compresses the pattern. So compression goes on for this run:
    # zlib (vtlcmd), enabled by MODE SELECT page 0x0f through st (mt compression 1).
    # amtapetype then says "compression enabled"; random data does not compress, and zlib
    # stores it with a known cost (below), so the length is still the cartridge's.
    expect_ok "vtlcmd $SA compression zlib" vtlcmd $SA compression zlib
    expect_ok "mt compression 1" mt -f "$t" compression 1
    x mt -f "$t" rewind
    echo "+ amtapetype -f -b 32k -t E2E tape:$t"
    timeout 560 amtapetype -f -b 32k -t E2E "tape:$t" > "$STATE/amt.out" 2> "$STATE/amt.err"
    local rc=$?
    sed 's/^/  | /' "$STATE/amt.out"
    tr '\r' '\n' < "$STATE/amt.err" | grep -Ev '^ *(File [0-9]*, block [0-9]*)? *$' | sed 's/^/  2| /'
    expect_eq "amtapetype exit status" "$rc" 0
    expect_line "a tapetype named E2E" "$STATE/amt.out" "^define tapetype E2E \\{"
    expect_line "compression seen as enabled" "$STATE/amt.out" "comment \"Created by amtapetype; compression enabled\""
    expect_line "blocksize 32 kbytes" "$STATE/amt.out" "^ +blocksize 32 kbytes"
    # Where amtapetype's fill stops: after the label (a 32 KiB header block and a filemark)
    # and the file's 32 KiB header block come n blocks of 32 KiB of random data, each
    # stored by zlib as 32768 + 11 bytes (a stored deflate block: 5 bytes, zlib header and
    # trailer: 6) plus a 512-byte index record, until less than the early-warning size
    # (2 MiB, see failure.fill_to_end) is left. The two header blocks compress to between
    # nothing and their full size; amtapetype reports the file's blocks with or without its
    # header. So the length is between these two block counts, times 32 KiB.
    local cap_b=$((AMANDA_SIZE << 20)) ew=$((2 << 20)) blk=$((32768 + 11 + 512)) lo hi len
    lo=$(((cap_b - ew - 3 * 512 - 2 * (32768 + 11)) / blk + 1))
    hi=$(((cap_b - ew - 3 * 512) / blk + 2))
    len=$(sed -n 's/^ *length \([0-9]*\) kbytes.*/\1/p' "$STATE/amt.out")
    echo "length ${len:-?} KiB; expected $((lo * 32))..$((hi * 32)) KiB ($lo..$hi blocks)"
    if [ -z "$len" ]; then
        bad "no tapetype length in amtapetype's output"
    elif [ "$len" -ge $((lo * 32)) ] && [ "$len" -le $((hi * 32)) ]; then
        ok "length $len KiB: the $AMANDA_SIZE MiB cartridge up to early warning"
    else
        bad "length $len KiB, expected $((lo * 32))..$((hi * 32)) KiB for the $AMANDA_SIZE MiB cartridge"
    fi
    x mt -f "$t" compression 0
    x vtlcmd $SA compression lzo
    x mt -f "$t" rewind
    detail "length ${len:-?} KiB of a $((cap_b >> 10)) KiB cartridge"
}

# ------------------------------------------------------------------------------------------
check_stenc_encryption() {
    local t=$(dev 14 nst) sg=$(dev 14 sg)
    # SECURITY PROTOCOL IN, protocol 0x20 (tape data encryption), page 0x0000, 1 KiB.
    cap "$STATE/spin" sg_raw -r 1024 -o "$STATE/spin.bin" "$sg" a2 20 00 00 00 00 00 00 04 00 00 00
    if grep -qi "invalid command operation code" "$STATE/spin"; then
        missing "the drive answers SECURITY PROTOCOL IN with ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (encryption not implemented)"
        return 0
    fi
    expect_line "SECURITY PROTOCOL IN answered" "$STATE/spin" "SCSI Status: Good"
    # Among the supported pages: the tape data encryption pages stenc uses, 0x0010
    # (capabilities), 0x0020 (data encryption status), 0x0021 (next block encryption status).
    local page list
    # After the 4-byte header (page code, page length), two bytes per supported page.
    list=$(od -An -tx1 -v -j 4 "$STATE/spin.bin" 2> /dev/null | tr -s ' \n' ' ' | sed 's/\([0-9a-f][0-9a-f]\) \([0-9a-f][0-9a-f]\)/\1\2,/g')
    echo "supported tape data encryption pages: $list"
    for page in 0010 0020 0021; do
        if [[ $list == *"$page,"* ]]; then ok "supported page $page"; else bad "page $page not listed"; fi
    done
    # A 256-bit key file as stenc -g writes it (hex key, then the key descriptor line);
    # stenc -g itself wants keystrokes to seed its generator.
    printf '%s\ne2e-key\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" > /tmp/e2e.key
    chmod 600 /tmp/e2e.key
    # Algorithm index 1: HP drives' AES-256-GCM (stenc's man page).
    expect_ok "stenc -e on (key set)" stenc -f "$t" -e on -k /tmp/e2e.key -a 1
    bigfile /tmp/enc.bin 1
    x mt -f "$t" rewind
    expect_ok "write 1 MiB with the key set" dd if=/tmp/enc.bin of="$t" bs=64k
    x mt -f "$t" rewind
    # (stenc 1.0.7's --detail crashes on a blank tape, a known double free when it cannot
    # space forward; here it is positioned at an encrypted block.)
    cap "$STATE/stenc" stenc -f "$t" --detail || bad "stenc --detail failed"
    expect_line "stenc: drive encrypting" "$STATE/stenc" "^Drive Encryption: +on"
    expect_line "stenc: key descriptor" "$STATE/stenc" "^Drive Key Desc.\\(uKAD\\): +e2e-key"
    expect_line "stenc: the next block is encrypted and readable" "$STATE/stenc" "^Volume Encryption: +Encrypted and able to decrypt"
    expect_ok "stenc -e off (key cleared)" stenc -f "$t" -e off
    x mt -f "$t" rewind
    cap "$STATE/stenc" stenc -f "$t" --detail || bad "stenc --detail failed"
    expect_line "stenc: drive not encrypting" "$STATE/stenc" "^Drive Encryption: +off"
    expect_line "stenc: the next block is encrypted, no key" "$STATE/stenc" "^Volume Encryption: +Encrypted, but unable to decrypt"
    # Without the key: READ gets DATA PROTECT through sg, and st's read fails.
    x mt -f "$t" rewind
    cap "$STATE/rd" sg_raw -r 65536 "$sg" 08 00 01 00 00 00
    expect_line "READ without the key: DATA PROTECT" "$STATE/rd" "Data Protect"
    x mt -f "$t" rewind
    echo "+ dd if=$t bs=64k (without the key)"
    if dd if="$t" bs=64k of=/tmp/enc.r count=16 2> "$STATE/dd.err"; then
        if cmp -s /tmp/enc.bin /tmp/enc.r; then
            bad "the encrypted data read back in clear without the key"
        else
            bad "reading without the key succeeded (expected DATA PROTECT, EIO)"
        fi
    else
        ok "reading without the key fails: $(head -n1 "$STATE/dd.err")"
    fi
    expect_ok "stenc -e on again (same key)" stenc -f "$t" -e on -k /tmp/e2e.key -a 1
    x mt -f "$t" rewind
    if dd if="$t" bs=64k of=/tmp/enc.r 2> /dev/null && cmp /tmp/enc.bin /tmp/enc.r; then
        ok "read back with the key: identical"
    else
        bad "read back with the key differs"
    fi
    x stenc -f "$t" -e off
    x mt -f "$t" rewind
    detail "key set, 1 MiB written; unreadable without it (DATA PROTECT), identical with it"
}

# ------------------------------------------------------------------------------------------
check_failure_fill_to_end() {
    local t=$(dev $SA nst)
    expect_ok "vtlcmd $SA unload $AMANDA_TAPE" vtlcmd $SA unload $AMANDA_TAPE
    expect_ok "vtlcmd $SA load $FILL_TAPE" vtlcmd $SA load $FILL_TAPE
    wait_for 30 ready "$t" || bad "drive $SA not ready with $FILL_TAPE"
    bigfile "$DATA/fill.bin" $((FILL_SIZE + 8))
    x mt -f "$t" rewind
    echo "+ dd if=$DATA/fill.bin of=$t bs=64k (more than the $FILL_SIZE MiB cartridge holds)"
    dd if="$DATA/fill.bin" of="$t" bs=64k > "$STATE/dd.out" 2>&1
    local rc=$? out
    sed 's/^/  | /' "$STATE/dd.out"
    out=$(sed -n 's/^\([0-9]*\)+0 records out$/\1/p' "$STATE/dd.out")
    if [ $rc = 0 ]; then bad "dd wrote $((FILL_SIZE + 8)) MiB onto a $FILL_SIZE MiB cartridge without an error"; fi
    expect_line "dd ends with ENOSPC" "$STATE/dd.out" "No space left on device"
    # Where the early warning falls: each block costs its bytes plus a 512-byte index record
    # of the capacity; early warning when less than max(2 MiB, 1 % of the capacity, at most
    # the drive's own figure) = 2 MiB is left. The block that crosses it is written and
    # acknowledged (CHECK CONDITION, NO SENSE, EOM); st then fails the next write with ENOSPC.
    local cap_b=$((FILL_SIZE << 20)) ew=$((2 << 20)) want
    want=$(((cap_b - ew) / (65536 + 512) + 1))
    expect_eq "blocks written before ENOSPC (early warning at block $want)" "${out:-?}" "$want"
    x mt -f "$t" status
    x mt -f "$t" rewind
    echo "+ dd if=$t bs=64k (everything written before the error)"
    dd if="$t" of="$DATA/fill.back" bs=64k > "$STATE/dd.in" 2>&1
    sed 's/^/  | /' "$STATE/dd.in"
    local back
    back=$(stat -c %s "$DATA/fill.back")
    expect_eq "bytes read back" "$back" "$((${out:-0} * 65536))"
    if cmp -n "$back" "$DATA/fill.bin" "$DATA/fill.back"; then
        ok "the data before the end reads back identical"
    else
        bad "the data before the end differs"
    fi
    rm -f "$DATA/fill.back"
    x mt -f "$t" rewind
    detail "${out:-?} blocks of 64 KiB on a $FILL_SIZE MiB cartridge before ENOSPC, all read back"
}

# wait_writer PID: wait up to 60 s for the background writer PID (a child of this shell) to
# end; WRITER_RC is its exit status, or "timeout" (it is then killed). Not in $(...): a
# subshell cannot wait for this shell's children.
wait_writer() {
    if wait_for 60 bash -c "! kill -0 $1 2>/dev/null"; then
        wait "$1"
        WRITER_RC=$?
    else
        WRITER_RC=timeout
        kill "$1"
    fi
}

# restart_drive ID BARCODE LOG: start drive ID's daemon again, as an operator would (output
# in LOG), wait until it holds its unit, and load BARCODE when it does not hold it. Status 1
# when the daemon did not open its unit within 30 s.
restart_drive() {
    local id=$1 cart
    echo "+ vtltape -q $id -C $CONF &"
    setsid vtltape -q "$id" -C "$CONF" > "$3" 2>&1 < /dev/null &
    wait_for 30 has_daemon "$id" || return 1
    vstatus "$id" "$STATE/d.json"
    cat "$STATE/d.json"
    cart=$(python3 "$GUEST/e2e.py" json "$STATE/d.json" cartridge 2> /dev/null)
    if [ "$cart" != "$2" ]; then
        note "the restarted drive $id holds '${cart}', not $2: loading it (vtlcmd $id load $2)"
        x vtlcmd "$id" load "$2"
    fi
}

check_failure_kill_daemon() {
    local id=13 t=$(dev 13 nst) pids wpid rc back
    x mt -f "$t" setblk 0
    x mt -f "$t" rewind
    rm -rf /tmp/kill && mktree /tmp/kill/src 7
    expect_ok "tar archive (file 0, ends with a filemark)" tar -c -b 20 -f "$t" -C /tmp/kill/src .
    bigfile "$DATA/kill.bin" 32
    pids=$(lu_pids $id)
    [ -n "$pids" ] || bad "no daemon holds $(lu_node $id)"
    # A slow writer: one 64 KiB block every 20 ms into dd, so that the kill lands mid-write.
    echo "+ (64 KiB every 20 ms) | dd of=$t bs=64k iflag=fullblock &"
    (
        for ((i = 0; i < 512; i++)); do
            dd if="$DATA/kill.bin" bs=64k skip=$i count=1 2> /dev/null || exit 0
            sleep 0.02
        done
    ) | dd of="$t" bs=64k iflag=fullblock > "$STATE/dd.out" 2>&1 &
    wpid=$!
    sleep 3
    echo "+ kill -9 $pids (the daemon of drive $id)"
    kill -9 $pids
    wait_writer $wpid
    rc=$WRITER_RC
    # (dd prints no record counts here: its close fails too, and it exits on that.)
    sed 's/^/  | /' "$STATE/dd.out"
    if [ "$rc" = 0 ]; then
        bad "the write succeeded although the drive's daemon was killed"
    elif [ "$rc" = timeout ]; then
        bad "the write hung for 60 s after the daemon was killed"
    else
        ok "the write failed (dd exit status $rc)"
    fi
    x sg_turs -v "$(dev $id sg)"
    cap "$STATE/turs" sg_turs "$(dev $id sg)"
    # Restart just that daemon, as an operator would.
    if restart_drive $id E2E011L6 "$OUT/daemons/vtltape-$id.restart.log"; then
        ok "restarted daemon $(lu_pids $id | tr '\n' ' ')holds $(lu_node $id)"
    else
        bad "the restarted daemon did not open $(lu_node $id)"
    fi
    if wait_for 30 ready "$t"; then ok "drive $id ready after the restart"; else bad "drive $id not ready after the restart"; fi
    x mt -f "$t" rewind
    mkdir -p /tmp/kill/dst
    expect_ok "tar -x file 0" tar -x -b 20 -f "$t" -C /tmp/kill/dst
    if same_tree /tmp/kill/src /tmp/kill/dst; then ok "file 0 (before the last filemark) intact"; else bad "file 0 differs"; fi
    x mt -f "$t" rewind
    x mt -f "$t" fsf 1
    echo "+ dd if=$t bs=64k (what the interrupted write left)"
    dd if="$t" of="$DATA/kill.back" bs=64k > "$STATE/dd.in" 2>&1
    sed 's/^/  | /' "$STATE/dd.in"
    back=$(stat -c %s "$DATA/kill.back")
    # Blocks acknowledged after the last filemark may be lost (the drive makes data durable
    # at filemarks, rewinds and unloads); what survives must be a prefix of what was sent.
    echo "$back bytes after the filemark survived"
    if cmp -n "$back" "$DATA/kill.bin" "$DATA/kill.back"; then
        ok "the $back bytes after the filemark are a prefix of what was written"
    else
        bad "the data after the filemark is not what was written"
    fi
    [ $((back % 65536)) = 0 ] || bad "$back bytes survived: not whole 64 KiB blocks"
    # The drive goes on working: a filemark after what survived, a new archive, read back.
    x mt -f "$t" eod
    expect_ok "mt weof at EOD" mt -f "$t" weof 1
    rm -rf /tmp/kill/src2 /tmp/kill/dst2 && mktree /tmp/kill/src2 8 && mkdir -p /tmp/kill/dst2
    expect_ok "tar archive after the restart" tar -c -b 20 -f "$t" -C /tmp/kill/src2 .
    x mt -f "$t" rewind
    x mt -f "$t" fsf 2
    expect_ok "tar -x of it" tar -x -b 20 -f "$t" -C /tmp/kill/dst2
    if same_tree /tmp/kill/src2 /tmp/kill/dst2; then ok "new archive read back identical"; else bad "new archive differs"; fi
    x mt -f "$t" rewind
    rm -f "$DATA/kill.back"
    detail "dd failed; $((back / 65536)) blocks after the last filemark survived; restarted drive works"
}

check_failure_kill_loop() {
    # kill -9 of a drive's daemon in the middle of a write, again and again (the module's
    # "no oops under kill -9 in a loop"; kernel.log_clean reads dmesg at the end): every
    # write fails, every restarted daemon reattaches and serves.
    local id=13 t=$(dev 13 nst) sg=$(dev 13 sg) i pids wpid ipid rc failed=0 rounds=6
    for ((i = 1; i <= rounds; i++)); do
        if ! wait_for 30 ready "$t"; then
            bad "round $i: drive $id not ready"
            return
        fi
        pids=$(lu_pids $id)
        echo "+ round $i: dd of=$t bs=64k (zeros) &, sg_inq in a loop, kill -9 $pids"
        dd if=/dev/zero of="$t" bs=64k count=4096 > "$STATE/loop.dd" 2>&1 &
        wpid=$!
        (for ((j = 0; j < 50; j++)); do sg_inq "$sg" > /dev/null 2>&1; done) &
        ipid=$!
        sleep 1
        kill -9 $pids
        wait_writer $wpid
        rc=$WRITER_RC
        wait $ipid
        case $rc in
            0) bad "round $i: the write succeeded although the daemon was killed" ;;
            timeout) bad "round $i: the write hung for 60 s after the kill" ;;
            *) failed=$((failed + 1)) ;;
        esac
        if ! restart_drive $id E2E011L6 "$OUT/daemons/vtltape-$id.loop$i.log"; then
            bad "round $i: the restarted daemon did not open $(lu_node $id)"
            return
        fi
    done
    expect_eq "writes that failed when their daemon was killed" "$failed" "$rounds"
    if wait_for 30 ready "$t"; then ok "drive $id ready after $rounds kills"; else bad "drive $id not ready after the kills"; fi
    x mt -f "$t" rewind
    expect_ok "mt weof after the kills" mt -f "$t" weof 1
    x mt -f "$t" rewind
    detail "$rounds rounds of kill -9 during dd: every write failed, every restart reattached"
}

check_failure_stopped_daemon() {
    # A daemon that stops answering (SIGSTOP): a command with a 3 s timeout is aborted (the
    # midlayer's abort handler, not an error), and once the daemon runs again it serves.
    local id=14 sg=$(dev 14 sg) pids rc t0
    pids=$(lu_pids $id)
    [ -n "$pids" ] || {
        bad "no daemon holds $(lu_node $id)"
        return
    }
    echo "+ kill -STOP $pids (the daemon of drive $id)"
    kill -STOP $pids
    t0=$SECONDS
    cap "$STATE/stopped" sg_raw -t 3 "$sg" 00 00 00 00 00 00
    rc=$?
    echo "+ kill -CONT $pids"
    kill -CONT $pids
    if [ $rc = 0 ]; then
        bad "TEST UNIT READY succeeded while the daemon was stopped"
    else
        ok "TEST UNIT READY to a stopped daemon failed after $((SECONDS - t0)) s (sg_raw exit status $rc)"
        expect_line "it failed as a timeout (aborted), not as an error the drive returned" "$STATE/stopped" "DID_TIME_OUT"
    fi
    if wait_for 20 ready "$sg"; then ok "drive $id answers after SIGCONT"; else bad "drive $id does not answer after SIGCONT"; fi
    [ "$(lu_pids $id)" = "$pids" ] && ok "the same daemon serves (pid $pids)" || bad "daemon of drive $id changed or died"
}

check_failure_resets() {
    # Device, bus and host reset through SG_SCSI_RESET (the module's reset handlers): the
    # drive reports the reset as UNIT ATTENTION once and answers afterwards; the library,
    # on the same host, answers after the host reset too.
    local id=14 sg=$(dev 14 sg) k
    for k in d b H; do
        cap "$STATE/reset" sg_reset -$k "$sg" || bad "sg_reset -$k failed"
        cap "$STATE/reset.tur" sg_turs "$sg"
        expect_line "sg_reset -$k: the next command sees UNIT ATTENTION" "$STATE/reset.tur" "[Uu]nit [Aa]ttention"
        if wait_for 20 ready "$sg"; then ok "drive $id answers after sg_reset -$k"; else bad "drive $id does not answer after sg_reset -$k"; fi
    done
    if wait_for 20 ready "$(dev $LIB sg)"; then ok "library answers after the host reset"; else bad "library does not answer after the host reset"; fi
    expect_ok "mtx status after the resets" mtx -f "$(dev $LIB sg)" status
}

check_failure_rmmod_in_use() {
    cap "$STATE/rmmod" rmmod vtl
    local rc=$?
    if [ $rc = 0 ]; then
        bad "rmmod vtl succeeded with the daemons running"
    else
        expect_line "rmmod refuses: in use" "$STATE/rmmod" "in use"
    fi
    x lsmod
    if ready "$(dev 11 nst)"; then ok "drive 11 still answers"; else bad "drive 11 stopped answering"; fi
}

check_daemons_stop() {
    cap "$OUT/daemons/stop.out" timeout 90 vtlcmd stop -C "$CONF"
    local rc=$?
    if [ $rc = 0 ]; then ok "vtlcmd stop"; else bad "vtlcmd stop failed (exit status $rc)"; fi
    if wait_for 30 no_daemons; then
        ok "no vtltape/vtllibrary process left"
    else
        bad "daemons still running: $(daemon_pids | tr '\n' ' ')"
        x ps -eo pid,stat,args
    fi
}

check_module_unload() {
    local i rc=1
    for i in 1 2 3 4 5; do
        cap "$STATE/rmmod" rmmod vtl && {
            rc=0
            break
        }
        sleep 2
    done
    if [ $rc = 0 ]; then ok "rmmod vtl"; else bad "rmmod vtl failed: $(cat "$STATE/rmmod")"; fi
    if [ -e /dev/vtl/control ]; then bad "/dev/vtl/control still there"; else ok "/dev/vtl/control gone"; fi
    cap "$STATE/lsscsi" lsscsi -g
    expect_no_line "no SCSI device left" "$STATE/lsscsi" "tape|mediumx"
}

check_kernel_log_clean() {
    dmesg > "$OUT/dmesg.txt"
    expect_no_line "no oops, BUG, warning or hung task in the kernel log" "$OUT/dmesg.txt" \
        "BUG:|Oops|WARNING:|general protection|Call Trace|refcount_t|list_del corruption|UBSAN|blocked for more than|Kernel panic"
    grep -i vtl "$OUT/dmesg.txt" | tail -n 40
}

# ------------------------------------------------------------------------------------------
collect_logs() {
    local f
    for f in /var/log/vtl* /run/vtl/*.log /var/lib/vtl/*.log; do
        [ -e "$f" ] && cp -r "$f" "$OUT/daemons/" 2> /dev/null
    done
    dmesg > "$OUT/dmesg.txt"
    ps -eo pid,stat,etime,args > "$OUT/ps.txt"
}

if [ "${1:-}" = --run ]; then
    fn=check_${2//./_}
    declare -F "$fn" > /dev/null || {
        bad "no function $fn in checks.sh"
        exit 1
    }
    "$fn"
    exit 0
fi

say "checks start"
run_all
collect_logs
touch "$OUT/done"
say "checks done: $(cut -f1 "$RES" | sort | uniq -c | tr '\n' ' ')"
