"""Mail: messages composed from templates, the outbox written in the caller's transaction, and
its delivery (a background thread per web process or `outbox deliver` workers) over SMTP.

Depends on petitions (a message names its petition in the reader's language). Others use:
messages (the composed emails), outbox (queue_message), background (notify_delivery).
"""
