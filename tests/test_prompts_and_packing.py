import pytest

from paperqa.answer.find.sources import fit_budget, group_sources, render_sources
from paperqa.answer.write.prompts import EXPECTED, load_prompt, parse_prompt
from paperqa.errors import ConfigError
from paperqa.text.tokens import count_tokens
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


ABSTRACT = " ".join(f"Sentence number {i} says one more thing." for i in range(60))


def passage(pid, i):
    """The i-th of three ~100-token passages of ABSTRACT (20 sentences each)."""
    sentences = [f"Sentence number {j} says one more thing." for j in range(60)]
    start = len(" ".join(sentences[: 20 * i])) + (1 if i else 0)
    text = " ".join(sentences[20 * i : 20 * (i + 1)])
    return RetrievedChunk(
        chunk_id=f"{pid}#{i}", paper_id=pid, index=i, text=text, start_char=start, end_char=start + len(text)
    )


def test_sources_grouped_per_paper_and_packed_to_budget():
    papers = {p: Paper(id=p, title=f"Title {p}", abstract=ABSTRACT) for p in "ABC"}
    chunks = [passage("A", 0), passage("B", 0), passage("A", 1), passage("C", 0)]
    everything = group_sources(chunks, papers)
    assert [(s.number, s.paper.id, len(s.passages)) for s in everything] == [
        (1, "A", 2),
        (2, "B", 1),
        (3, "C", 1),
    ]
    assert everything[0].text == " ".join(f"Sentence number {j} says one more thing." for j in range(40))
    one = count_tokens(everything[1].text) + 20
    assert [(s.number, len(s.passages)) for s in fit_budget(everything, 2 * one + 10)] == [(1, 2)]
    assert [(s.number, len(s.passages)) for s in fit_budget(everything, one + 10)] == [(1, 1)]
    assert [(s.number, len(s.passages)) for s in fit_budget(everything, 10)] == [(1, 1)]  # never empty
    assert len(fit_budget(everything, 10_000)) == 3
    rendered = render_sources(everything)
    assert rendered.count("<source id=") == 3 and '<source id="1" title="Title A">' in rendered
