"""The signer's side: sign, confirm by the emailed link, withdraw, reminders, the links bound to
each signature, the sign forms, and how long signers' data is kept.

Depends on petitions, mail and moderation. Views and the command line use it.
"""
