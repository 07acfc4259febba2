#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the kernel's scripts/checkpatch.pl on the module's sources.
#
# checkpatch.pl is not in the kernel headers packages. Unless CHECKPATCH
# names one (e.g. CHECKPATCH=~/linux/scripts/checkpatch.pl), this fetches
# Debian's linux-source-$SRCVER package with `apt-get download` and extracts
# scripts/checkpatch.pl, scripts/spelling.txt and
# scripts/const_structs.checkpatch into $CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/vtl/checkpatch-$SRCVER), once.
#
# Exit status: 0 when checkpatch reports no error, warning or check.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
SRCVER=${SRCVER:-6.1}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vtl/checkpatch-$SRCVER}

if [ -z "${CHECKPATCH:-}" ]; then
	CHECKPATCH=$CACHE/scripts/checkpatch.pl
	if [ ! -x "$CHECKPATCH" ]; then
		mkdir -p "$CACHE"
		tmp=$(mktemp -d "$CACHE/fetch.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		echo "check.sh: fetching linux-source-$SRCVER into $CACHE" >&2
		(cd "$tmp" && apt-get download "linux-source-$SRCVER" </dev/null)
		tarball=$(dpkg-deb -c "$tmp"/linux-source-"$SRCVER"_*.deb |
			  awk '/linux-source-.*\.tar\.xz$/ { print $NF }')
		dpkg-deb --fsys-tarfile "$tmp"/linux-source-"$SRCVER"_*.deb |
			tar -x -C "$tmp" "$tarball"
		top=$(basename "$tarball" .tar.xz)
		tar -xJf "$tmp/$tarball" -C "$tmp" \
			"$top/scripts/checkpatch.pl" \
			"$top/scripts/spelling.txt" \
			"$top/scripts/const_structs.checkpatch"
		mkdir -p "$CACHE/scripts"
		mv "$tmp/$top/scripts/checkpatch.pl" \
		   "$tmp/$top/scripts/spelling.txt" \
		   "$tmp/$top/scripts/const_structs.checkpatch" "$CACHE/scripts/"
		chmod +x "$CHECKPATCH"
	fi
fi

cd "$HERE"
# --no-tree: an out-of-tree module. --strict: the CHECK level too.
# vtl_uapi.h is checked like the rest: it is the module's user API.
# Ignored, on purpose:
#   LINUX_VERSION_CODE  an out-of-tree module builds against several kernels
#                       (6.1 and >= 6.2 differ in class devnode's signature);
#   CAMELCASE           Scsi_Host is the kernel's own name, and with --no-tree
#                       checkpatch cannot read include/ to learn that.
# --root: an empty tree, so that checkpatch's include/ scan finds nothing.
empty=$(mktemp -d)
mkdir "$empty/include"
rc=0
perl "$CHECKPATCH" --no-tree --root="$empty" --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES,LINUX_VERSION_CODE,CAMELCASE \
	-f vtl.h vtl_uapi.h vtl_main.c vtl_host.c vtl_lu.c vtl_control.c \
	Kbuild Makefile || rc=$?
# checkpatch leaves its CamelCase cache in the working directory.
rm -rf "$empty" .checkpatch-camelcase.*
[ "$rc" -eq 0 ] && echo "check.sh: checkpatch --strict: no errors, warnings or checks"
exit "$rc"
