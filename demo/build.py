"""build_demo(): the three tabs in one gr.Blocks with the queue set up; launch_demo(): launch behind the HTTP guard
(serve/http_guard.py) with the Gradio features this app does not use turned off."""
from __future__ import annotations

import os
import tempfile
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from demo.about_tab import CSS as ABOUT_CSS, build_about_tab
from demo.api_docs import HEAD as API_HEAD
from demo.agent_tab import CSS as AGENT_CSS, HEAD as AGENT_HEAD, build_agent_tab
from demo.fly_tab import CSS as FLY_CSS
from demo.app_state import AGENT_NAME, GAN_NAME, GPT_NAME, GPT_SNAPSHOTS_NAME, SNAPSHOTS_NAME, AppState
from demo.gpt_learning_tab import CSS as GPT_LEARNING_CSS, build_gpt_learning
from demo.gpt_models import GptModels
from demo.own_text_tab import CSS as OWN_TEXT_CSS, build_own_text
from core.gan.judge import DISCRIMINATOR_NAME
from core.gan.real_sample import SAMPLE_DIR
from demo.gan_game_handlers import make_game
from demo.gan_game_tab import CSS as GAME_CSS, build_gan_game
from demo.gan_learning_tab import CSS as LEARNING_CSS, build_gan_learning
from demo.gan_apps_tab import CSS as GAN_APPS_CSS, HEAD as GAN_APPS_HEAD, build_gan_apps
from demo.i18n import CSS as LANGUAGE_CSS, I18N, PAGE_SCRIPT, SWITCH_HTML, i18n, text
from demo.first_view import HEAD as FIRST_VIEW_HEAD, open_on_select
from demo.image_tab import CSS as IMAGE_CSS, HEAD as IMAGE_HEAD, PAGE_SCRIPT as IMAGE_PAGE_SCRIPT, build_image_tab
from demo.inside_tab import CSS as INSIDE_CSS
from demo.inside_tab import build_inside_tab
from demo.knob_release import HEAD as KNOB_RELEASE_HEAD
from demo.links import CSS as LINKS_CSS, HEAD as LINKS_HEAD, Links, copy_link_button
from demo.style import CSS as STYLE_CSS, THEME
from demo.text_tab import CSS as TEXT_CSS, HEAD as TEXT_HEAD, build_text_tab
from demo.toy_gan_tab import CSS as TOY_GAN_CSS, HEAD as TOY_GAN_HEAD, build_toy_gan_tab
from demo.tour_tab import CSS as TOUR_CSS, build_tour
from serve.memory import return_freed_memory
from demo.shared import GROUP_LIMITS
from serve.gradio_internals import concurrency_groups, make_js_only_events_private, slim_sessions
from serve.fly_keys import FlyKeysRoute
from serve.latent_route import Z_BURST, Z_PATH, Z_PER_S, LatentRoute
from serve.http_guard import GuardConfig, HttpGuard

# The title and introduction in English (the page's own title, the README's heading); the page shows them in the
# reader's language (demo/locales/frame.py).
TITLE = text("page.title", "en")
SUBTITLE = text("page.subtitle", "en")
# The page's CSS and head scripts: each tab's files in demo/static/ (read by its module when the app starts) and
# style.py's page-wide rules, passed to launch(css=..., head=...), so the page loads nothing from another origin.
CSS = "\n".join([STYLE_CSS, TEXT_CSS, IMAGE_CSS, INSIDE_CSS, TOY_GAN_CSS, LEARNING_CSS, ABOUT_CSS, GAME_CSS, AGENT_CSS,
                 GPT_LEARNING_CSS, OWN_TEXT_CSS, LANGUAGE_CSS, LINKS_CSS, TOUR_CSS, GAN_APPS_CSS, FLY_CSS])
