"""Against fake signatures: access rules and screening, the activity view, bulk invalidation
and its reversal, reinstating held signatures.

Depends on petitions. Signing asks screening whether a new signature breaks a rule.
"""
