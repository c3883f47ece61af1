"""What demo builders share: the size, the seed and a deterministic random generator."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

SIZES = {"small": 1, "medium": 25, "large": 100}


@dataclass
class DemoContext:
    size: str = "small"
    seed: int = 42
    rng: random.Random = field(init=False)
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.size not in SIZES:
            raise ValueError(f"size must be one of {', '.join(SIZES)}")
        self.rng = random.Random(self.seed)

    def random_for(self, name: str) -> random.Random:
        """An independent generator per step, so adding a step never changes another's data."""
        return random.Random(f"{self.seed}:{name}")

    @property
    def scale(self) -> int:
        return SIZES[self.size]
