"""Models and samplers of the GPT + GAN playground. Knows nothing of the UI (never imports gradio)."""
