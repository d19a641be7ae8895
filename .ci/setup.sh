#!/usr/bin/env bash
# Installs the toolchain pieces the checks need (idempotent; quick when present).
set -euo pipefail
rustup component add clippy rustfmt >/dev/null 2>&1 || true
rustup toolchain install nightly --profile minimal >/dev/null 2>&1 || true
rustup component add miri rust-src --toolchain nightly >/dev/null
rustup target add thumbv7m-none-eabi >/dev/null
if ! command -v qemu-system-arm >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-system-arm >/dev/null) \
    || { echo "could not install qemu-system-arm"; exit 1; }
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --quiet
fi
