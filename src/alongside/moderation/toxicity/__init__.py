"""The toxicity signal (docs/moderation.md, "Toxicity signal"): a score that flags content for the
moderators' queue and never removes anything by itself. `screening.toxicity_check` is what the
task worker runs on new posts (moderation.tasks.toxicity_scan); `model` scores text; `train` and
`evaluate` build and measure it."""
