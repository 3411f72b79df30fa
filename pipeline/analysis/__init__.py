"""Analysis stages (one module per kind of fact) and the corpus-wide finalizers;
`stages.py` lists them in the order they run."""
