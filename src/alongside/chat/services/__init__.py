"""Every write in the chat app, each in a transaction; keyword-only arguments.

`listeners`: training, applying, decisions, listener settings. `conversations`: the queue, matching,
messages (the delivery contract), ending, rating, blocking, reporting, handing over, escalating.
"""
