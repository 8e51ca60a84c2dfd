# port: filled in by its owner
