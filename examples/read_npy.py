"""Read the fGn written by `cargo run --release --example fgn_to_npy` and check it with numpy.

    python3 examples/read_npy.py [target/examples/fgn.npy] [H]

Prints the shape and dtype, and the sample autocovariance at lags 0..3 beside the exact fGn
autocovariance gamma(k) = (|k+1|^2H - 2|k|^2H + |k-1|^2H) / 2 (unit variance).
"""
import sys

import numpy as np

path = sys.argv[1] if len(sys.argv) > 1 else "target/examples/fgn.npy"
hurst = float(sys.argv[2]) if len(sys.argv) > 2 else 0.7

x = np.load(path)  # shape (paths, n), float64: rows are independent paths
print(f"{path}: shape {x.shape}, dtype {x.dtype}")

paths, n = x.shape
for k in range(4):
    # Known-mean estimator (the mean is 0), averaged over paths: unbiased for gamma(k).
    sample = np.mean(np.sum(x[:, : n - k] * x[:, k:], axis=1) / (n - k))
    exact = 0.5 * (abs(k + 1) ** (2 * hurst) - 2 * abs(k) ** (2 * hurst) + abs(k - 1) ** (2 * hurst))
    print(f"lag {k}: sample {sample:+.4f}  exact {exact:+.4f}")
