"""A logistic regression over standardised features, as paperqa's bundled models ship it: the
sentence ranker and answerability gate (`read.ranking`, `paperqa/data/ranker.json`) and the
paragraph reranker (`find.paragraphs`, `paperqa/data/paragraphs.json`). Data only: weights,
bias, the features' mean and scale, and the feature names they were fitted with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np


@dataclass(frozen=True)
class LinearModel:
    """A logistic regression over standardised features."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray

    def logits(self, rows: np.ndarray) -> np.ndarray:
        return ((rows - self.mean) / self.scale) @ self.weights + self.bias

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(rows)))

    def to_dict(self, names: Sequence[str], **extra: object) -> dict[str, object]:
        return {
            "features": list(names),
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(self.bias, 6),
            "mean": [round(float(m), 6) for m in self.mean],
            "scale": [round(float(s), 6) for s in self.scale],
            **extra,
        }

    @classmethod
    def from_dict(cls, body: dict[str, Any], names: Sequence[str], refit: str) -> Self:
        """The model in `body`, fitted on features `names` (else: "run `refit`")."""
        if tuple(body["features"]) != tuple(names):
            raise ValueError(f"the bundled model's features differ from this version's: run `{refit}`")
        return cls(
            np.asarray(body["weights"], dtype=np.float64),
            float(body["bias"]),
            np.asarray(body["mean"], dtype=np.float64),
            np.asarray(body["scale"], dtype=np.float64),
        )


def fit(
    rows: np.ndarray, labels: np.ndarray, l2: float = 1.0, steps: int = 50
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Logistic regression by Newton's method with an L2 penalty on the standardised weights:
    (weights, bias, mean, scale)."""
    mean, scale = rows.mean(axis=0), rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = np.hstack([(rows - mean) / scale, np.ones((len(rows), 1))])
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - labels) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1]), mean, scale
