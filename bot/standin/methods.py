"""The Web API methods the stand-in answers, each as Slack does for the arguments FlexCare sends.

A method takes the workspace and the decoded arguments and returns the answer without `ok`,
or raises `SlackError` with Slack's error code. The caller holds the lock.
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.standin import APP_ID
from bot.standin.store import PendingFile, SlackError, Upload, Workspace

Method = Callable[[Workspace, dict[str, Any]], dict[str, Any]]
MESSAGE_FIELDS = ("text", "blocks", "attachments", "metadata")
TOKENLESS = frozenset({"oauth.v2.access"})  # authenticated by the app's client id and secret instead


def _required(args: dict[str, Any], name: str, error: str = "invalid_arguments") -> Any:
    value = args.get(name)
    if value in (None, ""):
        raise SlackError(error)
    return value


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _message(ws: Workspace, args: dict[str, Any], ts: str) -> dict[str, Any]:
    if not args.get("text") and not args.get("blocks") and not args.get("attachments"):
        raise SlackError("no_text")
    message: dict[str, Any] = {"type": "message", "user": ws.bot_user_id, "bot_id": ws.bot_id,
                               "app_id": APP_ID, "team": ws.team_id, "ts": ts, "text": args.get("text") or ""}
    message.update({k: args[k] for k in MESSAGE_FIELDS[1:] if args.get(k) is not None})
    if args.get("thread_ts"):
        message["thread_ts"] = str(args["thread_ts"])
    return message


def auth_test(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"url": f"https://{ws.team_domain}.slack.com/", "team": "FlexCare stand-in", "user": "flexcare",
            "team_id": ws.team_id, "user_id": ws.bot_user_id, "bot_id": ws.bot_id, "is_enterprise_install": False}


def oauth_v2_access(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """The OAuth install's code exchange. The stand-in installs into the workspace the code names
    (a test passes code=T0SECOND), so multi-workspace tests can install a second workspace."""
    team = str(_required(args, "code", "invalid_code"))
    return {"access_token": f"xoxb-{team.lower()}", "token_type": "bot", "scope": "chat:write,commands",
            "bot_user_id": ws.bot_user_id, "app_id": APP_ID, "team": {"id": team, "name": f"Workspace {team}"},
            "enterprise": None, "authed_user": {"id": "U0INSTALLER"}, "is_enterprise_install": False}


def chat_post_message(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = str(_required(args, "channel", "channel_not_found"))
    if channel[:1] not in ("U", "W"):  # a user id is a DM; kept under that id so tests can read it back
        channel = ws.channel(channel).id
    message = _message(ws, args, ws.next_ts())
    ws.channel_messages.setdefault(channel, []).append(message)
    return {"channel": channel, "ts": message["ts"], "message": dict(message)}


def chat_update(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel, ts = str(_required(args, "channel", "channel_not_found")), str(_required(args, "ts", "message_not_found"))
    message = ws.find_message(channel, ts)
    changes = {k: args[k] for k in MESSAGE_FIELDS if args.get(k) is not None}
    if not changes:
        raise SlackError("no_text")
    message.update(changes)
    message["edited"] = {"user": ws.bot_user_id, "ts": ws.next_ts()}
    return {"channel": channel, "ts": ts, "text": message["text"], "message": dict(message)}


def chat_post_ephemeral(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.channel(str(_required(args, "channel", "channel_not_found"))).id
    user = ws.user(str(_required(args, "user", "user_not_in_channel"))).id
    message = _message(ws, args, ws.next_ts())
    ws.ephemeral.append({**message, "channel": channel, "user": user})
    return {"message_ts": message["ts"]}


def chat_get_permalink(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    # Lenient on purpose: handlers link to people's messages that never passed through the stand-in.
    channel = str(_required(args, "channel", "channel_not_found"))
    ts = str(_required(args, "message_ts", "message_not_found"))
    return {"channel": channel,
            "permalink": f"https://{ws.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"}


def _new_view(ws: Workspace, view: Any, *, kind: str, view_id: str | None = None,
              previous: str | None = None, root: str | None = None) -> dict[str, Any]:
    if not isinstance(view, dict) or view.get("type") != kind:
        raise SlackError("invalid_arguments")
    view_id = view_id or ws.next_id("V")
    stored: dict[str, Any] = {
        "id": view_id, "team_id": ws.team_id, "type": kind, "blocks": [], "private_metadata": "", "callback_id": "",
        "state": {"values": {}}, "hash": hashlib.sha1(ws.next_ts().encode()).hexdigest()[:16],
        "clear_on_close": False, "notify_on_close": False, "external_id": "", "previous_view_id": previous,
        "root_view_id": root or view_id, "app_id": APP_ID, "app_installed_team_id": ws.team_id, "bot_id": ws.bot_id,
    }
    stored.update(view)
    ws.views_by_id[view_id] = stored
    ws.view_kinds[view_id] = kind
    if kind == "modal":
        if view_id in ws.modal_order:
            ws.modal_order.remove(view_id)
        ws.modal_order.append(view_id)
    return {"view": dict(stored)}


def views_open(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "trigger_id")
    return _new_view(ws, args.get("view"), kind="modal")


def views_push(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    _required(args, "trigger_id")
    previous = ws.modal_order[-1] if ws.modal_order else None
    root = ws.views_by_id[previous]["root_view_id"] if previous else None
    return _new_view(ws, args.get("view"), kind="modal", previous=previous, root=root)


def views_update(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view_id = args.get("view_id")
    if not view_id and args.get("external_id"):
        view_id = next((v["id"] for v in ws.views_by_id.values() if v.get("external_id") == args["external_id"]), None)
    if not view_id or view_id not in ws.views_by_id:
        raise SlackError("not_found")
    old = ws.views_by_id[str(view_id)]
    if args.get("hash") and args["hash"] != old["hash"]:
        raise SlackError("hash_conflict")
    return _new_view(ws, args.get("view"), kind=old["type"], view_id=str(view_id),
                     previous=old["previous_view_id"], root=old["root_view_id"])


def views_publish(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = ws.user(str(_required(args, "user_id", "user_not_found"))).id
    answer = _new_view(ws, args.get("view"), kind="home", view_id=ws.home_by_user.get(user))
    ws.home_by_user[user] = answer["view"]["id"]  # one home view per person, replaced on each publish
    return answer


def users_info(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = ws.user(str(_required(args, "user", "user_not_found")))
    zone = ZoneInfo(user.tz)
    offset = datetime.now(UTC).astimezone(zone).utcoffset()
    tz_offset = int(offset.total_seconds()) if offset else 0
    answer: dict[str, Any] = {
        "id": user.id, "team_id": ws.team_id, "name": user.name, "real_name": user.real_name, "deleted": False,
        "is_bot": user.is_bot, "tz": user.tz, "tz_label": user.tz, "tz_offset": tz_offset,
        "profile": {"real_name": user.real_name, "display_name": user.name, "email": user.email},
    }
    if _truthy(args.get("include_locale")):
        answer["locale"] = user.locale
    return {"user": answer}


def conversations_info(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.channel(str(_required(args, "channel", "channel_not_found")))
    kind = channel.id[0]
    return {"channel": {"id": channel.id, "name": channel.name, "is_channel": kind == "C", "is_group": kind == "G",
                        "is_im": kind == "D", "is_private": channel.is_private or kind in ("G", "D"),
                        "is_member": ws.bot_user_id in channel.members, "is_archived": False}}


def conversations_members(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.channel(str(_required(args, "channel", "channel_not_found")))
    return {"members": list(channel.members), "response_metadata": {"next_cursor": ""}}


def _page(messages: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    """One page of `messages` between `oldest` and `latest` (exclusive unless `inclusive`), `limit` long, with
    Slack's cursor; metadata only with `include_all_metadata`, as Slack does."""
    oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
    inclusive = _truthy(args.get("inclusive"))
    chosen = [m for m in messages if (oldest <= float(m["ts"]) <= latest if inclusive
                                      else oldest < float(m["ts"]) < latest)]
    start, limit = int(args.get("cursor") or 0), min(max(int(args.get("limit") or 100), 1), 999)
    page = [dict(m) for m in chosen[start:start + limit]]
    if not _truthy(args.get("include_all_metadata")):
        for message in page:
            message.pop("metadata", None)
    more = start + limit < len(chosen)
    return {"messages": page, "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""}}


def conversations_history(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """The channel's top-level messages, newest first (thread replies live in conversations.replies)."""
    channel = ws.channel(str(_required(args, "channel", "channel_not_found"))).id
    top = [m for m in ws.channel_messages.get(channel, []) if m.get("thread_ts") in (None, m["ts"])]
    return _page(sorted(top, key=lambda m: float(m["ts"]), reverse=True), args)


def conversations_replies(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    """A thread: its parent and replies, oldest first."""
    channel = ws.channel(str(_required(args, "channel", "channel_not_found"))).id
    ts = str(_required(args, "ts", "thread_not_found"))
    thread = [m for m in ws.channel_messages.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts]
    if not thread:
        raise SlackError("thread_not_found")
    return _page(sorted(thread, key=lambda m: float(m["ts"])), args)


def reactions_add(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    name = str(_required(args, "name", "invalid_name"))
    channel = str(_required(args, "channel", "channel_not_found"))
    ts = str(_required(args, "timestamp", "no_item_specified"))
    try:
        message = ws.find_message(channel, ts)
    except SlackError:
        return {}  # a person's message the stand-in never saw: Slack would accept it, nothing to store
    reactions: list[dict[str, Any]] = message.setdefault("reactions", [])
    reaction = next((r for r in reactions if r["name"] == name), None)
    if reaction and ws.bot_user_id in reaction["users"]:
        raise SlackError("already_reacted")
    if reaction is None:
        reaction = {"name": name, "users": [], "count": 0}
        reactions.append(reaction)
    reaction["users"].append(ws.bot_user_id)
    reaction["count"] += 1
    return {}


def files_get_upload_url_external(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    filename = str(_required(args, "filename"))
    length = int(_required(args, "length"))
    file_id = ws.next_id("F")
    ws.pending_files[file_id] = PendingFile(file_id, filename, length)
    return {"file_id": file_id, "upload_url": f"{ws.root_url}upload/{file_id}"}


def files_complete_upload_external(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    files = args.get("files")
    if not isinstance(files, list) or not files:
        raise SlackError("invalid_arguments")
    channel = args.get("channel_id") or (str(args["channels"]).split(",")[0] if args.get("channels") else None)
    done: list[Upload] = []
    for item in files:
        pending = ws.pending_files.get(str(item.get("id")))
        if pending is None or pending.content is None:
            raise SlackError("file_not_found")
        done.append(Upload(pending.file_id, pending.filename, str(item.get("title") or pending.filename),
                           pending.content, channel, args.get("thread_ts"), args.get("initial_comment")))
    shared = [{"id": u.file_id, "name": u.filename, "title": u.title, "size": len(u.content)} for u in done]
    for upload in done:
        del ws.pending_files[upload.file_id]
        ws.uploads.append(upload)
    if channel:  # Slack shares the files in the channel as one message
        message = _message(ws, {"text": args.get("initial_comment") or " ", "thread_ts": args.get("thread_ts")},
                           ws.next_ts())
        message["files"] = shared
        ws.channel_messages.setdefault(str(channel), []).append(message)
    return {"files": shared}


METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "oauth.v2.access": oauth_v2_access,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.getPermalink": chat_get_permalink,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "users.info": users_info,
    "conversations.info": conversations_info,
    "conversations.members": conversations_members,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "reactions.add": reactions_add,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}
