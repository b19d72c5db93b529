"""Start the GPT, GAN and RL playground: parse flags, load the checkpoints once, launch the Gradio app.

    python app.py [--host 127.0.0.1] [--port 7860] [--share] [--checkpoints checkpoints] [--hub-repo user/name]

Environment variables give the defaults: GRADIO_SERVER_NAME, GRADIO_SERVER_PORT (what Hugging Face Spaces sets),
PLAYGROUND_CHECKPOINTS, PLAYGROUND_HUB_REPO, PLAYGROUND_ADDRESS_LIMITS; HF_HUB_OFFLINE=1 keeps --hub-repo from touching the network.

Gradio's own start-up lines are silenced (they advise `share=True` in `launch()`, or downloading its tunnel binary by
hand): the app prints one line for where it is served, and one for the public link or why there is none.
"""
from __future__ import annotations

import time

STARTED = time.perf_counter()  # before the heavy imports, so "Ready in" is the start-up a person waits for

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

from serve.memory import limit_malloc_arenas  # noqa: E402

limit_malloc_arenas()  # before torch and Gradio start threads: memory then returns near baseline after a burst

from demo.app_state import load_app_state  # noqa: E402
from demo.build import build_demo, guard_config, launch_demo  # noqa: E402
from serve.shutdown import close_and_wait  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description="Serve the GPT, GAN and RL playground.")
    parser.add_argument("--host", default=env("GRADIO_SERVER_NAME", "127.0.0.1"), help="address to listen on (0.0.0.0 for all)")
    parser.add_argument("--port", type=int, default=int(env("GRADIO_SERVER_PORT", "7860")))
    parser.add_argument("--share", action="store_true", help="also print a public gradio.live link (needs internet)")
    parser.add_argument("--checkpoints", default=env("PLAYGROUND_CHECKPOINTS", "checkpoints"), help="folder of checkpoint dirs")
    parser.add_argument("--hub-repo", default=env("PLAYGROUND_HUB_REPO") or None,
                        help="Hugging Face Hub model repo holding gpt-shakespeare/ and gan-fashion/ (falls back to --checkpoints)")
    parser.add_argument("--address-limits", choices=["on", "off"], default=env("PLAYGROUND_ADDRESS_LIMITS", "on"),
                        help="cap the events each client address may queue per endpoint group (serve/http_guard.py); "
                             "off only for load tests whose simulated users share one address")
    return parser.parse_args(argv)


NO_SHARE_LINK = "* --share: no public link (gradio.live could not be reached); serving only on {url}"


def launch_quietly(demo: Any, share: bool, **kwargs: Any) -> None:
    """launch_demo with Gradio's console lines silenced. quiet=True drops its local-URL line and its advice; a failed
    --share still prints its own explanation (a missing tunnel binary and how to download it), so that launch's
    stdout is caught and dropped: the lines that matter are main's."""
    caught = io.StringIO()
    with contextlib.redirect_stdout(caught) if share else contextlib.nullcontext():
        launch_demo(demo, share=share, quiet=True, prevent_thread_lock=True, **kwargs)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    state = load_app_state(args.checkpoints, args.hub_repo)
    for note in state.notes.values():
        print(f"* {note}", flush=True)
    demo = build_demo(state)
    launch_quietly(demo, args.share, guard=guard_config(per_address=args.address_limits == "on"), server_name=args.host,
                   server_port=args.port)
    print(f"* Running on {demo.local_url}", flush=True)
    if args.share:
        if demo.share_url:
            print(f"* Public link (--share): {demo.share_url}", flush=True)
        else:
            print(NO_SHARE_LINK.format(url=demo.local_url), file=sys.stderr, flush=True)
    print(f"* Ready in {time.perf_counter() - STARTED:.1f} s", flush=True)
    demo.block_thread()
    close_and_wait(demo)  # handlers still inside torch would abort the interpreter's exit (serve/shutdown.py)


if __name__ == "__main__":
    main()
