"""The one error type minimlp raises for anything a user can get wrong.

Library code raises these; only the CLI turns them into a message and an exit code.
"""


class MinimlpError(ValueError):
    """Bad input to minimlp: a config value, a data file, a model file, an argument."""


class ConfigError(MinimlpError):
    """A config file or override that cannot be used."""


class DataError(MinimlpError):
    """A dataset or CSV file that cannot be used."""


class ModelFileError(MinimlpError):
    """A saved model or checkpoint that cannot be read."""


class RunFolderError(MinimlpError):
    """A run folder minimlp may not write: not its own, or locked by another process."""


class FileWriteError(MinimlpError):
    """A file that could not be written (full disk, read-only folder, permission denied)."""


class RunFailedError(MinimlpError):
    """A run that failed after training started (what could be saved was saved): exit code 1, not 2."""

    exit_code = 1


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM before training started: stop now (a BaseException, like KeyboardInterrupt)."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


class OutOfMemoryError(MinimlpError):
    """An allocation that failed: one message (``out_of_memory_message``) and exit code 1 everywhere."""

    exit_code = 1


def out_of_memory_message(error=None, what=None):
    """The one out-of-memory message: what could not be allocated, and which settings make it large."""
    detail = what or str(error or "").strip()
    if detail.startswith("Unable to allocate"):  # numpy's: "Unable to allocate 7.3 TiB for an array with shape ..."
        detail = detail[len("Unable to allocate "):]
    detail = f" (could not allocate {detail})" if detail else ""
    return (f"out of memory{detail}: the data (data.params or the CSV), the network (model.hidden) "
            "or train.batch_size is too large for this machine")
