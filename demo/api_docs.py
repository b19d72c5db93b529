"""Public API endpoints as the "Use via API" page shows them: gr.api (typed from the function's hints) with a line
for each argument and for what comes back, so the page speaks to the caller instead of naming Gradio's placeholder
slots ("the input value that is provided in the "1st" Api component")."""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import gradio as gr
from gradio.context import get_blocks_context


def public_endpoint(fn: Callable[..., Any], api_name: str, description: str, arguments: dict[str, str],
                    returns: list[tuple[dict[str, Any], str]], **kwargs: Any) -> Any:
    """gr.api(fn) listed on the API page with `description`, a line per argument (`arguments`, by parameter name)
    and per returned value (`returns`: its JSON schema, when the type hint cannot say it, and a line).

    The lines go into the schema each slot reports (gradio.components.api_component.Api), which is where the API
    page reads a parameter's description ("additional_description") and a return value's ("description")."""
    fn = _hints_resolved(fn)
    names = list(inspect.signature(fn).parameters)
    if set(arguments) != set(names):
        raise ValueError(f"{api_name}: describe exactly the arguments {names}, not {sorted(arguments)}")
    dependency = gr.api(fn, api_name=api_name, api_description=description, **kwargs)
    blocks = get_blocks_context().blocks  # type: ignore[union-attr]  # gr.api has just checked there is one
    for name, block_id in zip(names, dependency["inputs"]):
        slot = blocks[block_id]
        slot._api_info = {**slot._api_info, "additional_description": arguments[name]}
    if len(returns) != len(dependency["outputs"]):
        raise ValueError(f"{api_name}: describe its {len(dependency['outputs'])} returned value(s)")
    for (schema, line), block_id in zip(returns, dependency["outputs"]):
        slot = blocks[block_id]
        slot._api_info = {**(schema or slot._api_info), "description": line}
    return dependency


def _hints_resolved(fn: Callable[..., Any]) -> Callable[..., Any]:
    """fn with its type hints evaluated: under `from __future__ import annotations` they are strings, and gr.api
    splits a `tuple[...]` return hint into its outputs only when it is a type (gradio.utils.get_return_types).
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
