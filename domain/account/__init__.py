"""Account management deliverables (FC-INC-9, FC-REV): critical patch and problem notices, the customer support
plan and account operational profile, and onboarding (welcome kit, kick-off checklist).

`records` holds the rows, `rules` the pure decisions, `notices`, `documents` and `onboarding` the use cases
(each one transaction's work on the caller's Session) and what they write to the outbox.
"""
