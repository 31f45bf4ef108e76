"""Data bound to a map: the frame adapter, the engines, metrics, insights, drafting maps
from events, sample data. It reads maps (documents and the ``Journey``) but never the
charts, the widget or the exports.

>>> from journeywidget.data import datasets, metrics
>>> j = datasets.sample_journey()
>>> m = metrics.JourneyMetrics(j).bind_events(datasets.events(j, customers=200),
...     customer="customer_id", time="timestamp", touchpoint="event")
>>> m.engine_name, m.customers(None)
('pandas', 200)
"""
