"""Benchmarks: `make bench` runs them all; `python -m bench --smoke` runs tiny sizes for CI."""
