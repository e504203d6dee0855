"""Loading descriptor trees: YAML with positions, the schema, validation, parallel parsing, git trees as a source, the model cache."""
