"""The database and the read side: schema and migrations, the one engine factory and settings,
the access scope, and named read functions returning Polars frames (scope a parameter of every
query, applied in SQL). Nothing here imports from the other ``data_access`` packages."""
