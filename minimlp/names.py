"""The names a config may give, as plain data: tuples of strings (and the datasets' parameter table).

Config validates with these (config/rules.py), and ``minimlp datasets`` lists them,
without importing numpy: this module imports nothing. The registries that map the
names to code live above it: the activations in numerics/layers.py, the initialisers in
numerics/initializers.py, the optimizers in numerics/optim.py, the schedules in numerics/rates.py,
the dtypes in model.py, the dataset loaders in data/datasets.py. tests/test_imports.py holds each tuple
equal to its registry's names, in order (the order messages list them in).
"""
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "identity")
INITIALIZERS = ("he", "xavier", "glorot", "sklearn")
OPTIMIZERS = ("sgd", "adam", "adamw", "lbfgs")
SCHEDULES = ("constant", "step", "cosine")  # a rate from the epoch alone; warm-up applies to these
SCHEDULE_NAMES = (*SCHEDULES, "multicycle", "invscaling", "adaptive")  # and scikit-learn's, updated from an epoch's end
DTYPES = ("float32", "float64")
EMBEDDINGS = ("none", "periodic")  # model.embedding (numerics/embedding.py)

BUNDLED_DATASETS = ("iris", "digits", "wine", "breast_cancer")
GENERATED_DATASETS = ("moons", "circles", "blobs", "classification", "gaussian_quantiles")
FETCHED_DATASETS = ("openml",)
DATASET_NAMES = (*BUNDLED_DATASETS, *GENERATED_DATASETS, *FETCHED_DATASETS, "csv")

# (parameter, default) a user may put in data.params: the functions' signatures in scikit-learn 1.6 to 1.9,
# without return_X_y, as_frame and target_column (openml's target is data.target). tests/test_datasets.py
# holds this table to the installed scikit-learn's signatures.
DATASET_PARAMETERS = {
    "iris": (), "wine": (), "breast_cancer": (),
    "digits": (("n_class", 10),),
    "moons": (("n_samples", 100), ("shuffle", True), ("noise", None), ("random_state", None)),
    "circles": (("n_samples", 100), ("shuffle", True), ("noise", None), ("random_state", None), ("factor", 0.8)),
    "blobs": (("n_samples", 100), ("n_features", 2), ("centers", None), ("cluster_std", 1.0),
              ("center_box", (-10.0, 10.0)), ("shuffle", True), ("random_state", None), ("return_centers", False)),
    "classification": (("n_samples", 100), ("n_features", 20), ("n_informative", 2), ("n_redundant", 2),
                       ("n_repeated", 0), ("n_classes", 2), ("n_clusters_per_class", 2), ("weights", None),
                       ("flip_y", 0.01), ("class_sep", 1.0), ("hypercube", True), ("shift", 0.0), ("scale", 1.0),
                       ("shuffle", True), ("random_state", None)),
    "gaussian_quantiles": (("mean", None), ("cov", 1.0), ("n_samples", 100), ("n_features", 2), ("n_classes", 3),
                           ("shuffle", True), ("random_state", None)),
    "openml": (("name", None), ("version", "active"), ("data_id", None), ("data_home", None), ("cache", True),
               ("n_retries", 3), ("delay", 1.0), ("parser", "auto"), ("read_csv_kwargs", None)),
    "csv": (),
}
