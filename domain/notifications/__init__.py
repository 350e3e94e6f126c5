"""The outbox: every message the bot posts on its own initiative, written in the transaction that caused it
(ARCHITECTURE: "Two ways data flows"); scheduler/dispatcher.py delivers the rows."""
