"""Further CLI commands, one module each (``memory``, ``batch``, ``metrics``, ...).

Each module named in :data:`COMMAND_MODULES` has ``register(subparsers)``, which adds its
sub-parser(s) with ``set_defaults(func=...)``; ``func(args, config) -> int`` returns the exit
code and raises :class:`~customer_snapshot.errors.SnapshotError` for expected failures (the CLI
maps them to exit codes in one place). Importing a module must stay cheap: heavy imports go
inside the command functions, so ``--help`` stays fast.
"""

COMMAND_MODULES: tuple[str, ...] = (
    "customer_snapshot.commands.memory",
    "customer_snapshot.commands.ops",
    "customer_snapshot.commands.batch",
)
