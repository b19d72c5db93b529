"""What the agent costs, measured in one run: `python bench/bench_rl.py [--checkpoint DIR] [--json FILE]`.

1. Server CPU for one Agent-tab episode, the way the tab serves it (the whole episode played by the policy, then
   serialised to the JSON the browser animates): process CPU seconds per episode for the final policy and for the
   first snapshot, plus the worst case (an episode that runs to the 1 000-step limit), beside the 2 s target.
2. The alternatives it was chosen over, measured on the same episode: rendering every frame on the server
   (render_mode="rgb_array", 600x400) and encoding the frames as PNGs (what downscaled frames or a video would start
   from), extrapolated to the episode's length.
3. PPO training throughput: environment steps a second for a few updates of the real settings, on one thread.
4. With --browser: `python app.py` started on 127.0.0.1 and Debian's Chromium clicking Play on the Agent tab: the time
   from the click to the first animation frame (target < 1 s) and the game frames shown per second (target >= 25).

CPU time is the process's own (time.process_time), so another process on the machine slows the wall clock but not
the figure; the report records the load average anyway. Never asserted in tests.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # headless pygame for the rendering comparison

import gymnasium as gym  # noqa: E402
import torch  # noqa: E402

from core.rl.episode import play_episode  # noqa: E402
from core.rl.io import load_agent  # noqa: E402
from core.rl.model import ActorCritic  # noqa: E402
from core.rl.ppo import main as ppo_main  # noqa: E402

TARGET_S = 2.0


def episode_cpu(policy: ActorCritic, seed: int, temperature: float) -> tuple[float, int, int]:
    """(CPU seconds, steps, JSON bytes) of one episode as the tab serves it."""
    start = time.process_time()
    episode = play_episode(policy, seed, temperature)
    payload = json.dumps(episode, separators=(",", ":"))
    return time.process_time() - start, episode["steps"], len(payload)


def render_cpu_per_frame(policy: ActorCritic, seed: int, frames: int = 100) -> tuple[float, float]:
    """(render ms, PNG-encode ms) per frame: the server-side drawing the tab does not do."""
    from PIL import Image

    env = gym.make("LunarLander-v3", render_mode="rgb_array")
    obs, _ = env.reset(seed=seed)
    render = encode = 0.0
    for _ in range(frames):
        with torch.no_grad():
            action = int(policy.logits(torch.as_tensor(obs)[None]).argmax())
        obs, _, terminated, truncated, _ = env.step(action)
        start = time.process_time()
        frame = env.render()
        render += time.process_time() - start
        start = time.process_time()
        Image.fromarray(frame).resize((300, 200)).save(io.BytesIO(), format="png", compress_level=1)
        encode += time.process_time() - start
        if terminated or truncated:
            obs, _ = env.reset(seed=seed)
    env.close()
    return 1000 * render / frames, 1000 * encode / frames


def training_steps_per_s(updates: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ppo_main(["--out", f"{tmp}/m", "--state-dir", f"{tmp}/s", "--total-steps", str(updates * 16384), "--eval-every", "0",
                  "--snapshots", "1", "--snapshot-episodes", "1", "--save-every", "1000", "--quiet"])
        return updates * 16384 / (time.perf_counter() - start)


def browser_figures(checkpoints: str, episodes: int) -> dict:
    """Click Play `episodes` times (seeds 100, 101, ...) in Chromium; time to the first frame and game frames a second."""
    from playwright.sync_api import sync_playwright

    from bench.local_app import free_port, start_app

    port = free_port()
    process, _ = start_app(port, checkpoints)
    errors: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_role("tab", name="Agent (RL)").click()
            page.locator("#agent-play").wait_for()
            frame = "() => Number((document.querySelector('#agent-player [data-frame]') || {dataset: {frame: -2}}).dataset.frame)"
            starts, rates = [], []
            for seed in range(episodes):
                if any("unsafe-eval" in e for e in errors):
                    return {"error": "gr.HTML blocked by the page's Content-Security-Policy (needs 'unsafe-eval'): " + errors[0][:160]}
                page.locator("#agent-seed input").fill(str(100 + seed))
                page.evaluate("() => { const e = document.querySelector('#agent-player [data-frame]'); if (e) e.dataset.frame = '-2'; }")
                clicked = page.evaluate("() => performance.now()")
                page.locator("#agent-play").click()
                page.wait_for_function(f"() => ({frame})() >= 0", polling="raf", timeout=20_000)
                starts.append(page.evaluate("() => performance.now()") - clicked)
                first = page.evaluate(f"() => [performance.now(), ({frame})()]")
                page.wait_for_timeout(1000)
                second = page.evaluate(f"() => [performance.now(), ({frame})()]")
                rates.append((second[1] - first[1]) / ((second[0] - first[0]) / 1000))
                page.wait_for_function("() => document.querySelector('#agent-player [data-state=\"done\"]')", timeout=60_000)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {"click_to_first_frame_ms": {"median": round(statistics.median(starts)), "max": round(max(starts))},
            "game_frames_per_s": {"min": round(min(rates), 1), "median": round(statistics.median(rates), 1)}, "episodes": episodes}


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default="checkpoints/rl-lander")
    p.add_argument("--episodes", type=int, default=10, help="episodes per policy (seeds 0..n-1)")
    p.add_argument("--train-updates", type=int, default=2, help="PPO updates to time (16 384 steps each); 0 = skip")
    p.add_argument("--browser", action="store_true", help="also time Play in Chromium against python app.py (needs chromium)")
    p.add_argument("--json", help="also write the figures to this JSON file")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    agent = load_agent(args.checkpoint)
    entries = agent.snapshot_entries
    report: dict = {"load_average": os.getloadavg()[0], "target_s": TARGET_S, "episodes": {}}
    play_episode(agent.model, 0, 0.0)  # warm-up (imports, Box2D)
    print(f"Agent-tab episode, server CPU (play + JSON), {args.episodes} seeds each; target < {TARGET_S} s per episode")
    worst, max_per_step_ms = (0.0, 0, 0), 0.0
    for label, policy, temperature in (("final policy, T=0", agent.model, 0.0), ("final policy, T=1", agent.model, 1.0),
                                       (f"first snapshot ({entries[0]['name']}), T=0", agent.snapshots[entries[0]["name"]], 0.0),
                                       (f"mid snapshot ({entries[len(entries) // 2]['name']}), T=1", agent.snapshots[entries[len(entries) // 2]["name"]], 1.0)):
        runs = [episode_cpu(policy, seed, temperature) for seed in range(args.episodes)]
        per_step_ms = 1000 * sum(r[0] for r in runs) / sum(r[1] for r in runs)
        median = statistics.median(r[0] for r in runs)
        worst, max_per_step_ms = max([worst] + runs), max(max_per_step_ms, per_step_ms)
        report["episodes"][label] = {"median_cpu_s": round(median, 4), "max_cpu_s": round(max(r[0] for r in runs), 4),
                                     "mean_steps": round(statistics.mean(r[1] for r in runs)),
                                     "cpu_ms_per_step": round(per_step_ms, 3), "mean_json_kb": round(statistics.mean(r[2] for r in runs) / 1024, 1)}
        print(f"  {label:42s} median {median * 1000:6.1f} ms, max {max(r[0] for r in runs) * 1000:6.1f} ms, "
              f"{per_step_ms:.3f} ms/step, ~{report['episodes'][label]['mean_json_kb']:.0f} KB JSON")
    full = max_per_step_ms  # the costliest policy's ms per step x 1 000 steps / 1 000 = seconds per 1 000-step episode
    report["worst_episode"] = {"cpu_s": round(worst[0], 4), "steps": worst[1], "json_kb": round(worst[2] / 1024, 1)}
    report["estimated_1000_step_cpu_s"] = round(full, 3)
    print(f"  worst episode: {worst[0] * 1000:.1f} ms for {worst[1]} steps; a 1 000-step episode ~ {full:.2f} s "
          f"= {full / TARGET_S:.3f} x the {TARGET_S} s target")
    render_ms, encode_ms = render_cpu_per_frame(agent.model, 0)
    report["server_rendering_ms_per_frame"] = {"render": round(render_ms, 2), "png_300x200": round(encode_ms, 2)}
    print(f"Rendering on the server instead: {render_ms:.2f} ms render + {encode_ms:.2f} ms PNG (300x200) per frame = "
          f"{(render_ms + encode_ms):.1f} s for 1 000 frames ({(render_ms + encode_ms) / max_per_step_ms:.0f}x the JSON path per step)")
    if args.train_updates:
        sps = training_steps_per_s(args.train_updates)
        report["training_steps_per_s"] = round(sps)
        print(f"PPO training, one thread: {sps:.0f} environment steps/s (incl. the updates) -> 1 M steps in {1e6 / sps / 60:.1f} min")
    if args.browser:
        figures = browser_figures(str(Path(args.checkpoint).parent), 6)
        report["browser"] = figures
        if "error" in figures:
            print(f"Browser: {figures['error']}")
        else:
            print(f"Browser (Chromium, python app.py): click -> first frame median {figures['click_to_first_frame_ms']['median']} ms, "
                  f"max {figures['click_to_first_frame_ms']['max']} ms (target < 1 000 ms); game frames a second: median "
                  f"{figures['game_frames_per_s']['median']}, min {figures['game_frames_per_s']['min']} (target >= 25)")
    print(f"load average {report['load_average']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
