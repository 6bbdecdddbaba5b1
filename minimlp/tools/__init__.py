"""Tools over the run folder and the core: sweeps, benchmarks, gradient checks."""
