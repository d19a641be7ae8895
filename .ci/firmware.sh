#!/usr/bin/env bash
# Builds the bare-metal example (examples/firmware: csp on a Cortex-M3, no allocator,
# an interrupt producer) and its embassy-sync twin, runs each on QEMU's lm3s6965evb,
# and fails on a wrong report, a non-zero exit status or a hang. Budget: < 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

target=thumbv7m-none-eabi
manifest=examples/firmware/Cargo.toml
limit=${FIRMWARE_TIMEOUT:-60} # seconds per QEMU run; the program itself needs well under one

rustup target add "$target" >/dev/null 2>&1 || true # setup.sh does this too
command -v qemu-system-arm >/dev/null || { echo "firmware: qemu-system-arm is missing (see .ci/setup.sh)"; exit 1; }

# The example has its own workspace; name the target so that this works from any
# directory (its .cargo/config.toml applies only when cargo starts inside it).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/examples/firmware/target}"
# Not a member of the main workspace, so the top-level fmt and clippy miss it.
cargo fmt --manifest-path "$manifest" -- --check
cargo clippy --manifest-path "$manifest" --release --target "$target" --all-targets -- -D warnings
cargo build --manifest-path "$manifest" --release --target "$target" --bins
bin_dir="$CARGO_TARGET_DIR/$target/release"

run() {
  local name=$1 out status=0
  out=$(mktemp)
  echo "--- $name on qemu-system-arm lm3s6965evb"
  timeout --kill-after=5 "$limit" qemu-system-arm -cpu cortex-m3 -machine lm3s6965evb -nographic \
    -semihosting-config enable=on,target=native -kernel "$bin_dir/$name" </dev/null >"$out" 2>&1 || status=$?
  cat "$out"
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "firmware: $name hung (no exit within ${limit}s)"; exit 1
  fi
  if [ "$status" -ne 0 ]; then
    echo "firmware: $name exited with status $status"; exit 1
  fi
  # The program checks its own counts; insist that it said so, line by line.
  if ! grep -qx 'PASS' "$out" || grep -q 'FAILED\|FAIL$\|panic' "$out"; then
    echo "firmware: $name did not report PASS"; exit 1
  fi
  local checks
  checks=$(grep -c '^  \[ok\] ' "$out" || true)
  if [ "$checks" -lt "$2" ]; then
    echo "firmware: $name reported $checks passing checks, expected $2"; exit 1
  fi
  rm -f "$out"
}

run csp-firmware-example 10
run embassy_equiv 9

# Code size of both, for docs/embedded.md (informational).
if command -v llvm-size >/dev/null; then
  llvm-size "$bin_dir/csp-firmware-example" "$bin_dir/embassy_equiv"
fi
echo "firmware: ok"
