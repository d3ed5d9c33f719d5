"""Disclosure control of aggregates: the cell key method over exact and protected parts."""

from gateway.disclosure.cells import (
    Cell,
    Counts,
    Offsets,
    Shown,
    disclose,
    question_offsets,
    sum_cells,
)

__all__ = ["Cell", "Counts", "Offsets", "Shown", "disclose", "question_offsets", "sum_cells"]
