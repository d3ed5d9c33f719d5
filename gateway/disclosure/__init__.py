"""Disclosure control of aggregates: the cell key method over exact and protected parts."""

from gateway.disclosure.cells import Cell, Counts, Shown, disclose, sum_cells

__all__ = ["Cell", "Counts", "Shown", "disclose", "sum_cells"]
