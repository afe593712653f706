"""Stage 3, publish: an edition through the theme's templates to HTML and PDF, and the leak
guard over every text a reader or a machine gets from them."""
