"""The `fracnoise` CLI, whole process, against stochastic-rs in-process, paired, in one run.

    cargo build --release
    pip install stochastic-rs numpy
    python benches/cli_vs_peers.py [--reps 21] [--bin target/release/fracnoise]

Issue 13's first goal: `fracnoise generate fgn` (start, set-up, generation, writing, exit) at
least 2.5x faster than stochastic-rs's Python package making the same paths in a warm Python
process (its generator made once, then `sample_par` timed). Cases: 8 paths of 2^20 and 1000 of
4096, H = 0.7, float64 to /dev/null.

The machine is shared and its speed drifts, so each repetition times one CLI run and one
stochastic-rs call back to back (alternating which goes first), and the ratio is taken pair by
pair (theirs / ours: higher is better for fracnoise); the median, quartiles and extremes of the
ratios are printed, and the fraction of pairs at or above 2.5. Starting a process from Python costs about 0.8 ms (measured
with /bin/true), counted against fracnoise. Not run in CI.
"""
import argparse
import os
import statistics as st
import subprocess
import sys
import time

GOAL = 2.5
H = 0.7


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=21)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "fracnoise"))
    args = ap.parse_args()
    try:
        import stochastic_rs as srs
    except ImportError:
        sys.exit("stochastic-rs is not installed (pip install stochastic-rs)")
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin} not found: run `cargo build --release` first")
    print(f"load average {os.getloadavg()[0]:.2f}; {args.reps} pairs per case; ratio = stochastic-rs / fracnoise")
    for n, paths in [(1 << 20, 8), (4096, 1000)]:
        g = srs.PyFgn(H, n)
        g.sample_par(paths)
        cmd = [args.bin, "generate", "fgn", "--n", str(n), "--paths", str(paths), "--hurst", str(H),
               "--seed", "1", "--format", "f64le", "-o", "/dev/null"]
        subprocess.run(cmd, check=True)
        ours, theirs, ratios = [], [], []
        for i in range(args.reps):
            # Alternating which goes first, so that neither always follows the other.
            for who in ("ours", "theirs") if i % 2 == 0 else ("theirs", "ours"):
                t0 = time.perf_counter()
                if who == "ours":
                    subprocess.run(cmd, check=True)
                else:
                    g.sample_par(paths)
                (ours if who == "ours" else theirs).append(time.perf_counter() - t0)
            ratios.append(theirs[-1] / ours[-1])
        q = st.quantiles(ratios, n=4)
        met = sum(r >= GOAL for r in ratios) / len(ratios)
        print(f"fGn {paths} x {n}: fracnoise whole process {st.median(ours) * 1e3:.1f} ms, "
              f"stochastic-rs in-process {st.median(theirs) * 1e3:.1f} ms; ratio median {st.median(ratios):.2f} "
              f"(quartiles {q[0]:.2f}-{q[2]:.2f}, range {min(ratios):.2f}-{max(ratios):.2f}); "
              f">= {GOAL} in {met:.0%} of pairs")


if __name__ == "__main__":
    main()
