"""PostgreSQL, the optional shared backend: the pool, the migrations, the stores behind the seams."""
