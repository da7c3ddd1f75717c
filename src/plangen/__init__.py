"""plangen: a council improvement plan kept as YAML in git, rendered as the council's Word papers."""

__version__ = "0.1.0"
