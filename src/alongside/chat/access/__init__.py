"""Who may see and do what in chat; one named rule per function, each with its own tests.

A conversation someone may not see is reported exactly like a missing one (NotFound).
"""
