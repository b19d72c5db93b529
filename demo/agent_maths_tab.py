"""The Agent tab's section "The maths it learned by": one real step of the episode the player shows, worked through
PPO with the agent's numbers (core/rl/worked_step.py, by core/rl/ppo.py's own functions). An accordion under the
tab; a click on the small timeline of the episode's advantages picks the step under it, the step slider follows
and fine-tunes it, and the worked step is Markdown with its formulas in LaTeX.

Why a slider as well as the click: an episode has up to 1 000 steps, and on a 390 px phone the timeline gives each
step under half a pixel, so a tap lands near a step, not on it; the slider's arrow keys then move exactly one step,
with a keyboard or a screen reader too.

The handlers are demo/agent_maths_handlers.py, what they show demo/agent_maths_render.py, the timeline's CSS and
click demo/static/agent_maths.css and agent_maths_timeline.js. A display formula wider than a phone scrolls inside
its own line (Gradio's KaTeX styles); each equation is broken into short lines so that few do."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import gradio as gr

from core.rl.io import LoadedAgent
from demo.agent_maths_handlers import AgentMathsHandlers
from demo.errors import note_box
from demo.i18n import i18n
from demo.knob_release import SLIDER_CLASSES
from demo.shared import LATEX, queue_group, static_text

if TYPE_CHECKING:
    from demo.agent_tab import AgentView

# The timeline's CSS (which of its two drawings shows), as its gr.HTML's css_template: the section needs no page CSS
TIMELINE_CSS = static_text("agent_maths.css")
TIMELINE_JS = static_text("agent_maths_timeline.js")  # a click on the timeline picks the step under it


@dataclass
class AgentMathsView:
    step: gr.Slider
    timeline: gr.HTML
    worked: gr.Markdown
    note: gr.Markdown


def build_agent_maths(agent: LoadedAgent, agent_view: "AgentView") -> AgentMathsHandlers:
    """Lay out the section under the Agent tab (call inside its gr.Blocks, after the tab's own lay_out), wire it to
    the tab's player and publish its API."""
    handlers = AgentMathsHandlers(agent)
    view = lay_out()
    wire(handlers, view, agent_view)
    publish_api(handlers, view, agent_view)
    return handlers


def lay_out() -> AgentMathsView:
    with gr.Accordion(i18n("agent_maths.title"), open=False, elem_id="agent-maths"):
        gr.Markdown(i18n("agent_maths.intro"), latex_delimiters=LATEX, elem_id="agent-maths-intro")
        timeline = gr.HTML("", css_template=TIMELINE_CSS, js_on_load=TIMELINE_JS, elem_id="agent-maths-timeline",
                           padding=False)
        step = gr.Slider(0, 1, 0, step=1, label=i18n("agent_maths.step"), info=i18n("agent_maths.step_info"),
                         interactive=False, elem_id="agent-maths-step", elem_classes=SLIDER_CLASSES)
        note = note_box("agent-maths-step-note")
        worked = gr.Markdown(i18n("agent_maths.waiting"), latex_delimiters=LATEX, elem_id="agent-maths-worked")
    return AgentMathsView(step, timeline, worked, note)


# The episode's knobs out of the player's JSON, in the page (the rest stays there): snapshot, seed, temperature,
# conditions; anything unreadable goes as it is, and the handler refuses it with a note.
EPISODE_KNOBS_JS = ("((p) => { try { const e = JSON.parse(p); return JSON.stringify({snapshot: e.snapshot, seed: e.seed, "
                    "temperature: e.temperature, conditions: e.conditions}); } catch (err) { return p; } })")


def wire(handlers: AgentMathsHandlers, view: AgentMathsView, agent_view: "AgentView") -> None:
    """A new episode in the player works its step with the largest advantage; a release of the step slider (a drag's
    end, or knob_release after arrow keys or a typed value) works that step, and so does a click on the timeline
    (the slider moves to it). Page events: off the API page."""
    common = dict(preprocess=False, **queue_group("agent"), show_progress="hidden", api_visibility="undocumented",
                  trigger_mode="always_last")
    # The player's value is the whole episode (every frame: far over the guard's 64 kB per request); the handler needs
    # only the knobs it was played with (AgentMathsHandlers.episode_knobs), so the page sends just those.
    agent_view.player.change(handlers.page_episode, agent_view.player,
                             [view.step, view.timeline, view.worked, view.note], api_name="page_ppo_worked_episode",
                             js=f"(player) => [{EPISODE_KNOBS_JS}(player)]", **common)
    view.step.release(handlers.page_step, [agent_view.player, view.step], [view.timeline, view.worked, view.note],
                      api_name="page_ppo_worked_step", js=f"(player, step) => [{EPISODE_KNOBS_JS}(player), step]", **common)
    # a click on the timeline picks the step under it (demo/static/agent_maths_timeline.js): the slider follows
    view.timeline.select(handlers.page_pick, agent_view.player, [view.step, view.timeline, view.worked, view.note],
                         api_name="page_ppo_worked_pick", js=f"(player) => [{EPISODE_KNOBS_JS}(player)]", **common)


def publish_api(handlers: AgentMathsHandlers, view: AgentMathsView, agent_view: "AgentView") -> None:
    """The public endpoint: a program's bad input gets a gr.Error with the message (a hidden trigger, as the tab's
    /play_episode has)."""
    api_trigger = gr.Button("PPO worked step (API)", visible=False)
    api_trigger.click(handlers.worked, [*agent_view.knobs, view.step], view.worked, api_name="ppo_worked_step",
                      preprocess=False, **queue_group("agent"), show_progress="hidden",
                      api_description="One step of the episode that /play_episode plays for the same knobs, worked "
                                      "through PPO by the code that trained the agent: reward, V(s_t), V(s_t+1), TD "
                                      "error, GAE advantage, the policy ratio between two consecutive snapshots and "
                                      "the clipped objective with its active branch, as JSON.")
