"""The GIL is released during long computations: a Python thread keeps running while they run.

A spinning thread records the time every few hundred iterations while the main thread makes a
call of a few hundred milliseconds. A call that holds the GIL leaves one gap in the record as
long as the call (the spinner only runs in the switch intervals around it); a call that releases
it leaves only scheduling gaps. The check runs in a child process with one rayon worker
(RAYON_NUM_THREADS=1) so that the spinner has a core of its own on a 2-core machine; it fails when
the longest gap exceeds half the call (verified by holding the GIL in the binding on purpose)."""

import json
import os
import subprocess
import sys

CHILD = r"""
import json, threading, time
import fracnoise as fn
from fracnoise import sgd

def longest_gap_share(call):
    state = {"stop": False, "ts": []}
    def spin():
        n, ts, clock = 0, state["ts"], time.perf_counter
        while not state["stop"]:
            n += 1
            if n & 255 == 0:
                ts.append(clock())
    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.02)
        shares = []
        for _ in range(2):
            t0 = time.perf_counter()
            call()
            t1 = time.perf_counter()
            inside = [t0] + [x for x in list(state["ts"]) if t0 < x < t1] + [t1]
            shares.append(max(b - a for a, b in zip(inside, inside[1:])) / (t1 - t0))
    finally:
        state["stop"] = True
        t.join()
    return max(shares)

x = fn.fgn(2**16, 0.6, 64, seed=1)
g = fn.FgnGenerator(2**19, 0.4)
d = sgd.Design.synthetic([2.0, 0.3, 0.05], 400, 0.7, seed=1)
b = sgd.Batching(400, 20, "epoch")
calls = {
    "fgn": lambda: fn.fgn(2**19, 0.7, 16, seed=1),
    "fbm": lambda: fn.fbm(2**19, 0.3, 16, seed=1),
    "FgnGenerator.sample": lambda: g.sample(16, seed=1),
    "stable": lambda: fn.stable(5 * 10**6, 1.5, seed=1),
    "simulate": lambda: fn.simulate(fn.OU(), paths=40000, steps=500, dt=0.01, seed=1, store_every=5),
    "passage": lambda: fn.passage(fn.BM(0.1), upper=5.0, paths=10000, steps=1000, dt=0.01, seed=1),
    "dfa rows": lambda: fn.dfa(x),
    "sgd.minibatch_noise": lambda: sgd.minibatch_noise(d, b, 1500, paths=400, seed=1),
    "sgd.momentum": lambda: sgd.momentum(d, b, 0.1, 0.6, steps=12000, paths=48, way="real", seed=1),
    "sgd.replica_distance": lambda: sgd.replica_distance(
        sgd.QuadraticSgd([1.5] * 50, 0.5, 0.8), experiments=240, steps=[0, 1000], seed=1
    ),
}
print(json.dumps({k: longest_gap_share(f) for k, f in calls.items()}))
"""


def test_gil_released_during_long_calls():
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True)
    shares = json.loads(r.stdout)
    for name, share in shares.items():
        assert share < 0.5, (name, shares)
