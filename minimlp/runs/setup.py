"""From a Config to what ``train.fit`` takes: plain options, the optimizer and the schedule,
each built from its registry.  The one place a run's config meets the training loop."""
from ..numerics.optim import make_optimizer
from ..train import EarlyStopping, TrainOptions, fit, make_schedule


def training_options(config):
    """The TrainOptions of ``config`` (its train section and seed)."""
    train = config.train
    stopping = EarlyStopping(train.monitor, train.patience, train.min_delta, train.restore_best) \
        if train.early_stopping else None
    return TrainOptions(epochs=train.epochs, batch_size=train.batch_size, shuffle=train.shuffle,
                        label_smoothing=train.label_smoothing, seed=config.seed, early_stopping=stopping)


def config_schedule(config):
    return make_schedule(config.optimizer, config.train.epochs, config.train.patience, config.train.min_delta)


def fit_config(net, splits, config, state=None, optimizer=None, on_epoch=None, stop_requested=None, weights=None):
    """``train.fit`` on ``splits`` as ``config`` says (optimizer: built from it unless given)."""
    optimizer = optimizer or make_optimizer(net, config.optimizer)
    return fit(net, splits.X_train, splits.y_train, splits.X_val, splits.y_val, training_options(config),
               optimizer, config_schedule(config), state, on_epoch, stop_requested, weights)
