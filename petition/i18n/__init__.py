"""Languages: which one a reader gets, plurals, country names and days written their way.

Foundation for every page and email. Imports only Flask-Babel and the standard library, so any
package may use it. Others use: languages (current_language, N_, format_number), plurals
(ngettext), countries (country_name), dates (last_day).
"""