# Scripts for the page head: keyboard moves of a knob send its release (page-wide), the text tab's shortcuts, the 2-D
# GAN's canvas, the API page's fixes (demo/api_docs.py), the Images tab's panel drawn in the page (image_web.js)
HEAD = "\n".join([FIRST_VIEW_HEAD, KNOB_RELEASE_HEAD, TEXT_HEAD, TOY_GAN_HEAD, API_HEAD, LINKS_HEAD, GAN_APPS_HEAD, AGENT_HEAD, IMAGE_HEAD])
# Each event group's limits (HttpGuard's per session, per address and in all, and Gradio's workers) are stated once,
# in demo/shared.py GROUPS; GROUP_LIMITS is HttpGuard's part of them.
QUEUE_SPARE = 32  # Gradio's own cap over all groups is the sum of the group totals plus this: a last stop only
# Sessions whose state Gradio keeps in memory, the oldest dropped first (an evicted tab keeps working; its gr.State
# values start again from their defaults). Gradio's default is 10 000, too many for this app's per-session state
# before slim_sessions() (serve/gradio_internals.py; figures: docs/performance.md); HttpGuard also limits how fast
# one address may open sessions.
STATE_SESSIONS = 1_000


def private_cache_dir() -> str:
    """Give Gradio a cache folder of its own (mode 0700, made by mkdtemp), unless GRADIO_TEMP_DIR names one: the
    default /tmp/gradio is shared and predictable, so another local user could plant files or links there.
    Called before any gr.Blocks exists (Blocks reads the folder when it is made)."""
    if not os.environ.get("GRADIO_TEMP_DIR"):
        os.environ["GRADIO_TEMP_DIR"] = tempfile.mkdtemp(prefix="playground-gradio-")
    return os.environ["GRADIO_TEMP_DIR"]


def build_demo(state: AppState, links: Links | None = None) -> gr.Blocks:
    """Lay out the tabs from models loaded once at start-up (state); handlers never load weights. `links` receives
    every tab's link parameters (a test reads them back); a fresh registry when not given."""
    private_cache_dir()
    slim_sessions()
    gpt_models = GptModels(state.gpt, state.gpt_snapshots)  # one registry for every GPT view (demo/gpt_models.py)
    links = links if links is not None else Links()  # every tab's knobs in the page's URL (demo/links.py)
    with gr.Blocks(title=TITLE, delete_cache=(3600, 3600)) as demo:
        gr.Markdown(i18n("page.header"))
        # English | 中文: plain links (demo/static/language.js acts on a click), drawn above the title by
        # demo/static/language.css (after it in the page, so the title stays the page's first text)
        gr.HTML(SWITCH_HTML, elem_id="language-switch", js_on_load=None)
        copy_link_button()
        links.note_box()
        # "wrap": on a phone the six tab names take two rows, where Gradio's default folded four of them into a menu
        with gr.Tabs(overflow_behavior="wrap", elem_id="main-tabs") as tabs:
            with gr.Tab(i18n("tab.tour"), id="tour"):
                build_tour(state)  # Start here: the three ideas, step by step (demo/tour_tab.py)
            with gr.Tab(i18n("tab.text"), id="text"):
                text_parts = build_text_tab(state.gpt, state.notes.get(GPT_NAME, ""), gpt_models, links=links)
            with gr.Tab(i18n("tab.inside"), id="inside") as inside_tab:
                inside = build_inside_tab(state.gpt, state.notes.get(GPT_NAME, ""), text_parts, inside_tab, gpt_models,
                                          links=links)
            with gr.Tab(i18n("tab.learn"), id="learn"):
                build_gpt_learning(gpt_models, state.notes.get(GPT_SNAPSHOTS_NAME, ""), inside, tabs, links=links)
                build_own_text(gpt_models, demo)  # train a small GPT on your text (demo/own_text_tab.py)
            with gr.Tab(i18n("tab.image"), id="image") as image_tab:
                build_image_tab(state.gan, state.notes.get(GAN_NAME, ""), state.judges, state.notes.get(DISCRIMINATOR_NAME, ""),
                                links=links, demo=demo)
                build_gan_game(*make_game(state.gan, state.judges, state.real_sample, [state.notes.get(k, "") for k in (GAN_NAME, DISCRIMINATOR_NAME, SAMPLE_DIR.name)]), demo=demo)
                build_gan_learning(state.learning, state.notes.get(SNAPSHOTS_NAME, ""), links=links, demo=demo)
                build_gan_apps(state.gan, state.judges, state.real_sample, state.notes.get(DISCRIMINATOR_NAME, ""))
            with gr.Tab(i18n("tab.toy_gan"), id="toy-gan"):
                build_toy_gan_tab(demo, links=links)
            with gr.Tab(i18n("tab.agent"), id="agent") as agent_tab:
                build_agent_tab(state.agent, state.notes.get(AGENT_NAME, ""), links=links)
            with gr.Tab(i18n("tab.about"), id="about"):
                build_about_tab(state)
        open_on_select("image", image_tab)  # its verdict and grid, game round and snapshot: drawn when first opened
        open_on_select("agent", agent_tab)  # its learning curve
        for tab_id in ("tour", "text", "inside", "learn", "image", "toy-gan", "agent", "about"):
            links.tab(tab_id)  # what ?tab= may select
        links.wire()
        make_js_only_events_private(demo)  # before the Blocks closes: Gradio writes the page's config then
    # Gradio's queue keeps a record of the last GRADIO_ANALYTICS_MAX_EVENTS events (default 10 000) for its monitoring
    # page and, by default, rebuilds a pandas summary of all of them after every event: at 10 000 records that is
    # CPU on every event and memory held (docs/performance.md). The app shows no monitoring page, so
    # keep 1 000 records and summarise them once per 1 000 events (read when the queue is created, just below).
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    # Default limit 2 (two CPU cores); each event group sets its own via concurrency_id. api_open=False: the direct
    # /gradio_api/run/<name> routes would answer outside the queue and its limits (HttpGuard also refuses them).
    demo.queue(default_concurrency_limit=2, max_size=queue_size(demo), api_open=False)
    return demo


