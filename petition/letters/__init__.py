"""Letter actions: a suggested letter to the authorities that supporters send from their own mail."""
