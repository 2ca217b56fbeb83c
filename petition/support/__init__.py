"""Messages of support: short notes to the people a campaign supports, shown once approved."""
