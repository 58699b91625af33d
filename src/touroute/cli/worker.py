"""`touroute worker` — one queue worker for package jobs (a thin shell over :func:`touroute.web.queue.run_worker`)."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    @main.command("worker")
    @click.option("--redis-url", default=None, metavar="URL",
                  help="Redis of the job queue (default: TOUROUTE_REDIS_URL).")
    @click.option("--name", default=None, help="Worker name shown on its jobs (default: <host>.<pid>).")
    @click.option("--burst", is_flag=True, help="Stop when the queue is empty (batch runs, CI).")
    def worker_cmd(redis_url, name, burst):
        """Run package jobs from the Redis queue. / Chạy các công việc tạo gói từ hàng đợi Redis.

        Start any number, on any machine that shares Redis (TOUROUTE_REDIS_URL), the database (TOUROUTE_DB_URL)
        and the jobs folder (TOUROUTE_JOBS_DIR) with the web app. Ctrl-C / SIGTERM: finish the current job, then
        stop. A worker that is killed loses nothing: its job goes back on the queue (docs/web.md, "Running
        workers").
        """
        import logging

        from ..settings import Settings
        from ..web import DatabaseUnavailable
        from ..web.queue import run_worker

        Settings.from_env()  # a bad variable stops here, named
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        try:
            n = run_worker(redis_url, name=name, burst=burst)
        except DatabaseUnavailable as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"worker stopped after {n} job(s)", err=True)
