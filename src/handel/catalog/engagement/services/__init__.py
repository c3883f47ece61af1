"""Write use cases of reviews, questions, wishlists and compare lists (one module each)."""
