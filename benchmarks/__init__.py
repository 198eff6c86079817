"""cxscore's benchmark suite: each target timed against a floor measured in the same run."""
