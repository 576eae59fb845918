import pytest

from paperqa.errors import ConfigError
from paperqa.prompts import EXPECTED, load_prompt, parse_prompt
from paperqa.tasks import group_sources, render_sources
from paperqa.types import Paper, RetrievedChunk


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shipped_prompts_load_and_use_exactly_their_variables(name):
    prompt = load_prompt(name)
    assert prompt.variables == EXPECTED[name]
    assert prompt.template().format_messages(**{v: "x" for v in EXPECTED[name]})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('system = "Use {sources}"\nuser = "Q: {question}"', "missing ['not_in_library']"),
        ('system = "{sources} {not_in_library}"\nuser = "{question} {typo}"', "unknown ['typo']"),
        ('system = "no user part"', "'system' and 'user'"),
        ("not toml at all [", "not a TOML file"),
    ],
)
def test_bad_prompts_fail_at_load(text, message):
    with pytest.raises(ConfigError) as info:
        parse_prompt("answer", text)
    assert message in str(info.value)


def passage(pid, i, words):
    text = " ".join(["word"] * words) + "."
    return RetrievedChunk(chunk_id=f"{pid}#{i}", paper_id=pid, index=i, text=text, start_char=0, end_char=len(text))


def test_sources_grouped_per_paper_and_packed_to_budget():
    papers = {p: Paper(id=p, title=f"Title {p}", abstract=" ".join(["word"] * 300) + ".") for p in "ABC"}
    chunks = [passage("A", 0, 100), passage("B", 0, 100), passage("A", 1, 100), passage("C", 0, 100)]
    sources = group_sources(chunks, papers, budget=250)
    assert [(s.number, s.paper.id, len(s.passages)) for s in sources] == [(1, "A", 1), (2, "B", 1)]
    everything = group_sources(chunks, papers, budget=10_000)
    assert [(s.paper.id, len(s.passages)) for s in everything] == [("A", 2), ("B", 1), ("C", 1)]
    rendered = render_sources(everything)
    assert rendered.count("<source id=") == 3 and '<source id="1" title="Title A">' in rendered
