"""Comments as written: ADF paragraphs and hard breaks carry blank lines and line breaks."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from clockwork_desktop.core.jira_format import (
    adf_from_text,
    normal_comment,
    same_comment,
    text_from_adf,
)
from clockwork_desktop.core.models import RemoteWorklog
from clockwork_desktop.core.sync_plan import WantedWorklog, fits, sent_write

# Line ends of every kind, blank lines and whitespace, mixed into ordinary text.
_pieces = st.one_of(
    st.text(min_size=1, max_size=8),
    st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", " ", "\t", "\u2028", "\x0c"]),
)
texts = st.lists(_pieces, max_size=12).map("".join)


@given(texts)
def test_text_survives_adf_and_back_in_its_normal_form(text: str) -> None:
    doc = adf_from_text(text)
    expected = normal_comment(text)
    if not expected:
        assert doc is None
        return
    assert doc is not None
    assert text_from_adf(doc) == expected
    # Jira refuses empty text nodes; line breaks travel as hardBreak, never inside a text node.
    stack = list(doc["content"])
    while stack:
        node = stack.pop()
        if node["type"] == "text":
            assert node["text"]
            assert "\n" not in node["text"]
            assert "\r" not in node["text"]
        stack.extend(node.get("content", []))


def test_blank_lines_become_paragraphs_and_line_breaks_hard_breaks() -> None:
    doc = adf_from_text("first line\n\nsecond line\r\nthird")
    assert doc == {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "first line"}]},
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "second line"},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "third"},
                ],
            },
        ],
    }
    assert text_from_adf(doc) == "first line\n\nsecond line\nthird"


def test_comments_compare_in_their_normal_form() -> None:
    assert same_comment("a\r\n\r\nb\rc \n", "a\n\nb\nc")
    assert not same_comment("a\n\nb", "a\nb")
    started = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    sent = sent_write(WantedWorklog("2026-03-05", started, 3600), "one\r\n\r\ntwo\r\nthree", 1)
    back = RemoteWorklog("1", "10", started, 3600, "one\n\ntwo\nthree", "me", None, {})
    assert fits(back, sent)
    assert not fits(back._replace(comment="one\ntwo\nthree"), sent)
