"""Who may see and do what in the safety app: one module per area."""
