"""Domain actions below both front ends: the command line and the admin area call these.

- :mod:`~tidings.operations.sources`: subscribe, pause, resume, edit, remove a source;
- :mod:`~tidings.operations.users`: accounts (passwords hashed in :mod:`tidings.passwords`);
- :mod:`~tidings.operations.pipeline`: run a stage now, requeue, reset feed errors.

Each takes the store and plain values and raises :class:`~tidings.errors.TidingsError`
subclasses; neither ``click`` nor Starlette is imported here, so a front end only parses its
input and prints (or renders) the result, and the two cannot drift apart.
"""
