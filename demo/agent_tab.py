"""Agent tab, the layout and its wiring: a PPO policy landing on the moon. Pick a point in its training, a seed, a
temperature and conditions it never trained on (wind, gravity); Play runs the whole episode on the server (no
rendering, ~0.1 ms a step) and sends it as compact JSON, and the browser animates it on a canvas at the game's 50 fps
with the policy's action probabilities, the critic's value and the running return of each frame beside it. The
learning curve marks the chosen snapshot. The handlers are demo/agent_handlers.py, what they show
demo/agent_render.py, the CSS demo/static/agent.css and the player demo/static/agent_player.*."""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from core import limits
from core.rl.episode import DEFAULT_GRAVITY
from core.rl.io import LoadedAgent
from core.rl.episode import validate_conditions, validate_seed
from core.rl.policy import validate_temperature
from core.validation import KnobError
from demo import agent_render as render
from demo.agent_handlers import FIELDS, AgentHandlers, random_episode_seed
from demo.agent_maths_tab import build_agent_maths
from demo.first_view import first_view
from demo.errors import missing_model_notice, note_box
from demo.fly_tab import build_fly
from demo.glossary import term_key
from demo.i18n import i18n
from demo.knob_release import NUMBER_CLASSES, SLIDER_CLASSES
from demo.links import Draw, Links
from demo.shared import queue_group, static_text

LATEX = [{"left": "$", "right": "$", "display": False}]
# The tab's page-level CSS: what a gr.HTML's css_template cannot reach, since Gradio scopes that to the component. On a
# narrow screen the columns stack and the player with its Play button (#agent-output) sticks to the top of the screen
# while the knobs scroll under it, as the Images tab's picture does; the side panel folds into two lines under the
# canvas so that half the screen is left for the knobs. Notes under a field look like the text tab's (.field-note).
CSS = static_text("agent.css")
# The player, a gr.HTML: its template, its own CSS and the script that animates an episode (run once on mount)
PLAYER_TEMPLATE, PLAYER_CSS, PLAYER_JS = (static_text(f"agent_player.{ext}") for ext in ("html", "css", "js"))
# The moon and the lander, drawn by both players (the replay and Fly it yourself): one script in the page's head
HEAD = f"<script>{static_text('lander_draw.js')}</script>"


@dataclass
class AgentView:
    """Every component of the Agent tab that an event reads or writes (lay_out makes them, wire binds them)."""

    player: gr.HTML
    play: gr.Button
    randomise: gr.Button
    curve: gr.HTML
    knobs: list[gr.components.Component]  # snapshot, seed, temperature, wind, wind_power, gravity (FIELDS' order)
    notes: dict[str, gr.Markdown]  # by field, as FIELDS names them


def _note(name: str) -> gr.Markdown:
    return note_box(f"agent-{name.replace('_', '-')}-note")


def build_agent_tab(agent: LoadedAgent | None, note: str, links: Links | None = None) -> None:
    """Lay out the agent tab, wire its events and publish its API (call inside a gr.Blocks)."""
    if agent is None or not agent.snapshot_entries:
        missing_model_notice("reinforcement-learning agent", "python -m core.rl.ppo", note, elem_id="agent-missing")
        return
    handlers = AgentHandlers(agent)
    view = lay_out(agent)
    publish_api(handlers, view)
    wire(handlers, view, links)
    build_fly(agent, view.knobs)  # Fly it yourself: the same seed, wind and gravity, flown by you
    build_agent_maths(agent, view)  # The maths it learned by: one step of the episode shown, worked through PPO


def lay_out(agent: LoadedAgent) -> AgentView:
    """The components; the last snapshot is chosen and the player waits for Play."""
    entries = agent.snapshot_entries
    last = entries[-1]["name"]
    notes: dict[str, gr.Markdown] = {}
    gr.Markdown(i18n("agent.intro"))
    with gr.Row(elem_id="agent-row"):
        # The player and Play in one column: on a phone it sticks to the top of the screen (CSS) over the knobs
        with gr.Column(scale=3, elem_id="agent-output"):
            player = gr.HTML(None, html_template=PLAYER_TEMPLATE, css_template=PLAYER_CSS, js_on_load=PLAYER_JS,
                             labels=render.player_labels(), elem_id="agent-player", min_height=300, padding=False)
            play = gr.Button(i18n("agent.play"), variant="primary", elem_id="agent-play")
        with gr.Column(scale=2, elem_id="agent-knobs"):
            words = i18n("agent.snapshot_choice")
            snapshot = gr.Dropdown([(render.snapshot_choice(e, words), e["name"]) for e in entries], value=last,
                                   label=i18n("agent.snapshot"), info=i18n("agent.snapshot_info"), elem_id="agent-snapshot")
            notes["snapshot"] = _note("snapshot")
            with gr.Row():
                seed = gr.Number(0, precision=0, minimum=0, maximum=limits.MAX_SEED, label=i18n("agent.seed"),
                                 info=i18n("agent.seed_info"), elem_id="agent-seed", scale=3, elem_classes=NUMBER_CLASSES)
                randomise = gr.Button(i18n("agent.randomise"), scale=1, elem_id="agent-randomise")
            notes["seed"] = _note("seed")
            slider = dict(elem_classes=SLIDER_CLASSES)  # keyboard moves and typed values send release too (knob_release)
            temperature = gr.Slider(0.0, limits.MAX_POLICY_TEMPERATURE, 0.0, step=0.05, label=i18n("agent.temperature"),
                                    info=i18n("agent.temperature_info"), elem_id="agent-temperature", **slider)
            notes["temperature"] = _note("temperature")
            wind = gr.Checkbox(False, label=i18n("agent.wind"), elem_id="agent-wind")
            notes["wind"] = _note("wind")
            wind_power = gr.Slider(0.0, limits.MAX_WIND_POWER, 15.0, step=0.5, label=i18n("agent.wind_power"),
                                   elem_id="agent-wind-power", **slider)
            notes["wind_power"] = _note("wind_power")
            gravity = gr.Slider(limits.MIN_GRAVITY, limits.MAX_GRAVITY, DEFAULT_GRAVITY, step=0.01, label=i18n("agent.gravity"),
                                info=i18n("agent.gravity_info"), elem_id="agent-gravity", **slider)
            notes["gravity"] = _note("gravity")
    gr.Markdown(i18n("agent.player_explainer"), latex_delimiters=LATEX)
    curve = gr.HTML(None, elem_id="agent-curve", min_height=200)  # drawn in the page's language when it loads (wire)
    gr.Markdown(i18n("agent.curve_explainer"), latex_delimiters=LATEX)
    terms()
    return AgentView(player, play, randomise, curve, [snapshot, seed, temperature, wind, wind_power, gravity], notes)


