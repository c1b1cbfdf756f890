"""Benchmarks for `make bench`: each module prints its own table beside the anchor it is measured against."""
