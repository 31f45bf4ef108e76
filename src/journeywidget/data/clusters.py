"""Data-driven personas: units clustered by how they move through the map.

``m.clusters(k=None)`` describes every unit (customer or session) with a mapped
event by two normalised profiles of its *touchpoint path* (mapped events with
consecutive repeats of a touchpoint collapsed): how often it visits each touchpoint
(visits / all its visits) and how often it goes from one touchpoint to another
(transitions / all its transitions). Both profiles are square-rooted (the Hellinger
embedding, so that Euclidean distance compares distributions) and clustered with
k-means (scikit-learn, ``random_state`` fixed: the same data gives the same
clusters). Units without a mapped event are in no cluster.

* ``k=None`` picks k in 2..8 by the **silhouette** score (the mean, over units, of
  (b - a) / max(a, b), a = mean distance to the unit's own cluster, b = to the
  nearest other) on a fixed sample of at most 3,000 units; the highest wins, ties
  go to the smaller k. Large logs are fitted on a fixed sample of 20,000 units and
  every unit then joins its nearest centre.
* Clusters are numbered by size, largest first. Each is named after the
  touchpoints that set it apart (visited most above the average visit share of
  all units), e.g. "Cart & Payment"; ``top_touchpoints`` are the three it visits
  most. ``conversion`` is the share of its units that convert in the current
  funnel mode (reach the last stage with data).
* ``m.segment = "cluster:2"`` shows one cluster on every table, ``m.compare`` takes
  cluster labels, ``m.cluster_labels()`` maps unit ids to clusters, and
  ``widget.add_persona_from_cluster(2)`` puts it on the map as a persona whose
  segment is ``{"column": "cluster", "values": [2]}``.

scikit-learn is an optional dependency: ``pip install 'journeywidget[analytics]'``.

>>> import journeywidget as jw
>>> df = jw.datasets.clickstream(customers=600, seed=3)
>>> m = jw.JourneyMetrics(jw.datasets.clickstream_journey()).bind_events(
...     df, customer="customer_id", time="timestamp", touchpoint="event")
>>> c = m.clusters(k=3)
>>> bool(c["units"].sum() <= m.units()), c["units"].is_monotonic_decreasing
(True, True)
>>> m.segment = "cluster:0"
>>> m.units() == int(c["units"].iloc[0])
True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import JourneyError

__all__ = ["ClusterResult", "fit_clusters", "labels_series", "cluster_engine", "persona_for_cluster",
           "MAX_K", "FIT_SAMPLE", "SILHOUETTE_SAMPLE"]

MAX_K = 8
FIT_SAMPLE = 20_000
SILHOUETTE_SAMPLE = 3_000


def _sklearn():
    try:
        import sklearn  # noqa: F401
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score
    except ImportError:
        raise JourneyError("clusters need scikit-learn: pip install 'journeywidget[analytics]' "
                           "(or pip install scikit-learn)") from None
    return KMeans, silhouette_score


@dataclass
class ClusterResult:
    """The clusters of one unit kind: a label per unit (-1: no mapped event), names, sizes."""

    unit: str
    k: int
    labels: Any  # int32 [U]
    sizes: list
    names: list
    top: list  # per cluster: the ids of its three most visited touchpoints
    criterion: str
    scores: dict = field(default_factory=dict)  # k -> silhouette (k=None)

    @property
    def labels_text(self) -> list[str]:
        return [f"cluster:{c}" for c in range(self.k)]

    def rows(self, m: Any) -> list[dict]:
        """One row per cluster, with its conversion in the metrics' current funnel mode."""
        import numpy as np

        eng = m._unit_engine()
        _, _, sos, _ = m._stage_layout()
        f = eng.facts(sos, m._ranks(), m._window_ns)
        conv = (f.depth == f.D) if m.funnel == "ordered" else f.converted
        if f.D == 0:
            conv = np.zeros(f.n_units, dtype=bool)
        lab = self.labels
        ok = lab >= 0
        nconv = np.bincount(lab[ok & conv], minlength=self.k)[: self.k]
        total = eng.total_customers(None)
        return [{"cluster": c, "name": self.names[c], "units": int(self.sizes[c]),
                 "share": self.sizes[c] / total if total else float("nan"),
                 "conversion": int(nconv[c]) / self.sizes[c] if self.sizes[c] else float("nan"),
                 "top_touchpoints": list(self.top[c])} for c in range(self.k)]


