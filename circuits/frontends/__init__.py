"""Ways into a circuit besides the builder: the safe expression parser, JSON and sympy."""
