"""Genogram drawing: who is drawn (`render.scope`), pure layout decisions (`render.layout`),
geometry and notation (`render.compose`, `render.geometry`, `render.notation`), DOT source
(`render.dot`) and the step that runs Graphviz (`render.draw`). Only this package imports or
runs Graphviz."""

from render.compose import RenderOptions, compose, node_id
from render.dot import build_dot, drawing_to_dot
from render.draw import render_file
from render.geometry import Drawing
from render.layout import generations_of, select
from render.scope import RELATION_KINDS, Scope, apply_scope

__all__ = [
    "RELATION_KINDS",
    "Drawing",
    "RenderOptions",
    "Scope",
    "apply_scope",
    "build_dot",
    "compose",
    "drawing_to_dot",
    "generations_of",
    "node_id",
    "render_file",
    "select",
]
