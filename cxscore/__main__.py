"""Run cxscore as ``python -m cxscore``."""

from cxscore.cli import main

main()
