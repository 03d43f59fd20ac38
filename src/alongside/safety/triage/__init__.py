"""The triage guide ("What brings you here today?") and the self-help exercises.

- `routing`: which destination fits what someone wrote (sentence embeddings, nearest centroid over a
  labelled set we wrote ourselves, `routing_set.csv`; keyword cues when the model is unavailable), with
  the crisis classifier read first.
- `cues`: the plain phrases the guide recognises, used for its "You mentioned ..." explanations and
  as the keyword fallback.
- `communities`: communities the person can see, ranked by how close they are to what was written.
- `guide`: the conversation's state, kept in the session only, and never the person's words.
- `exercises`: the breathing, grounding and thought-record pages.
- `evaluate`: `python -m alongside.safety.triage.evaluate` measures the routing on the held-out part.
"""
