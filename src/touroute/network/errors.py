"""Errors of the road-network layer.

All of them are :class:`touroute.errors.TourouteException`, so the CLI prints them as one ``Error: …`` line (exit 2)
and the web app as one sentence. Each message names the file, network or value at fault and, where there is one,
the command that fixes it.
"""

from __future__ import annotations

from ..errors import TourouteException


class NetworkError(TourouteException):
    """Base class of road-network errors."""


class OsmSourceError(NetworkError):
    """An OSM input (file, place name, bounding box, Overpass answer) cannot be turned into a road network."""


class NetworkCacheError(NetworkError):
    """A cached network is missing, unreadable or was written by another cache format / profile table."""


class NetworkNotFoundError(NetworkCacheError):
    """No cached network with the requested name."""


class UnknownProfileError(NetworkError, ValueError):
    """A vehicle profile name that touroute does not know."""


class EngineError(NetworkError):
    """The OSRM engine cannot be installed, built or started, or refused a request; the message says what to do."""


class EngineUnavailableError(EngineError):
    """No configured OSRM server of a profile answered (all down, or all timed out)."""


class EngineRefusedError(EngineError):
    """An OSRM server understood a request and refused it (``code``: NoSegment, TooBig …): every replica would."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code
