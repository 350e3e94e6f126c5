"""Whose language (issue 10): every request is answered in its reader's language.

A Bolt global middleware resolves it once per request: the person's App Home choice, else their
Slack locale (`users.info` with `include_locale`, remembered for `deps.locale_ttl`), else the
language of the contract the conversation is about, else English. It is put in `context["language"]`
and made the current language; Bolt runs the listeners after the middleware returns, on its listener
executor, which carries the request's context variables into those threads (bot/logs.py), lazy
listeners included. Posts to a channel are rendered by the outbox in the contract's language instead.
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from domain.db import read_only
from domain.people import rules
from domain.people import service as people
from domain.words import DEFAULT_LANGUAGE, speak
from handlers.deps import Deps

log = logging.getLogger(__name__)

# users.info runs before the listener acknowledges, inside Slack's 3-second deadline: one try, briefly.
LOCALE_TIMEOUT_SECONDS = 2
# A person's language, once resolved, is reused by this process for a minute: a burst of commands costs one
# read. Another replica sees a changed App Home choice or contract language within this time; this one at once.
REMEMBERED_FOR = timedelta(minutes=1)
REMEMBERED_MAX = 10_000  # entries; past that the memo starts over rather than grow without bound
_remembered_lock = threading.Lock()  # guards every App's `deps.languages`


def speak_the_readers_language(context: BoltContext, next: Callable[[], None]) -> None:
    """Bolt global middleware (after `deps` is provided). Sets the language on every request, so nothing
    from the previous request on this thread can linger."""
    user = context.user_id
    language = (reader_language(context["deps"], context.client, user=user, team=context.team_id,
                                channel=context.channel_id) if user else DEFAULT_LANGUAGE)
    context["language"] = language
    speak(language)
    next()


def reader_language(deps: Deps, client: WebClient | None, *, user: str, team: str | None,
                    channel: str | None) -> str:
    """The language `user` reads FlexCare in, in `channel` (None: a DM or App Home): from this process's memo,
    else one short read; Slack is asked only once the stored locale is older than `deps.locale_ttl`."""
    now, key = deps.clock(), (team, user, channel)
    with _remembered_lock:
        memo = deps.languages.get(key)
    if memo is not None and memo[1] > now:
        return memo[0]
    language, settled = _resolve(deps, client, user=user, team=team, channel=channel, now=now)
    if not settled:
        return language
    with _remembered_lock:
        if len(deps.languages) >= REMEMBERED_MAX:
            deps.languages.clear()
        deps.languages[key] = (language, now + REMEMBERED_FOR)
    return language


def forget(deps: Deps, *, team: str | None, user: str) -> None:
    """`user` chose a language in App Home: resolve it afresh on their next request in this process."""
    with _remembered_lock:
        for key in [k for k in deps.languages if k[0] == team and k[1] == user]:
            del deps.languages[key]


def _resolve(deps: Deps, client: WebClient | None, *, user: str, team: str | None, channel: str | None,
             now: datetime) -> tuple[str, bool]:
    """The language, and whether it is settled (False: Slack could not say, so ask again next time)."""
    with deps.db() as session:
        read_only(session)  # on the ack path: never wait for a writer's lock
        known = people.known_person(session, team=team, user=user)
        # Kept fresh even while an App Home choice overrides it, so "follow my Slack language" applies at once.
        stale = client is not None and rules.locale_is_stale(known.locale_fetched_at, now=now, ttl=deps.locale_ttl)
        own = rules.own_language(chosen=known.chosen_language, slack_locale=known.slack_locale)
        if own is not None and not stale:
            return own, True
        fallback = people.contract_language(session, team=team, user=user, channel=channel)
    locale, answered = known.slack_locale, True
    if stale and client is not None:
        answered, fresh = _slack_locale(client, user)
        if answered:
            locale = fresh
            with deps.db.begin() as session:
                people.remember_locale(session, team=team, user=user, locale=fresh, now=now)
    return rules.spoken_language(chosen=known.chosen_language, slack_locale=locale,
                                 contract_language=fallback), answered


def _slack_locale(client: WebClient, user: str) -> tuple[bool, str | None]:
    """(True, Slack's locale for `user`), or (False, None) when Slack could not say: the request goes on in the
    fallback language and the next one asks again."""
    quick = WebClient(token=client.token, base_url=client.base_url, timeout=LOCALE_TIMEOUT_SECONDS,
                      retry_handlers=[])
    try:
        answer = quick.users_info(user=user, include_locale=True)
    except (SlackClientError, OSError):  # an answer in the fallback language beats no answer
        log.warning("users.info for %s failed; answering in the language known so far", user, exc_info=True)
        return False, None
    person = answer.get("user") or {}
    return True, person.get("locale") if isinstance(person, dict) else None
