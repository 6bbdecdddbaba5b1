"""Facts a run's page shows that training does not record elsewhere: what became of each input column
(numeric, or one-hot with its categories; cells imputed), and which epoch's weights the model holds.

Both go into metrics.json (``data.columns`` and ``weights``), so the page and any later reader agree.
"""
import numpy as np

MAX_LISTED_COLUMNS = 1000  # columns listed one by one in metrics.json; the totals always count them all


def column_facts(frame, preprocessing):
    """{"columns": [{name, kind, inputs, categories?, imputed?}], "column_kinds": totals} of the raw columns.

    ``kind`` is "numeric" or "one-hot"; ``categories`` the one-hot width; ``imputed`` the cells filled
    in (every row of the table, all splits), present only when data.missing is impute.
    """
    pre = preprocessing
    if pre is None:
        return {}
    listed, totals = [], {"numeric": 0, "one_hot": 0, "imputed_cells": 0 if pre.impute else None}
    for j, (name, kind, categories, width) in enumerate(zip(pre.columns, pre.kinds, pre.categories, pre.widths)):
        one_hot = kind == "categorical"
        entry = {"name": str(name), "kind": "one-hot" if one_hot else "numeric", "inputs": width}
        if one_hot:
            entry["categories"] = len(categories)
        elif pre.bins(j):
            entry["bins"] = pre.bins(j)  # piecewise-linear inputs beside the value
        if pre.impute:
            entry["imputed"] = _missing_cells(frame, name, one_hot)
            totals["imputed_cells"] += entry["imputed"]
        totals["one_hot" if one_hot else "numeric"] += 1
        if len(listed) < MAX_LISTED_COLUMNS:
            listed.append(entry)
    return {"columns": listed, "column_kinds": totals}


def _missing_cells(frame, name, categorical):
    if categorical:
        codes, _ = frame.factorized(name)  # code -1: a missing cell
        return int(np.count_nonzero(codes < 0))
    return int(np.count_nonzero(np.isnan(np.asarray(frame.columns[name], dtype=np.float64))))


def held_weights(config, result):
    """{"epoch": E, "which": ...}: the weights model.npz holds at the end of a fit.

    which: "last" (after the last finished epoch E), "best" (early stopping's best epoch E, restored:
    train.restore_best), "initial" (an lbfgs run interrupted or diverged goes back to its start, E = 0),
    "diverged" (the weights before the step that diverged, within epoch E), "interrupted" (within epoch E,
    after its last finished batch). Mirrors train.loop._result and train.lbfgs.fit_lbfgs; tests hold the
    saved weights to runs that stop at E.
    """
    epochs, status, train = len(result.history), result.status, config.train
    if config.optimizer.name == "lbfgs":
        if status in ("interrupted", "diverged"):
            return {"epoch": 0, "which": "initial"}
        return {"epoch": epochs, "which": "last"}
    if train.early_stopping and train.restore_best and result.best_epoch and status != "interrupted":
        return {"epoch": int(result.best_epoch), "which": "best"}
    if status in ("interrupted", "diverged"):
        return {"epoch": epochs + 1, "which": status}
    return {"epoch": epochs, "which": "last"}
