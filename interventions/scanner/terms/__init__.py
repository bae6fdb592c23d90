"""The default term lists, one module per part; default_terms.py joins them."""
