"""The planning context: catalogue, travel matrices and caches, reused between plans."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import TourouteException
from ..matrix import TravelMatrix, TravelTimes, catalogue_matrix
from ..pois import Catalogue, default_catalogue


class PlanningError(TourouteException):
    """The request refers to something that does not exist (unknown place id, hub that is not a hub …)."""


@dataclass
class PlanningContext:
    """What planning needs, loaded once per process: the catalogue, the road networks and cached matrices.

    The web app keeps one context for its lifetime; the CLI builds one per run.
    """

    catalogue: Catalogue = field(default_factory=default_catalogue)
    router: TravelTimes | None = None
    data_dir: str | None = None
    _matrices: dict[str, TravelMatrix] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:  # the catalogue's own repr runs to hundreds of kB (logs, test reports)
        return f"PlanningContext({len(self.catalogue)} places, data_dir={self.data_dir!r})"

    def __post_init__(self) -> None:
        if self.router is None:
            self.router = TravelTimes.from_cache(data_dir=self.data_dir)

    def matrix(self, profile: str) -> TravelMatrix:
        """The whole-catalogue matrix of ``profile`` (disk-cached, then kept in memory)."""
        if profile not in self._matrices:
            self._matrices[profile] = catalogue_matrix(profile, router=self.router, catalogue=self.catalogue,
                                                       data_dir=self.data_dir)
        return self._matrices[profile]
