"""Public API endpoints as the "Use via API" page shows them: gr.api (typed from the function's hints) with a line
for each argument and for what comes back, so the page speaks to the caller instead of naming Gradio's placeholder
slots ("the input value that is provided in the "1st" Api component").

HEAD makes Gradio 6.31's API page fit this app (tests/test_browser_page_defects.py checks each in Chromium):
the page probes two routes of features the app turns off, shows an MCP tab that says how to turn MCP on, ignores
the ?view=api it documents, and hides its "Use via API" link on a phone."""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import gradio as gr

from demo.shared import head_script, static_text
from serve.gradio_internals import describe_api_slots

# The page's MCP tab (its icon is Gradio's mcp-*.svg) explains how to turn on an MCP server, which this app keeps off
# (build.launch_demo: mcp_server=False; HttpGuard closes /gradio_api/mcp). A phone (<= 640 px) gets the footer link
# too, which Gradio hides there, and the page's title row wraps: on one row its endpoint count ran off the screen
# and the close button covered the API Recorder button. A <style> in the head, not launch(css=...): Gradio scopes
# that CSS to the app's own blocks (.gradio-container .contain), and the API page is outside them.
STYLE = f"<style>\n{static_text('api_page.css')}</style>"
# Answered in the page, without a request: the two probes of the API page for the monitoring dashboard and the MCP
# server, both off here (HttpGuard answers them 404, which the console logged as errors on every opening). The
# answers are what Gradio's page reads when they are off: a not-ok response, so no traffic figures and no MCP tab.
# Gradio reads ?view=api but draws the page only once its code is loaded, which only the footer link does (a first
# press closes the view the URL opened, the second loads and opens it); ?lang=mcp would open the hidden MCP tab.
HEAD = STYLE + head_script("api_page.js")


def public_endpoint(fn: Callable[..., Any], api_name: str, description: str, arguments: dict[str, str],
                    returns: list[tuple[dict[str, Any], str]], **kwargs: Any) -> Any:
    """gr.api(fn) listed on the API page with `description`, a line per argument (`arguments`, by parameter name)
    and per returned value (`returns`: its JSON schema, when the type hint cannot say it, and a line).

    The endpoint's description goes through gr.api's public api_description. Gradio 6.31 has no public way to give
    the page a line per argument or returned value (a docstring's Args: reach only its MCP schema), so those are
    written into gr.api's slots by serve/gradio_internals.py describe_api_slots."""
    fn = hints_resolved(fn)
    names = list(inspect.signature(fn).parameters)
    if set(arguments) != set(names):
        raise ValueError(f"{api_name}: describe exactly the arguments {names}, not {sorted(arguments)}")
    dependency = gr.api(fn, api_name=api_name, api_description=description, **kwargs)
    if len(returns) != len(dependency["outputs"]):
        raise ValueError(f"{api_name}: describe its {len(dependency['outputs'])} returned value(s)")
    describe_api_slots(dependency, [arguments[name] for name in names], returns)
    return dependency


def hints_resolved(fn: Callable[..., Any]) -> Callable[..., Any]:
    """fn with its type hints evaluated: under `from __future__ import annotations` they are strings, and gr.api
    splits a `tuple[...]` return hint into its outputs only when it is a type, not a string.
    A generator stays a generator function, so Gradio still streams it."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def endpoint(*args: Any, **kwargs: Any) -> Any:
            yield from fn(*args, **kwargs)
    else:
        @functools.wraps(fn)
        def endpoint(*args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)
    endpoint.__signature__ = inspect.signature(fn, eval_str=True)  # type: ignore[attr-defined]
    return endpoint
