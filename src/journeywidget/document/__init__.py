"""The journey document: its schema, the one edit path, history, files, migrations,
differences, guidance and templates. It imports only the core layer.

>>> from journeywidget.document import io, operations
>>> doc = io.validate_document({"schema_version": 1, "id": "demo", "title": "Demo",
...                             "created": "2026-01-05T09:00:00Z", "modified": "2026-01-05"})
>>> operations.run_op(doc, {"op": "add", "kind": "stage", "item": {"name": "Buy"}})[1]
"added stage 'Buy'"
"""
