"""Renderers: Markdown (and HTML, Word, JSON as they land)."""
