#!/usr/bin/env bash
# Install what building and testing vtl needs on a fresh Debian 12 machine:
# a C toolchain and zlib headers (flate2 links zlib, which gives mhvtl's exact deflate bytes),
# pkg-config, groff (the man page tests format man/*.1 with it), and a Rust toolchain
# (rustup) if cargo is missing. Idempotent.
set -euo pipefail

need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
command -v groff >/dev/null 2>&1 || need+=(groff-base)
command -v curl >/dev/null 2>&1 || need+=(curl ca-certificates)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup-deps: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    :
  else
    echo "setup-deps: installing the Rust toolchain with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
  fi
fi
