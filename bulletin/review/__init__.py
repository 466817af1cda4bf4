"""Review: the states of a bulletin and who moved it between them."""
