"""Train a small network on iris with the Python API and print what happened."""
import numpy as np
from sklearn.datasets import load_iris

from minimlp import MLP, SGD, SoftmaxCrossEntropy

X, y = load_iris(return_X_y=True)
X = (X - X.mean(axis=0)) / X.std(axis=0)
net = MLP([4, 16, 3], activation="relu", seed=0, dtype="float64")
head = SoftmaxCrossEntropy()
opt = SGD(net, lr=0.1, momentum=0.9)
for epoch in range(1, 101):
    loss = head.forward(net.forward(X), y)
    net.backward(head.backward())
    opt.step()
    if epoch % 20 == 0:
        print(f"epoch {epoch:3d}  loss {loss:.4f}  accuracy {np.mean(net.predict(X) == y):.3f}")
