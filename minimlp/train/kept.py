"""Which epoch's weights a finished fit kept: the best validation epoch's, or the last one's."""


def kept_weights(train, result):
    """{'weights_epoch': n, 'weights_from': 'best' | 'last'} for metrics.json.

    Early stopping with restore_best puts the best monitored epoch's weights back (loop._result),
    unless the run was interrupted; otherwise the weights are those of the last epoch trained."""
    epochs = len(result.history)
    if train.early_stopping and train.restore_best and result.best_epoch and result.status != "interrupted":
        return {"weights_epoch": result.best_epoch, "weights_from": "best"}
    return {"weights_epoch": epochs, "weights_from": "last"}
