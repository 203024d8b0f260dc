"""Table of independently observed spans (`monitor.domain.evidence`): created by `0005`.

One row per span a customer's own check decided: `down` or `up` for one component, with
where the samples came from (the source's name, the PromQL or CSV file, the locations).
Time no row covers is unknown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from monitor.storage.models import Base


class ObservationRow(Base):
    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("contract_id", "source", "component", "start",
                         name="uq_observations_key"),
        Index("ix_observations_contract_start", "contract_id", "start"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))
    component: Mapped[str] = mapped_column(String(200))
    start: Mapped[datetime]
    end: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(10))  # down | up
    query: Mapped[str] = mapped_column(Text)
    locations: Mapped[str] = mapped_column(Text)  # comma-separated
    imported_at: Mapped[datetime]
