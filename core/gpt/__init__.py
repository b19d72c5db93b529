"""A small character-level GPT: model, tokenizer, sampler, data, training and evaluation."""
