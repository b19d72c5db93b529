"""What the GAN playground shows: the explanations beside the plane, the status lines, and the compact JSON view
(points, D on a 24x24 grid, G's gradient arrows, thinned curves) that the page's script (demo/static/toy_gan.js)
draws on two canvases. Pure (no Gradio); the handlers are demo/toy_gan_handlers.py, the layout
demo/toy_gan_tab.py."""
from __future__ import annotations

import json
from typing import Any

INTRO = r"""Two small networks play the game of the essay on points in the plane. $G(z)$ turns 2-D noise $z$ into a
point; $D(x)$ says how likely a point $x$ is real. They train against each other on
$$\min_G \max_D \; \mathbb{E}_{x\sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z}[\log(1 - D(G(z)))]$$
Press **Play** and change the knobs while it runs (GAN Lab style, on this server's CPU)."""

MAP_NOTE = r"""**The plane.** Background: $D(x)$ at every point, green where D says *real* ($D(x)\to 1$), purple where
it says *fake* ($D(x)\to 0$). Green dots: real samples $x$. Purple dots: fakes $G(z)$ for fixed noise $z$. Faint
purple mesh: $G$ applied to a square grid of noise $z \in [-2, 2]^2$, showing how $G$ bends and folds the plane of
noise onto the data (where the mesh bunches up, many $z$ land on few points).
Arrows: $-\nabla_x$ of G's loss at $x = G(z)$ (for the non-saturating loss, $-\log D(G(z))$): where G is pushing
each fake point, up the slope of $D$."""

CURVES_NOTE = r"""**Curves.** Blue: D's loss $-\log D(x) - \log(1 - D(G(z)))$ (about $2\log 2 \approx 1.39$ when D
can no longer tell). Orange: G's loss $-\log D(G(z))$. Black (own scale): the energy distance between the fake and
real points, 0 only when the two distributions are the same."""

READY = "Press **Play** to train, or **One step** to take one update at a time."
PLAYING = "Training: change any knob, it takes effect at the next frame."
PAUSED = "Paused."
# What the page's script sends when the playground's tab (or the browser tab) is no longer shown: nobody is watching,
# so it stops training; coming back, the status says so and Play goes on from there.
PAUSED_HIDDEN = "Paused while the playground was out of sight. Press **Play** to go on."


def capped(max_steps: int) -> str:
    """The status once a session has trained as many steps as one may."""
    return f"Stopped: {max_steps} steps is the cap per session. Press Reset to start again."


def new_gan(seed: int) -> str:
    """The status after Reset, echoing the seed as the server read it."""
    return f"A new GAN from seed {seed}: press **Play** or **One step**."


def view_json(view: dict[str, Any]) -> str:
    """The view as the page's script reads it: compact, and never NaN (which JSON.parse refuses)."""
    return json.dumps(view, allow_nan=False, separators=(",", ":"))
