"""The GAN playground's strings in both languages: the explanations, the knobs and their choices, the status lines,
and the words its canvas script draws (demo/static/toy_gan.js reads them from toy_gan_render.canvas_words)."""
from __future__ import annotations

from core.limits import MAX_SEED

TOY_GAN: dict[str, dict[str, str]] = {
    "toy_gan.intro": {
        "en": r"""Two small networks play the game of the essay on points in the plane. $G(z)$ turns 2-D noise $z$ into a
point; $D(x)$ says how likely a point $x$ is real. They train against each other on
$$\min_G \max_D \; \mathbb{E}_{x\sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z}[\log(1 - D(G(z)))]$$
Press **Play** and change the knobs while it runs (GAN Lab style, on this server's CPU).""",
        "zh-CN": r"""两个小网络在平面上的点上玩文章里讲的那场博弈。生成器（generator）$G(z)$ 把二维噪声 $z$ 变成一个点；判别器（discriminator）$D(x)$ 给出点 $x$ 是真实数据的可能性。它们在下面这个目标上相互对抗地训练：
$$\min_G \max_D \; \mathbb{E}_{x\sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z}[\log(1 - D(G(z)))]$$
按 **播放**，在训练进行时随意调整旋钮（仿照 GAN Lab，运行在本服务器的 CPU 上）。""",
    },
    "toy_gan.essay_note": {
        "en": "*Where the essay simplifies:* it writes G and D as one sigmoid layer each. Here each is a small network "
              "of three linear layers (32 units wide, LeakyReLU between them), and D's sigmoid sits inside the loss: one "
              "layer could only stretch the noise, three can bend it into a ring or a spiral.",
        "zh-CN": "*原文简化之处：* 原文把 G 和 D 各写成一层 sigmoid。这里两者都是三层线性层组成的小网络（宽 32，层间用 LeakyReLU），"
                 "D 的 sigmoid 放在损失函数里：一层只能把噪声拉伸，三层才能把它弯成圆环或螺旋。",
    },
    "toy_gan.map_note": {
        "en": r"""**The plane.** Background: $D(x)$ at every point, green where D says *real* ($D(x)\to 1$), purple where
it says *fake* ($D(x)\to 0$). Green dots: real samples $x$. Purple dots: fakes $G(z)$ for fixed noise $z$. Faint
purple mesh: $G$ applied to a square grid of noise $z \in [-2, 2]^2$, showing how $G$ bends and folds the plane of
noise onto the data (where the mesh bunches up, many $z$ land on few points).
Arrows: $-\nabla_x$ of G's loss at $x = G(z)$ (for the non-saturating loss, $-\log D(G(z))$): where G is pushing
each fake point, up the slope of $D$.""",
        "zh-CN": r"""**平面。** 背景：每一点上的 $D(x)$，绿色处 D 判为*真*（$D(x)\to 1$），紫色处判为*假*（$D(x)\to 0$）。绿点：真实样本 $x$。紫点：固定噪声 $z$ 生成的假样本 $G(z)$。淡紫色网格：把 $G$ 作用在噪声 $z \in [-2, 2]^2$ 的方格上，显示 $G$ 怎样把噪声平面弯折到数据上（网格挤在一起的地方，许多 $z$ 落到了少数几个点上）。
箭头：G 的损失（loss）在 $x = G(z)$ 处的 $-\nabla_x$（非饱和损失时为 $-\log D(G(z))$）：G 把每个假点往哪里推，即沿 $D$ 的坡度向上。""",
    },
    "toy_gan.curves_note": {
        "en": r"""**Curves.** Blue: D's loss $-\log D(x) - \log(1 - D(G(z)))$ (about $2\log 2 \approx 1.39$ when D
can no longer tell). Orange: G's loss $-\log D(G(z))$. Black (own scale): the energy distance between the fake and
real points, 0 only when the two distributions are the same.""",
        "zh-CN": r"""**曲线。** 蓝色：D 的损失 $-\log D(x) - \log(1 - D(G(z)))$（当 D 再也分辨不出真假时约为 $2\log 2 \approx 1.39$）。橙色：G 的损失 $-\log D(G(z))$。黑色（单独的纵轴）：假点与真点之间的能量距离（energy distance），只有两个分布相同时才为 0。""",
    },
    "toy_gan.ready": {
        "en": "Press **Play** to train, or **One step** to take one update at a time.",
        "zh-CN": "按 **播放** 开始训练，或按 **走一步** 每次只做一次更新。",
    },
    "toy_gan.playing": {
        "en": "Training: change any knob, it takes effect at the next frame.",
        "zh-CN": "训练中：改动任何旋钮，下一帧即生效。",
    },
    "toy_gan.paused": {"en": "Paused.", "zh-CN": "已暂停。"},
    "toy_gan.paused_hidden": {
        "en": "Paused while the playground was out of sight. Press **Play** to go on.",
        "zh-CN": "游乐场不在视野中时已暂停。按 **播放** 继续。",
    },
    "toy_gan.capped": {
        "en": "Stopped: {max_steps} steps is the cap per session. Press Reset to start again.",
        "zh-CN": "已停止：每个会话最多训练 {max_steps} 步。按“重置”重新开始。",
    },
    "toy_gan.new_gan": {
        "en": "A new GAN from seed {seed}: press **Play** or **One step**.",
        "zh-CN": "已用种子 {seed} 新建一个 GAN：按 **播放** 或 **走一步**。",
    },
    "toy_gan.play": {"en": "▶ Play", "zh-CN": "▶ 播放"},
    "toy_gan.pause": {"en": "Pause", "zh-CN": "暂停"},
    "toy_gan.step": {"en": "One step", "zh-CN": "走一步"},
    "toy_gan.reset": {"en": "Reset", "zh-CN": "重置"},
    "toy_gan.pause_hidden": {"en": "Pause (out of sight)", "zh-CN": "暂停（不在视野中）"},
    "toy_gan.data": {"en": "Real data", "zh-CN": "真实数据"},
    "toy_gan.data_ring": {"en": "ring", "zh-CN": "圆环"},
    "toy_gan.data_grid": {"en": "grid", "zh-CN": "网格"},
    "toy_gan.data_spiral": {"en": "spiral", "zh-CN": "螺旋"},
    "toy_gan.data_moons": {"en": "moons", "zh-CN": "双月"},
    "toy_gan.loss": {"en": "Loss", "zh-CN": "损失（loss）"},
    "toy_gan.loss_non-saturating": {"en": "non-saturating", "zh-CN": "非饱和"},
    "toy_gan.loss_least-squares": {"en": "least-squares", "zh-CN": "最小二乘"},
    "toy_gan.optimiser": {"en": "Optimiser", "zh-CN": "优化器（optimiser）"},
    "toy_gan.optimiser_adam": {"en": "adam", "zh-CN": "Adam 优化器"},
    "toy_gan.optimiser_sgd": {"en": "sgd", "zh-CN": "SGD 随机梯度下降"},
    "toy_gan.lr_g": {"en": "G's learning rate", "zh-CN": "生成器 G 的学习率"},
    "toy_gan.lr_d": {"en": "D's learning rate", "zh-CN": "判别器 D 的学习率"},
    "toy_gan.d_steps": {"en": "D steps per G step", "zh-CN": "G 每走一步 D 走的步数"},
    "toy_gan.speed": {"en": "Steps per frame (12 frames a second)", "zh-CN": "每帧训练步数（每秒 12 帧）"},
    "toy_gan.seed": {"en": "Seed (used by Reset)", "zh-CN": "种子（seed，重置时使用）"},
    "toy_gan.seed_info": {"en": f"0 to {MAX_SEED}", "zh-CN": f"0 到 {MAX_SEED}"},
    # What demo/static/toy_gan.js draws on and under its canvases
    "toy_gan.canvas_plane": {
        "en": "real and fake points over D's decision surface",
        "zh-CN": "判别器 D 的判定曲面上的真点与假点",
    },
    "toy_gan.canvas_curves": {"en": "loss and divergence curves", "zh-CN": "损失与分布差距曲线"},
    "toy_gan.canvas_losses": {"en": "losses 0..{top}   step {step}", "zh-CN": "损失 0..{top}   第 {step} 步"},
    "toy_gan.canvas_energy": {"en": "energy distance", "zh-CN": "能量距离"},
    "toy_gan.canvas_g_loss": {"en": "G loss", "zh-CN": "G 的损失"},
    "toy_gan.canvas_d_loss": {"en": "D loss", "zh-CN": "D 的损失"},
    "toy_gan.canvas_info": {
        "en": "step {step} · energy distance {distance} · {data}, {loss}, {optimiser}",
        "zh-CN": "第 {step} 步 · 能量距离 {distance} · {data}，{loss}，{optimiser}",
    },
}