def _features(runs: Any, n_slots: int):
    """Sparse [units with a path, n_slots + n_slots²] Hellinger profiles, and those units."""
    import numpy as np
    from scipy import sparse

    u, tp = runs.unit.astype(np.int64), runs.tp.astype(np.int64)
    units, inv = np.unique(u, return_inverse=True)
    n = units.shape[0]
    T = max(n_slots, 1)
    visits = sparse.coo_matrix((np.ones(u.shape[0]), (inv, tp)), shape=(n, T)).tocsr()
    same = u[1:] == u[:-1]
    a, b = tp[:-1][same], tp[1:][same]
    trans = sparse.coo_matrix((np.ones(a.shape[0]), (inv[1:][same], a * T + b)), shape=(n, T * T)).tocsr()
    for mat in (visits, trans):
        tot = np.asarray(mat.sum(axis=1)).ravel()
        tot[tot == 0] = 1
        mat.data /= np.repeat(tot, np.diff(mat.indptr))
    freq = visits.copy()
    visits.data = np.sqrt(visits.data)
    trans.data = np.sqrt(trans.data)
    return sparse.hstack([visits, trans]).tocsr(), units, freq


def fit_clusters(m: Any, k: int | None, random_state: int = 0) -> ClusterResult:
    """Cluster the current unit's units (see the module docstring)."""
    import numpy as np

    KMeans, silhouette_score = _sklearn()
    eng = m._unit_engine()
    if not hasattr(eng, "runs"):
        raise JourneyError("clusters are computed by the numpy engine: bind a pandas, polars, "
                           "pyarrow or DuckDB frame (e.g. a sample of the Spark data via toPandas())")
    runs = eng.runs()
    n_slots = len(m._slot_ids)
    X, units, freq = _features(runs, n_slots)
    n = units.shape[0]
    if k is not None and (not isinstance(k, int) or isinstance(k, bool) or k < 1):
        raise JourneyError(f"k={k!r}: pass a whole number of clusters >= 1, or k=None to choose it")
    if k is not None and k > n:
        raise JourneyError(f"k={k} is more than the {n} {m.unit}s with a mapped event; pass k <= {n} "
                           "(or k=None to choose it by silhouette)")
    if n == 0:
        raise JourneyError(f"no {m.unit} has a mapped event: map event keys to touchpoints first")
    rng = np.random.default_rng(random_state)
    fit_idx = np.sort(rng.choice(n, size=FIT_SAMPLE, replace=False)) if n > FIT_SAMPLE else np.arange(n)
    Xf = X[fit_idx]
    scores: dict = {}
    if k is None:
        ks = list(range(2, min(MAX_K, n - 1) + 1))
        sil_idx = np.sort(rng.choice(Xf.shape[0], size=min(SILHOUETTE_SAMPLE, Xf.shape[0]), replace=False))
        best = None
        for kk in ks:
            km = KMeans(n_clusters=kk, n_init=10, random_state=random_state).fit(Xf)
            lab = km.labels_[sil_idx]
            if len(set(lab.tolist())) < 2:
                continue
            sc = float(silhouette_score(Xf[sil_idx], lab, random_state=random_state))
            scores[kk] = sc
            if best is None or sc > best[1] + 1e-12:
                best = (kk, sc)
        k = best[0] if best is not None else 1
        criterion = "silhouette" if best is not None else "single cluster (too few units)"
    else:
        criterion = "given"
    km = KMeans(n_clusters=k, n_init=10, random_state=random_state).fit(Xf)
    lab = km.predict(X) if n > FIT_SAMPLE else km.labels_
    sizes = np.bincount(lab, minlength=k)
    first = np.full(k, n, dtype=np.int64)
    np.minimum.at(first, lab, np.arange(n))
    order = sorted(range(k), key=lambda c: (-int(sizes[c]), int(first[c])))
    remap = np.empty(k, dtype=np.int32)
    remap[order] = np.arange(k, dtype=np.int32)
    lab = remap[lab]
    labels = np.full(runs.n_units, -1, dtype=np.int32)
    labels[units] = lab
    names, top = _names(m, freq, lab, k)
    return ClusterResult(unit=m.unit, k=k, labels=labels, sizes=[int(x) for x in np.bincount(lab, minlength=k)],
                         names=names, top=top, criterion=criterion, scores=scores)


