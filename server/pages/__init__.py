"""What the human-facing pages need, kept apart from the views: reading the store through the evaluator
pool, mapping paths to IRIs, labels, search, the source viewer and the models each template renders."""
