"""The run page's account of its inputs and its weights: each input column and what it became
(numeric, or one-hot with its categories; imputed cells), and which epoch's weights model.npz holds.

Reads what ``runs.report_facts`` put in metrics.json (``data.columns``, ``data.column_kinds``, ``weights``);
a run from before those fields shows neither.
"""
from . import fmt
from .page import esc, table

COLUMNS_OPEN = 12  # input columns listed open; more are behind a summary line that opens them


HELD = {  # which -> (the card's value, the note under it)
    "last": ("epoch {epoch}", "last"), "best": ("epoch {epoch}", "best, restored"),
    "initial": ("the initial ones", "lbfgs runs again from the start"),
    "diverged": ("epoch {epoch}", "before the step that diverged"), "interrupted": ("epoch {epoch}", "at the interruption"),
}


def held_weights(weights):
    """(value, note) of the weights model.npz holds, e.g. ('epoch 5', 'best, restored'); None if unknown."""
    if not isinstance(weights, dict) or weights.get("which") not in HELD:
        return None
    value, note = HELD[weights["which"]]
    return value.format(epoch=weights.get("epoch")), note


def held_weights_text(weights):
    """'epoch 50 (last)', 'epoch 5 (best, restored)', ...: which weights model.npz holds ('' if unknown)."""
    held = held_weights(weights)
    return f"{held[0]} ({held[1]})" if held else ""


def weights_note(metrics):
    """One sentence under the model table: which epoch's weights model.npz holds, beside the best epoch."""
    held = held_weights_text(metrics.get("weights"))
    if not held:
        return ""
    which, best = metrics["weights"]["which"], metrics.get("best_epoch")
    text = f"model.npz holds the weights of {held}"
    if which == "initial":
        text = "model.npz holds the initial weights: an lbfgs run that stops early goes back to them"
    if which == "last" and best and best != metrics["weights"].get("epoch"):
        text += (f"; the validation loss was lowest at epoch {best}, whose weights are not kept "
                 "(train.early_stopping with restore_best keeps them)")
    return f'<p class="meta">{esc(text)}.</p>'


def columns_table(data):
    """The raw input columns and what each became: numeric, or one-hot with its categories; imputed cells."""
    if not data or not data.get("columns"):
        return ""
    columns, kinds = data["columns"], data.get("column_kinds") or {}
    imputing = kinds.get("imputed_cells") is not None
    rows = []
    for c in columns:
        kind = (f"numeric, {c['bins']} piecewise bins" if c.get("bins") else "numeric") if c["kind"] == "numeric" \
            else f"one-hot, {fmt.count(c['categories'])} categories"
        rows.append([esc(c["name"]), esc(kind), fmt.count(c["inputs"])] + ([fmt.count(c["imputed"])] if imputing else []))
    header = ["column", "kind", "inputs"] + (["imputed cells"] if imputing else [])
    listed = table(header, rows, numeric=(2, 3), cls="fit names")
    total = kinds.get("numeric", 0) + kinds.get("one_hot", 0)
    parts = [f"{fmt.count(kinds.get('numeric', 0))} numeric", f"{fmt.count(kinds.get('one_hot', 0))} one-hot"]
    summary = f"{fmt.count(total)} input columns: " + ", ".join(parts)
    if imputing:
        summary += f"; {fmt.count(kinds['imputed_cells'])} missing cells imputed"
    if total > len(columns):
        listed += f'<p class="meta">The first {fmt.count(len(columns))} are listed.</p>'
    if len(columns) > COLUMNS_OPEN:
        return f"<details><summary>{esc(summary)}</summary>{listed}</details>"
    return f'<h3>Input columns</h3><p class="meta">{esc(summary)}</p>{listed}'
