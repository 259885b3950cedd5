"""Stand-in for ``modules.shared``: ``models_path`` (from modules.paths_internal); tests set it."""

models_path = "models"
