"""The Agent tab's strings in both languages: the knobs, the player's labels (read by demo/static/agent_player.js
through the player's `labels` prop), the episode's summary, the learning curve and the explanations."""
from __future__ import annotations

from core.limits import MAX_SEED

AGENT: dict[str, dict[str, str]] = {
    "agent.intro": {
        "en": "A PPO agent trained from scratch to land on the moon (Gymnasium LunarLander-v3). "
              "Pick how far into its training to look, then press Play; a moved knob plays again.",
        "zh-CN": "一个从零开始训练、学会在月面着陆的 PPO 智能体（Gymnasium LunarLander-v3）。"
                 "先选择看它训练到哪一步，再按“播放”；改动任何旋钮都会重新播放。",
    },
    "agent.play": {"en": "Play", "zh-CN": "播放"},
    "agent.snapshot": {"en": "Training progress", "zh-CN": "训练进度"},
    "agent.snapshot_info": {
        "en": "which snapshot of the policy plays (its score on 100 test episodes)",
        "zh-CN": "由策略（policy）训练中的哪个快照来玩（得分是它在 100 局测试中的平均值 ± 标准差）",
    },
    # A snapshot's choice label: "<steps> " + this + " <mean> ± <std>" (the page translates one key in a label)
    "agent.snapshot_choice": {"en": "steps: scored", "zh-CN": "步：得分"},
    "agent.seed": {"en": "Episode seed", "zh-CN": "回合种子（episode seed）"},
    "agent.seed_info": {
        "en": f"terrain and starting push (0 to {MAX_SEED})",
        "zh-CN": f"决定地形和开局的推力（0 到 {MAX_SEED}）",
    },
    "agent.randomise": {"en": "Randomise", "zh-CN": "随机"},
    "agent.temperature": {"en": "Policy temperature", "zh-CN": "策略温度（policy temperature）"},
    "agent.temperature_info": {
        "en": "0 = always the most likely action; 1 = sample as trained. The action scores are divided by it before "
              "the softmax: lower is surer, higher is more random.",
        "zh-CN": "0 = 总是选最可能的动作；1 = 按训练时的方式采样。softmax 之前先把各动作的分数除以温度：越低越笃定，越高越随机。",
    },
    "agent.wind": {"en": "Wind (never seen in training)", "zh-CN": "风（训练中从未见过）"},
    "agent.wind_power": {"en": "Wind strength", "zh-CN": "风力"},
    "agent.gravity": {"en": "Gravity", "zh-CN": "重力"},
    "agent.gravity_info": {"en": "trained at -10; the moon's is about -1.6", "zh-CN": "训练时为 -10；真实月球约为 -1.6"},
    "agent.player_explainer": {
        "en": "The policy $\\pi(a\\mid s)=\\mathrm{softmax}(\\text{logits}(s)/T)$ picks one of four engines every "
              "frame (50 a second); the bars are that distribution at the frame shown, $V(s)$ is the critic's "
              "estimate of the return still to come, and the return adds up the rewards so far.",
        "zh-CN": "策略 $\\pi(a\\mid s)=\\mathrm{softmax}(\\text{logits}(s)/T)$ 每一帧（每秒 50 帧）从四个引擎动作中选一个；"
                 "条形图是当前帧的这个分布，$V(s)$ 是评论家（critic）对之后还能得到的回报的估计，回报（return）是到目前为止奖励的累加。",
    },
    "agent.curve_explainer": {
        "en": "Learning curve: the mean return of 20 deterministic episodes ($T=0$, seeds 1000-1019) after every "
              "PPO update, and the mean return of the training episodes; dots are the saved snapshots, the ringed "
              "one is playing. 200 counts as solved.",
        "zh-CN": "学习曲线：每次 PPO 更新之后，20 局确定性回合（$T=0$，种子 1000-1019）的平均回报，以及训练回合的平均回报；"
                 "圆点是保存下来的快照，带圈的那个正在播放。达到 200 即算解决。",
    },
    "agent.terms_heading": {"en": "**Words on this tab**", "zh-CN": "**本页用到的术语**"},
    # The player (demo/static/agent_player.*): its labels, the frame line and the episode's summary
    "agent.player_ready": {"en": "Press Play to run an episode.", "zh-CN": "按“播放”运行一个回合。"},
    "agent.player_value": {"en": "Critic value V(s):", "zh-CN": "评论家（critic）价值 V(s)："},
    "agent.player_return": {"en": "Return so far:", "zh-CN": "目前的回报："},
    "agent.player_frame": {"en": "Frame {i} of {n} (seed {seed}, T = {t})", "zh-CN": "第 {i} 帧，共 {n} 帧（种子 {seed}，T = {t}）"},
    "agent.action_0": {"en": "do nothing", "zh-CN": "不点火"},
    "agent.action_1": {"en": "fire left engine", "zh-CN": "点燃左侧引擎"},
    "agent.action_2": {"en": "fire main engine", "zh-CN": "点燃主引擎"},
    "agent.action_3": {"en": "fire right engine", "zh-CN": "点燃右侧引擎"},
    "agent.landed": {"en": "Landed", "zh-CN": "着陆成功"},
    "agent.crashed": {"en": "Crashed", "zh-CN": "坠毁"},
    "agent.still_flying": {"en": "Still flying at the 1 000-step limit", "zh-CN": "到 1 000 步上限时仍在飞"},
    "agent.flew_off": {"en": "Flew off the screen", "zh-CN": "飞出了画面"},
    "agent.summary": {
        "en": "{how}: return {ret} after {steps} steps (200 or more counts as solved).",
        "zh-CN": "{how}：{steps} 步后回报为 {ret}（200 及以上算解决）。",
    },
    "agent.canvas_wind": {"en": "wind {wind} / turbulence {turbulence}", "zh-CN": "风力 {wind} / 湍流 {turbulence}"},
    "agent.canvas_gravity": {"en": "gravity {gravity}", "zh-CN": "重力 {gravity}"},
    "agent.canvas_alt": {"en": "the lander over the moon's surface", "zh-CN": "月面上方的着陆器"},
    # The learning curve (demo/agent_render.py)
    "agent.curve_title": {"en": "learning curve", "zh-CN": "学习曲线"},
    "agent.curve_solved": {"en": "solved (200)", "zh-CN": "解决（200）"},
    "agent.curve_steps": {"en": "environment steps", "zh-CN": "环境步数"},
    "agent.curve_train": {"en": "training episodes", "zh-CN": "训练回合"},
    "agent.curve_eval_title": {"en": "evaluation, T = 0", "zh-CN": "评估，T = 0"},
    "agent.curve_eval": {"en": "evaluation (T = 0)", "zh-CN": "评估（T = 0）"},
    "agent.curve_playing": {"en": "playing: {score}", "zh-CN": "正在播放：{score}"},
    "agent.snapshot_label": {
        "en": "{steps} steps (update {update}): scored {mean} +- {std}",
        "zh-CN": "{steps} 步（第 {update} 次更新）：得分 {mean} ± {std}",
    },
}