def queue_size(demo: gr.Blocks) -> int:
    """Gradio's queue-wide cap: the totals of the groups this app's events are in (GROUP_LIMITS, or the guard's
    default for a group not listed there), plus QUEUE_SPARE, so HttpGuard's per-group totals always refuse first."""
    default = GuardConfig().default_group
    return sum(GROUP_LIMITS.get(group, default).total for group in concurrency_groups(demo)) + QUEUE_SPARE


def guard_config(per_address: bool = True) -> GuardConfig:
    """The HTTP guard's limits. Behind Hugging Face's proxy (SPACE_ID is set there) every request arrives from the
    proxy, so the client's address is read from the X-Forwarded-For entry the proxy appends."""
    return GuardConfig(groups=GROUP_LIMITS, per_address=per_address, trust_forwarded_for=bool(os.environ.get("SPACE_ID")),
                       metered_paths={Z_PATH: (Z_BURST, Z_PER_S)})


def launch_demo(demo: gr.Blocks, guard: GuardConfig | None = None, **kwargs: Any) -> Any:
    """demo.launch behind HttpGuard, with the app's CSS. allowed_paths stays empty and uploads are refused, so the
    app serves only files it generated. Features the playground does not use are turned off, because each is a
    route or a page a visitor could reach: monitoring (its /monitoring/summary route answers anyone), run history
    (a page and Hub-bucket routes), MCP, PWA, server-side rendering (a Node server beside Python). THEME is Gradio's
    default with complete bold fonts (demo/style.py)."""
    kwargs.setdefault("show_error", False)
    # page_script: the language choice (demo/i18n.py) and the Images tab's runtime loader, first in the page's head;
    # i18n=I18N: the app's strings.
    # FlyKeysRoute: Fly it yourself's keys, answered beside Gradio (no queue), inside the guard's checks;
    # LatentRoute: a seed's noise, the image panel's ONNX model and ONNX Runtime Web for the Images tab's page
    middleware = [Middleware(HttpGuard, blocks=demo, config=guard or guard_config(), page_script=PAGE_SCRIPT + IMAGE_PAGE_SCRIPT),
                  Middleware(FlyKeysRoute), Middleware(LatentRoute)]
    return_freed_memory()  # serve/memory.py
    return demo.launch(theme=THEME, css=CSS, head=HEAD, allowed_paths=[], app_kwargs={"middleware": middleware}, enable_monitoring=False,
                       run_history=False, mcp_server=False, pwa=False, ssr_mode=False, max_file_size="1kb",
                       state_session_capacity=STATE_SESSIONS, footer_links=["api", "gradio", "settings"], i18n=I18N, **kwargs)
