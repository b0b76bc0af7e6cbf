"""msa-analyzer: cut a Python monolith into candidate microservices, from its source alone."""

__version__ = "0.1.0"
