"""Benchmark harness: gunicorn on PostgreSQL under wrk (see docs/benchmarks.md)."""
