"""The signer's side: sign, confirm by the emailed link, withdraw, reminders, the links bound to
each signature, the sign forms, what one client may cause by signing (its budget, past which a
signature is held quietly and mails nothing), and how long signers' data is kept.

Depends on petitions, mail and moderation. Views and the command line use it.
"""
