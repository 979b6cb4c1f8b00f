"""Where a grown story would split: the top cut of an average-link dendrogram of its documents."""

from __future__ import annotations

import numpy
import scipy.sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform


def similarity_matrix(vectors: list[dict[str, float]]) -> numpy.ndarray:
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, vec in enumerate(vectors):
        for k, v in vec.items():
            rows.append(i)
            cols.append(vocab.setdefault(k, len(vocab)))
            vals.append(v)
    matrix = scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(len(vectors), len(vocab)))
    return numpy.asarray((matrix @ matrix.T).todense())


def bipartition(sims: numpy.ndarray) -> tuple[list[int], list[int]] | None:
    """The top split of an average-link dendrogram over the documents."""
    n = sims.shape[0]
    dist = numpy.clip(1.0 - sims, 0.0, None)
    numpy.fill_diagonal(dist, 0.0)
    labels = fcluster(linkage(squareform(dist, checks=False), "average"), 2, "maxclust")
    a = [i for i in range(n) if labels[i] == labels[0]]
    b = [i for i in range(n) if labels[i] != labels[0]]
    return (a, b) if b else None


def mean_inside(sims: numpy.ndarray, part: list[int]) -> float:
    n = len(part)
    block = sims[numpy.ix_(part, part)]
    return float((block.sum() - numpy.trace(block)) / (n * (n - 1)))
