"""The store: the SQLite database (`db`) and its full-text search index (`search`)."""
