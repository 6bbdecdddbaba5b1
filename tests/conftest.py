import os

# scikit-learn's estimator suite checks array-API input only when scipy was imported with this set;
# set it before anything imports scipy so that check runs instead of being skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
