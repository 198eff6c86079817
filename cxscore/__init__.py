"""cxscore: customer-experience scorecards from YAML."""

__version__ = "0.1.0"
