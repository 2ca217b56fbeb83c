"""The public blueprint: what anyone reads, signs and writes without logging in.

Each feature keeps its pages in a module of its own and attaches them here with its `register`,
so every endpoint keeps its name (`public.sign`, `public.letter_action`) whichever module serves
it, and the features never import this module back.
"""

from flask import Blueprint

from petition.views import browsing, letters, signing, support, unsubscribe

bp = Blueprint("public", __name__)
browsing.register(bp)
signing.register(bp)
support.register(bp)
letters.register(bp)
unsubscribe.register(bp)
