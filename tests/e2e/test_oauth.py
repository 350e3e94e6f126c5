"""Multi-workspace installs: the OAuth install flow stores a workspace's token in our database, requests
from that workspace use it, and the outbox posts that workspace's messages with it (issue 4)."""

import http.client
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import load_settings
from bot.standin.webapi import SlackStandin
from domain.contracts import service as contracts
from domain.contracts.spec import parse_contract_file
from domain.notifications.service import enqueue
from tests.e2e.harness import EXAMPLES, SIGNING_SECRET, FakeClock, Harness, running_bot


@pytest.fixture
def multi(db: sessionmaker[Session], slack: SlackStandin, clock: FakeClock) -> Iterator[Harness]:
    settings = load_settings({"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "client-secret",
                              "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.base_url})
    with running_bot(db, slack, clock, settings=settings) as harness:
        acme = yaml.safe_load(EXAMPLES.read_text())["contracts"][0]
        acme.update(id="SECOND-FC-01", workspace="T0SECOND", channels={"incidents": "C0SECOND1"})
        with db.begin() as session:
            contracts.import_contracts(session, parse_contract_file(yaml.safe_dump({"contracts": [acme]}),
                                                                    source="second.yml"),
                                       source="second.yml", now=clock())
        yield harness


def get(harness: Harness, path: str, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
    url = urlsplit(harness.url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    headers = {k.lower(): v for k, v in response.getheaders()}
    return response.status, headers, response.read().decode()


def install(harness: Harness, team: str) -> None:
    status, headers, page = get(harness, "/slack/install")
    assert status == 200 and "slack.com/oauth/v2/authorize" in page
    state = re.search(r"state=([A-Za-z0-9_-]+)", page)
    assert state, page
    cookie = headers["set-cookie"].split(";")[0]
    status, _, page = get(harness, f"/slack/oauth_redirect?code={team}&state={state.group(1)}", cookie=cookie)
    assert status == 200, page


def test_an_installed_workspace_is_answered_with_its_own_token(multi: Harness) -> None:
    install(multi, "T0SECOND")
    body_team = "T0SECOND"
    from bot.standin import payloads

    body = payloads.event_callback({"type": "app_home_opened", "user": "U0ADMIN1", "tab": "home"},
                                   team_id=body_team)
    assert multi.post(body, content_type="application/json").status == 200
    home = multi.slack.wait_for(lambda: multi.slack.calls_to("views.publish"))
    assert home[0].token == "xoxb-t0second"
    assert "SECOND-FC-01" in str(home[0].args["view"])


def test_the_outbox_posts_a_workspaces_messages_with_that_workspaces_token(multi: Harness) -> None:
    install(multi, "T0SECOND")
    with multi.db.begin() as session:
        enqueue(session, key="hello-second", channel="C0SECOND1", kind="text", params={"text": "Hello"},
                now=multi.clock())
    multi.bot.dispatcher.kick()
    posted = multi.slack.wait_for(lambda: [c for c in multi.slack.calls_to("chat.postMessage")
                                           if c.args.get("channel") == "C0SECOND1"])
    assert [c.token for c in posted] == ["xoxb-t0second"]


def test_a_request_from_a_workspace_that_never_installed_is_not_served(multi: Harness) -> None:
    from bot.standin import payloads

    body = payloads.event_callback({"type": "app_home_opened", "user": "U0ADMIN1", "tab": "home"},
                                   team_id="T0NEVER")
    multi.post(body, content_type="application/json")
    assert multi.slack.calls_to("views.publish") == []
