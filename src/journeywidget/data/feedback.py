"""Survey feedback bound to touchpoints: scores, the emotion they imply, quotes.

Scales: ``"csat"`` (1-5; score = % of 4-5), ``"nps"`` (0-10; % promoters 9-10
minus % detractors 0-6), ``"1-5"``, ``"1-7"``, ``"1-10"``, ``"0-10"`` or a
``(lo, hi)`` tuple (mean). The emotion of a touchpoint is the score normalised to
0..1 (mean for csat and mean scales, (NPS+100)/200) mapped linearly onto the
journey's emotion scale. Quotes are the most representative verbatims.

>>> import pandas as pd
>>> df = pd.DataFrame({"tp": ["cart", "cart", "cart"], "score": [5, 4, 1]})
>>> fb = Feedback(df, touchpoint="tp", score="score", text=None, scale="csat",
...               customer=None, segment=None, mapping=None)
>>> fb.set_doc({"touchpoints": [{"id": "cart", "name": "Cart"}],
...             "emotion_scale": {"min": -2, "max": 2}})
>>> rec = fb.records()[0]
>>> round(rec["score"], 1), rec["n"], rec["emotion"]
(66.7, 3, 0.33)
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..core.errors import BindingError
from .encoding import factorize, to_labels
from .mapping import UNMAPPED, resolve_mapping

__all__ = ["Feedback", "SCALES", "missing_touchpoints"]

SCALES = {"csat": ("csat", 1, 5), "nps": ("nps", 0, 10), "1-5": ("mean", 1, 5),
          "1-7": ("mean", 1, 7), "1-10": ("mean", 1, 10), "0-10": ("mean", 0, 10)}


_STOP = set("""a an the and or but if then of to in on at by for with from is are was were be been
it its this that these those i me my we our you your he she they them their not no so too very
just can could would should will do does did have has had as than there here what which who how
all any some more most much""".split())
_TOKEN = re.compile(r"\w\w+", re.UNICODE)


def _parse_scale(scale: Any):
    if isinstance(scale, str):
        key = scale.strip().lower()
        if key in SCALES:
            return SCALES[key]
    if isinstance(scale, (tuple, list)) and len(scale) == 2:
        lo, hi = scale
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (lo, hi)) and lo < hi:
            return ("mean", float(lo), float(hi))
    raise BindingError(f"unknown feedback scale {scale!r}", None,
                       "use 'csat', 'nps', '1-5', '1-7', '1-10' or a (lo, hi) tuple")


def missing_touchpoints(key_codes: Any, index: Any, column: str) -> dict | None:
    """The data problem of responses without a touchpoint (skipped): count, column, a few rows.

    >>> import numpy as np, pandas as pd
    >>> missing_touchpoints(np.array([0, -1, 0, -1]), pd.RangeIndex(4), "tp")["message"]
    "2 responses have no touchpoint in 'tp' (rows 1, 3); skipped"
    """
    import numpy as np

    rows = np.flatnonzero(np.asarray(key_codes) < 0)
    if not rows.shape[0]:
        return None
    n = int(rows.shape[0])
    shown = [index[int(i)] for i in rows[:5]]
    shown = [v.item() if hasattr(v, "item") else v for v in shown]  # numpy scalars: plain, for JSON
    shown = [v if isinstance(v, (int, str)) else str(v) for v in shown]
    more = ", ..." if n > 5 else ""
    return {"count": n, "column": column, "rows": shown,
            "message": f"{n:,} response{'s have' if n != 1 else ' has'} no touchpoint in {column!r} "
                       f"(row{'s' if n != 1 else ''} {', '.join(map(str, shown))}{more}); skipped"}


class Feedback:
    """Survey responses bound to touchpoints (kept in memory; surveys are small)."""

    def __init__(self, pdf, *, touchpoint: str, score: str, text: str | None, scale: Any,
                 customer: str | None, segment: str | None, mapping: Any):
        import numpy as np
        import pandas as pd

        self.kind, self.lo, self.hi = _parse_scale(scale)
        self.n_rows = len(pdf)
        if self.n_rows == 0:
            raise BindingError("the feedback data is empty (0 rows)", None, "bind a non-empty table")
        self.problems: dict[str, dict] = {}
        self.mapping = mapping
        kc, ku = factorize(pdf[touchpoint])
        self.key_codes, self.keys = to_labels(kc, ku)
        no_key = missing_touchpoints(self.key_codes, pdf.index, touchpoint)
        if no_key:
            self.problems["missing_touchpoint"] = no_key
        sser = pdf[score]
        if pd.api.types.is_bool_dtype(sser.dtype):
            raise BindingError(f"score column {score!r} holds booleans", score,
                               "pass the numeric score column as score=")
        num = pd.to_numeric(sser, errors="coerce")
        vals = num.to_numpy(dtype=float, na_value=np.nan)
        bad = np.asarray(num.isna() & sser.notna())
        if bad.all():
            raise BindingError(f"score column {score!r} has no numeric values", score,
                               f"convert it with pd.to_numeric(df[{score!r}])")
        if bad.any():
            self.problems["invalid_score"] = {
                "count": int(bad.sum()), "column": score,
                "message": f"{int(bad.sum()):,} scores in {score!r} are not numbers; skipped"}
        missing = np.asarray(sser.isna())
        if missing.any():
            self.problems["missing_score"] = {
                "count": int(missing.sum()), "column": score,
                "message": f"{int(missing.sum()):,} responses have no score; skipped"}
        out = np.isfinite(vals) & ((vals < self.lo) | (vals > self.hi))
        if out.any():
            self.problems["score_out_of_range"] = {
                "count": int(out.sum()), "column": score,
                "message": f"{int(out.sum()):,} scores in {score!r} are outside the {self.kind} scale "
                           f"{self.lo:g}..{self.hi:g}; skipped (is scale= right?)"}
        self.valid = np.isfinite(vals) & ~out & (self.key_codes >= 0)
        self.scores = vals
        if text is not None:
            tser = pdf[text]
            self.texts = [None if (v is None or (isinstance(v, float) and v != v)) else str(v)
                          for v in tser.tolist()]
        else:
            self.texts = None
        if segment is not None:
            sc, su = factorize(pdf[segment])
            self.seg_codes, self.segs = to_labels(sc, su)
        else:
            self.seg_codes, self.segs = None, []
        self._doc = None
        self._cache: dict = {}

    def set_doc(self, doc: dict, *, numbers_kept: bool = False) -> None:
        """Use this map: resolve the responses' touchpoint keys against it (``numbers_kept``:
        the edit changed nothing the records depend on, e.g. a name that matches no key)."""
        self._doc = doc
        if numbers_kept:
            return
        self._cache.clear()
        tok, _ = resolve_mapping(doc, self.keys, self.mapping)
        self.tok = tok
        unm = [k for k in range(len(self.keys)) if tok[k] == UNMAPPED]
        if unm:
            import numpy as np

            cnt = np.bincount(self.key_codes[self.key_codes >= 0], minlength=len(self.keys))
            total = int(sum(int(cnt[k]) for k in unm))
            self.problems["unmapped_key"] = {
                "count": total, "keys": [self.keys[k] for k in unm][:20],
                "message": f"{total:,} responses name touchpoints that are not on the map: "
                           + ", ".join(repr(self.keys[k]) for k in unm[:5])}
        else:
            self.problems.pop("unmapped_key", None)


    def records(self, segment: Any = None) -> list[dict]:
        """One record per touchpoint with responses (in ``segment``, None: everyone)."""
        import numpy as np

        if segment in self._cache:
            return self._cache[segment]
        doc = self._doc or {"touchpoints": [], "emotion_scale": {"min": -2, "max": 2}}
        tps = doc.get("touchpoints", [])
        es = doc.get("emotion_scale") or {"min": -2, "max": 2}
        emin, emax = float(es.get("min", -2)), float(es.get("max", 2))
        tp_of_row = np.array(self.tok + [-1], dtype=np.int64)[self.key_codes]
        sel = self.valid & (tp_of_row >= 0)
        if segment is not None and self.seg_codes is not None:
            if segment in self.segs:
                sel &= self.seg_codes == self.segs.index(segment)
        recs = []
        for j, tp in enumerate(tps):
            idx = np.flatnonzero(sel & (tp_of_row == j))
            n = int(idx.shape[0])
            if n == 0:
                continue
            v = self.scores[idx]
            mean = float(v.mean())
            if self.kind == "csat":
                score = 100.0 * float((v >= 4).sum()) / n
                norm = (mean - self.lo) / (self.hi - self.lo)
            elif self.kind == "nps":
                score = 100.0 * (float((v >= 9).sum()) - float((v <= 6).sum())) / n
                norm = (score + 100.0) / 200.0
            else:
                score = mean
                norm = (mean - self.lo) / (self.hi - self.lo)
            emotion = round(emin + norm * (emax - emin), 2)
            quotes = self._quotes(idx, mean) if self.texts is not None else []
            recs.append({"touchpoint": tp["id"], "kind": self.kind, "score": score, "n": n,
                         "mean": mean, "emotion": emotion, "quotes": quotes, "norm": norm})
        self._cache[segment] = recs
        return recs

    def _quotes(self, idx, mean: float, k: int = 3, pool: int = 200) -> list[str]:
        """The most representative verbatims: close to the touchpoint's mean score and
        central in TF-IDF space (cosine to the centroid of the candidates)."""
        rows = [int(i) for i in idx if self.texts[int(i)] and self.texts[int(i)].strip()]
        if not rows:
            return []
        rng = self.hi - self.lo
        rows.sort(key=lambda i: (abs(self.scores[i] - mean), i))
        rows = rows[:pool]
        docs = [_TOKEN.findall(self.texts[i].casefold()) for i in rows]
        docs = [[w for w in d if w not in _STOP] for d in docs]
        df: dict[str, int] = {}
        for d in docs:
            for w in set(d):
                df[w] = df.get(w, 0) + 1
        n = len(docs)
        vecs = []
        for d in docs:
            tf: dict[str, float] = {}
            for w in d:
                tf[w] = tf.get(w, 0.0) + 1.0
            v = {w: c * (math.log((1 + n) / (1 + df[w])) + 1.0) for w, c in tf.items()}
            norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
            vecs.append({w: x / norm for w, x in v.items()})
        cen: dict[str, float] = {}
        for v in vecs:
            for w, x in v.items():
                cen[w] = cen.get(w, 0.0) + x / n
        cn = math.sqrt(sum(x * x for x in cen.values())) or 1.0
        scored = []
        for pos, (i, v) in enumerate(zip(rows, vecs)):
            cos = sum(x * cen.get(w, 0.0) for w, x in v.items()) / cn
            closeness = 1.0 - abs(self.scores[i] - mean) / rng
            scored.append((-(cos + closeness), pos, i))
        scored.sort()
        out: list[str] = []
        seen: set[str] = set()
        for _, _, i in scored:
            t = self.texts[i].strip()
            if t.casefold() in seen:
                continue
            seen.add(t.casefold())
            out.append(t)
            if len(out) == k:
                break
        return out

    def intervals(self, segment: Any = None) -> dict[str, tuple[float, float]]:
        """95 % interval of the data-derived emotion per touchpoint, on the emotion scale.

        Mean scales (csat, 1-5...): mean +- 1.96 sd / sqrt(n), mapped like the mean.
        NPS: NPS +- 1.96 * sqrt((p + d - (p - d)^2) / n) (p promoters, d detractors).
        Touchpoints with fewer than two responses have none.
        """
        import numpy as np

        doc = self._doc or {"touchpoints": []}
        es = doc.get("emotion_scale") or {"min": -2, "max": 2}
        emin, emax = float(es.get("min", -2)), float(es.get("max", 2))
        tp_of_row = np.array(list(self.tok) + [-1], dtype=np.int64)[self.key_codes]
        sel = self.valid & (tp_of_row >= 0)
        if segment is not None and self.seg_codes is not None and segment in self.segs:
            sel &= self.seg_codes == self.segs.index(segment)
        out = {}
        for j, tp in enumerate(doc.get("touchpoints", [])):
            v = self.scores[np.flatnonzero(sel & (tp_of_row == j))]
            n = int(v.shape[0])
            if n < 2:
                continue
            if self.kind == "nps":
                p = float((v >= 9).sum()) / n
                d = float((v <= 6).sum()) / n
                se = math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
                c = p - d
                lo_n, hi_n = (c - 1.96 * se + 1) / 2, (c + 1.96 * se + 1) / 2
            else:
                m = float(v.mean())
                se = float(v.std(ddof=1)) / math.sqrt(n)
                span = self.hi - self.lo
                lo_n, hi_n = (m - 1.96 * se - self.lo) / span, (m + 1.96 * se - self.lo) / span
            lo_n, hi_n = max(lo_n, 0.0), min(hi_n, 1.0)
            out[tp["id"]] = (round(emin + lo_n * (emax - emin), 3), round(emin + hi_n * (emax - emin), 3))
        return out
