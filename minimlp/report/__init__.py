"""Report: the run's figures (SVG), report.html, and the page comparing runs (compare.html, sweep.html).

matplotlib is imported only when one of its figures is drawn (the run's curves and confusion matrix are SVG text
without it), and the pages' modules only when named
(PEP 562), so ``from minimlp.report import fmt`` costs fmt alone.
"""
_LAZY = {"write_figures": "run_page", "write_report": "run_page", "write_compare_page": "compare_page",
         "compare_html": "compare_page", "rank": "compare_page"}

__all__ = ["write_figures", "write_report", "write_compare_page", "compare_html", "rank"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