def _names(m: Any, freq: Any, lab: Any, k: int) -> tuple[list[str], list[list[str]]]:
    """A name from the touchpoints that set each cluster apart, and its most visited ones."""
    import numpy as np

    tps = {t["id"]: t.get("name") or t["id"] for t in m.document.get("touchpoints", [])}
    ids = m._slot_ids
    overall = np.asarray(freq.mean(axis=0)).ravel()
    names, top = [], []
    for c in range(k):
        mean = np.asarray(freq[lab == c].mean(axis=0)).ravel()
        lift = mean - overall
        on_map = [j for j in range(mean.shape[0]) if ids[j] in tps]
        dist = sorted((j for j in on_map if lift[j] > 0), key=lambda j: (-lift[j], j))[:2]
        if not dist:
            dist = sorted(on_map, key=lambda j: (-mean[j], j))[:2]
        names.append(" & ".join(tps[ids[j]] for j in dist) or f"Group {c + 1}")
        top.append([ids[j] for j in sorted(on_map, key=lambda j: (-mean[j], j))[:3] if mean[j] > 0])
    seen: dict[str, int] = {}
    for c, nm in enumerate(names):
        seen[nm] = seen.get(nm, 0) + 1
        if seen[nm] > 1:
            names[c] = f"{nm} ({seen[nm]})"
    return names, top


def labels_series(m: Any):
    """unit id -> cluster number (see ``JourneyMetrics.cluster_labels``)."""
    import numpy as np
    import pandas as pd

    cl = m._clusters.get(m.unit)
    if cl is None:
        raise JourneyError(f"no clusters of {m.unit}s yet: call m.clusters() first")
    units = np.flatnonzero(cl.labels >= 0)
    store = m._engine.store
    if m.unit == "customer":
        index = pd.Index(store.customers_of(units), name=m.columns["customer"])
    else:
        uc = m._unit_engine().unit_customer[units]
        if store.session_values is not None:
            sess = store.session_values.take(units).tolist()
        else:  # sessions split by a gap: their number within the customer, from 1
            first = np.searchsorted(m._unit_engine().unit_customer, uc)
            sess = (units - first + 1).tolist()
        index = pd.MultiIndex.from_arrays([store.customers_of(uc), sess],
                                          names=[m.columns["customer"], m.columns.get("session") or "session"])
    return pd.Series(cl.labels[units], index=index, name="cluster")


def cluster_engine(unit_engine: Any, res: ClusterResult) -> Any:
    """A numpy engine over the same units whose segments are the clusters (values are not kept
    per unit, so ``mean_value`` is empty in a cluster segment)."""
    import numpy as np

    from .numpy_engine import NumpyEngine

    st = unit_engine.store
    seg = np.where(res.labels >= 0, res.labels, res.k).astype(np.int32)
    store = dataclasses.replace(st, seg_of_cust=seg, segments=res.labels_text, key_value_sum=None,
                                key_value_n=None)
    return NumpyEngine(store, unit_customer=unit_engine.unit_customer)


def persona_for_cluster(m: Any, cluster: int) -> dict:
    """The persona item a cluster becomes on the map (its segment points at the cluster)."""
    cl = m._clusters.get(m.unit)
    if cl is None:
        raise JourneyError(f"no clusters of {m.unit}s yet: call m.clusters() first")
    c = int(str(cluster).removeprefix("cluster:")) if str(cluster).removeprefix("cluster:").isdigit() \
        else None
    if c is None or not 0 <= c < cl.k:
        raise JourneyError(f"cluster {cluster!r} does not exist; clusters: 0..{cl.k - 1}")
    row = cl.rows(m)[c]
    names = {t["id"]: t.get("name") or t["id"] for t in m.document.get("touchpoints", [])}
    often = ", ".join(names.get(t, t) for t in row["top_touchpoints"])
    unit = m.unit + "s"
    desc = (f"{row['units']:,} {unit} ({row['share']:.0%} of all), cluster {c} of {cl.k} found in the "
            f"data; {row['conversion']:.0%} convert ({m.definition}). Visit most: {often}.")
    return {"name": row["name"], "description": desc,
            "attributes": {"cluster": str(c), "units": f"{row['units']:,} {unit}",
                           "share": f"{row['share']:.1%}", "conversion": f"{row['conversion']:.1%}"},
            "segment": {"column": "cluster", "values": [c]}}
