"""Benchmarks: each prints its figures next to the raw ceilings measured in the same run."""
