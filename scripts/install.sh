#!/usr/bin/env bash
# Install vtl's tools and daemons, man pages, shell completions, systemd units, udev rules
# and the kernel module's source under a prefix:
#   <prefix>/bin/<tool>                                  release build of bin/<tool>, vtltape, vtllibrary
#   <prefix>/share/man/man{1,5,7}/<page>                 man/*.1, man/*.5, man/*.7
#   <prefix>/share/bash-completion/completions/<tool>    completions/bash/<tool>
#   <prefix>/share/zsh/site-functions/_<tool>            completions/zsh/_<tool>
#   <prefix>/lib/systemd/system/<unit>                   systemd/vtl.target, vtltape@.service, vtllibrary@.service
#   <prefix>/lib/systemd/system-generators/vtl-generator systemd/vtl-generator
#   <prefix>/lib/sysusers.d/vtl.conf                     systemd/vtl.sysusers.conf (user vtl)
#   <prefix>/lib/tmpfiles.d/vtl.conf                     systemd/vtl.tmpfiles.conf (/run/vtl)
#   <prefix>/lib/udev/rules.d/65-vtl.rules               udev/65-vtl.rules
#   /usr/src/vtl-<version>/                              kernel-module/ sources, for DKMS
#
# Usage: bash scripts/install.sh [--prefix DIR] [--dry-run] [--no-build]
#   --prefix DIR  install under DIR (default /usr/local)
#   --dry-run     build nothing, write nothing: print each file that would be installed
#   --no-build    install the binaries already in ${CARGO_TARGET_DIR:-target}/release
#                 (e.g. `cargo build --release` as yourself, then
#                 `sudo bash scripts/install.sh --no-build`)
# $DESTDIR, when set, is put in front of every destination (for packaging).
set -euo pipefail
cd "$(dirname "$0")/.."
# Globs sorted the same way everywhere.
export LC_ALL=C

usage() {
  sed -n 's/^# \{0,1\}//; 15,21p' "$0" >&2
  exit 2
}

PREFIX=/usr/local
DRY_RUN=0
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix)
      [ $# -ge 2 ] || usage
      PREFIX=$2
      shift 2
      ;;
    --prefix=*)
      PREFIX=${1#--prefix=}
      shift
      ;;
    --dry-run)
      DRY_RUN=1
      shift
      ;;
    --no-build)
      BUILD=0
      shift
      ;;
    -h | --help) usage ;;
    *)
      echo "install.sh: unknown argument: $1" >&2
      usage
      ;;
  esac
done
[ -n "$PREFIX" ] || usage
DEST=${DESTDIR:-}$PREFIX

# The tools: one crate, and one binary of the same name, per directory under bin/; the
# daemons: the binaries vtltape and vtllibrary of the crate vtl-daemon (daemons/daemon).
PACKAGES=()
for dir in bin/*/; do
  PACKAGES+=("$(basename "$dir")")
done
DAEMONS=(vtllibrary vtltape)
mapfile -t PROGRAMS < <(printf '%s\n' "${PACKAGES[@]}" "${DAEMONS[@]}" | LC_ALL=C sort)
RELEASE=${CARGO_TARGET_DIR:-target}/release
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$VERSION" ] || { echo "install.sh: no version in Cargo.toml" >&2; exit 1; }
SRC_DEST=${DESTDIR:-}/usr/src/vtl-$VERSION

if [ "$BUILD" = 1 ] && [ "$DRY_RUN" = 0 ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
  packages=()
  for package in "${PACKAGES[@]}" vtl-daemon; do
    packages+=(-p "$package")
  done
  cargo build --release --locked "${packages[@]}"
fi

# put MODE SOURCE TARGET: install one file (or, with --dry-run, say which).
put() {
  if [ "$DRY_RUN" = 1 ]; then
    echo "$2 -> $3"
  else
    install -D -m "$1" "$2" "$3"
    echo "installed $3"
  fi
}

# Every binary must be there before anything is installed.
if [ "$DRY_RUN" = 0 ]; then
  for program in "${PROGRAMS[@]}"; do
    if [ ! -x "$RELEASE/$program" ]; then
      echo "install.sh: $RELEASE/$program is missing: run \`cargo build --release\` first" >&2
      exit 1
    fi
  done
fi
for program in "${PROGRAMS[@]}"; do
  put 0755 "$RELEASE/$program" "$DEST/bin/$program"
done

shopt -s nullglob
for page in man/*.1 man/*.5 man/*.7; do
  put 0644 "$page" "$DEST/share/man/man${page##*.}/$(basename "$page")"
done
for file in completions/bash/*; do
  put 0644 "$file" "$DEST/share/bash-completion/completions/$(basename "$file")"
done
for file in completions/zsh/_*; do
  put 0644 "$file" "$DEST/share/zsh/site-functions/$(basename "$file")"
done
for unit in systemd/vtl.target systemd/vtllibrary@.service systemd/vtltape@.service; do
  put 0644 "$unit" "$DEST/lib/systemd/system/$(basename "$unit")"
done
put 0755 systemd/vtl-generator "$DEST/lib/systemd/system-generators/vtl-generator"
put 0644 systemd/vtl.sysusers.conf "$DEST/lib/sysusers.d/vtl.conf"
put 0644 systemd/vtl.tmpfiles.conf "$DEST/lib/tmpfiles.d/vtl.conf"
put 0644 udev/65-vtl.rules "$DEST/lib/udev/rules.d/65-vtl.rules"
# The module's sources (not its build products nor its tests), where DKMS looks for them.
for file in kernel-module/Kbuild kernel-module/Makefile kernel-module/dkms.conf \
  kernel-module/*.c kernel-module/*.h; do
  case "$file" in *.mod.c) continue ;; esac
  put 0644 "$file" "$SRC_DEST/$(basename "$file")"
done

if [ "$DRY_RUN" = 0 ] && [ -z "${DESTDIR:-}" ]; then
  cat <<EOT
Next, as root: systemd-sysusers; systemd-tmpfiles --create; udevadm control --reload;
dkms install vtl/$VERSION; systemctl daemon-reload; systemctl enable --now vtl.target
(or, without systemd: modprobe vtl; vtlcmd start).
EOT
fi
