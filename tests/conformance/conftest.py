"""Keeps ``make test`` out of the conformance harness: nothing here is a project test.

The harness (``make conformance``) runs keras's own unit tests, fetched into ``.venv/``,
against minikeras through the `keras_adapter` package; see docs/conformance.md.
"""
collect_ignore_glob = ["*"]
