"""Benchmarks: `python -m bench` (or `make bench`) runs every module of this folder that defines `run()`."""