def terms() -> None:
    """The words of reinforcement learning the tab uses, one glossary line each (demo/locales/glossary.py)."""
    with gr.Column(elem_id="agent-terms"):
        gr.Markdown(i18n("agent.terms_heading"), elem_classes=["agent-terms-heading"])
        for key in ("ppo", "critic", "gae"):
            with gr.Row(elem_classes=["agent-term"]):
                gr.Markdown(i18n(term_key(key) + ".name"), elem_classes=["agent-term-name"])
                gr.Markdown(i18n(term_key(key)), elem_classes=["agent-term-line"])


def publish_api(handlers: AgentHandlers, view: AgentView) -> None:
    """The public endpoint: a program's bad input gets a gr.Error with the message. Its trigger is a button the page
    never shows, so the page's own events (wire) can answer with notes instead while the API stays as it was."""
    api_trigger = gr.Button("Play (API)", visible=False)
    api_trigger.click(handlers.play, view.knobs, view.player, api_name="play_episode",
                      preprocess=False, **queue_group("agent"), show_progress="minimal",
                      api_description="Play one LunarLander episode with a snapshot of the PPO agent: every step's pose, action, "
                                      "action probabilities and value, and the episode's return and whether it landed, as JSON.")


def wire(handlers: AgentHandlers, view: AgentView, links: Links | None = None) -> None:
    """The page plays again after every way a knob can change: Play, a slider's release (a drag's end, its reset
    arrow, and knob_release's after arrow keys or a typed value), the seed's submit (Enter, or knob_release after
    typing), the wind box, another snapshot, Randomise. The newest value wins (always_last). A link's knobs
    (`links`) draw the same episode, so a linked landing is ready to watch."""
    snapshot, seed, temperature, wind, wind_power, gravity = view.knobs
    outputs = [view.player, *(view.notes[name] for name in FIELDS)]
    page_play = dict(fn=handlers.page_play, inputs=view.knobs, outputs=outputs,
                     api_name="page_play_episode", api_visibility="undocumented", preprocess=False,
                     **queue_group("agent"), show_progress="minimal", trigger_mode="always_last")
    gr.on([view.play.click, seed.submit, wind.input, snapshot.input] + [k.release for k in (temperature, wind_power, gravity)],
          **page_play)
    # The curve picture and the seed button serve the page only: left off the API page (still callable). The curve
    # is drawn when the tab is first opened (in the page's language: demo/first_view.py) and for every other snapshot
    snapshot.change(handlers.curve, snapshot, view.curve, api_name="learning_curve", preprocess=False, show_progress="hidden",
                    api_visibility="undocumented", trigger_mode="multiple")
    first_view("agent", handlers.curve, snapshot, view.curve, api_name="agent_first_curve", preprocess=False)
    view.randomise.click(random_episode_seed, None, seed, api_name="random_episode_seed", show_progress="hidden",
                         api_visibility="undocumented").then(**{**page_play, "api_name": "page_play_new_seed"})
    if links is not None:
        links.view("agent", dict(zip(LINK_PARAMS, zip(view.knobs, link_parsers(handlers)))),
                   Draw(handlers.page_play, view.knobs, outputs, queue_group("agent")))


# The URL parameter of each knob, in FIELDS' order (the tour opens views with these names: keep them)
LINK_PARAMS = ("agent-snapshot", "agent-seed", "agent-temperature", "agent-wind", "agent-wind-power", "agent-gravity")


def parse_wind(value: str) -> bool:
    """A link's wind: true/false or 1/0."""
    word = value.strip().lower()
    if word not in ("true", "false", "1", "0"):
        raise KnobError(f"Wind must be true or false; got {value[:40]!r}.")
    return word in ("true", "1")


def link_parsers(handlers: AgentHandlers) -> list:
    """Each knob's parse of a link's text, by the validator the page's Play uses (a snapshot that no longer exists,
    a seed out of range: refused, so the link's note names it)."""
    return [lambda v: handlers.agent.policy(v)[0]["name"], validate_seed, validate_temperature, parse_wind,
            lambda v: validate_conditions(wind_power=v).wind_power, lambda v: validate_conditions(gravity=v).gravity]
