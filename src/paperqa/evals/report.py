"""The eval report: metrics per question type (for the pipeline and, when run, the
quote baseline side by side), quality targets, report.md, results.json and a plot."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from paperqa.evals.run import TYPES, QuestionResult

Summary = dict[str, dict[str, float | int | None]]

# --- aggregation -----------------------------------------------------------------------


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(statistics.fmean(kept), 3) if kept else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def aggregate(results: Sequence[QuestionResult]) -> dict[str, float | int | None]:
    """The metrics of a group of results."""
    answerable = [r for r in results if r.type != "unanswerable"]
    unanswerable = [r for r in results if r.type == "unanswerable"]
    answered = [r for r in results if not r.declined]
    seconds = sorted(r.seconds for r in results)
    return {
        "questions": len(results),
        "recall_at_5": _mean([r.recall_at_5 for r in answerable]),
        "mrr": _mean([r.reciprocal_rank for r in answerable]),
        "cited_sentence_share": _share(
            sum(r.cited_sentences for r in answered), sum(r.sentences for r in answered)
        ),
        "gold_citation_share": _share(
            sum(r.gold_citations for r in answerable if not r.declined),
            sum(r.citations for r in answerable if not r.declined),
        ),
        "mean_support": _mean([r.mean_support for r in answered]),
        "grounded_share": _share(
            sum(r.grounded_sentences for r in answered), sum(r.sentences for r in answered)
        ),
        "ungrounded_shown": sum(len(r.ungrounded) for r in answered),
        "rewritten_share": _share(
            sum(r.rewritten_sentences for r in answered), sum(r.sentences for r in answered)
        ),
        "fact_coverage": _share(sum(r.facts_found for r in results), sum(r.facts_total for r in results)),
        "unanswerable_declined": _share(sum(r.declined for r in unanswerable), len(unanswerable)),
        "answerable_declined": _share(sum(r.declined for r in answerable), len(answerable)),
        "fallback_share": _share(sum(bool(r.fallback) for r in answered), len(answered)),
        "prompt_tokens_mean": _mean([r.prompt_tokens for r in results]),
        "completion_tokens_mean": _mean([r.completion_tokens for r in results]),
        "seconds_mean": _mean([r.seconds for r in results]),
        "seconds_p50": round(seconds[len(seconds) // 2], 3) if seconds else None,
    }


def summarize_results(results: Sequence[QuestionResult]) -> dict[str, dict[str, float | int | None]]:
    """Metrics overall and per question type (types in the file only)."""
    out = {"overall": aggregate(results)}
    for kind in TYPES:
        group = [r for r in results if r.type == kind]
        if group:
            out[kind] = aggregate(group)
    return out


class Target(BaseModel):
    name: str
    value: float | None
    goal: str
    met: bool | None = Field(description="None when the file has no question of that kind.")


def check_targets(summary: Summary, baseline: Summary | None = None) -> list[Target]:
    """The product's quality targets against a summary (and the quote baseline's, if run)."""

    def get(group: str, metric: str, of: Summary = summary) -> float | None:
        value = of.get(group, {}).get(metric)
        return None if value is None else float(value)

    def target(name: str, value: float | None, goal: str, ok: Callable[[float], bool]) -> Target:
        return Target(name=name, value=value, goal=goal, met=None if value is None else ok(value))

    return [
        target("recall@5 on single", get("single", "recall_at_5"), ">= 0.95", lambda v: v >= 0.95),
        target(
            "non-abstaining sentences cited",
            get("overall", "cited_sentence_share"),
            "= 1.00",
            lambda v: v >= 1.0,
        ),
        target(
            "unanswerable declined",
            get("overall", "unanswerable_declined"),
            ">= 0.90",
            lambda v: v >= 0.9,
        ),
        target("answerable declined", get("overall", "answerable_declined"), "<= 0.05", lambda v: v <= 0.05),
        target("facts found on single", get("single", "fact_coverage"), ">= 0.90", lambda v: v >= 0.9),
        target("ungrounded sentences shown", get("overall", "ungrounded_shown"), "= 0", lambda v: v == 0),
    ] + [
        target(
            f"facts on {group} vs quote baseline",
            _difference(get(group, "fact_coverage"), get(group, "fact_coverage", baseline or {})),
            ">= 0",
            lambda v: v >= 0,
        )
        for group in (baseline or {})
        if group not in ("overall", "unanswerable")
    ]


def _difference(value: float | None, base: float | None) -> float | None:
    return None if value is None or base is None else round(value - base, 3)


# --- report ----------------------------------------------------------------------------

COLUMNS = (
    ("questions", "n"),
    ("recall_at_5", "recall@5"),
    ("mrr", "MRR"),
    ("cited_sentence_share", "cited"),
    ("gold_citation_share", "gold cites"),
    ("mean_support", "support"),
    ("grounded_share", "grounded"),
    ("ungrounded_shown", "ungrounded shown"),
    ("rewritten_share", "rewritten"),
    ("fact_coverage", "facts"),
    ("unanswerable_declined", "unans. declined"),
    ("answerable_declined", "ans. declined"),
    ("fallback_share", "fallback"),
    ("prompt_tokens_mean", "prompt tok"),
    ("completion_tokens_mean", "compl. tok"),
    ("seconds_mean", "s/question"),
)

#: The columns printed on a terminal, with labels short enough for 80 columns (report.md has all).
CONSOLE_COLUMNS = (
    ("questions", "n"),
    ("recall_at_5", "R@5"),
    ("cited_sentence_share", "cited"),
    ("gold_citation_share", "gold\ncites"),
    ("grounded_share", "groun-\nded"),
    ("fact_coverage", "facts"),
    ("unanswerable_declined", "unans.\ndecl."),
    ("answerable_declined", "ans.\ndecl."),
    ("seconds_mean", "s/q"),
)
CONSOLE_LEGEND = (
    "R@5: recall@5 of gold papers; gold cites: citations that point at a gold paper; "
    "grounded: shown sentences whose figures and names are in the cited source and that say "
    "more than the question; unans./ans. decl.: unanswerable / answerable questions declined; "
    "s/q: seconds per question. 'quote' rows: the same retrieval answered by quoting the "
    "sources, no model; 'diff': pipeline minus quote."
)


def fmt(value: float | int | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def table_rows(summary: Summary, baseline: Summary | None = None, indent: str = "") -> list[tuple[str, dict]]:
    """(row label, metrics) per group: the pipeline, and with a baseline, the quote
    baseline and the difference (pipeline minus quote) under it, labelled "quote" and
    "diff" after `indent` (or after the group's name when `indent` is empty)."""
    rows: list[tuple[str, dict]] = []
    for group, metrics in summary.items():
        rows.append((group, metrics))
        prefix = indent or f"{group} "
        base = (baseline or {}).get(group)
        if base is None:
            continue
        diff = {
            k: _difference(_float(v), _float(base.get(k))) if k != "questions" else v
            for k, v in metrics.items()
        }
        rows += [(f"{prefix}quote", base), (f"{prefix}diff", diff)]
    return rows


def _float(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def markdown_report(
    summary: Summary,
    targets: Sequence[Target],
    results: Sequence[QuestionResult],
    meta: dict[str, object],
    baseline: Summary | None = None,
) -> str:
    lines = ["# paperqa eval", ""]
    lines += [f"- {k}: {v}" for k, v in meta.items()]
    lines += ["", "## Metrics", ""]
    if baseline:
        lines += [
            "Each group has three rows: the pipeline, `quote` (the same retrieval answered by "
            "quoting the source sentences that answer the question, no model) and `diff` "
            "(pipeline minus quote).",
            "",
        ]
    lines += ["| group | " + " | ".join(label for _, label in COLUMNS) + " |"]
    lines.append("|" + " --- |" * (len(COLUMNS) + 1))
    for label, metrics in table_rows(summary, baseline):
        lines.append(f"| {label} | " + " | ".join(fmt(metrics.get(key)) for key, _ in COLUMNS) + " |")
    lines += ["", "## Targets", "", "| target | value | goal | met |", "| --- | --- | --- | --- |"]
    for t in targets:
        met = "n/a" if t.met is None else ("yes" if t.met else "**no**")
        lines.append(f"| {t.name} | {fmt(t.value)} | {t.goal} | {met} |")
    lines += ["", "## Questions that missed something", ""]
    misses = [r for r in results if _missed(r)]
    if not misses:
        lines.append("None.")
    for r in misses:
        lines.append(f"- **{r.id}** ({r.type}) {r.question}")
        lines.append(f"  - {'; '.join(_missed(r))}")
        lines.append(f"  - answer: {_one_line(r.answer)}")
    lines += [
        "",
        "Definitions: recall@5 and MRR rank papers (gold = `papers` of the question); cited = "
        "answer sentences with a citation, among answers that did not decline; gold cites = "
        "citations pointing at a gold paper; support = the mean support score (0-1) of cited "
        "sentences; grounded = shown sentences that pass the grounding check (every figure and "
        "name in the cited source, something said beyond the question); ungrounded shown = "
        "sentences shown that fail it; rewritten = shown sentences the model rewrote from a "
        "source sentence (the rest are quoted or, in free mode, written); facts = share of "
        "`facts` found in the answer (and "
        "comparison table); fallback = answers whose model text failed the checks and was "
        "replaced by quoted source sentences.",
        "",
    ]
    return "\n".join(lines)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _missed(r: QuestionResult) -> list[str]:
    out = []
    if r.type == "unanswerable" and not r.declined:
        out.append("answered an unanswerable question")
    if r.type != "unanswerable" and r.declined:
        out.append("declined an answerable question")
    if r.recall_at_5 is not None and r.recall_at_5 < 1:
        out.append(f"recall@5 {r.recall_at_5:.2f}")
    if r.missing_facts:
        out.append("facts not found: " + ", ".join(repr(f) for f in r.missing_facts))
    if r.cited_sentences < r.sentences:
        out.append(f"{r.sentences - r.cited_sentences} uncited sentence(s)")
    if r.ungrounded:
        out.append("ungrounded: " + " / ".join(r.ungrounded))
    return out


def plot(summary: dict[str, dict[str, float | int | None]], path: Path) -> None:
    """Grouped bars of the main rates per question type."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [
        ("recall_at_5", "recall@5"),
        ("mrr", "MRR"),
        ("cited_sentence_share", "cited sentences"),
        ("gold_citation_share", "citations to gold"),
        ("fact_coverage", "facts found"),
        ("unanswerable_declined", "unanswerable declined"),
        ("answerable_declined", "answerable declined"),
    ]
    groups = [g for g in summary if g != "overall"] + ["overall"]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(metrics)
    for i, (key, label) in enumerate(metrics):
        values = [summary[g].get(key) for g in groups]
        xs = [j + i * width for j in range(len(groups))]
        ax.bar(xs, [float(v) if v is not None else 0.0 for v in values], width, label=label)
    ax.set_xticks([j + width * (len(metrics) - 1) / 2 for j in range(len(groups))])
    ax.set_xticklabels([f"{g}\n(n={summary[g]['questions']})" for g in groups])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share")
    ax.set_title("paperqa eval")
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(
    out: Path,
    results: Sequence[QuestionResult],
    meta: dict[str, object],
    baseline: Sequence[QuestionResult] | None = None,
) -> tuple[Summary, Summary | None, list[Target]]:
    """report.md, results.json and eval.png in `out`; returns (summary, baseline summary, targets)."""
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize_results(results)
    base = summarize_results(baseline) if baseline else None
    targets = check_targets(summary, base)
    report = markdown_report(summary, targets, results, meta, base)
    (out / "report.md").write_text(report, encoding="utf-8")
    payload: dict[str, object] = {
        "meta": meta,
        "summary": summary,
        "targets": [t.model_dump() for t in targets],
        "questions": [r.model_dump() for r in results],
    }
    if baseline and base:
        payload["baseline"] = {"summary": base, "questions": [r.model_dump() for r in baseline]}
    (out / "results.json").write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    plot(summary, out / "eval.png")
    return summary, base, targets
