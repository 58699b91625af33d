"""`touroute packages build SPEC --out DIR` — sample tour packages for trade-fair organisers."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    @main.group("packages")
    def packages_group() -> None:
        """Sample tour packages from a spec. / Tạo các gói tour mẫu từ tệp cấu hình."""

    @packages_group.command("build")
    @click.argument("spec_file", metavar="SPEC", type=click.Path(exists=True, dir_okay=False))
    @click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
                  help="Output folder (one sub-folder per package, plus index.json).")
    @click.option("--seconds", type=float, help="Solver time limit per package (overrides the spec).")
    @click.option("--offline-map", is_flag=True, help="No tile layer on the maps (province background only).")
    @click.option("--workers", type=click.IntRange(min=1), default=None,
                  help="Packages planned at once in separate processes (default: one per core, at most one per "
                       "package, 1 when the build is too small to gain; 1 = sequential in this process).")
    def build_cmd(spec_file, out_dir, seconds, offline_map, workers):
        """Plan every package of SPEC (YAML or JSON) and write itinerary.json, map.html and brochures.

        Example: touroute packages build data/packages/example.yaml --out out/packages
        """
        from ..packages import build_packages, default_workers, estimated_package_seconds, load_spec

        spec = load_spec(spec_file)
        if seconds is not None:
            if not 0 < seconds <= 120:
                raise click.BadParameter("must be in (0, 120]", param_hint="--seconds")
            spec = spec.model_copy(update={"solver_seconds": seconds})

        def progress(res, n, total):
            if res.duplicate_of:
                state = f"duplicate of {res.duplicate_of} (skipped)"
            elif res.feasible:
                price = f"{res.per_person_vnd:,.0f}".replace(",", ".")
                state = f"{sum(len(d) for d in res.stops)} stops, {price} ₫/person"
            else:
                state = "NO PLAN: " + "; ".join(res.problems)
            click.echo(f"[{n}/{total}] {res.id} ({res.length}): {state} — {res.seconds:.1f} s", err=True)

        n = len(spec.packages)
        procs = min(workers or default_workers(n, estimated_package_seconds(spec)), n)
        click.echo(f"Planning {n} package(s) with {procs} process(es)… / Đang lập {n} gói ({procs} tiến trình)…",
                   err=True)
        results = build_packages(spec, out_dir, progress=progress, tiles="" if offline_map else None, workers=workers)
        kept = [r for r in results if not r.duplicate_of]
        click.echo(f"written {len(kept)} package(s) and index.json to {out_dir}")
        if any(not r.feasible for r in kept):
            raise SystemExit(1)
