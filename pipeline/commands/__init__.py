"""Query commands of the `baocao` CLI (one module per group of commands) and the
shared output formats; `pipeline/cli.py` registers them."""
