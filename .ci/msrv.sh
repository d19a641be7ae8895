#!/usr/bin/env bash
# The libraries build with the oldest Rust that Cargo.toml's `rust-version` names, on
# the host with every feature and bare on a Cortex-M3 (tests, benches and examples may
# use newer Rust). Installs that toolchain (minimal profile) and its Cortex-M target.
set -euo pipefail
cd "$(dirname "$0")/.."
msrv=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)
[ -n "$msrv" ] || { echo "no rust-version in Cargo.toml"; exit 1; }
rustup toolchain install "$msrv" --profile minimal >/dev/null
rustup target add --toolchain "$msrv" thumbv7m-none-eabi >/dev/null
# Its own target directory: a different compiler would rebuild the main one's artifacts.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/msrv"
cargo +"$msrv" check --all-features \
  -p csp -p csp-core -p csp-ops -p csp-rt -p csp-tokio -p csp-smol -p csp-async-std
cargo +"$msrv" check -p csp-core --no-default-features --features critical-section,sink
for c in csp-core csp-ops csp; do
  cargo +"$msrv" check -p "$c" --no-default-features --target thumbv7m-none-eabi
done
echo "msrv $msrv: ok"
