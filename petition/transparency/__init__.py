"""The auditable count: one append-only Merkle log per petition, signed checkpoints, receipts.

Every change of a petition's verified count appends to its log in the same transaction (an add
when a signature starts to count, an exclude when it stops), so anyone can recount a petition
from its public entries and check the log never rewrote its past (RFC 9162 proofs).

Depends on petitions (a petition's close signs its final count). Others use: tally, the one
writer of the count and the log (count_in, count_out, hold), recount, receipts (new_receipt,
receipt_status), checkpoints, reading.
"""
