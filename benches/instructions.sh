#!/usr/bin/env bash
# Instruction counts (callgrind "Ir") of the hot kernels and their floors: repeatable figures on a
# shared, noisy machine. Not part of `cargo test` or CI. Needs valgrind.
#
#   benches/instructions.sh               # every kernel
#   benches/instructions.sh dfa1 ou_em    # some kernels (names: see benches/instructions.rs)
#
# Each kernel is an #[inline(never)] function `ir_<name>` in benches/instructions.rs; only the
# instructions executed inside it are counted (--collect-atstart=no --toggle-collect), so set-up
# (series generation, FFT planning, thread pool) is excluded.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind not found" >&2; exit 2; }
bin=$(cargo bench --bench instructions --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "could not build benches/instructions.rs" >&2; exit 2; }
if [ $# -eq 0 ]; then set -- $("$bin" --list); fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-14s %16s\n' kernel Ir
for k in "$@"; do
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" --collect-atstart=no \
        --toggle-collect="*ir_${k}*" "$bin" "$k" >/dev/null 2>"$tmp/log" ||
        { cat "$tmp/log" >&2; exit 1; }
    ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/log")
    printf '%-14s %16s\n' "$k" "$ir"
done
