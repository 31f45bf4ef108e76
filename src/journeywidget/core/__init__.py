"""The base layer: errors, ids and names, the shared vocabulary, clock, version and the
observer mechanism. It imports nothing else of the package.

>>> from journeywidget.core import ids, vocabulary
>>> ids.slugify("Sign up ◆"), vocabulary.LANE_TITLES["pain_points"]
('sign-up', 'Pain points')
"""
