"""handlers/blocks/text.py: what people typed, made safe for Slack's mrkdwn (issue 11)."""

import pytest

from bot.standin.render import mrkdwn
from handlers.blocks.text import bold, clip, code, echoed, escape, url, without_controls


@pytest.mark.parametrize(("typed", "sent"), [
    ("<!channel>", "&lt;!channel&gt;"),
    ("<@U0ADMIN1> & <https://evil.example|click>", "&lt;@U0ADMIN1&gt; &amp; &lt;https://evil.example|click&gt;"),
    ("AT&T &amp; &lt;b&gt;", "AT&amp;T &amp; &lt;b&gt;"),  # Slack's own entities (a message's text) are kept
    ("&#60; &ampx", "&amp;#60; &amp;ampx"),
    ("", ""),
])
def test_escape_makes_markup_read_as_typed(typed: str, sent: str) -> None:
    assert escape(typed) == sent
    assert escape(sent) == sent  # twice is once
    assert "<" not in sent and ">" not in sent


def test_what_is_escaped_reads_as_typed_in_slack() -> None:
    assert mrkdwn(escape("<!here|here> a < b & c")) == "<!here|here> a < b & c"


def test_code_and_bold_cannot_end_their_span_early() -> None:
    assert code("a `b`\nc") == "a ˋbˋ c"
    assert bold("*x* <y>") == "∗x∗ &lt;y&gt;"
    assert echoed("`" + "<" * 200) == "ˋ" + "&lt;" * 19 + "…"  # 80 characters, no entity cut in half


@pytest.mark.parametrize(("text", "limit", "clipped"), [
    ("short", 10, "short"),
    ("abc &amp; def", 8, "abc …"),  # `&amp;` would be cut: it goes whole
    ("hi <@U0ADMIN1> there", 10, "hi …"),  # so does a mention
    ("<!date^1^{time}|09:00> ok", 12, "…"),
    ("x" * 3001, 3000, "x" * 2999 + "…"),
])
def test_clip_never_cuts_through_an_entity_or_a_token(text: str, limit: int, clipped: str) -> None:
    assert clip(text, limit) == clipped
    assert len(clip(text, limit)) <= limit


def test_an_address_cannot_end_its_link_or_label_it() -> None:
    assert url("https://x.example/a?b=1&c=<!channel>|x") == "https://x.example/a?b=1&amp;c=&lt;!channel&gt;%7Cx"


def test_control_characters_go_and_line_breaks_stay() -> None:
    assert without_controls("a\x00b\x1b[31m\x7f\tc\r\nd") == "ab[31m\tc\r\nd"
    assert without_controls(None) is None
