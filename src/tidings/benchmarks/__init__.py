"""Benchmark harnesses behind ``tidings bench ...``.

Each module defines a click command named ``command``; ``tidings bench NAME`` runs the module
``NAME``. With ``--json`` the last line printed is one JSON object. Results are recorded in
docs/benchmarks.md with the date, the machine and the exact command.
"""
