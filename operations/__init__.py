"""Use cases of DSR Portal over one ``Context``: the layer between the Flask edge (``portal``)
and the Flask-free domain (``rights``) and exporters (``exporters``).

The web edge, the command line, the worker and (later) the machine API build a ``Context``
and call the same functions here. Nothing in this package imports Flask.
See docs/architecture.md.
"""
