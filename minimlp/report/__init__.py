"""Report: the run's figures (SVG), report.html, and the page comparing runs (compare.html, sweep.html).

matplotlib is imported only when a figure is drawn, so importing this package is cheap.
"""
from .compare_page import rank, write_compare_page
from .run_page import write_figures, write_report

__all__ = ["write_figures", "write_report", "write_compare_page", "rank"]
