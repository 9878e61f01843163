"""The command-line companion: argparse in, text or JSON out."""
