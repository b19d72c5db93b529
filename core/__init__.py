"""Models, samplers and agents of the GPT, GAN and RL playground. Knows nothing of the UI (never imports gradio)."""
