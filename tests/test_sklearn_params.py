"""Estimator parameters validated exactly as scikit-learn 1.9's MLPClassifier validates them (its
``_parameter_constraints``), each message naming the parameter as scikit-learn does: the reference is
scikit-learn's own MLPClassifier, given the same bad value."""
import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as Reference

from minimlp.sklearn import MLPClassifier

X, y = make_classification(n_samples=40, n_features=4, random_state=0)

BAD = [
    ("max_iter", 0), ("max_iter", -3), ("max_iter", 2.5), ("max_iter", None),
    ("batch_size", 0), ("batch_size", -1), ("batch_size", "big"), ("batch_size", 2.0),
    ("shuffle", 1), ("shuffle", "yes"), ("warm_start", None), ("early_stopping", 0), ("nesterovs_momentum", "no"),
    ("tol", -1), ("tol", "small"), ("n_iter_no_change", 0), ("n_iter_no_change", 1.5),
    ("alpha", -1), ("learning_rate_init", 0), ("learning_rate_init", -0.1), ("power_t", -1),
    ("momentum", 1.5), ("momentum", -0.1), ("validation_fraction", 1), ("validation_fraction", -0.5),
    ("beta_1", 1), ("beta_2", -0.1), ("epsilon", 0), ("max_fun", 0), ("solver", "newton"),
    ("learning_rate", "cosine"), ("verbose", "loud"), ("random_state", "seed"),
    ("hidden_layer_sizes", 0), ("hidden_layer_sizes", (5, -1)), ("hidden_layer_sizes", "ten"),
]


def message(estimator, method="fit"):
    """The error's text, a listed set of options in sorted order (a set's order varies between processes)."""
    with pytest.raises((ValueError, TypeError)) as caught:
        if method == "fit":
            estimator.fit(X, y)
        else:
            estimator.partial_fit(X, y, classes=[0, 1])
    return re.sub(r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", str(caught.value))


@pytest.mark.parametrize("name,value", BAD, ids=[f"{n}={v!r}" for n, v in BAD])
def test_bad_parameters_raise_scikit_learns_message(name, value):
    expected = message(Reference(**{name: value}))
    assert name in expected
    assert message(MLPClassifier(**{name: value})) == expected


@pytest.mark.parametrize("name,value", [("max_iter", 0), ("batch_size", 0), ("tol", -1), ("shuffle", 1),
                                        ("n_iter_no_change", 0), ("alpha", -1)])
def test_partial_fit_validates_too(name, value):
    expected = message(Reference(solver="sgd", **{name: value}), "partial_fit")
    assert message(MLPClassifier(solver="sgd", **{name: value}), "partial_fit") == expected


def test_activation_names_the_parameter_and_lists_minimlps_extra_names():
    text = message(MLPClassifier(activation="softmax"))
    assert text.startswith("The 'activation' parameter of MLPClassifier must be a str among")
    assert "'leaky_relu'" in text and "'relu'" in text and text.endswith("Got 'softmax' instead.")


def test_class_weight_and_dtype_are_validated():
    assert "The 'class_weight' parameter of MLPClassifier" in message(MLPClassifier(class_weight="even"))
    assert "The 'dtype' parameter of MLPClassifier" in message(MLPClassifier(dtype="float16"))


def test_good_boundary_values_are_accepted():
    """Each boundary scikit-learn allows: momentum 1, n_iter_no_change inf, batch_size 1, tol 0, power_t 0."""
    for params in [dict(solver="sgd", momentum=1.0, max_iter=1), dict(n_iter_no_change=np.inf, max_iter=2),
                   dict(batch_size=1, max_iter=1), dict(tol=0.0, max_iter=1), dict(power_t=0, max_iter=1),
                   dict(verbose=0, max_iter=1), dict(validation_fraction=0.0, max_iter=1)]:
        with pytest.warns(Warning):  # scikit-learn's ConvergenceWarning: max_iter ended before tol
            MLPClassifier(hidden_layer_sizes=(3,), random_state=0, **params).fit(X, y)


def test_batch_size_larger_than_the_data_is_clipped_with_scikit_learns_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MLPClassifier(hidden_layer_sizes=(3,), batch_size=100, max_iter=1, random_state=0).fit(X, y)
    assert [type(w.message) for w in caught] == [UserWarning, ConvergenceWarning]
    assert "It is going to be clipped" in str(caught[0].message)
