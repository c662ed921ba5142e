"""Genogram drawing: pure layout (`render.layout`), DOT source (`render.dot`) and the step
that runs Graphviz (`render.draw`). Only this package imports or runs Graphviz."""

from render.dot import RenderOptions, build_dot, node_id
from render.draw import render_file
from render.layout import generations_of, select

__all__ = ["RenderOptions", "build_dot", "generations_of", "node_id", "render_file", "select"]
