"""Staff reports over the bot's stored data: misses, stats, links (added as they land)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                 common: argparse.ArgumentParser) -> None:
    del sub, common
