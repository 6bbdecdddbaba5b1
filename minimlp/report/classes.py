"""The decision boundary of a network on two features, drawn with matplotlib (a filled contour of a
200 × 200 grid of predictions is what it does well); only 2-feature data gets one, in the run's process.
The confusion matrix is matrix.py's.
"""
import numpy as np

from .figures import figure, save, styled
from .matrix import short


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
