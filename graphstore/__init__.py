"""graphstore package."""
