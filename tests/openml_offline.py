"""fetch_openml without a network: scikit-learn's own small OpenML fixtures served in place of openml.org."""
import glob
import io
import os
import re

SHORTER = [("-json-data-list", "-jdl"), ("-json-data-features", "-jdf"), ("-json-data-qualities", "-jdq"),
           ("-json-data", "-jd"), ("-data_name", "-dn"), ("-download", "-dl"), ("-limit", "-l"),
           ("-data_version", "-dv"), ("-status", "-s"), ("-deactivated", "-dact"), ("-active", "-act")]


class Response:
    def __init__(self, data):
        self.data = io.BytesIO(data)

    def read(self, n=-1):
        return self.data.read(n)

    def close(self):
        pass

    def info(self):
        return {"Content-Encoding": "gzip"}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def serve_fixtures(monkeypatch):
    """Patch scikit-learn's urlopen to answer from sklearn/datasets/tests/data/openml (as its own tests do)."""
    import sklearn.datasets._openml as openml

    folder = os.path.join(os.path.dirname(openml.__file__), "tests", "data", "openml")
    requested = []

    def urlopen(request, *args, **kwargs):
        url = request.get_full_url()
        requested.append(url)
        path = url.split("openml.org/", 1)[1]
        suffix = ".arff" if path.startswith("data/v1/download") else ".json"
        if suffix == ".arff":
            path = path.rsplit("/", 1)[0]
        name = re.sub(r"\W", "-", path) + suffix + ".gz"
        for long, short in SHORTER:
            name = name.replace(long, short)
        hits = glob.glob(os.path.join(folder, "id_*", name))
        if not hits:
            raise OSError(f"no fixture for {url}")
        with open(hits[0], "rb") as f:
            return Response(f.read())

    monkeypatch.setattr(openml, "urlopen", urlopen)
    return requested
