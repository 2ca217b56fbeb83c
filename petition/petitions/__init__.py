"""Petitions themselves: publishing, editing, versions in other languages, the public copies
served in a surge, listing, public signers, counts by country, the history of changes.

Depends on the core, i18n and web only. Others use: publishing (create_petition, lookups,
is_organiser_of), versions (in_language), public_copies (public_snapshot), history (record_event),
markdown (render_markdown).
"""
