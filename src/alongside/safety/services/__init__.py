"""Every write in the safety app, each in a transaction; keyword-only arguments. One module per area."""
