"""What a human flight costs the server (issue #30: under 2 s of server CPU per flight; a key press applied within
60 ms), measured against `python app.py` in its own process, the way a page flies.

A client starts a flight of the Agent tab's Fly (gradio_client, /fly), reads its stream, and steers it with the
agent's own actions for the same seed (demo/static/fly.js posts the held keys the same way: to /fly/keys, only
when they change, with the flight's steering key), a step ahead of each frame it receives, so the flight lasts about
as long as the agent's landing. Measured: the app process's CPU time over each flight (psutil), less what the idle
app spends over the same wall time (its timers and the text worker's heartbeat, measured first), per flight and per
step (the flight's fixed costs, such as its closing summary, counted in each step: so a 1 000-step flight's figure
is an upper bound); each key POST's round trip (the server holds the action when it answers; its next step applies it, at most
one step later, `kw` in the frames). The page's own figures in Chromium come from tests/test_browser_fly.py.

    python bench/bench_fly.py               # 5 flights of seed 5, real time
    python bench/bench_fly.py --flights 3 --seed 7
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.local_app import ROOT, free_port, local_client, start_app  # noqa: E402
from bench.timing import percentile, write_report  # noqa: E402

TARGET_CPU_S, TARGET_KEY_MS = 2.0, 60.0


def agent_actions(seed: int) -> list[int]:
    """The shipped agent's actions for the seed (calm moon, temperature 0): a flight that lands."""
    from core.rl.episode import play_episode
    from core.rl.io import load_agent

    return list(play_episode(load_agent(ROOT / "checkpoints" / "rl-lander").model, seed, 0.0)["act"])


def fly_once(client, url: str, seed: int, actions: list[int], app: psutil.Process) -> dict:
    """One flight, steered with `actions`: its steps, the app's CPU seconds over it, each key POST's round trip."""
    keys = httpx.Client(timeout=10)
    cpu = app.cpu_times()
    started = time.perf_counter()
    job = client.submit(seed, False, 15.0, -10.0, "real", api_name="/fly")
    steering, sent, seq, round_trips, waits, steps = None, None, 0, [], [], 0
    for message in job:
        msg = json.loads(message)
        if msg["kind"] == "note":
            raise SystemExit(f"the flight was refused: {msg['text']}")
        if msg["kind"] == "end":
            break
        steering = steering or msg["world"]["steering"]
        frames = msg.get("frames", [msg["frame"]])
        waits += [f["kw"] for f in frames if f.get("kw") is not None]
        steps = frames[-1]["i"]
        want = actions[min(steps + 1, len(actions) - 1)] if not frames[-1]["done"] else 0
        if want != sent and not frames[-1]["done"]:
            seq += 1
            at = time.perf_counter()
            reply = keys.post(f"{url}/fly/keys", json={"steering": steering, "a": want, "seq": seq})
            round_trips.append(1000 * (time.perf_counter() - at))
            if reply.status_code != 204:
                break
            sent = want
    after = app.cpu_times()
    keys.close()
    return {"steps": steps, "wall_s": time.perf_counter() - started,
            "cpu_s": (after.user + after.system) - (cpu.user + cpu.system), "key_round_trips_ms": round_trips,
            "server_waits_ms": waits}


def idle_cpu_rate(app: psutil.Process, seconds: float = 5.0) -> float:
    """CPU seconds a second the app spends with nobody using it."""
    before = app.cpu_times()
    time.sleep(seconds)
    after = app.cpu_times()
    return ((after.user + after.system) - (before.user + before.system)) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flights", type=int, default=5)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    actions = agent_actions(args.seed)
    port = free_port()
    process, _ = start_app(port, str(ROOT / "checkpoints"))
    try:
        url = f"http://127.0.0.1:{port}"
        client = local_client(url)
        app = psutil.Process(process.pid)
        fly_once(client, url, args.seed, actions, app)  # warm-up: the first flight pays for imports and caches
        idle = idle_cpu_rate(app)
        flights = [fly_once(client, url, args.seed, actions, app) for _ in range(args.flights)]
    finally:
        process.kill()
    trips = sorted(t for f in flights for t in f["key_round_trips_ms"])
    waits = sorted(w for f in flights for w in f["server_waits_ms"])
    cpu = [f["cpu_s"] - idle * f["wall_s"] for f in flights]
    per_step_ms = [1000 * c / max(f["steps"], 1) for c, f in zip(cpu, flights)]
    figures = {
        "flights": args.flights, "seed": args.seed, "steps": [f["steps"] for f in flights], "idle_cpu_s_a_second": idle,
        "cpu_s_per_flight": cpu, "cpu_ms_per_step_median": statistics.median(per_step_ms),
        "cpu_s_for_1000_steps": statistics.median(per_step_ms),  # 1 000 steps at that many ms each, in seconds
        "key_posts": len(trips), "key_round_trip_ms_p50": percentile(trips, 0.5), "key_round_trip_ms_p95": percentile(trips, 0.95),
        "server_wait_ms_p95": percentile(waits, 0.95) if waits else None,
    }
    markdown = "\n".join([
        f"# A human flight's cost to the server (seed {args.seed}, {args.flights} flights, real time)", "",
        "| what | figure | target |", "|---|---|---|",
        f"| steps a flight | {', '.join(str(s) for s in figures['steps'])} | |",
        f"| app CPU a flight, less the idle app's ({idle:.3f} s a second) | {', '.join(f'{c:.2f} s' for c in cpu)} | {TARGET_CPU_S:g} s |",
        f"| app CPU a step, the flight's fixed costs included (median) | {figures['cpu_ms_per_step_median']:.2f} ms | |",
        f"| the longest flight (1 000 steps), at that rate (an upper bound) | {figures['cpu_s_for_1000_steps']:.2f} s | {TARGET_CPU_S:g} s |",
        f"| key POST round trip, p50 / p95 ({len(trips)} posts) | {figures['key_round_trip_ms_p50']:.1f} / "
        f"{figures['key_round_trip_ms_p95']:.1f} ms | {TARGET_KEY_MS:g} ms (with the wait below) |",
        f"| a key's wait on the server for its step, p95 | {figures['server_wait_ms_p95']} ms | |",
    ])
    write_report("fly", figures, markdown)


if __name__ == "__main__":
    main()
