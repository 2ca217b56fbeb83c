"""Handing signatures over: CSV, JSON and XLSX exports in constant memory, their log, and the
printable delivery pack.

Depends on petitions. Views and the command line use it.
"""
