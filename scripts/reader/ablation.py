"""The reader's training sources, each left out in turn: what each adds on dev.

Runs `train.py` once with the shipped reader's sources and once without each group, every
run at the same reduced protocol (one epoch, the same seed, no export: a run takes 15-35
minutes on 2 cores instead of the shipped three epochs' two hours), and writes the dev
metrics of each to `benchmarks/results/reader-ablation.json`, with a table on stdout. Run
again after an interruption, it keeps the runs it finished and resumes the one it stopped in.
One epoch says which source is learnt first, not which is worth keeping: check a lead at the
shipped three epochs before acting on it (without SciTLDR the paragraph AUC led by 0.064 after
one epoch and trailed by 0.009 after three).
`make reader-ablation` runs it after `build_data.py`; never run by CI.

    python scripts/reader/ablation.py --data build/reader [--only all no-scifact]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Sources build_data.py writes that the shipped reader was not trained on (its second run's
#: sentence-level examples; reader.json's "trained_on" lists the shipped ones).
NOT_SHIPPED = ["qasper-abs-sent", "qasper-ft-sent"]
#: Each run: the sources left out beside NOT_SHIPPED.
RUNS = {
    "all": [],
    "no-qasper-fulltext": ["qasper-ft", "qasper-ft-abs"],
    "no-qasper-abstracts": ["qasper-abs"],
    "no-scifact": ["scifact", "scifact-neg"],
    "no-scitldr": ["scitldr", "scitldr-neg"],
}
COLUMNS = (
    "qasper-abs_auc", "qasper-abs_span_f1", "qasper-ft_auc", "qasper-ft_span_f1",
    "qasper-ft_verdict_acc", "scifact_auc", "scifact_verdict_acc",
)  # fmt: skip


def finished(metrics: Path, epochs: int) -> bool:
    """The run whose metrics these are has scored all its epochs."""
    return metrics.exists() and len(json.loads(metrics.read_text())["history"]) >= epochs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "reader")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "reader-ablation")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--only", nargs="*", choices=sorted(RUNS), help="Run only these.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "reader-ablation.json")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    done = json.loads(args.out.read_text())["runs"] if args.out.exists() else {}
    for name in args.only or RUNS:
        metrics = args.work / f"{name}.json"
        started, trained = time.time(), not finished(metrics, args.epochs)
        if trained:  # a run stopped part-way goes on from its last epoch
            subprocess.run(
                [sys.executable, str(Path(__file__).with_name("train.py")), "--data", str(args.data),
                 "--work", str(args.work / name), "--epochs", str(args.epochs), "--no-export", "--resume",
                 "--metrics-out", str(metrics), "--exclude", *NOT_SHIPPED, *RUNS[name]],
                check=True,
            )  # fmt: skip
        result = json.loads(metrics.read_text())
        # a run found finished keeps the time recorded when it trained (None: not recorded)
        minutes = round((time.time() - started) / 60, 1) if trained else done.get(name, {}).get("minutes")
        done[name] = {
            "left_out": RUNS[name], "examples": result["examples"], "epochs": args.epochs,
            "minutes": minutes, "dev": result["history"][-1],
        }  # fmt: skip
        args.out.write_text(json.dumps({"about": __doc__.split("\n\n")[1], "runs": done}, indent=1) + "\n")
    print("| run | examples | " + " | ".join(COLUMNS) + " |")
    print("| --- " * (len(COLUMNS) + 2) + "|")
    for name, run in done.items():
        cells = " | ".join(str(run["dev"].get(c, "")) for c in COLUMNS)
        print(f"| {name} | {run['examples']} | {cells} |")


if __name__ == "__main__":
    main()
