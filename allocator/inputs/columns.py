"""Column dictionaries of the instance CSV files.

These tables are the single source of truth for column names, units, defaults and
meanings: the loader, ``allocator schema`` and ``docs/`` read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    """One CSV column: its name, kind of value, unit, default and meaning."""

    name: str
    kind: str  # text | number | integer | id-list | schedule
    unit: str
    required: bool
    description: str
    default: Any = None


TAXONOMY_COLUMNS: tuple[Column, ...] = (
    Column("pillar_id", "text", "", True, "Identifier of the pillar (used in mandates)."),
    Column("pillar", "text", "", True, "Display name of the pillar."),
    Column("sub_area_id", "text", "", True, "Identifier of the sub-area (used in mandates)."),
    Column("sub_area", "text", "", True, "Display name of the sub-area."),
    Column("gap_score", "number", "1-5", True, "Strategic urgency (5 = most foreign-dependent)."),
    Column("status", "text", "", True, "confirmed / inferred / placeholder."),
    Column("source", "text", "", False, "Where the row comes from.", ""),
    Column("description", "text", "", False, "What the sub-area covers.", ""),
)

CANDIDATE_COLUMNS: tuple[Column, ...] = (
    Column("id", "text", "", True, "Unique identifier of the candidate investment."),
    Column("name", "text", "", True, "Descriptive name."),
    Column("sub_area_id", "text", "", True, "Sub-area of the taxonomy it belongs to."),
    Column("ticket_min", "number", "USD M", True, "Smallest commitment if chosen."),
    Column("ticket_max", "number", "USD M", True, "Largest commitment if chosen."),
    Column("earliest_start", "integer", "year", True, "First year the commitment may be made."),
    Column("latest_start", "integer", "year", True, "Last year the commitment may be made."),
    Column("lead_time", "number", "years", True, "Years from commitment until impact is online."),
    Column("loss_probability", "number", "0-1", True, "Chance of total loss."),
    Column(
        "expected_multiple", "number", "x", True, "Gross multiple on capital if it does not fail."
    ),
    Column(
        "call_schedule",
        "schedule",
        "fractions",
        False,
        "Fractions of the commitment called in year 0,1,2... after commitment; sum to 1.",
        (1.0,),
    ),
    Column("impact", "number", "x", False, "Strategic multiplier.", 1.0),
    Column("requires", "id-list", "", False, "Ids that must be committed first.", ()),
    Column("excludes", "id-list", "", False, "Ids that may never be chosen with this one.", ()),
    Column("group", "text", "", False, "Label for at-most-k group rules.", ""),
    Column("source", "text", "", False, "Where the numbers come from.", ""),
    Column("notes", "text", "", False, "Free text.", ""),
)

KNOWN_CANDIDATE_COLUMNS = frozenset(c.name for c in CANDIDATE_COLUMNS)
