"""Sample tour packages for trade-fair organisers: a spec of package templates → planned, deduplicated packages with
an itinerary JSON, a map and a printable brochure (Vietnamese and English) each.

One module per job: :mod:`.spec` (the spec's schema, themes and budget tiers — read its docstring for the format),
:mod:`.build` (planning the templates, in worker processes, and writing the packages), :mod:`.brochure` (the HTML
brochure from ``templates/brochure.html``, its route map and the Chromium PDF).
"""

from __future__ import annotations

from .brochure import html_to_pdf, render_brochure, route_map_png
from .build import (
                    PackageResult,
                    build_packages,
                    copy_map_assets,
                    default_workers,
                    estimated_package_seconds,
                    usable_cores,
)
from .spec import (
                    BUDGET_LODGING_VND,
                    THEMES,
                    PackageSpec,
                    PackageTemplate,
                    SpecError,
                    load_spec,
                    parse_length,
                    parse_spec,
)

__all__ = ["BUDGET_LODGING_VND", "THEMES", "PackageResult", "PackageSpec", "PackageTemplate", "SpecError",
           "build_packages", "copy_map_assets", "default_workers", "estimated_package_seconds", "html_to_pdf",
           "load_spec", "parse_length", "parse_spec", "render_brochure", "route_map_png", "usable_cores"]
