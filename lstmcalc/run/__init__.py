"""Running the model: nested-list tensors, the reference forward pass, `verify` and weight files."""
