"""Incidents (FC-INC): opened from any message, routed to the named engineer, timed on the FTC clock.

`records` holds the incident and its append-only event log, `rules` the pure FC-INC decisions,
`service` the use cases (each one transaction's work) and `notices` what they write to the outbox.
"""
