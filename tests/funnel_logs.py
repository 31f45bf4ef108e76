"""Seeded event logs shared by a test and the script that measures them with another tool.

:func:`retentioneering_log` is the log ``benchmarks/retentioneering_funnel.py`` gives to
retentioneering's funnel (in its own virtualenv) to write
``tests/data/retentioneering_funnel.json``; ``tests/test_funnel_peers.py`` makes the same
log again from the parameters stored there and checks journeywidget's ordered funnel
against those numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The events of the log; the funnel's steps are a subsequence of them.
EVENTS = ("home", "view", "search", "cart", "checkout", "pay", "support")
STEPS = ("view", "cart", "checkout", "pay")


def retentioneering_log(seed: int = 7, users: int = 500, max_len: int = 40,
                        session_gap_s: int = 600) -> pd.DataFrame:
    """``user_id, event, timestamp``: users browse back and forth (a Markov chain that leans
    forward through EVENTS but loops and steps back), repeat events, leave and come back
    after gaps longer than ``session_gap_s``. Timestamps strictly increase within a user
    (retentioneering sorts without a stable tie-break, so ties would make its order
    arbitrary); different users overlap in time."""
    rng = np.random.default_rng(seed)
    k = len(EVENTS)
    base = np.full((k, k), 1.0)
    for i in range(k):
        base[i, min(i + 1, k - 1)] += 4.0  # forward
        base[i, i] += 1.5  # repeats
        base[i, max(i - 1, 0)] += 1.0  # back
    base /= base.sum(axis=1, keepdims=True)
    rows = []
    for u in range(users):
        n = int(rng.integers(1, max_len + 1))
        state = int(rng.choice(3))
        t = int(rng.integers(0, 30 * 86400))
        for _ in range(n):
            rows.append((f"u{u:04d}", EVENTS[state], t))
            gap = int(rng.integers(1, 300)) if rng.random() > 0.12 else int(rng.integers(session_gap_s + 1, 5 * 86400))
            t += gap
            state = int(rng.choice(k, p=base[state]))
    df = pd.DataFrame(rows, columns=["user_id", "event", "timestamp"])
    df["timestamp"] = pd.to_datetime(df["timestamp"], unit="s", origin="2026-01-01")
    return df.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # rows in no order
