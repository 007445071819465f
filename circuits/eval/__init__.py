"""Evaluating circuits: the interpreter (every number system), the compiled tape engine and
the JAX export."""
