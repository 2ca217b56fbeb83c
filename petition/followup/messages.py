"""The update a signer (or, as a test, an organiser) gets, written by the deliverer when it is sent."""
