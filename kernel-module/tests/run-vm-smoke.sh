#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Host side of the VM smoke test: build vtl.ko for the VM's kernel and the serve_tape
# example, put them with vm-smoke.sh into the VM's root file system, boot the VM with
# /work/shared/vm/run-vm.sh (or $VMDIR/run-vm.sh) and print the result.
#
# Environment:
#   VMLAB   the VM lab of /work/shared/vm (kernel/, hdr/, initrd.cpio.gz); required
#   KVER    its kernel, e.g. 6.1.0-56-amd64; required
#   ROOTFS  Debian rootfs with mt-st, sg3-utils, lsscsi, tar (default $VMLAB/rootfs)
#   TAG     name of this run's directory /opt/vtl-$TAG in ROOTFS (default smoke)
#   SHARE   9p share for test.sh and result.log (default $VMLAB/share-$TAG)
#   LOG     console log (default $VMLAB/console-$TAG.log)
#   VMDIR   directory of run-vm.sh (default /work/shared/vm)
#   LOOPS   kill -9 rounds in the guest (default 20)
#   CARGO_TARGET_DIR as usual
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
: "${VMLAB:?set VMLAB}" "${KVER:?set KVER}"
ROOTFS=${ROOTFS:-$VMLAB/rootfs}
TAG=${TAG:-smoke}
SHARE=${SHARE:-$VMLAB/share-$TAG}
LOG=${LOG:-$VMLAB/console-$TAG.log}
VMDIR=${VMDIR:-/work/shared/vm}
LOOPS=${LOOPS:-20}
TARGET=${CARGO_TARGET_DIR:-$REPO/target}

make -C "$REPO/kernel-module" KDIR="$VMLAB/hdr/usr/src/linux-headers-$KVER" > /dev/null
(cd "$REPO" && cargo build --release -p vtl-kernel --example serve_tape </dev/null)
dest=$ROOTFS/opt/vtl-$TAG
mkdir -p "$dest" "$SHARE"
cp "$REPO/kernel-module/vtl.ko" "$HERE/vm-smoke.sh" "$TARGET/release/examples/serve_tape" \
	"$dest/"
printf '#!/bin/sh\nLOOPS=%s VTL_DIR=/opt/vtl-%s exec sh /opt/vtl-%s/vm-smoke.sh\n' \
	"$LOOPS" "$TAG" "$TAG" > "$SHARE/test.sh"
chmod +x "$SHARE/test.sh"
rm -f "$SHARE/result.log"
VMLAB=$VMLAB KVER=$KVER ROOTFS=$ROOTFS SHARE=$SHARE LOG=$LOG TIMEOUT=${TIMEOUT:-900} \
	sh "$VMDIR/run-vm.sh"
grep -E '^SMOKE' "$SHARE/result.log"
grep -q '^SMOKE RESULT: .* 0 failed$' "$SHARE/result.log"
