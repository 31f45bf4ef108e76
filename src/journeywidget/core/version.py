"""The package version and the document version it writes.

>>> from journeywidget.core.version import SCHEMA_VERSION
>>> SCHEMA_VERSION
1
"""

__version__ = "0.1.0"

#: The ``schema_version`` this package writes (and the newest it reads).
SCHEMA_VERSION = 1
