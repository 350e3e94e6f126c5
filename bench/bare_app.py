"""The reference for bench/serve_bench.py: a Bolt app that verifies the signature and acks `/flexcare`, nothing else.

bench/serve_bench.py serves it with gunicorn as `flexcare serve` serves FlexCare (bot/http.py: gthread workers,
the same number of workers and threads, each worker importing this module after the fork), so the difference
between the two is what FlexCare does for a request. Environment: SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and
SLACK_API_URL (Bolt calls auth.test once per worker, as it does in FlexCare).
"""

import os

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient


def acknowledge(ack: Ack) -> None:
    ack()


app = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"], token_verification_enabled=False,
          client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]))
app.command("/flexcare")(acknowledge)
application = SlackRequestHandler(app, path="/slack/events")
