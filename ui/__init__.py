"""Streamlit glue: the one place with caches, the login gate and the URL-backed filters."""
