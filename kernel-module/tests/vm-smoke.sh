#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Smoke test of vtl.ko with a real tape drive daemon, run as root inside a throw-away VM
# (see ../README.md, "Testing in a VM"). Expects in $VTL_DIR (default /opt/vtl):
#   vtl.ko       built for the running kernel
#   serve_tape   cargo build --example serve_tape -p vtl-kernel (daemons/kernel/examples)
# and the tools mt (mt-st), sg_inq/sg_reset (sg3-utils), lsscsi, tar, cmp.
#
# Prints one "SMOKE PASS: ..." or "SMOKE FAIL: ..." line per check and a final
# "SMOKE RESULT: ..." line; exits non-zero when a check failed.
set -u
D=${VTL_DIR:-/opt/vtl}
MEDIA=/tmp/vtl-media
LOGD=/tmp/vtl-logs
NST=/dev/nst0
LOOPS=${LOOPS:-20}
mkdir -p "$MEDIA" "$LOGD"
fails=0
npass=0
pass() { echo "SMOKE PASS: $*"; npass=$((npass + 1)); }
fail() { echo "SMOKE FAIL: $*"; fails=$((fails + 1)); }
check() { desc=$1; shift; if "$@"; then pass "$desc"; else fail "$desc"; fi; }
run() { echo "+ $*"; "$@"; }

