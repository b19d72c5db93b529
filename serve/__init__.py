"""Serving plumbing: worker processes, pipes, framing and the scheduler that batches text streams.

Neither model arithmetic (core/) nor UI (demo/): the app's handlers call into here, and here calls core/gpt's
batched decode step. Never imports gradio.
"""
