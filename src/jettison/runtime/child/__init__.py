"""Code that runs inside the traced application's interpreter, not jettison's.

This directory is put on the child's PYTHONPATH: `sitecustomize.py` records every module the process
imports and who imported it; `jettison_startup.py` loads the app the way its server would. Both run on
the target Python (3.8 and later), use only the standard library and never import jettison.
"""
