"""The statistics behind every rate on the map: Wilson intervals, the two-proportion test,
Benjamini–Hochberg adjusted p-values, and the small-sample rule.

* **Wilson score interval** (95 %): for ``x`` successes in ``n`` trials, with
  ``z = 1.959964``, ``p = x / n``: centre ``(p + z²/2n) / (1 + z²/n)``, half-width
  ``z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)``. Unlike the normal approximation it stays
  inside [0, 1] and is honest for small ``n`` and for rates near 0 or 1.
* **Two-proportion z-test** (two-sided, pooled variance) for A/B comparisons.
* **Benjamini–Hochberg**: p-values adjusted for testing many stages at once
  (false discovery rate); ``q_i = min_{j ≥ i} (m / j) · p_(j)`` over the sorted p-values.
* **Small samples**: a rate whose denominator is below :data:`MIN_N` (30 units) is
  flagged ``small_sample``: its interval is wide, read it as a hint, not a finding.

>>> lo, hi = wilson(45, 100)
>>> round(lo, 3), round(hi, 3)
(0.356, 0.548)
>>> [round(q, 3) for q in bh_adjust([0.01, 0.04, 0.03, 0.5])]
[0.04, 0.053, 0.053, 0.5]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["Z95", "MIN_N", "wilson", "two_prop_p", "bh_adjust", "small_sample"]

Z95 = 1.959963984540054
#: Below this many units (the denominator of a rate) a rate is flagged as a small sample.
MIN_N = 30


def wilson(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """95 % Wilson score interval of the proportion ``x / n`` ((nan, nan) without data, or
    when ``x`` is not a count within ``0..n``)."""
    if not n or n <= 0 or x != x or x < 0 or x > n:
        return (math.nan, math.nan)
    p = x / n
    z2 = z * z
    den = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den
    return (max(0.0, centre - half), min(1.0, centre + half))


def two_prop_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """Two-sided p-value of a two-proportion z-test: x1 of n1 against x2 of n2 (NaN without data)."""
    if not n1 or not n2:
        return math.nan
    p1, p2 = x1 / n1, x2 / n2
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return math.nan if p1 == p2 else 0.0
    z = (p2 - p1) / se
    return math.erfc(abs(z) / math.sqrt(2))


def bh_adjust(pvalues: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order; NaN stays NaN
    and does not count as a test."""
    idx = [i for i, p in enumerate(pvalues) if p == p]
    m = len(idx)
    out = [math.nan] * len(pvalues)
    if not m:
        return out
    order = sorted(idx, key=lambda i: pvalues[i])
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, pvalues[i] * m / rank)
        out[i] = min(1.0, running)
    return out


def small_sample(n: float) -> bool:
    """Whether a rate over ``n`` units is too small a sample to read (``n < MIN_N``)."""
    return not n or n < MIN_N
