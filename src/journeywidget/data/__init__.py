"""Data bound to a map: frames, engines, metrics, insights, drafting maps, sample data."""
