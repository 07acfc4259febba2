#!/usr/bin/env bash
# Run every test of vtl: formatting, lints, unit/integration/property tests (the mhvtl
# fixtures in ../shared are used when present; with CI=true their absence is a failure),
# doc tests, a smoke run of the benchmarks and, with CI=true or VTL_FUZZ=1, a short run of
# every fuzz target (fuzz/run.sh 20: about 4 minutes on 2 cores from a cold build), and with
# CI=true or VTL_E2E=1 the end-to-end test through the kernel in a VM (tests/e2e/run.sh; needs
# root, else it prints "skipped: ..." — a failure under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
# Nothing here reads stdin: cargo probes rustc with `rustc -`, which fails on a non-UTF-8 stdin.
exec </dev/null
bash scripts/setup-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"

echo "== cargo fmt --check"
cargo fmt --all -- --check
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== benchmark smoke run (numbers live in docs/BENCHMARKS.md, never in tests)"
cargo bench --workspace --locked --bench tape --bench preload_vs_cp --bench scsi_rw --bench res -- --test
if [ "${VTL_FUZZ:-0}" = 1 ] || [ "${CI:-}" = true ]; then
  echo "== fuzz targets: clippy, then 20 s each (fuzz/run.sh; crash inputs in fuzz/artifacts)"
  cargo clippy --manifest-path fuzz/Cargo.toml --all-targets --locked -- -D warnings
  bash fuzz/run.sh 20
fi
if [ "${VTL_E2E:-0}" = 1 ] || [ "${CI:-}" = true ]; then
  echo "== e2e in a VM (tests/e2e/run.sh: vtl.ko and the daemons under Debian 12's kernel, real clients)"
  bash tests/e2e/run.sh
fi
echo "== all tests passed"
