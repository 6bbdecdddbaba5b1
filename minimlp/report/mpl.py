"""matplotlib's figure machinery, imported once, leaner in minimlp's own processes.

While its modules load, matplotlib writes every Artist subclass's ``set()``
docstring (and the property lists other docstrings interpolate) by inspecting
all of its setters: a quarter to a third of the half second ``matplotlib.figure``
takes to import. A process that is minimlp's own draws figures and never shows
those docstrings, so there they are left empty. Which processes are: the ``minimlp``
executable says so in its environment (cli/entry.py sets OWN_PROCESS_ENV), which
the processes it starts inherit (a sweep's joblib and local Dask workers; a remote
Dask worker has its own environment). The figures are the same bytes
(tests/test_startup.py); a notebook that imports minimlp keeps matplotlib as it is.
"""
import os
import sys

OWN_PROCESS_ENV = "MINIMLP_OWN_PROCESS"  # "1" in the minimlp executable's process and those it starts


def load():
    """Import what figures.py draws with; the first time in an own process, without the docstrings."""
    if "matplotlib.figure" in sys.modules or os.environ.get(OWN_PROCESS_ENV) != "1":
        import matplotlib.figure  # noqa: F401
        return
    import matplotlib.artist

    kwdoc = getattr(matplotlib.artist, "kwdoc", None)
    if kwdoc is None:  # another matplotlib: nothing to skip
        import matplotlib.figure  # noqa: F401
        return
    matplotlib.artist.kwdoc = lambda artist: ""
    try:
        import matplotlib.backends.backend_agg  # noqa: F401
        import matplotlib.figure  # noqa: F401
    finally:
        matplotlib.artist.kwdoc = kwdoc
