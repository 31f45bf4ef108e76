"""The PySpark engine: the heavy steps run in Spark; only compact aggregates are collected.

Same interface and the same definitions as the numpy engine
(:class:`journeywidget.data.engine.Engine`), checked against it in the tests.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import BindingError
from .engine import JourneyAgg, StageAgg, TPAgg

__all__ = ["SparkEngine"]


class SparkEngine:
    """The engine for PySpark DataFrames.

    The events are validated, encoded and kept (persisted) in Spark; every
    aggregate (per touchpoint x segment, per transition x segment, per stage x
    segment) is computed by Spark and only those small tables are collected.
    Row order for ties is ``monotonically_increasing_id()`` at bind time (the
    DataFrame's partition order), after the ``order`` column if given.
    Quantiles use Spark's exact ``percentile``, whose interpolation is the one
    the numpy engine uses, so both give identical numbers. Spark timestamps have
    microsecond resolution.
    """

    name = "spark"

    def __init__(self, sdf: Any, customer: str, time: str, touchpoint: str, channel: str | None = None,
                 value: str | None = None, segment: str | None = None, order: str | None = None,
                 session: str | None = None, session_gap_ns: int | None = None):
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        self.F = F
        self.spark = sdf.sparkSession
        schema = {f.name: f.dataType for f in sdf.schema.fields}
        fix = (f"convert it with F.to_timestamp({time!r}) or pass the right column as time=")
        ttype = schema[time]
        raw_t = F.col(time)
        if isinstance(ttype, T.BooleanType):
            raise BindingError(f"time column {time!r} holds booleans, not timestamps", time, fix)
        if isinstance(ttype, (T.TimestampType, T.DateType)) or type(ttype).__name__ == "TimestampNTZType":
            tns = F.unix_micros(raw_t.cast("timestamp")) * F.lit(1000)
        elif isinstance(ttype, T.NumericType):
            tns = F.when(F.isnan(raw_t.cast("double")), F.lit(None)).otherwise(
                F.round(raw_t.cast("double") * F.lit(1e9)).cast("long"))
        elif isinstance(ttype, T.StringType):
            tns = F.unix_micros(F.try_to_timestamp(raw_t)) * F.lit(1000) if hasattr(
                F, "try_to_timestamp") else F.unix_micros(F.to_timestamp(raw_t)) * F.lit(1000)
        else:
            raise BindingError(f"time column {time!r} has type {ttype.simpleString()}, not a timestamp",
                               time, fix)
        if isinstance(schema[touchpoint], T.BooleanType):
            raise BindingError(
                f"touchpoint column {touchpoint!r} holds booleans; it should name the touchpoint of "
                "each event", touchpoint, "pass the column with event names or keys as touchpoint=")
        cust_col = F.col(customer)
        cust_missing = cust_col.isNull()
        if isinstance(schema[customer], (T.DoubleType, T.FloatType)):
            cust_missing = cust_missing | F.isnan(cust_col)
        cols = [cust_col.alias("c"), tns.alias("t"), raw_t.isNull().alias("_tnull"),
                F.col(touchpoint).cast("string").alias("k"), cust_missing.alias("_cnull")]
        if value is not None:
            vt = schema[value]
            if isinstance(vt, (T.NumericType, T.BooleanType)):
                cols.append(F.col(value).cast("double").alias("v"))
                cols.append(F.lit(False).alias("_vbad"))
            else:
                vv = F.col(value).cast("double")
                cols.append(vv.alias("v"))
                cols.append((vv.isNull() & F.col(value).isNotNull()).alias("_vbad"))
        if segment is not None:
            cols.append(F.col(segment).cast("string").alias("sg"))
        if channel is not None:
            cols.append(F.col(channel).cast("string").alias("ch"))
        if session is not None:
            cols.append(F.col(session).cast("string").alias("se"))
        cols.append(F.col(order).alias("o") if order is not None else F.lit(0).alias("o"))
        base = sdf.withColumn("_row", F.monotonically_increasing_id()).select(*cols, "_row")
        probs = base.agg(
            F.count(F.lit(1)).alias("n"),
            F.sum(F.col("_cnull").cast("long")).alias("mc"),
            F.sum((F.col("_tnull")).cast("long")).alias("mt"),
            F.sum((F.col("t").isNull() & ~F.col("_tnull")).cast("long")).alias("bt"),
            F.sum(F.col("k").isNull().cast("long")).alias("mk"),
            *( [F.sum(F.col("_vbad").cast("long")).alias("bv")] if value is not None else []),
        ).collect()[0]
        self.n_rows = int(probs["n"])
        if self.n_rows == 0:
            raise BindingError("the events data is empty (0 rows)", None, "bind a non-empty event log")
        problems: dict[str, dict] = {}
        for key, kind, col in (("mc", "missing_customer", customer), ("mt", "missing_time", time),
                               ("bt", "unparsable_time", time), ("mk", "missing_touchpoint", touchpoint)):
            if probs[key]:
                problems[kind] = {"count": int(probs[key]), "column": col}
        if "unparsable_time" in problems:
            bad = sdf.select(F.col(time).cast("string").alias("x"), tns.alias("t")).where(
                F.col("t").isNull() & F.col("x").isNotNull()).limit(3).collect()
            problems["unparsable_time"]["examples"] = [r["x"] for r in bad]
        if value is not None and probs["bv"]:
            problems["invalid_value"] = {"count": int(probs["bv"]), "column": value, "examples": []}
        ev = base.where(~F.col("_cnull") & F.col("t").isNotNull() & F.col("k").isNotNull()).drop(
            "_cnull", "_tnull")
        if value is not None:
            ev = ev.drop("_vbad")
        self.n_events = ev.count()
        if self.n_events == 0:
            worst = max(problems.items(), key=lambda kv: kv[1]["count"]) if problems else None
            col = worst[1]["column"] if worst else customer
            raise BindingError(
                f"no usable events: every row lacks a customer, a valid time or a touchpoint "
                f"(worst column: {col!r})", col, "check the column names and their values")
        ordcols = [F.col("t"), F.col("o"), F.col("_row")]
        self.has_sessions = session is not None or session_gap_ns is not None
        if session is not None:  # a session is a (customer, session value) pair
            miss = ev.where(F.col("se").isNull()).count()
            if miss:
                raise BindingError(
                    f"the session column {session!r} has {miss:,} events without a session value",
                    session, f"fill them (df.fillna({{{session!r}: ...}})) or drop those rows, or split "
                             "sessions by time with session_gap='30min' instead of session=")
            ev = ev.withColumn("su", F.concat_ws("\x1f", F.col("c").cast("string"), F.col("se"))).drop("se")
        elif session_gap_ns is not None:  # a new session after a gap longer than session_gap
            from pyspark.sql import Window

            wc = Window.partitionBy("c").orderBy(*ordcols)
            prev = F.lag("t").over(wc)
            new = (prev.isNull() | ((F.col("t") - prev) > F.lit(int(session_gap_ns)))).cast("long")
            ev = ev.withColumn("_new", new).withColumn(
                "su", F.concat_ws("\x1f", F.col("c").cast("string"),
                                  F.sum("_new").over(wc.rowsBetween(Window.unboundedPreceding, 0))
                                  .cast("string"))).drop("_new")
        # segments: first non-missing value per customer in (time, order, row) order
        if segment is not None:
            cs = ev.groupBy("c").agg(
                F.min_by(F.when(F.col("sg").isNotNull(), F.struct(*ordcols, F.col("sg"))),
                         F.when(F.col("sg").isNotNull(), F.struct(*ordcols))).alias("first"),
                F.countDistinct("sg").alias("nsg"),
            ).select("c", F.col("first.sg").alias("seg"), "nsg")
            segrows = cs.groupBy("seg").agg(F.count(F.lit(1)).alias("n"),
                                            F.sum((F.col("nsg") > 1).cast("long")).alias("var")).collect()
            self.segments = sorted(r["seg"] for r in segrows if r["seg"] is not None)
            counts = {r["seg"]: int(r["n"]) for r in segrows}
            nvar = sum(int(r["var"] or 0) for r in segrows)
            if nvar:
                problems["segment_varies"] = {"count": nvar, "column": segment}
            if counts.get(None):
                problems["missing_segment"] = {"count": counts[None], "column": segment}
            ev = ev.drop("sg").join(cs.select("c", F.col("seg").alias("sg")), "c")
            self._cust_seg = cs.select("c", "seg")
            self._seg_counts = [counts.get(s, 0) for s in self.segments] + [counts.get(None, 0)]
            self.n_customers = sum(self._seg_counts)
        else:
            self._cust_seg = None
            self.segments = []
            self.n_customers = ev.select("c").distinct().count()
            self._seg_counts = [self.n_customers]
            ev = ev.withColumn("sg", F.lit(None).cast("string"))
        ev = ev.persist()
        self.ev = ev
        krows = ev.groupBy("k").count().collect()
        self.keys = sorted(r["k"] for r in krows)
        import numpy as np

        kc = {r["k"]: int(r["count"]) for r in krows}
        self.key_counts = np.array([kc[k] for k in self.keys], dtype=np.int64)
        dup = ev.groupBy("c", "t", "k").count().where(F.col("count") > 1).agg(
            F.sum(F.col("count") - 1)).collect()[0][0]
        if dup:
            problems["duplicate_events"] = {"count": int(dup), "column": None}
        self.problems = problems
        self.value = value is not None
        self.channels: list[str] = []
        self._key_chan = None
        if channel is not None:
            crow = ev.where(F.col("ch").isNotNull()).groupBy("k", "ch").count().collect()
            self.channels = sorted({r["ch"] for r in crow})
            kch = np.zeros((len(self.keys), max(len(self.channels), 1)), dtype=np.int64)
            ki = {k: i for i, k in enumerate(self.keys)}
            ci = {c: i for i, c in enumerate(self.channels)}
            for r in crow:
                kch[ki[r["k"]], ci[r["ch"]]] += int(r["count"])
            self._key_chan = kch
        self._ordcols = ordcols
        self._unit = "customer"
        self._reset()

    def _reset(self) -> None:
        self._sig = None
        self._me = self._pairs = self._seq = None  # persisted per mapping (set_mapping)
        self._tp_cache: dict = {}
        self._stage_cache: dict = {}
        self._journey_cache: dict = {}

    def session_engine(self) -> SparkEngine:
        """The same events seen per session: every aggregate counts sessions."""
        import copy

        F = self.F
        if not self.has_sessions:
            raise BindingError("no sessions are bound", None,
                               "bind with session=<column> or session_gap='30min'")
        eng = copy.copy(self)
        eng.ev = self.ev.withColumnRenamed("c", "cust").withColumnRenamed("su", "c").persist()
        rows = eng.ev.groupBy("sg").agg(F.countDistinct("c").alias("n")).collect()
        counts = {r["sg"]: int(r["n"]) for r in rows}
        eng._seg_counts = [counts.get(x, 0) for x in self.segments] + [counts.get(None, 0)]
        eng.n_customers = sum(eng._seg_counts)
        eng._unit = "session"
        eng._reset()
        return eng

    # -- helpers -----------------------------------------------------------
    def _segi(self, label) -> int:
        return len(self.segments) if label is None else self.segments.index(label)

    def total_customers(self, s):
        return self.n_customers if s is None else self._seg_counts[s]

    def segment_customers(self):
        import numpy as np

        return np.array(self._seg_counts[: len(self.segments)], dtype=np.int64)

    def unmapped_neighbours(self):
        return self._unmapped

    def segment_members(self, s: int) -> list:
        """The customer values whose segment is ``s`` (collected from Spark)."""
        if self._cust_seg is None or s >= len(self.segments):
            return []
        F = self.F
        rows = self._cust_seg.where(F.col("seg") == F.lit(self.segments[s])).select("c").collect()
        return [r["c"] for r in rows]

    def trend(self, tp_of_key, n_tp: int, s: int | None, metric: str, freq: str | None,
              max_points: int) -> list:
        """Not computed in Spark yet: the trend overlay stays empty for Spark bindings."""
        return []

    # -- layer 1 -----------------------------------------------------------
    def set_mapping(self, tp_of_key, n_tp: int) -> None:
        import numpy as np
        from pyspark.sql import Window

        F = self.F
        sig = tuple(int(x) for x in tp_of_key)
        if sig == self._sig:
            return
        self._sig = sig
        self._tp_cache.clear()
        self._stage_cache.clear()
        self._journey_cache.clear()
        for cached in (self._me, self._pairs, self._seq):  # the previous mapping's tables
            if cached is not None:
                cached.unpersist()
        T = max(n_tp, 1)
        self.T = T
        NS = len(self.segments) + 1
        self.NS = NS
        kmap = self.spark.createDataFrame(
            [(k, int(j)) for k, j in zip(self.keys, sig) if j >= 0] or [("\x00", -1)],
            "k string, tp int")
        w = Window.partitionBy("c").orderBy(*self._ordcols)
        ev = self.ev.join(F.broadcast(kmap), "k", "left")
        # neighbours of unmapped keys (for the suggested stage)
        K = len(self.keys)
        self._unmapped = None
        if any(j < 0 for j in sig):
            prev = F.last("tp", ignorenulls=True).over(w.rowsBetween(Window.unboundedPreceding, -1))
            nxt = F.first("tp", ignorenulls=True).over(w.rowsBetween(1, Window.unboundedFollowing))
            nb = ev.select("k", "tp", prev.alias("p"), nxt.alias("n")).where(F.col("tp").isNull())
            rows = nb.select("k", F.explode(F.array("p", "n")).alias("x")).where(
                F.col("x").isNotNull()).groupBy("k", "x").count().collect()
            arr = np.zeros((K, T), dtype=np.int64)
            ki = {k: i for i, k in enumerate(self.keys)}
            for r in rows:
                arr[ki[r["k"]], int(r["x"])] += int(r["count"])
            self._unmapped = arr
        me = ev.where(F.col("tp").isNotNull()).select(
            "c", "sg", "tp", "t", *(["v"] if self.value else []),
            F.lead("t").over(w).alias("nt"), F.lead("tp").over(w).alias("ntp"),
        ).withColumn("dt", F.col("nt") - F.col("t")).persist()
        self._me = me
        gid = F.grouping_id().alias("gid")
        tp_rows = me.rollup("tp", "sg").agg(
            gid, F.count(F.lit(1)).alias("events"), F.countDistinct("c").alias("customers"),
            F.sum(F.col("nt").isNull().cast("long")).alias("exits"),
            F.count("dt").alias("nn"), F.percentile("dt", F.array(F.lit(0.5), F.lit(0.9))).alias("q"),
        ).collect()
        tr_rows = me.where(F.col("ntp").isNotNull()).rollup("tp", "ntp", "sg").agg(
            gid, F.count(F.lit(1)).alias("count"), F.countDistinct("c").alias("customers"),
            F.percentile("dt", F.lit(0.5)).alias("med"),
        ).collect()
        mc_rows = me.rollup("sg").agg(gid, F.countDistinct("c").alias("n")).collect()
        self._l1 = {"tp": tp_rows, "tr": tr_rows, "mc": mc_rows}
        # value and channel sums per touchpoint x segment from per-key tables
        if self.value:
            vrows = self.ev.where(F.col("v").isNotNull() & ~F.isnan("v") & (F.abs("v") < F.lit(float("inf")))).groupBy("k", "sg").agg(
                F.sum("v").alias("s"), F.count(F.lit(1)).alias("n")).collect()
        else:
            vrows = []
        vsum = np.zeros((T, NS))
        vn = np.zeros((T, NS), dtype=np.int64)
        ki = {k: i for i, k in enumerate(self.keys)}
        for r in vrows:
            j = sig[ki[r["k"]]]
            if j >= 0:
                s = self._segi(r["sg"])
                vsum[j, s] += float(r["s"])
                vn[j, s] += int(r["n"])
        self._vsum, self._vn = vsum, vn
        chan = None
        if self._key_chan is not None:
            chan = np.zeros((T, self._key_chan.shape[1]), dtype=np.int64)
            for k, j in enumerate(sig):
                if j >= 0:
                    chan[j] += self._key_chan[k]
        self._chan = chan
        self._pairs = me.groupBy("c", "sg", "tp").agg(F.min("t").alias("f"), F.max("t").alias("l")).persist()
        # the mapped events of each unit in order, a unit (customer) per partition, for journey_agg
        part = "cust" if self._unit == "session" else "c"
        extra = ["cust"] if self._unit == "session" else []
        self._seq = ev.where(F.col("tp").isNotNull()).select("c", "sg", "tp", "t", "o", "_row", *extra) \
            .repartition(F.col(part)).sortWithinPartitions(part, "c", "t", "o", "_row").persist()

    def tp_agg(self, s):
        import numpy as np

        if s in self._tp_cache:
            return self._tp_cache[s]
        T, _NS = self.T, self.NS
        want_gid = 1 if s is None else 0  # rollup(tp, sg): gid 0 = (tp, sg), 1 = (tp)
        label = None if s is None else (self.segments[s] if s < len(self.segments) else None)
        events = np.zeros(T, dtype=np.int64)
        customers = np.zeros(T, dtype=np.int64)
        exits = np.zeros(T, dtype=np.int64)
        nq = np.full((T, 2), np.nan)
        nn = np.zeros(T, dtype=np.int64)
        for r in self._l1["tp"]:
            if r["gid"] != want_gid or r["tp"] is None:
                continue
            if s is not None and r["sg"] != label:
                continue
            j = int(r["tp"])
            events[j], customers[j], exits[j], nn[j] = r["events"], r["customers"], r["exits"], r["nn"]
            if r["q"] is not None:
                nq[j] = [float(x) for x in r["q"]]
        want_tr = 1 if s is None else 0  # rollup(tp, ntp, sg): 0 = all three, 1 = (tp, ntp)
        tr = {}
        for r in self._l1["tr"]:
            if r["gid"] != want_tr or r["tp"] is None or r["ntp"] is None:
                continue
            if s is not None and r["sg"] != label:
                continue
            tr[(int(r["tp"]), int(r["ntp"]))] = (int(r["count"]), int(r["customers"]), float(r["med"]))
        keys = sorted(tr)
        mapped = 0
        for r in self._l1["mc"]:
            if (s is None and r["gid"] == 1) or (s is not None and r["gid"] == 0 and r["sg"] == label):
                mapped = int(r["n"])
        if s is None:
            vsum, vn = self._vsum.sum(axis=1), self._vn.sum(axis=1)
        else:
            vsum, vn = self._vsum[:, s], self._vn[:, s]
        agg = TPAgg(
            events=events, customers=customers, exits=exits, value_sum=vsum, value_n=vn,
            next_q=nq, next_n=nn,
            tr_from=np.array([k[0] for k in keys], dtype=np.int64),
            tr_to=np.array([k[1] for k in keys], dtype=np.int64),
            tr_count=np.array([tr[k][0] for k in keys], dtype=np.int64),
            tr_customers=np.array([tr[k][1] for k in keys], dtype=np.int64),
            tr_median=np.array([tr[k][2] for k in keys], dtype=float),
            chan=self._chan if s is None else None,
            total_customers=self.total_customers(s), mapped_customers=mapped,
        )
        self._tp_cache[s] = agg
        return agg

    def stage_agg(self, stage_tps, stage_of_tp, s):
        import numpy as np

        F = self.F
        key = tuple(stage_tps)
        if key not in self._stage_cache:
            smap = self.spark.createDataFrame(
                [(int(j), int(k)) for j, k in enumerate(stage_of_tp) if k >= 0] or [(-1, -1)],
                "tp int, stage int")
            per = self._pairs.join(F.broadcast(smap), "tp").groupBy("c", "sg", "stage").agg(
                (F.max("l") - F.min("f")).alias("d"))
            rows = per.rollup("stage", "sg").agg(
                F.grouping_id().alias("gid"), F.count(F.lit(1)).alias("n"),
                F.percentile("d", F.lit(0.5)).alias("med")).collect()
            self._stage_cache[key] = rows
        rows = self._stage_cache[key]
        S = len(stage_tps)
        label = None if s is None else (self.segments[s] if s < len(self.segments) else None)
        reach = np.zeros(S, dtype=np.int64)
        dwell = np.full(S, np.nan)
        for r in rows:
            if r["stage"] is None or int(r["stage"]) >= S:
                continue
            if s is None and r["gid"] == 1 or (s is not None and r["gid"] == 0 and r["sg"] == label):
                reach[int(r["stage"])] = int(r["n"])
                dwell[int(r["stage"])] = float(r["med"]) if r["med"] is not None else np.nan
        return StageAgg(reach=reach, dwell_median=dwell)

    # -- unit-level journeys: computed in Spark, partition by partition ------------------
    def journey_agg(self, stage_of_slot, rank_of_stage, window_ns, s, top=10) -> JourneyAgg:
        """The unit-level aggregates of a layout for segment ``s``: the per-unit facts are
        computed inside Spark (``mapInPandas``, with :mod:`journeywidget.data.sequences`, a
        customer's units in one partition) and only their sums, top paths and medians are
        collected."""
        key = (tuple(int(x) for x in stage_of_slot), tuple(int(x) for x in rank_of_stage), window_ns, top)
        if key not in self._journey_cache:
            if len(self._journey_cache) > 16:
                self._journey_cache.clear()
            self._journey_cache[key] = self._journey_all(list(key[0]), list(key[1]), window_ns, top)
        return self._journey_cache[key][None if s is None else self._seg_label(s)]

    def _seg_label(self, s: int) -> str:
        return self.segments[s] if s < len(self.segments) else _NONE

    def _journey_all(self, sos: list, rank: list, window_ns, top: int) -> dict:
        import numpy as np

        from .sequences import GroupCounts

        F = self.F
        D = max(rank) + 1 if rank else 0
        labels = list(self.segments) + [_NONE]
        out = self._seq.mapInPandas(_journey_partition(sos, rank, window_ns, labels, self._unit == "session"),
                                    _ROW_SCHEMA).persist()
        try:
            counts = out.where(~F.col("kind").isin("ttc", "path")).groupBy("kind", "sg", "a", "b").agg(
                F.sum("n").alias("n")).collect()
            ttc = out.where(F.col("kind") == "ttc").rollup("a", "sg").agg(
                F.grouping_id().alias("gid"), F.percentile("n", F.lit(0.5)).alias("med")).collect()
            paths = out.where(F.col("kind") == "path").groupBy("sg", "p").agg(
                F.sum("n").alias("n"), F.sum("n2").alias("n2"), F.sum("n3").alias("n3"))
            from pyspark.sql import Window

            w = Window.partitionBy("sg").orderBy(F.desc("n"), F.asc("p"))
            top_seg = paths.withColumn("r", F.row_number().over(w)).where(F.col("r") <= top).collect()
            top_all = paths.groupBy("p").agg(F.sum("n").alias("n"), F.sum("n2").alias("n2"),
                                             F.sum("n3").alias("n3")).orderBy(F.desc("n"), F.asc("p")) \
                .limit(top).collect()
        finally:
            out.unpersist()
        fields = list(GroupCounts.__dataclass_fields__)
        G = len(labels)
        arrays = {}
        for f in fields:
            shape = (G, D, D) if f.startswith("flow") else (G, D) if f not in (
                "units", "nonempty", "conforming", "converted") else (G,)
            arrays[f] = np.zeros(shape, dtype=np.int64)
        cust = {"cust_ordered": np.zeros((G, D), dtype=np.int64), "cust_reached": np.zeros((G, D), dtype=np.int64)}
        gi = {lab: i for i, lab in enumerate(labels)}
        for r in counts:
            g = gi[r["sg"]]
            arr = arrays.get(r["kind"], cust.get(r["kind"]))
            if arr.ndim == 1:
                arr[g] += int(r["n"])
            elif arr.ndim == 2:
                arr[g, int(r["a"])] += int(r["n"])
            else:
                arr[g, int(r["a"]), int(r["b"])] += int(r["n"])
        med = {}
        for r in ttc:
            if r["a"] is None:
                continue
            k = None if r["gid"] == 1 else r["sg"]
            med[(k, int(r["a"]))] = float(r["med"]) if r["med"] is not None else float("nan")

        def path_list(rows):
            return [(tuple(int(x) for x in r["p"].split(",")) if r["p"] else (), int(r["n"]),
                     int(r["n2"]), int(r["n3"])) for r in rows]

        def agg(label, rows_g, sel):
            c = GroupCounts(**{f: (arrays[f][sel].sum(axis=0, keepdims=True) if label is None
                                   else arrays[f][sel:sel + 1]) for f in fields})
            ttc_m = np.array([med.get((label, k), float("nan")) if k else float("nan") for k in range(D)])
            if self._unit == "session":
                co = cust["cust_ordered"].sum(axis=0) if label is None else cust["cust_ordered"][sel]
                cr = cust["cust_reached"].sum(axis=0) if label is None else cust["cust_reached"][sel]
            else:
                co, cr = c.ordered[0].copy(), c.reached[0].copy()
            return JourneyAgg(D=D, counts=c, ttc_median=ttc_m, paths=path_list(rows_g),
                              customers_ordered=co, customers_reached=cr)

        res = {None: agg(None, top_all, slice(None))}
        for lab in labels:
            rows_g = sorted((r for r in top_seg if r["sg"] == lab), key=lambda r: int(r["r"]))
            res[lab] = agg(lab, rows_g, gi[lab])
        return res


_NONE = "\x00"  # the group of units without a segment, in the rows of journey_agg
_ROW_SCHEMA = "kind string, sg string, a int, b int, p string, n long, n2 long, n3 long"


def _journey_partition(sos: list, rank: list, window_ns, labels: list, sessions: bool):
    """The function ``mapInPandas`` runs on each partition (units sorted, a customer's units
    together): the per-unit facts of :mod:`journeywidget.data.sequences`, summed per segment."""

    def run(batches):
        import numpy as np
        import pandas as pd

        from journeywidget.data.sequences import build_runs, group_counts, unit_facts

        parts = [b for b in batches if len(b)]
        if not parts:
            return
        pdf = pd.concat(parts, ignore_index=True)
        ucode, uvals = pd.factorize(pdf["c"])
        T = max(len(sos), int(pdf["tp"].max()) + 1)
        runs = build_runs(ucode.astype(np.int32), pdf["tp"].to_numpy().astype(np.int32),
                          pdf["t"].to_numpy().astype(np.int64), np.arange(T), len(uvals), 1)
        f = unit_facts(runs, sos, rank, window_ns)
        first = np.ones(len(pdf), dtype=bool)
        first[1:] = ucode[1:] != ucode[:-1]
        sg = pdf["sg"].to_numpy(dtype=object)[first]
        gi = {lab: i for i, lab in enumerate(labels)}
        g = np.array([gi.get(x if x is not None else labels[-1], len(labels) - 1) for x in sg], dtype=np.int64)
        G, D = len(labels), f.D
        gc = group_counts(f, g, G)
        rows = []
        for name in gc.__dataclass_fields__:
            arr = getattr(gc, name)
            for idx in zip(*np.nonzero(arr)):
                a = int(idx[1]) if len(idx) > 1 else -1
                b = int(idx[2]) if len(idx) > 2 else -1
                rows.append((name, labels[idx[0]], a, b, None, int(arr[idx]), 0, 0))
        for k in range(1, D):
            units, vals = f.ttc[k]
            for u, v in zip(units.tolist(), vals.tolist()):
                rows.append(("ttc", labels[g[u]], k, -1, None, int(v), 0, 0))
        conv_o = f.depth == D if D else np.zeros(f.n_units, dtype=bool)
        paths: dict = {}
        for i, u in enumerate(f.path_units.tolist()):
            key = (labels[g[u]], ",".join(f"{x:03d}" for x in f.path_of(i)))
            v = paths.setdefault(key, [0, 0, 0])
            v[0] += 1
            v[1] += int(conv_o[u])
            v[2] += int(f.converted[u])
        rows += [("path", lab, -1, -1, p, v[0], v[1], v[2]) for (lab, p), v in paths.items()]
        if sessions:  # distinct customers per segment and stage (a customer is in one partition)
            cust = pd.factorize(pdf["cust"].to_numpy()[first])[0]
            for name, mats in (("cust_ordered", [f.depth > k for k in range(D)]),
                               ("cust_reached", list(f.reached))):
                for k, m in enumerate(mats):
                    sel = np.flatnonzero(m)
                    pairs = np.unique(g[sel] * (int(cust.max(initial=0)) + 1) + cust[sel])
                    for gg, n in zip(*np.unique(pairs // (int(cust.max(initial=0)) + 1), return_counts=True)):
                        rows.append((name, labels[int(gg)], k, -1, None, int(n), 0, 0))
        yield pd.DataFrame(rows, columns=["kind", "sg", "a", "b", "p", "n", "n2", "n3"]).astype(
            {"a": "int32", "b": "int32", "n": "int64", "n2": "int64", "n3": "int64"})

    return run
