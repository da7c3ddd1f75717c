"""Document kinds: one module each, the same small interface, registered in registry.py."""
