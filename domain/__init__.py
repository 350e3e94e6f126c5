"""FlexCare's rules and records. Knows nothing of Slack, APScheduler, HTTP or the CLI."""
