"""Running what we build: trace what an app imports at start-up, start images, probe them, compare.

Every module here that starts a process says so in its docstring and takes the runner (process.Runner)
or the container engine as a parameter. Nothing started here outlives the call that started it.
"""
