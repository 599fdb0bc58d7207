"""Benchmarks run on demand: engines side by side (``engines.py``) and HTTP servers side by side (``run.py``)."""
