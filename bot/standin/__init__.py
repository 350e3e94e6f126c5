"""A local stand-in for Slack: a recording Web API server, real request payloads, Block Kit as text.

Used by the end-to-end tests and by `flexcare console`; standard library and slack_sdk only.
The submodules import these identities, so a payload built here names the same team, bot and
app the stand-in answers `auth.test` with.
"""

TEAM_ID = "T0FLEXCARE"
TEAM_DOMAIN = "example"
BOT_USER_ID = "U0FLEXBOT"
BOT_ID = "B0FLEXBOT"
APP_ID = "A0FLEXCARE"
