"""Saved plans in a real database (SQLAlchemy 2.x): SQLite file by default, PostgreSQL via ``TOUROUTE_DB_URL``.

Each plan keeps the request JSON, the itinerary JSON, a title, its creation time and a random, unguessable slug
(``secrets.token_urlsafe``) that is its permalink. Edits create a new plan (``parent`` = the edited plan's slug),
so a shared link never changes under the person it was sent to.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import DateTime, Integer, String, Text, create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class SavedPlan(Base):
    __tablename__ = "saved_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    request_json: Mapped[str] = mapped_column(Text)
    itinerary_json: Mapped[str] = mapped_column(Text)
    parent: Mapped[str | None] = mapped_column(String(32), nullable=True)
    feasible: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def request(self) -> dict:
        return json.loads(self.request_json)

    def summary(self) -> dict:
        return {"id": self.slug, "title": self.title, "created": self.created_at.isoformat(),
                "feasible": bool(self.feasible), "parent": self.parent}


def default_db_url() -> str:
    """``sqlite:///<data dir>/web/touroute.sqlite3`` (data dir = ``$TOUROUTE_DATA_DIR`` or the user cache)."""
    from ..network.store import data_root

    path = Path(data_root()) / "web" / "touroute.sqlite3"
    return f"sqlite:///{path}"


SQLITE_BUSY_TIMEOUT_S = 10.0
"""How long a writer waits for another connection's write lock (all gunicorn workers and threads share the file;
a save holds the lock for a millisecond or two)."""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer (gunicorn workers share the file)
    # FULL: a commit is fsync'ed to the WAL before the 201 goes out, so a saved plan survives a power cut too,
    # not only a killed process (NORMAL would lose the last commits on power loss). Saves are rare next to
    # reads (one per solved plan), so the fsync per commit costs nothing that matters.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


@dataclass
class PlanStore:
    """The saved-plans table behind one engine (one per app)."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, url: str | None = None) -> "PlanStore":
        url = url or default_db_url()
        kw: dict = {"future": True, "pool_pre_ping": True}
        if url.startswith("sqlite"):
            db_path = url.split("///", 1)[1] if "///" in url else ""
            if db_path and db_path != ":memory:":
                Path(db_path).parent.mkdir(parents=True, exist_ok=True)
            kw["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
        engine = create_engine(url, **kw)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(engine)
        return cls(url, engine, sessionmaker(engine, expire_on_commit=False))

    def journal_mode(self) -> str | None:
        if self.engine.dialect.name != "sqlite":
            return None
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())

    def save(self, title: str, request_json: str, itinerary_json: str, *, feasible: bool = True,
             parent: str | None = None) -> SavedPlan:
        plan = SavedPlan(slug=secrets.token_urlsafe(12), title=title[:200], created_at=datetime.now(timezone.utc),
                         request_json=request_json, itinerary_json=itinerary_json, parent=parent,
                         feasible=int(feasible))
        with self.sessions() as s, s.begin():
            s.add(plan)
        return plan

    def get(self, slug: str) -> SavedPlan | None:
        if not slug or len(slug) > 32:
            return None
        with self.sessions() as s:
            return s.scalars(select(SavedPlan).where(SavedPlan.slug == slug)).first()

    def list(self, limit: int = 100, offset: int = 0) -> list[SavedPlan]:
        with self.sessions() as s:
            q = select(SavedPlan).order_by(SavedPlan.created_at.desc(), SavedPlan.id.desc()).limit(limit).offset(offset)
            return list(s.scalars(q))

    def count(self) -> int:
        with self.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(SavedPlan)) or 0)
