"""The Agent tab's worked PPO step strings in both languages: the section's title and words around its formulas
(demo/agent_maths_render.py writes the formulas themselves, which need no translation), the step slider, the
timeline picture and why the clipped objective takes the branch it takes."""
from __future__ import annotations

AGENT_MATHS: dict[str, dict[str, str]] = {
    "agent_maths.title": {
        "en": "The maths it learned by: one step of PPO, worked",
        "zh-CN": "它学习所用的数学：把 PPO 的一步完整算一遍",
    },
    "agent_maths.intro": {
        "en": "One real step of the episode the player shows, worked through PPO with the agent's own numbers, by the "
              "same functions that trained it (core/rl/ppo.py). Click the picture of the episode to pick a step "
              "there, and fine-tune it with the slider (its arrow keys move one step). $\\pi$ here is the policy as trained (temperature 1), whatever temperature chose the actions.",
        "zh-CN": "从播放器里这一回合（episode）中取出真实的一步，用智能体自己的数字把 PPO 演算一遍，所用的正是训练它的那些函数（core/rl/ppo.py）。点击下面这张回合图选出那里的一步，再用滑块微调（方向键每次移动一步）。这里的 $\\pi$ 是训练时的策略（温度为 1），与选动作时用的温度无关。",
    },
    "agent_maths.waiting": {
        "en": "Press **Play** above: the step worked here comes from the episode the player shows.",
        "zh-CN": "先按上方的**播放**：这里演算的那一步取自播放器中的回合。",
    },
    "agent_maths.bad_episode": {
        "en": "The player's episode could not be read; press Play again.",
        "zh-CN": "无法读取播放器中的回合；请再按一次“播放”。",
    },
    "agent_maths.step": {"en": "Step t of the episode", "zh-CN": "回合中的第 t 步"},
    "agent_maths.step_info": {
        "en": "starts at the step with the largest advantage |Â_t|; arrow keys move one step",
        "zh-CN": "起始位置是优势 |Â_t| 最大的一步；方向键每次移动一步",
    },
    "agent_maths.timeline_title": {
        "en": "The advantage Â_t at every step of this episode; the ring marks the step worked below",
        "zh-CN": "本回合每一步的优势 Â_t；圆圈标出下面演算的那一步",
    },
    "agent_maths.timeline_advantage": {"en": "advantage Â_t", "zh-CN": "优势 Â_t"},
    "agent_maths.timeline_step": {"en": "step t", "zh-CN": "第 t 步"},
    "agent_maths.heading": {
        "en": "**Step {t} of {steps}** ({seconds} s into the flight): the agent chose to *{action}*. "
              "The settings are those it trained with (the checkpoint's PPO config): "
              "$\\gamma = {gamma}$, $\\lambda = {lam}$, $\\epsilon = {eps}$.",
        "zh-CN": "**第 {t} 步（共 {steps} 步）**，飞行开始后 {seconds} 秒：智能体选择了“{action}”。"
                 "各项设置与训练时相同（取自检查点的 PPO 配置）：$\\gamma = {gamma}$，$\\lambda = {lam}$，$\\epsilon = {eps}$。",
    },
    "agent_maths.reward": {
        "en": "**1. The reward** $r_t$: what the game paid for this step. Moving closer to the pad and slowing down "
              "earn; each frame of an engine costs fuel; a leg touching the ground +10, landing +100, crashing −100.",
        "zh-CN": "**1. 奖励（reward）** $r_t$：游戏为这一步给出的分数。靠近着陆台、减速会得分；引擎每点火一帧都要耗油扣分；"
                 "一条腿着地 +10，着陆成功 +100，坠毁 −100。",
    },
    "agent_maths.values": {
        "en": "**2. The critic's values** $V(s_t)$ and $V(s_{t+1})$: the discounted return the critic expects from "
              "this state on, and from the next one (the critic of the snapshot that played, as the player shows it).",
        "zh-CN": "**2. 价值函数（critic）的估计** $V(s_t)$ 和 $V(s_{t+1})$：价值函数预计从这个状态起、以及从下一个状态起"
                 "还能得到的折扣回报（用的是玩这一回合的那个快照的价值函数，与播放器显示的相同）。",
    },
    "agent_maths.values_end": {
        "en": "The episode ended with this step, so nothing follows: $V(s_{t+1})$ counts as 0 (training multiplies it "
              "by $1 - \\text{done} = 0$).",
        "zh-CN": "回合在这一步结束，之后什么也没有：$V(s_{t+1})$ 按 0 计算（训练时把它乘以 $1 - \\text{done} = 0$）。",
    },
    "agent_maths.values_cut": {
        "en": "The time limit cut the episode here, which is not a failure: training goes on from $V$ of the state "
              "the lander was in, as if the flight continued.",
        "zh-CN": "回合在这里被时间上限截断，这不算失败：训练时从着陆器当时所处状态的 $V$ 接着算，就像飞行仍在继续。",
    },
    "agent_maths.delta": {
        "en": "**3. The TD error** $\\delta_t$: how much better this step went than the critic expected "
              "(positive: better; negative: worse).",
        "zh-CN": "**3. 时序差分误差（TD error）** $\\delta_t$：这一步比价值函数预期的好多少（正：更好；负：更差）。",
    },
    "agent_maths.gae": {
        "en": "**4. The GAE advantage** $\\hat A_t$: this step's TD error and those of the {rest} steps after it, each "
              "discounted by $\\gamma\\lambda = {gl}$, so an action is credited with what followed it (the first "
              "terms written out):",
        "zh-CN": "**4. GAE 优势（advantage）** $\\hat A_t$：这一步的 TD 误差，加上其后 {rest} 步的 TD 误差，每往后一步多乘一次"
                 " $\\gamma\\lambda = {gl}$，于是一个动作也要为它之后发生的事负责（只写出前几项）：",
    },
    "agent_maths.gae_backwards": {
        "en": "Training computes it backwards from the episode's end, one step at a time, with the next step's "
              "$\\hat A_{t+1}$:",
        "zh-CN": "训练时从回合末尾往回逐步计算，用到下一步的 $\\hat A_{t+1}$：",
    },
    "agent_maths.gae_positive": {
        "en": "Positive: the action did better than the critic expected, so PPO makes it more likely in this state.",
        "zh-CN": "为正：这个动作比价值函数预期的好，所以 PPO 会让它在这个状态下更可能被选中。",
    },
    "agent_maths.gae_negative": {
        "en": "Negative: the action did worse than the critic expected, so PPO makes it less likely in this state.",
        "zh-CN": "为负：这个动作比价值函数预期的差，所以 PPO 会让它在这个状态下更少被选中。",
    },
    "agent_maths.ratio": {
        "en": "**5. The policy ratio** $\\rho_t$ (the PPO paper's $r_t(\\theta)$; $\\rho$ here so that it is not "
              "taken for the reward): how much more likely the policy $\\theta$ makes this action than "
              "$\\theta_\\text{old}$, the policy that collected the step.",
        "zh-CN": "**5. 策略比率（policy ratio）** $\\rho_t$（即 PPO 论文中的 $r_t(\\theta)$；这里写作 $\\rho$，免得与奖励混淆）："
                 "策略 $\\theta$ 选这个动作的概率是收集这一步的策略 $\\theta_\\text{old}$ 的多少倍。",
    },
    "agent_maths.roles_next": {
        "en": "$\\theta_\\text{{old}}$ = the snapshot that played this episode (update {old}); $\\theta$ = the next "
              "snapshot (update {new}), {updates} updates later. Within one update the clip keeps the ratio near "
              "$1 \\pm \\epsilon$; snapshots {updates} updates apart can be much further from 1.",
        "zh-CN": "$\\theta_\\text{{old}}$ = 玩这一回合的快照（第 {old} 次更新）；$\\theta$ = 下一个快照（第 {new} 次更新），"
                 "相隔 {updates} 次更新。在一次更新之内，裁剪让比率保持在 $1 \\pm \\epsilon$ 附近；相隔 {updates} 次更新的两个快照，比率可以离 1 远得多。",
    },
    "agent_maths.roles_last": {
        "en": "This is the last snapshot, with none after it, so here $\\theta$ = this snapshot (update {new}) and "
              "$\\theta_\\text{{old}}$ = the one before it (update {old}), {updates} updates apart; the step is still "
              "the one this snapshot played. Within one update the clip keeps the ratio near $1 \\pm \\epsilon$; "
              "snapshots {updates} updates apart can be much further from 1.",
        "zh-CN": "这是最后一个快照，之后没有别的快照，所以这里 $\\theta$ = 这个快照（第 {new} 次更新），"
                 "$\\theta_\\text{{old}}$ = 它之前的那个（第 {old} 次更新），相隔 {updates} 次更新；演算的仍是这个快照玩的那一步。"
                 "在一次更新之内，裁剪让比率保持在 $1 \\pm \\epsilon$ 附近；相隔 {updates} 次更新的两个快照，比率可以离 1 远得多。",
    },
    "agent_maths.same_snapshot": {
        "en": "This checkpoint has a single snapshot, so $\\theta = \\theta_\\text{old}$ and the ratio is 1.",
        "zh-CN": "这个检查点只有一个快照，所以 $\\theta = \\theta_\\text{old}$，比率为 1。",
    },
    "agent_maths.objective": {
        "en": "**6. The clipped objective**: PPO maximises the smaller of two terms, so moving the ratio past the "
              "clip range earns nothing more:",
        "zh-CN": "**6. 裁剪目标（clipped objective）**：PPO 最大化两项中较小的那一项，所以把比率推出裁剪范围不会再多得分：",
    },
    "agent_maths.case_inside": {
        "en": "**Both branches are equal**: $\\rho_t = {ratio}$ lies inside $[1-\\epsilon, 1+\\epsilon] = [{lo}, {hi}]$, "
              "so the clip changes nothing; the gradient pushes this action's probability {way}.",
        "zh-CN": "**两个分支相等**：$\\rho_t = {ratio}$ 在 $[1-\\epsilon, 1+\\epsilon] = [{lo}, {hi}]$ 之内，裁剪不起作用；"
                 "梯度把这个动作的概率往{way}推。",
    },
    "agent_maths.way_up": {"en": "up (Â > 0)", "zh-CN": "上（Â > 0）"},
    "agent_maths.way_down": {"en": "down (Â < 0)", "zh-CN": "下（Â < 0）"},
    "agent_maths.case_clipped_up": {
        "en": "**The clipped branch is active**: $\\hat A_t > 0$ and $\\rho_t = {ratio}$ is already above "
              "$1+\\epsilon = {hi}$: $\\theta$ already makes this good action more likely than one update may, so the "
              "min takes the flat, clipped term and this step adds no gradient: no reward for pushing further.",
        "zh-CN": "**裁剪分支起作用**：$\\hat A_t > 0$，而 $\\rho_t = {ratio}$ 已经高于 $1+\\epsilon = {hi}$：$\\theta$ "
                 "让这个好动作变得比一次更新所允许的还要更可能，所以取最小值时取到的是被裁剪的那一项（它是常数），这一步不产生梯度：再往前推也没有奖励。",
    },
    "agent_maths.case_clipped_down": {
        "en": "**The clipped branch is active**: $\\hat A_t < 0$ and $\\rho_t = {ratio}$ is already below "
              "$1-\\epsilon = {lo}$: $\\theta$ already makes this bad action less likely than one update may, so the "
              "min takes the flat, clipped term and this step adds no gradient.",
        "zh-CN": "**裁剪分支起作用**：$\\hat A_t < 0$，而 $\\rho_t = {ratio}$ 已经低于 $1-\\epsilon = {lo}$：$\\theta$ "
                 "让这个坏动作变得比一次更新所允许的还要更不可能，所以取最小值时取到的是被裁剪的那一项（它是常数），这一步不产生梯度。",
    },
    "agent_maths.case_unclipped_up": {
        "en": "**The unclipped branch is active**: $\\hat A_t < 0$ but $\\rho_t = {ratio}$ is above "
              "$1+\\epsilon = {hi}$: $\\theta$ made a bad action more likely. The min keeps the full penalty "
              "$\\rho_t \\hat A_t$ (the clip never lets a mistake off), and the gradient pulls the probability back down.",
        "zh-CN": "**未裁剪分支起作用**：$\\hat A_t < 0$，但 $\\rho_t = {ratio}$ 高于 $1+\\epsilon = {hi}$：$\\theta$ "
                 "让一个坏动作变得更可能了。最小值保留了完整的惩罚 $\\rho_t \\hat A_t$（裁剪从不放过错误），梯度把这个概率拉回来。",
    },
    "agent_maths.case_unclipped_down": {
        "en": "**The unclipped branch is active**: $\\hat A_t > 0$ but $\\rho_t = {ratio}$ is below "
              "$1-\\epsilon = {lo}$: $\\theta$ made a good action less likely. The min keeps $\\rho_t \\hat A_t$, the "
              "smaller term, and the gradient pushes the probability back up.",
        "zh-CN": "**未裁剪分支起作用**：$\\hat A_t > 0$，但 $\\rho_t = {ratio}$ 低于 $1-\\epsilon = {lo}$：$\\theta$ "
                 "让一个好动作变得更不可能了。最小值保留较小的 $\\rho_t \\hat A_t$，梯度把这个概率推回去。",
    },
    "agent_maths.case_zero": {
        "en": "$\\hat A_t = 0$: both terms are 0, and this step does not move the policy.",
        "zh-CN": "$\\hat A_t = 0$：两项都为 0，这一步不会改变策略。",
    },
    "agent_maths.training_note": {
        "en": "In training this step would be one of {rollout} per update ({envs} games × {n_steps} steps), gone over "
              "{epochs} times in minibatches of {batch}. There $\\hat A$ is standardised over each minibatch (shifted "
              "and scaled), so its size differs from the one above, and a rollout cut after {n_steps} steps goes on "
              "from $V$ of the state reached. The code: `td_error`, `gae_advantages`, `policy_ratio` and "
              "`clipped_objective_terms` in core/rl/ppo.py, the functions its `train()` calls.",
        "zh-CN": "在训练中，这一步只是每次更新的 {rollout} 步之一（{envs} 局游戏 × 每局 {n_steps} 步），会以每批 {batch} 步的小批量"
                 "（minibatch）过 {epochs} 遍。那时 $\\hat A$ 会在每个小批量内标准化（平移并缩放），所以大小与上面的不同；"
                 "一段跑满 {n_steps} 步被截断的轨迹，从所到达状态的 $V$ 接着算。代码：core/rl/ppo.py 中的 `td_error`、"
                 "`gae_advantages`、`policy_ratio` 和 `clipped_objective_terms`，也就是它的 `train()` 所调用的函数。",
    },
}
