"""The figures about the classes: the confusion matrix and, for two features, the decision boundary.

The matrix is drawn for up to MATRIX_MAX classes in a bounded size (issue 9:
500 classes once made a figure that exhausted memory); above that the report
lists the worst-recalled classes instead.
"""
import numpy as np

from .figures import figure, save, styled

def confusion(matrix, classes):
    """Counts in the cells, colour by share of the true class (row-normalised) so errors show (SVG)."""
    return save(confusion_figure(matrix, classes))


def confusion_figure(matrix, classes):
    matrix = np.asarray(matrix)
    k = len(classes)
    labels = [short(str(c)) for c in classes]
    side = min(3.6 + 0.2 * k, 8.0)  # inches: bounded (callers draw no matrix above MATRIX_MAX classes)

    def draw():
        fig = figure(side, side)
        ax = fig.add_subplot()
        ax.imshow(_cell_colors(matrix), interpolation="nearest")
        rotate = k > 6 and max(map(len, labels)) > 3
        ax.set_xticks(range(k), labels, rotation=45 if rotate else 0, ha="right" if rotate else "center")
        ax.set_yticks(range(k), labels)
        ax.tick_params(length=0)
        ax.set(xlabel="predicted", ylabel="true", title="Confusion matrix (test split)")
        ax.spines[:].set_visible(False)
        if k <= MATRIX_COUNTS_MAX:
            size = 11 if k <= 8 else 10 if k <= 12 else 8 if k <= 16 else 7
            share = _shares(matrix)
            for (i, j), n in np.ndenumerate(matrix):
                if n or i == j:
                    ax.text(j, i, str(n), ha="center", va="center", fontsize=size,
                            color="white" if share[i, j] > 0.55 else "#1f2328")
        return fig

    return styled(draw)


def _shares(matrix):
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)


def _cell_colors(matrix):
    """RGB per cell, by share of the true class (row-normalised): blue on the diagonal, red for
    errors, and even one error gets a visible tint (a count of 0 stays white)."""
    from matplotlib import colormaps

    share = _shares(matrix)
    tint = np.where(matrix > 0, 0.2 + 0.8 * share, 0.0)
    colors = colormaps["Reds"](tint * 0.85)[..., :3]
    diagonal = np.arange(len(matrix))
    colors[diagonal, diagonal] = colormaps["Blues"](tint[diagonal, diagonal])[..., :3]
    colors[matrix == 0] = 1.0  # white
    return colors


MATRIX_COUNTS_MAX = 20  # classes up to which every cell shows its count
MATRIX_MAX = 40  # classes above which no matrix is drawn (the report lists the worst classes instead)


def short(label, width=12):
    """A label cut to ``width`` characters (tick labels and legends stay short)."""
    return label if len(label) <= width else label[:width - 1] + "…"


def decision_boundary(predictor, X_test, y_test):
    """Predicted class over the plane of the two features, with the test points (raw units) (SVG)."""
    return save(decision_boundary_figure(predictor, X_test, y_test))


def decision_boundary_figure(predictor, X_test, y_test):
    def draw():
        fig = figure(5.6, 4.6)
        ax = fig.add_subplot()
        lo, hi = X_test.min(axis=0), X_test.max(axis=0)
        pad = 0.1 * np.maximum(hi - lo, 1e-9)
        xs, ys = (np.linspace(lo[i] - pad[i], hi[i] + pad[i], 200) for i in range(2))
        grid_x, grid_y = np.meshgrid(xs, ys)
        grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
        k = len(predictor.classes)
        regions = predictor.net.predict(predictor.transform(grid)).reshape(grid_x.shape)
        ax.contourf(grid_x, grid_y, regions % 10, levels=np.arange(11) - 0.5, cmap="tab10", alpha=0.25, vmin=0, vmax=9)
        predicted = predictor.net.predict(predictor.transform(X_test))
        colors = np.array([f"C{c % 10}" for c in range(k)])[y_test]
        wrong = predicted != y_test
        ax.scatter(*X_test[~wrong].T, s=14, c=colors[~wrong], edgecolor="k", linewidth=0.3)
        ax.scatter(*X_test[wrong].T, s=40, c=colors[wrong], marker="X", edgecolor="k", linewidth=0.5)
        if k <= 10:  # a legend for a few classes; beyond that colours repeat and a legend would not help
            for c in range(k):
                ax.scatter([], [], s=14, color=f"C{c}", edgecolor="k", linewidth=0.3, label=short(str(predictor.classes[c])))
            ax.legend(loc="best", fontsize=8, frameon=True)
        ax.set(xlabel=short(predictor.feature_names[0], 30), ylabel=short(predictor.feature_names[1], 30),
               title="Decision boundary, test points (X: misclassified)")
        return fig

    return styled(draw)
