"""The platforms the studio publishes to: one package each, listed in `registry`."""
