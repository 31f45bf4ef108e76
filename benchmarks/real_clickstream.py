"""Check the journey analytics on a real public clickstream: retentioneering's ``simple_shop``.

    python benchmarks/real_clickstream.py

The data (3,751 users of an online shop, 32,283 events: catalog, main, product1,
product2, cart, delivery_choice, delivery_courier, delivery_pickup, payment_choice,
payment_card, payment_cash, payment_done, over a few months) ships inside the
retentioneering 3.3 wheel; this script downloads the wheel from PyPI into a temporary
folder (``pip download --no-deps``) and reads the CSV from it. Nothing of it is stored in
this repository.

It prints the map ``Journey.from_events`` drafts (with and without sessions) and checks
the order issue 10 asks for: home/catalog before cart, cart before shipping (delivery),
shipping before payment, payment before the purchase (payment_done), in at least three
distinct stages. Then it binds the log to the draft and prints the funnel per customer and
per session (30-minute gap): time in stage in minutes within sessions, conversion never
above 100 % in the ordered funnel, and the conforming share.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import pandas as pd  # noqa: E402

import journeywidget as jw  # noqa: E402

CSV = "retentioneering/datasets/data/simple-onlineshop.csv"


def load() -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                            "retentioneering==3.3.0", "-d", tmp], capture_output=True, text=True)
        if r.returncode:
            sys.exit("pip download retentioneering==3.3.0 failed:\n" + r.stderr[-1500:])
        wheel = next(Path(tmp).glob("retentioneering-*.whl"))
        with zipfile.ZipFile(wheel) as z, z.open(CSV) as f:
            return pd.read_csv(f)


def stage_of(draft: jw.Journey) -> dict[str, int]:
    return {t.event_keys[0]: k for k, s in enumerate(draft.stages) for t in draft.touchpoints_in(s.id)}


def check(order: dict[str, int]) -> list[tuple[str, bool]]:
    first = lambda *keys: min(order[k] for k in keys)  # noqa: E731
    last = lambda *keys: max(order[k] for k in keys)  # noqa: E731
    return [
        ("main/catalog before cart", last("main", "catalog") < order["cart"]),
        ("cart before shipping", order["cart"] < first("delivery_choice", "delivery_courier", "delivery_pickup")),
        ("shipping before payment", last("delivery_choice", "delivery_courier", "delivery_pickup")
         < first("payment_choice", "payment_card", "payment_cash")),
        ("payment before purchase", last("payment_choice", "payment_card", "payment_cash") < order["payment_done"]),
        ("at least three distinct stages", len(set(order.values())) >= 3),
    ]


def main() -> None:
    df = load()
    print(f"simple_shop: {len(df):,} events, {df['user_id'].nunique():,} users, "
          f"{df['event'].nunique()} event types")
    ok = True
    cols = dict(customer="user_id", time="timestamp", touchpoint="event")
    for label, kw in (("customers", {}), ("sessions (30-minute gap)", {"session_gap": "30min"})):
        draft = jw.Journey.from_events(df, **cols, **kw)
        print(f"\nJourney.from_events by {label}:")
        for s in draft.stages:
            print(f"  {s.name:<32} {', '.join(t.event_keys[0] for t in draft.touchpoints_in(s.id))}")
        for what, good in check(stage_of(draft)):
            ok &= good
            print(f"  [{'OK' if good else 'MISSED'}] {what}")
    m = jw.JourneyMetrics(draft).bind_events(df, **cols, session_gap="30min")
    for unit in ("customer", "session"):
        m.unit = unit
        st = m.stages
        print(f"\n{m.definition}: conforming share {m.conforming_share:.0%}")
        print(st[["name", "reached", "conversion", "conversion_low", "conversion_high", "median_time_s",
                  "median_time_to_convert_s"]].to_string(index=False))
        good = bool((st["conversion"].dropna() <= 1).all())
        ok &= good
        print(f"  [{'OK' if good else 'MISSED'}] conversion never above 100 %")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
