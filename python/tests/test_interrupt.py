"""Ctrl-C: long calls raise KeyboardInterrupt soon after SIGINT, and their bits do not depend on
the blocks they run in.

A child process (one rayon worker, so that each call takes seconds on any machine) runs each
call while a timer thread calls `_thread.interrupt_main()` (what SIGINT does) after 0.3 s; each
call would take several seconds uninterrupted. Verified red by removing the signal checks: the
calls then run to the end and the interrupt lands after them."""

import json
import os
import subprocess
import sys

import numpy as np

import fracnoise as fn

CHILD = r"""
import _thread, json, threading, time
import numpy as np
import fracnoise as fn

x = fn.fgn(1024, 0.6, 400, seed=1)
calls = {
    "simulate": lambda: fn.simulate(fn.OU(), paths=2_000_000, steps=1000, dt=0.001, seed=1),
    "simulate SDE callable": lambda: fn.simulate(fn.SDE(lambda t, x: -x, lambda t, x: 1.0), paths=200_000,
                                                 steps=100, dt=0.01, seed=1),
    "fgn": lambda: fn.fgn(2**13, 0.7, 8000, seed=1),
    "dfa rows": lambda: fn.dfa(x, bootstrap=400, seed=1),
    "passage": lambda: fn.passage(fn.OU(), upper=50.0, paths=2_000_000, steps=1000, dt=0.001, seed=1),
}
out = {}
for name, call in calls.items():
    timer = threading.Timer(0.3, _thread.interrupt_main)
    t0 = time.perf_counter()
    timer.start()
    try:
        call()
        raised = False
    except KeyboardInterrupt:
        raised = True
    t1 = time.perf_counter()
    timer.join()
    out[name] = {"raised": raised, "seconds": t1 - t0}
print(json.dumps(out))
"""


def test_long_calls_stop_on_sigint():
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    for name, v in res.items():
        assert v["raised"] and v["seconds"] < 1.3, (name, res)


def test_blocks_do_not_change_the_bits():
    """Results of one call equal those assembled from pieces (first_path / shards) whatever the
    block sizes the timing chose: fGn rows (pairs split at an odd first path too) and a simulate
    run against its two shards."""
    whole = fn.fgn(256, 0.3, 301, seed=9)
    parts = np.vstack([fn.fgn(256, 0.3, 101, seed=9), fn.fgn(256, 0.3, 200, seed=9, first_path=101)])
    assert np.array_equal(whole.view(np.uint64), parts.view(np.uint64))
    kw = dict(paths=4001, steps=200, dt=0.01, seed=3, hist=(-1, 1, 10), extremes=True)
    r = fn.simulate(fn.OU(0.7, 0.2, 0.5), **kw)
    shards = [fn.simulate(fn.OU(0.7, 0.2, 0.5), shard=(k, 2), **kw) for k in range(2)]
    assert fn.merge(shards).to_json() == r.to_json()
    # Passage runs in blocks too: one call equals its shards merged.
    pk = dict(upper=0.6, lower=-0.8, paths=3001, steps=300, dt=0.01, seed=4)
    p = fn.passage(fn.OU(0.7, 0.2, 0.5), **pk)
    assert fn.merge([fn.passage(fn.OU(0.7, 0.2, 0.5), shard=(k, 3), **pk) for k in range(3)]).to_json() == p.to_json()
