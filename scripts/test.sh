#!/usr/bin/env bash
# Run every test of vtl: formatting, lints, unit/integration/property tests (the mhvtl
# fixtures in ../shared are used when present; with CI=true their absence is a failure),
# doc tests, and a smoke run of the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== benchmark smoke run (numbers live in docs/BENCHMARKS.md, never in tests)"
cargo bench --workspace --locked --bench tape --bench preload_vs_cp -- --test
echo "== all tests passed"
