"""The policy/value network and everything that touches torch: the learned tokenizer
(`tokenizer`), the model (`model`), batched inference for the search (`inference`), training
(`train`) and versioned checkpoints (`checkpoint`). Nothing else in the project imports torch."""
