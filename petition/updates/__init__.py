"""After the signing: updates to the signers who asked for them, the public timeline of
delivery and answer, and signatures collected on paper."""
