"""A long petition text on its page: the opening shown, the middle behind "Read more", the demands shown."""

from flask.testing import FlaskClient

from petition.petitions.editing import close_petition
from petition.petitions.markdown import fold_markdown, render_markdown

PARAGRAPHS = [f"Paragraph {n} of the appeal, with its [source][{n}]." for n in range(1, 7)]
SOURCES = "\n".join(f"[{n}]: https://example.org/{n}" for n in range(1, 7))
DEMANDS = "We call on the city to:\n\n1. stop the evictions;\n2. publish the contracts."
LONG = "\n\n".join([*PARAGRAPHS, DEMANDS, "Signatures go to the mayor.", SOURCES])


def test_a_long_petition_folds_its_middle_and_shows_the_sign_link_and_the_demands(
    client: FlaskClient, make_petition
) -> None:
    make_petition(slug="long", body=LONG)
    page = client.get("/petitions/long?lang=en").get_data(as_text=True)
    before, folded = page.split('<details class="more">', 1)
    folded, after = folded.split("</details>", 1)
    assert '<a class="button primary" href="#sign">Sign this petition</a>' in before
    assert "Paragraph 1 of the appeal" in before and "Paragraph 2" not in before
    assert "<summary" in folded and "Read more</summary>" in folded
    assert all(f"Paragraph {n} " in folded for n in range(2, 7))
    assert '<a href="https://example.org/6"' in folded  # sources defined at the end still link
    assert "We call on the city to:" in after and "<li>stop the evictions;</li>" in after
    assert "Signatures go to the mayor." in after
    assert '<section class="sign" id="sign"' in after


def test_a_short_petition_is_shown_whole() -> None:
    assert fold_markdown(DEMANDS).more == ""
    assert fold_markdown(DEMANDS).lead == render_markdown(DEMANDS)
    # Only the paragraph before the demands would fold: not worth a click.
    three = "\n\n".join([PARAGRAPHS[0], PARAGRAPHS[1], DEMANDS, SOURCES])
    assert fold_markdown(three).more == ""


def test_a_heading_keeps_its_first_paragraph_and_a_text_with_no_list_folds_to_its_end() -> None:
    text = "\n\n".join(["## Why", *PARAGRAPHS, SOURCES])
    folded = fold_markdown(text)
    assert folded.lead.startswith("<h2>Why</h2>") and "Paragraph 1" in folded.lead
    assert "Paragraph 2" in folded.more and "Paragraph 6" in folded.more
    assert folded.rest == ""


def test_a_closed_petition_has_no_sign_link(client: FlaskClient, make_petition) -> None:
    make_petition(slug="over", body=LONG)
    close_petition("over")
    assert 'href="#sign"' not in client.get("/petitions/over?lang=en").get_data(as_text=True)
