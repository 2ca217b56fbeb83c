"""Helpers the tests share: signing, logging in, the clock, a browser, gunicorn, reading pages."""
