"""Image generation core: a class-conditional DCGAN on Fashion-MNIST, latent-noise tools and a classifier-based
quality metric. Never imports gradio."""
