"""Where a run's training weights come from, for the messages of ``train.weights``."""
from ..config.loading import origin_of
from ..train.weights import WeightSources


def weight_sources(config, dataset):
    """The class_weight's origin (its file or --set option), the data file and the weight column."""
    class_weight = origin_of(config, "train.class_weight") if config.train.class_weight is not None else None
    return WeightSources(class_weight, dataset.source, getattr(config.data, "weight_column", None))
