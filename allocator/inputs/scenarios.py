"""Loss scenarios for tail risk (CVaR): the data type an Instance carries.

A scenario gives every candidate a loss fraction: ``1 − realised multiple`` (1 = total loss,
negative = a gain). ``scenario_file`` reads and writes
them (``scenarios.csv``); ``allocator.synthetic.sampling`` draws correlated ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Scenarios:
    """Equally or unequally weighted loss scenarios over an instance's candidates.

    ``loss[s, j]`` is the loss fraction of candidate j (``instance.candidates`` order) in
    scenario s; sampled scenarios hold float32 to halve memory at scale.
    """

    names: tuple[str, ...]
    probability: np.ndarray
    loss: np.ndarray
    source: str | None = None  # the file they were read from, as given; None when made in memory

    def __post_init__(self) -> None:
        """Catch mismatched arrays where they are built, not deep inside a model."""
        count = len(self.names)
        if self.probability.shape != (count,) or self.loss.ndim != 2 or len(self.loss) != count:
            raise ValueError(
                f"{count} names, probability {self.probability.shape}, loss {self.loss.shape}"
            )

    @property
    def failed(self) -> np.ndarray:
        """Where a candidate loses its whole commitment (loss fraction 1)."""
        return self.loss >= 1
