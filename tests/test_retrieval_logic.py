"""Fusion, diversity and paper naming: pure functions, tested with tables."""

import pytest

from paperqa.retrieval.hybrid import diversify, rrf_fuse
from paperqa.retrieval.names import NameIndex, paper_names
from paperqa.types import Paper, RetrievedChunk


def test_rrf_fuse():
    fused = rrf_fuse([["a", "b", "c"], ["c", "a"]], k=60)
    assert sorted(fused, key=lambda x: -fused[x]) == ["a", "c", "b"]
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)


def chunk(cid, pid):
    return RetrievedChunk(chunk_id=cid, paper_id=pid, index=0, text=cid)


def test_diversify_caps_each_paper():
    ranked = [chunk("a1", "A"), chunk("a2", "A"), chunk("a3", "A"), chunk("b1", "B"), chunk("c1", "C")]
    assert [c.chunk_id for c in diversify(ranked, k=4, max_per_paper=2)] == ["a1", "a2", "b1", "c1"]
    assert [c.chunk_id for c in diversify(ranked, k=2, max_per_paper=1)] == ["a1", "b1"]


PAPERS = [
    Paper(
        id="casal",
        title="Hallucination reduction with CASAL: Contrastive Activation Steering",
        abstract="We use LLM steering.",
    ),
    Paper(
        id="lib",
        title="The Local Interaction Basis",
        abstract="We introduce the Local Interaction Basis (LIB), unlike LLM work.",
    ),
    Paper(
        id="find",
        title="A Function Interpretation Benchmark",
        abstract="This paper introduces FIND (Function INterpretation and Description).",
    ),
    Paper(
        id="saev",
        title="SAE-V: Interpreting Multimodal Models",
        abstract="SAE-V extends SAEs to MLLMs and LLM.",
    ),
]


def test_paper_names_are_unique_acronyms():
    names = paper_names(PAPERS)
    assert names == {"casal": {"CASAL"}, "lib": {"LIB"}, "find": {"FIND"}, "saev": {"SAE-V"}}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("What does CASAL do?", ["casal"]),
        ("limitations of SAE-V", ["saev"]),
        ("How is LIB computed? And FIND?", ["lib", "find"]),
        ("how do I find features", []),  # lower-case "find" is a word, not the benchmark
        ("tell me about the local interaction basis please", ["lib"]),
        ("The Local Interaction Basis", ["lib"]),  # the whole question is the title head
        ("compare a function interpretation benchmark and SAE-V", ["find", "saev"]),
        ("local interaction", []),  # two words of a title head do not name it
        ("which LLM papers are there", []),  # LLM is in several papers: not a name
        ("What is Casal?", []),  # a capitalised word is not written as a name
        ("What does SAE-v do? And CaSAL?", ["saev", "casal"]),  # a name in another case
    ],
)
def test_named_papers(query, expected):
    assert sorted(NameIndex.build(PAPERS).named(query)) == sorted(expected)


def test_a_name_set_off_after_what_it_names_is_the_papers_name():
    """ "we present a model-specific recipe - PrISM - for ...": "What is PrISM?" names the paper."""
    papers = [
        Paper(id="a", title="Fact Recall or Guesswork?",
              abstract="We present a model-specific recipe - PrISM - for building datasets. It beats DPO."),
        Paper(id="b", title="Steering",
              abstract="A method called SteerLM that edits activations. We compare DPO."),
    ]  # fmt: skip
    names = paper_names(papers)
    assert names["a"] == {"PrISM"} and names["b"] == {"SteerLM"}  # DPO: used by both, names neither
    assert NameIndex.build(papers).named("What is PrISM?") == ["a"]
