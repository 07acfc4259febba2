#!/usr/bin/env bash
# Install vtl's tools, man pages and shell completions under a prefix:
#   <prefix>/bin/<tool>                                  release build of bin/<tool>
#   <prefix>/share/man/man{1,5,7}/<page>                 man/*.1, man/*.5, man/*.7
#   <prefix>/share/bash-completion/completions/<tool>    completions/bash/<tool>
#   <prefix>/share/zsh/site-functions/_<tool>            completions/zsh/_<tool>
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

usage() {
  sed -n 's/^# \{0,1\}//; 8,14p' "$0" >&2
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

# The tools: one crate, and one binary of the same name, per directory under bin/.
TOOLS=()
for dir in bin/*/; do
  TOOLS+=("$(basename "$dir")")
done
RELEASE=${CARGO_TARGET_DIR:-target}/release

if [ "$BUILD" = 1 ] && [ "$DRY_RUN" = 0 ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
  packages=()
  for tool in "${TOOLS[@]}"; do
    packages+=(-p "$tool")
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

for tool in "${TOOLS[@]}"; do
  if [ "$DRY_RUN" = 0 ] && [ ! -x "$RELEASE/$tool" ]; then
    echo "install.sh: $RELEASE/$tool is missing: run \`cargo build --release\` first" >&2
    exit 1
  fi
  put 0755 "$RELEASE/$tool" "$DEST/bin/$tool"
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
