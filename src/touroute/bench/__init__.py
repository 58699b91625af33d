"""Published optimisation benchmarks (TOPTW, OPHS): file readers, best-known tables and the ``bench`` CLI group."""
