"""genogram: the domain core (people, relationships, kinship, matching). No I/O."""

__version__ = "0.1.0"
