"""Build a journey map from code, bind sample data and export a report.

    python examples/build_report.py [OUTPUT_FOLDER]

Writes an offline HTML page, a PNG and PDF for slides (if vl-convert-python is
installed), a Markdown summary and the map file itself, and prints the paths.
"""

from __future__ import annotations

import sys
from pathlib import Path

import journeywidget as jw
from journeywidget import export


def build_map() -> jw.Journey:
    j = jw.Journey("Mobile banking onboarding", journey_type="onboarding",
                   description="From app store to the first card payment.")
    j.add_persona("Ana, new customer", quote="I just want my card working today",
                  goals=["Open an account in minutes"], frustrations=["Paperwork", "Waiting"],
                  segment={"column": "plan", "values": ["free"]})
    j.add_goal("Activation rate", metric="first card payment within 7 days", target=45, unit="%")
    j.add_goal("Time to first payment", target=2, unit="days", direction="decrease")
    stages = {
        "Discover": [("App store page", "mobile_app", 1, ["app_store_view"]),
                     ("Referral link", "social", 2, ["referral_open"])],
        "Sign up": [("Identity check", "mobile_app", -2, ["kyc_started", "kyc_done"]),
                    ("Welcome email", "email", 0, ["welcome_email_open"])],
        "Activation": [("Card delivery", "partner", -1, ["card_shipped"]),
                       ("First card payment", "store", 2, ["first_payment"])],
        "Habit": [("Spending insights", "mobile_app", 1, ["insights_view"]),
                  ("Support chat", "chat", 0, ["support_chat"])],
    }
    for stage, touchpoints in stages.items():
        sid = j.add_stage(stage, milestone=stage in ("Sign up", "Activation"))
        for name, channel, emotion, keys in touchpoints:
            j.add_touchpoint(name, stage=sid, channel=channel, emotion=emotion, event_keys=keys)
    j.update("identity-check", moment_of_truth=True, metric="activation-rate",
             pain_points=["Photo of the ID fails in low light"],
             opportunities=["Guide the camera with an outline"],
             quotes=["I tried five times to take the photo"])
    j.update("first-card-payment", moment_of_truth=True, metric="time-to-first-payment")
    return j


def main(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    j = build_map()
    events = jw.datasets.events(j, customers=5_000, seed=7)
    metrics = jw.JourneyMetrics(j).bind_events(events, customer="customer_id", time="timestamp",
                                               touchpoint="event", segment="plan")
    written = [out / "banking-onboarding.json"]
    j.save(written[0])
    export.to_html(j, out / "banking-onboarding.html", metrics=metrics)
    written.append(out / "banking-onboarding.html")
    (out / "banking-onboarding.md").write_text(export.to_markdown(j, metrics), encoding="utf-8")
    written.append(out / "banking-onboarding.md")
    try:
        export.to_png(j, out / "banking-onboarding.png", scale=2, metrics=metrics)
        export.to_pdf(j, out / "banking-onboarding.pdf", metrics=metrics)
        written += [out / "banking-onboarding.png", out / "banking-onboarding.pdf"]
    except jw.JourneyError as err:  # vl-convert-python not installed
        print(f"(images skipped: {err})")
    for p in written:
        print(p)
    return written


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "report"))
