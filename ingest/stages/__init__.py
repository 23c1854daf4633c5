"""The scan pipeline's stages: parse (pure), batch, apply (one transaction), publish."""
