"""The commands: one function per CLI verb, wiring the stages (``build``, ``init``, ``assign``).

Input: paths and options from the CLI. Output: files written and exit-worthy errors.
``commands.build`` is the orchestrator; reading it tells a newcomer the whole program.
May import: every stage below it; nothing imports it but ``generator.cli`` (and ``cli_options``).
"""
