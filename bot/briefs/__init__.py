"""Optional model-written briefs, each sentence grounded in the articles it cites (issue 23)."""
