"""`touroute serve` — the web app: werkzeug in development, gunicorn with ``--prod``."""

from __future__ import annotations


import click


def register(main: click.Group) -> None:
    @main.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option("--prod", is_flag=True, help="Production: gunicorn workers (both servers warm their caches at start-up in the "
                                                "background unless TOUROUTE_WARMUP=0).")
    @click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
                  help="gunicorn worker processes (--prod).")
    @click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 256),
                  help="threads per worker (--prod): >1 runs gunicorn gthread workers, so pages and saved plans "
                       "are served while a plan is being solved; 1 = classic sync workers.")
    @click.option("--timeout", default=180, show_default=True, type=int,
                  help="gunicorn worker timeout in seconds (a plan takes the solver's time limit).")
    @click.option("--debug", is_flag=True, help="Flask debug mode (development only; never in production).")
    def serve_cmd(host, port, prod, workers, threads, timeout, debug):
        """Run the web planner. / Chạy ứng dụng web lập lịch trình.

        Configured by the TOUROUTE_* environment variables (docs/settings.md), e.g. TOUROUTE_SECRET_KEY,
        TOUROUTE_DB_URL, TOUROUTE_DATA_DIR, TOUROUTE_PLAN_SECONDS.
        """
        from ..settings import Settings

        settings = Settings.from_env()  # a bad variable stops here, named, before any worker starts
        if prod:
            key = settings.secret_key or ""
            if not key.strip():
                raise click.ClickException(
                    "TOUROUTE_SECRET_KEY is not set. In production the session-signing key must come from the "
                    "environment (the same for every worker and restart); generate one with\n"
                    "  python -c 'import secrets; print(secrets.token_hex(32))'\n"
                    "and start again with TOUROUTE_SECRET_KEY=<that key>. (Without --prod a random key is used.)")
            if len(key) < 32:
                click.echo("warning: TOUROUTE_SECRET_KEY is shorter than 32 characters; use a long random key "
                           "(secrets.token_hex(32)).", err=True)
            try:
                from gunicorn.app.base import BaseApplication
            except ImportError:
                raise click.ClickException("--prod needs gunicorn: pip install gunicorn") from None

            class _App(BaseApplication):
                def load_config(self):
                    self.cfg.set("bind", f"{host}:{port}")
                    self.cfg.set("workers", workers)
                    # gthread: the main thread of a worker keeps heart-beating while its threads solve, and the
                    # solver releases the GIL, so reads stay fast; the solver slots (web/limits.py) keep at least
                    # one thread of every worker free for them.
                    self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
                    self.cfg.set("threads", threads)
                    self.cfg.set("timeout", timeout)
                    self.cfg.set("accesslog", "-")
                    self.cfg.set("preload_app", False)
                    self.cfg.set("post_worker_init", _worker_ready)

                def load(self):
                    import logging

                    from ..web import create_app

                    # the app's own log lines (warm-up done, catalogue problems …) go to gunicorn's error log
                    glog, tlog = logging.getLogger("gunicorn.error"), logging.getLogger("touroute")
                    if glog.handlers and not tlog.handlers:
                        tlog.handlers = list(glog.handlers)
                        tlog.setLevel(logging.INFO)
                        tlog.propagate = False
                    return create_app({"WARMUP": settings.warmup, "THREADS": threads})

            _App().run()
            return
        from ..web import DatabaseUnavailable, create_app

        try:
            app = create_app({"WARMUP": settings.warmup})
        except DatabaseUnavailable as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"touroute web on http://{host}:{port}/  (development server; use --prod for gunicorn)", err=True)
        app.run(host=host, port=port, debug=debug, threaded=True, use_reloader=False)


def _worker_ready(worker) -> None:
    """gunicorn hook: a worker has built its app (context, kernels, matrices) and starts serving. Logged so an
    operator — and the load test — can tell when every worker is warm."""
    worker.log.info("touroute worker %s ready", worker.pid)
