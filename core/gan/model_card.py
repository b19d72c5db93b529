"""Model cards (README.md in the checkpoint dirs), written from config.json so the figures always match it."""
from __future__ import annotations

from pathlib import Path

from core.checkpoints import CARD_FILE, atomic_write_text, load_config


def phase_lines(config: dict) -> list[str]:
    """How the weights were trained: one command, or (core.gan.train --init-from) the first phase's and the second's."""
    training = config.get("training", {})
    earlier = training.get("earlier_phase")
    if not earlier:
        return [f"- Trained with: `{config.get('train_command', '?')}`"]
    return [f"- First phase, steps 0-{earlier['steps']} ({earlier.get('train_minutes', '?')} minutes), learning rate constant: "
            f"`{earlier.get('command', '?')}`",
            f"- Second phase, steps {training['phase_start_step']}-{training['steps']}, learning rate {training.get('phase_lr', '?')}, "
            f"from the first phase's EMA generator (as G and as its average) and the discriminator then in "
            f"`{earlier.get('discriminator', '?')}`: "
            f"`{config.get('train_command', '?')}`"]


def write_gan_card(directory: str | Path) -> None:
    config = load_config(directory)
    m, metrics, training = config["model"], config.get("metrics", {}), config.get("training", {})
    lines = [
        "---", "license: mit", "library_name: pytorch", "tags: [gan, dcgan, conditional, fashion-mnist, playground]", "---", "",
        "# gan-fashion: a class-conditional DCGAN on Fashion-MNIST", "",
        f"A DCGAN generator (linear stem to 4x4, transposed convolutions with batch norm and ReLU, tanh) drawing 32x32 grey "
        f"images of the 10 Fashion-MNIST classes from a {m['z_dim']}-d latent and a class label; "
        f"{training.get('generator_parameters', 0):,} parameters. The weights are an exponential moving average of the "
        f"generator's (batch-norm statistics re-measured on the averaged weights). Trained against a projection "
        f"discriminator ({training.get('discriminator_parameters', 0):,} parameters, strided convolutions, LeakyReLU).",
        f"{m['num_directions']} GANSpace directions (PCA of the first layer's activations, mapped back to z) are stored "
        "in `model.safetensors` as `directions` / `direction_scales`.", "",
        f"- Data: {training.get('data', '?')}, 28x28 padded to 32x32.",
        *phase_lines(config),
        f"- Training: {training.get('steps', '?')} steps ({training.get('epochs', '?')} epochs) of batch {training.get('batch_size', '?')}, "
        f"{training.get('train_minutes', '?')} minutes wall clock{' in the last phase' if 'earlier_phase' in training else ''} "
        "on a 2-core CPU machine shared with other jobs."
        + (f" The run was planned for {training['planned_steps']} steps and stopped after this checkpoint (time budget); "
           "`--resume` continues it." if training.get("planned_steps", 0) > training.get("steps", 0) else "")
        + (f" Chosen: {training['selected']}." if training.get("selected") else ""), "",
    ]
    if metrics.get("fd_generated_vs_test") is not None:
        runs = [metrics] + ([metrics["truncated"]] if "truncated" in metrics else [])
        lines += [
            "## Metrics", "",
            f"Features: the penultimate layer of the project's own Fashion-MNIST classifier ({metrics.get('classifier', 'checkpoints/fashion-classifier')}); "
            f"{metrics.get('samples', '?')} generated images (classes balanced, seeds from one stream) vs the "
            f"{metrics.get('test_images', '?')} test images; real-vs-real uses as many random train images.", "",
            "Commands: " + "; ".join(f"`{r.get('command', '?')}`" for r in runs), "",
            "| metric | " + " | ".join(f"psi {r.get('psi', 1.0):g}" for r in runs) + " |",
            "|---|" + "---|" * len(runs),
        ]
        for key, label in [("fd_generated_vs_test", "Frechet distance, generated vs test"),
                           ("fd_train_vs_test", "Frechet distance, real train vs test (scale)"),
                           ("fd_ratio", "ratio (target: at most 5)"),
                           ("class_fidelity", "class fidelity (share classified as the requested class)"),
                           ("classifier_test_accuracy", "classifier accuracy on real test images (target: fidelity at or above it)")]:
            lines.append(f"| {label} | " + " | ".join(str(r.get(key)) for r in runs) + " |")
        met_fd, met_fidelity = metrics["fd_ratio"] <= 5, metrics["class_fidelity"] >= metrics["classifier_test_accuracy"]
        lines += ["", f"Targets at psi 1: class fidelity at or above the classifier's test accuracy: "
                  f"{'met' if met_fidelity else 'not met'} ({metrics['class_fidelity']} vs {metrics['classifier_test_accuracy']}); "
                  f"Frechet distance within 5x of real-vs-real: {'met' if met_fd else 'not met'} (ratio {metrics['fd_ratio']})."]
        per_class = metrics.get("per_class_fidelity", {})
        if per_class:
            lines += ["", "Class fidelity per class (psi 1): " + ", ".join(f"{k} {v}" for k, v in per_class.items()) + "."]
        lines.append("")
    lines += ["## Samples (`samples.png`: one row per class, top to bottom "
              "T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot; psi 1)", "",
              "![samples](samples.png)", "",
              "Sample one: `python -m core.gan.sample --class Sneaker --seed 3 --psi 0.7 --out sneaker.png`", ""]
    atomic_write_text(Path(directory) / CARD_FILE, "\n".join(lines))


def write_classifier_card(directory: str | Path) -> None:
    config = load_config(directory)
    m, metrics = config["model"], config.get("metrics", {})
    lines = [
        "---", "license: mit", "library_name: pytorch", "tags: [classifier, fashion-mnist, playground]", "---", "",
        "# fashion-classifier: the feature network of the GAN metrics", "",
        f"A small CNN (three blocks of one 3x3 convolution, batch norm, ReLU and 2x2 max-pooling, widths {m['width']}/{2 * m['width']}/{4 * m['width']}, "
        f"a {m['feature_dim']}-d feature layer, {metrics.get('parameters', 0):,} parameters) trained on the Fashion-MNIST "
        "train split (28x28 padded to 32x32, [-1, 1]). Its feature layer is the space of the GAN's Frechet distance "
        "and its predictions give class fidelity (Inception weights cannot be downloaded here).", "",
        f"- Trained with: `{metrics.get('command', '?')}` ({metrics.get('epochs', '?')} epochs, {metrics.get('train_minutes', '?')} minutes wall clock on a shared 2-core CPU machine)",
        "", "| metric | value |", "|---|---|",
        f"| test accuracy (10 000 Fashion-MNIST test images) | {metrics.get('test_accuracy')} |",
        f"| train accuracy (last epoch, with dropout and flips) | {metrics.get('train_accuracy')} |", "",
    ]
    atomic_write_text(Path(directory) / CARD_FILE, "\n".join(lines))