# start_daemon NAME [ARGS]: serve_tape in the background, $DPID, log $LOGD/NAME.log;
# waits until it has attached ("serving" printed) or died.
start_daemon() {
	name=$1; shift
	"$D/serve_tape" "$MEDIA" "$@" > "$LOGD/$name.log" 2>&1 &
	DPID=$!
	i=0
	while [ $i -lt 200 ]; do
		grep -q '^serve_tape: serving' "$LOGD/$name.log" && return 0
		kill -0 "$DPID" 2>/dev/null || return 1
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
wait_node() { i=0; while [ $i -lt 200 ]; do [ -e "$1" ] && return 0; sleep 0.05; i=$((i + 1)); done; return 1; }
# The drive answers (st retries its unit attentions at open).
drive_ready() { mt -f "$NST" status > /dev/null 2>&1; }
wait_ready() { i=0; while [ $i -lt 100 ]; do drive_ready && return 0; sleep 0.1; i=$((i + 1)); done; return 1; }
no_oops() { ! dmesg | grep -E 'BUG:|Oops|WARNING:|general protection|Call Trace|blocked for more than|list_del corruption|refcount_t'; }

echo "=== load"
for m in scsi_mod st sg; do modprobe "$m"; done
check "insmod vtl.ko" insmod "$D/vtl.ko"
check "/dev/vtl/control exists, mode 0660" sh -c '[ "$(stat -c %a /dev/vtl/control)" = 660 ]'
host=$(ls /sys/class/scsi_host/ | while read -r h; do
	[ "$(cat /sys/class/scsi_host/$h/proc_name)" = vtl ] && echo "${h#host}"; done)
echo "vtl is SCSI host $host"

echo "=== attach"
check "daemon attaches 0:0:0" start_daemon first
MAIN_PID=$DPID
cat "$LOGD/first.log"
check "/dev/vtl/lu-0-0-0 exists, mode 0660" sh -c '[ "$(stat -c %a /dev/vtl/lu-0-0-0)" = 660 ]'
check "st attaches $NST" wait_node "$NST"
check "drive ready" wait_ready
run lsscsi -g
check "lsscsi shows the IBM ULT3580-TD8 tape at $host:0:0:0" \
	sh -c "lsscsi -g | grep -E '^\[$host:0:0:0\] +tape +IBM +ULT3580-TD8 .*/dev/st0 +/dev/sg'"
run sg_inq "$NST"
check "sg_inq: vendor IBM, product ULT3580-TD8" \
	sh -c "sg_inq $NST | grep -q 'Vendor identification: IBM' && sg_inq $NST | grep -q 'Product identification: ULT3580-TD8'"
run mt -f "$NST" status
check "mt status: online at BOT" sh -c "mt -f $NST status | grep -q 'BOT ONLINE'"
check "second daemon on the same unit is refused (busy)" \
	sh -c "! '$D/serve_tape' '$MEDIA' > $LOGD/second.log 2>&1 && grep -i busy $LOGD/second.log"
cat "$LOGD/second.log"

echo "=== tar write / read back"
dd if=/dev/urandom of=/tmp/a.bin bs=64k count=48 2>/dev/null
dd if=/dev/urandom of=/tmp/b.bin bs=1k count=777 2>/dev/null
mkdir -p /tmp/out
check "rewind" mt -f "$NST" rewind
check "tar write file 0 (64 KiB records)" tar -cf "$NST" -b 128 -C /tmp a.bin
check "tar write file 1 (10 KiB records)" tar -cf "$NST" -C /tmp b.bin
check "mt weof" mt -f "$NST" weof 1
check "rewind" mt -f "$NST" rewind
check "tar read file 0" tar -xf "$NST" -b 128 -C /tmp/out
check "file 0 identical" cmp /tmp/a.bin /tmp/out/a.bin
check "mt fsf 1 (to file 1)" sh -c "mt -f $NST rewind && mt -f $NST fsf 1"
run mt -f "$NST" status
check "mt status after fsf 1: File number=1, block number=0" \
	sh -c "mt -f $NST status | grep -q 'File number=1, block number=0,'"
check "tar read file 1" tar -xf "$NST" -C /tmp/out
check "file 1 identical" cmp /tmp/b.bin /tmp/out/b.bin

echo "=== resets (SG_SCSI_RESET: device, bus, host)"
sg=$(lsscsi -g | awk -v a="[$host:0:0:0]" '$1 == a { print $NF }')
for r in -d -b -H; do
	check "sg_reset $r $sg, then the drive answers" sh -c "sg_reset $r $sg && mt -f $NST status > /dev/null"
done

echo "=== a command the daemon does not answer: timeout, abort"
kill -STOP "$DPID"
sg_raw -t 2 "$sg" 00 00 00 00 00 00 > "$LOGD/sg_raw.log" 2>&1; rc=$?
kill -CONT "$DPID"
cat "$LOGD/sg_raw.log"
check "TEST UNIT READY with a 2 s timeout to a stopped daemon fails (sg_raw exit $rc)" [ "$rc" -ne 0 ]
check "after the abort the daemon serves again" wait_ready
dmesg | tail -n 4

echo "=== a command the daemon has read but not answered: VTL_MSG_ABORT, late reply ENOENT"
# A daemon on 0:2:0 that takes 4 s over operation code C0h (vendor specific).
start_daemon stall --addr 0:2:0 --debug --stall c0:4000 --remove
SPID=$DPID; DPID=$MAIN_PID
check "stalling daemon's unit visible" wait_node "/sys/class/scsi_device/$host:0:2:0"
sg2=$(lsscsi -g | awk -v a="[$host:0:2:0]" '$1 == a { print $NF }')
sg_raw -t 2 "$sg2" c0 00 00 00 00 00 > "$LOGD/sg_raw2.log" 2>&1; rc=$?
check "command C0h times out after 2 s (sg_raw exit $rc)" [ "$rc" -ne 0 ]
i=0
while [ $i -lt 200 ] && ! grep -q 'command aborted by the initiator' "$LOGD/stall.log"; do
	sleep 0.05; i=$((i + 1))
done
grep -E 'no longer outstanding|aborted' "$LOGD/stall.log" | cut -c1-160
check "the daemon's late reply got ENOENT and was dropped" \
	grep -q 'reply to a command no longer outstanding' "$LOGD/stall.log"
check "the daemon received VTL_MSG_ABORT" grep -q 'command aborted by the initiator' "$LOGD/stall.log"
check "the unit answers afterwards (INQUIRY)" sg_inq "$sg2"
kill -TERM "$SPID"; wait "$SPID"
check "stalling daemon removed its unit" sh -c "! [ -e /sys/class/scsi_device/$host:0:2:0 ]"

echo "=== user rescan of unknown addresses"
check "echo '- - -' > scan finds nothing new" sh -c "
	before=\$(ls /sys/class/scsi_device | wc -l)
	echo '- - -' > /sys/class/scsi_host/host$host/scan
	[ \$(ls /sys/class/scsi_device | wc -l) = \$before ]"

echo "=== kill -9 during a tar write"
dd if=/dev/urandom of=/tmp/big.bin bs=1M count=96 2>/dev/null
mt -f "$NST" rewind
tar -cf "$NST" -b 128 -C /tmp big.bin > "$LOGD/tar-killed.log" 2>&1 &
TPID=$!
# Wait until tar has written 2 MB to the tape, then kill the daemon.
i=0
while [ $i -lt 400 ]; do
	w=$(awk '/^wchar/ { print $2 }' /proc/$TPID/io 2>/dev/null || echo 0)
	[ "${w:-0}" -gt 2000000 ] && break
	sleep 0.02; i=$((i + 1))
done
echo "tar had written ${w:-?} bytes"
kill -9 "$DPID"; wait "$DPID"
wait "$TPID"; trc=$?
cat "$LOGD/tar-killed.log"
check "tar fails when the daemon dies mid-write (exit $trc)" [ "$trc" -ne 0 ]
run sg_turs -v "$sg"
check "without a daemon: NOT READY, manual intervention required (02/04/03)" \
	sh -c "sg_turs -v $sg 2>&1 | grep -qi 'manual intervention required'"
check "without a daemon mt status shows the drive offline" sh -c "! mt -f $NST status | grep -q ONLINE"
dmesg | tail -n 8

echo "=== restart: reattach"
check "restarted daemon attaches" start_daemon restarted
check "restarted daemon reports 'reattached'" grep -q reattached "$LOGD/restarted.log"
cat "$LOGD/restarted.log"
check "$NST is the same device and answers" wait_ready
check "rewind" mt -f "$NST" rewind
check "tar write after restart" tar -cf "$NST" -b 128 -C /tmp b.bin
check "rewind" mt -f "$NST" rewind
rm -f /tmp/out/b.bin
check "tar read after restart" tar -xf "$NST" -b 128 -C /tmp/out
check "identical after restart" cmp /tmp/b.bin /tmp/out/b.bin

echo "=== kill -9 loop ($LOOPS x) with commands in flight"
# Each round: a daemon, a dd writing 64 KiB records through st, sg_inq/sg_turs through sg
# at the same time (several commands outstanding), then kill -9 at a varying moment after
# dd's first records.
kill -9 "$DPID"; wait "$DPID"
n=0; attached=0; writing=0; wfail=0
while [ $n -lt "$LOOPS" ]; do
	if start_daemon "loop$n"; then attached=$((attached + 1)); fi
	wait_ready > /dev/null 2>&1
	mt -f "$NST" rewind
	dd if=/dev/zero of="$NST" bs=64k count=1000 > "$LOGD/dd$n.log" 2>&1 &
	W1=$!
	( while :; do sg_inq "$sg" > /dev/null 2>&1; sg_turs "$sg" > /dev/null 2>&1; done ) &
	W2=$!
	i=0; w=0
	while [ $i -lt 200 ] && [ "${w:-0}" -lt 65536 ]; do
		w=$(awk '/^wchar/ { print $2 }' /proc/$W1/io 2>/dev/null || echo 0)
		sleep 0.02; i=$((i + 1))
	done
	[ "${w:-0}" -ge 65536 ] && writing=$((writing + 1))
	sleep 0.$((n % 4))
	kill -9 "$DPID"; wait "$DPID" 2>/dev/null
	wait "$W1" || wfail=$((wfail + 1))
	kill "$W2"; wait "$W2" 2>/dev/null
	n=$((n + 1))
done
echo "daemon attached $attached of $LOOPS times; dd was writing at $writing kills and failed $wfail times"
tail -n 3 "$LOGD/dd0.log"
check "every restarted daemon attached" [ "$attached" -eq "$LOOPS" ]
check "dd was writing at every kill and failed every time" \
	sh -c "[ $writing -eq $LOOPS ] && [ $wfail -eq $LOOPS ]"
check "daemon comes back after the loop" start_daemon after-loop
MAIN_PID=$DPID
check "drive answers after the loop" wait_ready
check "rewind + tar write/read after the loop" sh -c "
	mt -f $NST rewind && tar -cf $NST -C /tmp b.bin && mt -f $NST rewind &&
	rm -f /tmp/out/b.bin && tar -xf $NST -C /tmp/out && cmp /tmp/b.bin /tmp/out/b.bin"

echo "=== remove a unit (VTL_IOC_REMOVE_LU)"
start_daemon second-unit --addr 0:1:0 --remove
check "second unit 0:1:0 attached" grep -q 'serving /dev/vtl/lu-0-1-0' "$LOGD/second-unit.log"
check "second unit visible to the kernel" wait_node "/sys/class/scsi_device/$host:0:1:0"
kill -TERM "$DPID"; wait "$DPID"; rc=$?
cat "$LOGD/second-unit.log"
check "daemon stopped by SIGTERM exits 0 and removes its unit" [ "$rc" -eq 0 ]
check "/dev/vtl/lu-0-1-0 gone" sh -c '! [ -e /dev/vtl/lu-0-1-0 ]'
check "$host:0:1:0 gone from the kernel" sh -c "! [ -e /sys/class/scsi_device/$host:0:1:0 ]"

echo "=== unload"
# The after-loop daemon of 0:0:0 still runs.
check "rmmod while a daemon runs fails (module in use)" sh -c '! rmmod vtl'
lsmod | grep '^vtl '
kill -TERM "$MAIN_PID"; wait "$MAIN_PID"
check "rmmod after the daemon stopped succeeds" rmmod vtl
check "/dev/vtl gone" sh -c '! [ -e /dev/vtl/control ]'
check "no vtl SCSI devices left" sh -c "! ls /sys/class/scsi_device | grep -q '^$host:'"
check "insmod again" insmod "$D/vtl.ko"
check "rmmod with no units" rmmod vtl

echo "=== kernel log"
dmesg | grep -E 'vtl|st[0-9]|scsi' | tail -n 30
check "no oops, warning or hung task in dmesg" no_oops

echo "SMOKE RESULT: $npass passed, $fails failed"
[ "$fails" -eq 0 ]
