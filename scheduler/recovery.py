"""Finding a message Slack accepted just before a crash, by the outbox key its metadata carries (issue 7,
item 5). The dispatcher posts every message with `metadata={"event_type": METADATA_EVENT, "event_payload":
{"key": ...}}`; a row that may have been posted already is looked up here before it is posted again.

Top-level messages are in `conversations.history`; replies only in `conversations.replies` of their thread.
Both return metadata only with `include_all_metadata`, newest first, from `oldest` on.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

log = logging.getLogger(__name__)

METADATA_EVENT = "flexcare_notification"
SKEW = timedelta(minutes=1)  # our clock against Slack's, when asking for messages since a row was written
PAGE = 200  # messages per page
PAGES = 5  # a row written long ago in a busy channel is looked for in its last PAGE x PAGES messages


def posted_ts(client: WebClient, *, key: str, channel: str, thread_ts: str | None, since: datetime) -> str | None:
    """The ts of the message carrying `key`, posted since `since`; None if Slack has none (or it is a DM
    addressed by user id, whose D... channel id we do not keep: a rare duplicate DM is accepted there).
    Raises slack_sdk's SlackApiError as any Web API call does."""
    if channel[:1] in ("U", "W"):
        log.warning("notification %s may have been posted before a crash; a DM by user id cannot be looked up", key)
        return None
    args: dict[str, Any] = {"channel": channel, "oldest": f"{(since - SKEW).timestamp():.6f}",
                            "include_all_metadata": True, "limit": PAGE}
    for _page in range(PAGES):
        response = (client.conversations_replies(ts=thread_ts, **args) if thread_ts
                    else client.conversations_history(**args))
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == METADATA_EVENT and (metadata.get("event_payload") or {}).get("key") == key:
                log.warning("notification %s was posted before a crash (ts %s); recording it, not posting again",
                            key, message["ts"])
                return str(message["ts"])
        args["cursor"] = (response.get("response_metadata") or {}).get("next_cursor")
        if not args["cursor"]:
            return None
    log.warning("notification %s: not in the last %d messages of %s; posting it", key, PAGE * PAGES, channel)
    return None
