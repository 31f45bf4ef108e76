"""Insights from bound data: ranked bottlenecks, data problems, and survey feedback.

An :class:`Insight` is either a *bottleneck* (``category="bottleneck"``: the
largest drop-off between stages, the slowest steps, the touchpoints where most
customers end, the worst-scored touchpoints) or a *data problem*
(``category="data"``: events whose key is on no touchpoint — with the key and
a suggested stage so the widget can offer "add to map" —, touchpoints and
stages without data, missing customers, missing or unparsable timestamps,
duplicate events, customers whose events run backwards through the stages,
...). ``severity`` is in 0..1 and insights are sorted by it, highest first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from .numpy_engine import BindingError

__all__ = ["Insight", "Feedback", "build_insights", "SCALES"]

SCALES = {"csat": ("csat", 1, 5), "nps": ("nps", 0, 10), "1-5": ("mean", 1, 5),
          "1-7": ("mean", 1, 7), "1-10": ("mean", 1, 10), "0-10": ("mean", 0, 10)}


@dataclass
class Insight:
    """One finding. ``target`` is a touchpoint or stage id (or None for the whole data)."""

    kind: str
    category: str  # "bottleneck" | "data"
    severity: float
    message: str
    target: str | None = None
    value: float | None = None
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "category": self.category, "severity": round(self.severity, 4),
                "target": self.target, "message": self.message, "value": self.value,
                "details": dict(self.details)}

    def to_payload(self) -> dict:
        d = self.to_dict()
        v = d["value"]
        if isinstance(v, float):
            d["value"] = None if not math.isfinite(v) else float(f"{v:.6g}")
        d["message"] = d["message"][:300]
        return d


def _fmt_dur(s: float) -> str:
    if s != s:
        return "n/a"
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 172800:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


_PROBLEM_TEXT = {
    "missing_customer": "{count:,} events have no customer ({column!r}) and were skipped",
    "missing_time": "{count:,} events have no timestamp ({column!r}) and were skipped",
    "unparsable_time": "{count:,} events have a timestamp that cannot be parsed ({column!r}, "
                       "e.g. {examples}) and were skipped",
    "missing_touchpoint": "{count:,} events have no touchpoint key ({column!r}) and were skipped",
    "duplicate_events": "{count:,} events repeat another event exactly (same customer, time and "
                        "touchpoint); they are counted twice — drop them if they are logging errors",
    "invalid_value": "{count:,} values in {column!r} are not numbers (e.g. {examples}); they are "
                     "left out of mean_value",
    "segment_varies": "{count:,} customers change {column!r} over time; each is counted in the "
                      "segment of their first event",
    "missing_segment": "{count:,} customers have no value in {column!r}; they are in no segment",
}


def build_insights(m) -> list[Insight]:
    """All insights for a JourneyMetrics object (current segment)."""
    out: list[Insight] = []
    eng = m._engine
    doc = m._doc
    stages = doc.get("stages", [])
    tps = doc.get("touchpoints", [])
    if eng is not None:
        n_rows = max(eng.n_rows, 1)
        srecs = m.stage_records()
        trecs = m.touchpoint_records()
        total = eng.total_customers(m._s())
        # -- bottlenecks: drop-off between stages
        drops = [r for r in srecs[1:] if isinstance(r["dropoff"], int) and r["dropoff"] > 0]
        drops.sort(key=lambda r: (-r["dropoff"], r["stage"]))
        names = {s["id"]: s.get("name", s["id"]) for s in stages}
        prev_of = {srecs[i]["stage"]: srecs[i - 1]["stage"] for i in range(1, len(srecs))}
        for r in drops[:3]:
            p = prev_of[r["stage"]]
            out.append(Insight(
                "dropoff", "bottleneck", min(1.0, r["dropoff"] / total) if total else 0.0,
                f"{r['dropoff']:,} customers ({r['dropoff_rate']:.0%}) drop off between "
                f"{names.get(p, p)} and {names.get(r['stage'], r['stage'])}",
                target=r["stage"], value=float(r["dropoff"]),
                details={"from_stage": p, "dropoff_rate": _f(r["dropoff_rate"]),
                         "conversion": _f(r["conversion"])},
            ))
        # -- slowest steps
        meds = [r["median_next_s"] for r in trecs if r["median_next_s"] == r["median_next_s"]]
        if len(meds) >= 2:
            overall = sorted(meds)[len(meds) // 2]
            slow = [r for r in trecs if r["median_next_s"] == r["median_next_s"]
                    and overall > 0 and r["median_next_s"] >= 2 * overall]
            slow.sort(key=lambda r: (-r["median_next_s"], r["touchpoint"]))
            for r in slow[:3]:
                ratio = r["median_next_s"] / overall
                out.append(Insight(
                    "slow_step", "bottleneck", min(1.0, math.log10(ratio) / 2 + 0.2),
                    f"after {r['name'] or r['touchpoint']} customers wait a median "
                    f"{_fmt_dur(r['median_next_s'])} for their next step (p90 "
                    f"{_fmt_dur(r['p90_next_s'])}), {ratio:.1f}x the typical step",
                    target=r["touchpoint"], value=r["median_next_s"],
                    details={"p90_next_s": _f(r["p90_next_s"]), "ratio": round(ratio, 3)},
                ))
        # -- exit points (not in the last stage)
        last_stage = stages[-1]["id"] if stages else None
        ex = [r for r in trecs if r["exits"] > 0 and r["stage"] != last_stage]
        ex.sort(key=lambda r: (-r["exits"], r["touchpoint"]))
        for r in ex[:2]:
            if total and r["exits"] / total >= 0.05:
                out.append(Insight(
                    "exit_point", "bottleneck", min(1.0, r["exits"] / total),
                    f"{r['exits']:,} customers ({r['exits'] / total:.0%} of all) end their journey "
                    f"at {r['name'] or r['touchpoint']}",
                    target=r["touchpoint"], value=float(r["exits"]),
                ))
        # -- data problems from binding
        for kind, info in sorted(eng.problems.items()):
            text = _PROBLEM_TEXT.get(kind, kind.replace("_", " ") + ": {count:,}")
            out.append(Insight(
                kind, "data", min(1.0, 0.2 + info["count"] / n_rows),
                text.format(count=info["count"], column=info.get("column"),
                            examples=", ".join(repr(x) for x in info.get("examples", [])[:3])),
                value=float(info["count"]),
                details={k: v for k, v in info.items() if k != "count"} | {"count": info["count"]},
            ))
        # -- unmapped keys with a suggested stage (JourneyMetrics.unmapped_keys)
        tok = m._tp_of_key
        kc = eng.key_counts
        n_ev = int(sum(int(kc[k]) for k in range(len(tok))))
        unm = m.unmapped_keys()
        stage_names = {s["id"]: s["name"] for s in m._doc.get("stages", [])}
        for u in unm[:15]:
            sugg, cnt = u["suggested_stage"], u["count"]
            out.append(Insight(
                "unmapped_key", "data", min(1.0, 0.3 + cnt / max(n_ev, 1)),
                f"{cnt:,} events have key {u['key']!r}, which is on no touchpoint of the map"
                + (f" (it usually happens around the {stage_names.get(sugg, sugg)!r} stage)" if sugg else ""),
                target=None, value=float(cnt),
                details={"key": u["key"], "count": cnt, "suggested_stage": sugg},
            ))
        if len(unm) > 15:
            rest = sum(u["count"] for u in unm[15:])
            out.append(Insight("unmapped_key_other", "data", min(1.0, 0.2 + rest / max(n_ev, 1)),
                               f"{len(unm) - 15} more unmapped keys with {rest:,} events",
                               value=float(rest), details={"keys": len(unm) - 15, "count": rest}))
        for k, ids in sorted(m._map_info.get("ambiguous", {}).items()):
            out.append(Insight("ambiguous_key", "data", 0.4,
                               f"event key {k!r} is listed on several touchpoints ({', '.join(ids)}); "
                               f"it counts for {ids[0]!r} only", target=ids[0],
                               details={"key": k, "touchpoints": ids}))
        for k, tgt in sorted(m._map_info.get("bad_targets", {}).items()):
            out.append(Insight("mapping_target_unknown", "data", 0.5,
                               f"mapping sends key {k!r} to {tgt!r}, which is no touchpoint of the map",
                               details={"key": k, "target": tgt}))
        # -- touchpoints / stages without data
        for r in trecs:
            if r["events"] == 0:
                out.append(Insight("no_data", "data", 0.25,
                                   f"no events for touchpoint {r['name'] or r['touchpoint']}"
                                   + ("" if tps and any(t.get("event_keys") for t in tps
                                                        if t["id"] == r["touchpoint"])
                                      else " (give it event_keys that match your data)"),
                                   target=r["touchpoint"], value=0.0))
        for r in srecs:
            if r["customers"] == 0:
                out.append(Insight("stage_no_data", "data", 0.3,
                                   f"no customer reaches stage {r['name'] or r['stage']}",
                                   target=r["stage"], value=0.0))
        # -- backwards journeys
        back = m._stage_agg(m._s()).backwards
        if back:
            out.append(Insight(
                "backwards", "data", min(1.0, 0.1 + back / max(total, 1)),
                f"{back:,} customers ({back / max(total, 1):.0%}) have events that go back to an "
                "earlier stage; check the stage order or whether those touchpoints belong elsewhere",
                value=float(back), details={"customers": back},
            ))
    # -- feedback
    fb = m._feedback
    if fb is not None:
        recs = fb.records(m._segment)
        scored = [r for r in recs if r["n"] >= 5]
        scored.sort(key=lambda r: (r["norm"], r["touchpoint"]))
        tpname = {t["id"]: t.get("name", t["id"]) for t in tps}
        for r in scored[:3]:
            if r["norm"] < 0.6:
                unit = {"csat": "% CSAT", "nps": " NPS", "mean": " mean score"}[r["kind"]]
                out.append(Insight(
                    "low_score", "bottleneck", min(1.0, 1 - r["norm"]),
                    f"{tpname.get(r['touchpoint'], r['touchpoint'])} scores {r['score']:.3g}{unit} "
                    f"(n={r['n']})" + (f": “{r['quotes'][0][:120]}”" if r["quotes"] else ""),
                    target=r["touchpoint"], value=r["score"],
                    details={"kind": r["kind"], "n": r["n"]},
                ))
        for kind, info in sorted(fb.problems.items()):
            out.append(Insight(
                "feedback_" + kind, "data", min(1.0, 0.2 + info["count"] / max(fb.n_rows, 1)),
                info["message"], value=float(info["count"]),
                details={k: v for k, v in info.items() if k != "message"},
            ))
    out.sort(key=lambda i: (-i.severity, i.category, i.kind, i.target or ""))
    return out


def _f(x: Any) -> Any:
    return None if isinstance(x, float) and not math.isfinite(x) else x


# ---------------------------------------------------------------------------
# survey feedback
# ---------------------------------------------------------------------------

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


class Feedback:
    """Survey responses bound to touchpoints (kept in memory; surveys are small)."""

    def __init__(self, pdf, *, touchpoint: str, score: str, text: str | None, scale: Any,
                 customer: str | None, segment: str | None, mapping: Any):
        import numpy as np
        import pandas as pd

        from .metrics import _factorize, _label, _to_labels

        self.kind, self.lo, self.hi = _parse_scale(scale)
        self.n_rows = len(pdf)
        if self.n_rows == 0:
            raise BindingError("the feedback data is empty (0 rows)", None, "bind a non-empty table")
        self.problems: dict[str, dict] = {}
        self.mapping = mapping
        kc, ku = _factorize(pdf[touchpoint])
        self.key_codes, self.keys = _to_labels(kc, ku)
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
            sc, su = _factorize(pdf[segment])
            self.seg_codes, self.segs = _to_labels(sc, su)
        else:
            self.seg_codes, self.segs = None, []
        self._label = _label
        self._doc = None
        self._cache: dict = {}

    def set_doc(self, doc: dict) -> None:
        from .metrics import resolve_mapping

        self._doc = doc
        self._cache.clear()
        tok, _ = resolve_mapping(doc, self.keys, self.mapping)
        self.tok = tok
        unm = [k for k in range(len(self.keys)) if tok[k] == -1]
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
