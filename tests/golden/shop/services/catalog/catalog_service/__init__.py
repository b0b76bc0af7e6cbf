"""The catalog service, cut out of the shop monolith by msa-analyzer 0.1.0."""

__version__ = "0.1.0"
