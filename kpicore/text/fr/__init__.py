"""The French catalogue (the default): one module per part of the product, each with ``MESSAGES``."""
