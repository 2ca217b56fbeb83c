"""The email to a petition's organisers when it passes a quarter of its goal."""
