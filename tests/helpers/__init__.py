"""Helpers the tests share: a browser, gunicorn processes, reading pages."""
