"""The Gradio UI of the playground: one module per tab; handlers are plain functions/methods that tests call."""
