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
