"""A run's model scored on labelled rows: its test split (``evaluate RUN``) or a new table file
(``evaluate RUN labelled.csv``), with the same metrics either way (``metrics.classification_metrics``)."""
from ..data import reader
from ..data.labels import parse_labels
from ..errors import MinimlpError
from ..excerpt import clip
from .metrics import classification_metrics


def score_file(predictor, path, target=None, delimiter=None):
    """(metrics, extra columns, rows with a category never seen in training) of ``predictor`` on a labelled file.

    ``target`` names the label column (default: the last); the feature columns may come in any order,
    and labels are matched to the model's classes by value ('1' is 1 is 1.0); a class the model never
    saw is refused, named."""
    table = reader.read_table(path, delimiter, target)
    name = table.target
    if name in predictor.feature_names:
        raise MinimlpError(f"{path}: the label column {clip(name)!r} ({'--target' if target else 'the last column'}) "
                           "is one of the model's feature columns; name the label column with --target")
    missing = [n for n in predictor.feature_names if n not in table.columns]
    if missing:
        raise MinimlpError(f"{path}: missing feature column(s) {clip(', '.join(map(repr, missing)), 300)}; "
                           f"the model needs {clip(', '.join(predictor.feature_names), 300)}")
    codes, classes = parse_labels(table.columns[name], f"target column {name!r}", str(path), table.where,
                                  lambda row: table.cell(row, name))
    y = predictor.class_indices(classes[codes], str(path))
    frame = predictor.frame_of(table.columns, str(path), table.where, table.cell)
    X, unseen = predictor.transform(frame, with_unseen=True)
    metrics = classification_metrics(predictor.net, X, y, predictor.classes)
    metrics.update(source=str(path), rows=len(y))
    wanted = {*predictor.feature_names, name}
    return metrics, [n for n in table.names if n not in wanted], int(unseen.sum())
