"""The Images tab's (the image, the verdict, Real or fake?, Watch it learn) strings in both languages.

The direction sliders' names and hints come from the GAN checkpoint's config.json; the shipped checkpoint's eight are
here under "image.dir_name.*" / "image.dir_hint.*" with the English exactly as the config writes it, so
demo/image_render.py `direction_keys` can find a name's translation (a checkpoint with other names keeps them as
they are). The class names are Fashion-MNIST's (core/gan/data.py CLASS_NAMES), under "image.class.<name>"."""
from __future__ import annotations

IMAGE: dict[str, dict[str, str]] = {
    # ---- the knobs ------------------------------------------------------------------------------------------------
    "image.class_label": {"en": "Class", "zh-CN": "类别"},
    "image.class_info": {"en": "'random' lets the seed pick the class", "zh-CN": "选“随机”时由种子决定类别"},
    "image.class.random": {"en": "random", "zh-CN": "随机"},
    "image.class.T-shirt/top": {"en": "T-shirt/top", "zh-CN": "T恤/上衣"},
    "image.class.Trouser": {"en": "Trouser", "zh-CN": "裤子"},
    "image.class.Pullover": {"en": "Pullover", "zh-CN": "套头衫"},
    "image.class.Dress": {"en": "Dress", "zh-CN": "连衣裙"},
    "image.class.Coat": {"en": "Coat", "zh-CN": "外套"},
    "image.class.Sandal": {"en": "Sandal", "zh-CN": "凉鞋"},
    "image.class.Shirt": {"en": "Shirt", "zh-CN": "衬衫"},
    "image.class.Sneaker": {"en": "Sneaker", "zh-CN": "运动鞋"},
    "image.class.Bag": {"en": "Bag", "zh-CN": "包"},
    "image.class.Ankle boot": {"en": "Ankle boot", "zh-CN": "短靴"},
    "image.seed": {"en": "Seed", "zh-CN": "种子（seed）"},
    "image.seed_name": {"en": "Seed", "zh-CN": "种子"},
    "image.randomise": {"en": "Randomise", "zh-CN": "随机换一个"},
    "image.psi_label": {"en": "Noise scale (truncation ψ)", "zh-CN": "噪声尺度（截断 truncation ψ）"},
    "image.psi_info": {"en": "0 = the average image of the class; 1 = as trained; above 1 = wilder",
                       "zh-CN": "0 = 该类别的平均图像；1 = 与训练时相同；大于 1 = 更狂野"},
    "image.psi_name": {"en": "Noise scale ψ", "zh-CN": "噪声尺度 ψ"},
    "image.directions_explain": {
        "en": "**Directions**: the main axes along which this GAN's images vary (GANSpace), named by what they do. "
              "Each preview shows the image at − and + the slider's end.",
        "zh-CN": "**方向**：这个 GAN 的图像变化最大的几条主轴（GANSpace），按它们的作用命名。每个预览显示滑块在 − 端和 + 端时的图像。",
    },
    "image.reset_all": {"en": "Reset all", "zh-CN": "全部归零"},
    "image.direction_fallback": {"en": "Direction", "zh-CN": "方向"},
    "image.direction_tail": {
        "en": " Past its range the image stops looking like clothing (measured with the classifier).",
        "zh-CN": "超出这个范围，图像就不再像衣物了（用分类器测得）。",
    },
    "image.preview_alt": {"en": "{name} at −{reach} and +{reach}", "zh-CN": "{name}：−{reach} 与 +{reach} 处的图像"},
    # The shipped checkpoint's directions (config.json direction_names / direction_hints), English as written there.
    "image.dir_name.tall_wide": {"en": "Tall ↔ wide", "zh-CN": "高窄 ↔ 宽"},
    "image.dir_name.full_slim": {"en": "Full ↔ slim", "zh-CN": "饱满 ↔ 纤细"},
    "image.dir_name.smooth_ragged": {"en": "Smooth ↔ ragged", "zh-CN": "平滑 ↔ 粗糙"},
    "image.dir_name.detailed_flat": {"en": "Detailed ↔ flat white", "zh-CN": "有细节 ↔ 纯白剪影"},
    "image.dir_name.dark_light": {"en": "Dark ↔ light", "zh-CN": "深色 ↔ 浅色"},
    "image.dir_name.white_print": {"en": "White ↔ dark print", "zh-CN": "纯白 ↔ 深色印花"},
    "image.dir_name.plain_printed": {"en": "Plain ↔ printed", "zh-CN": "素色 ↔ 印花"},
    "image.dir_name.soft_crisp": {"en": "Soft ↔ crisp", "zh-CN": "柔和 ↔ 清晰"},
    "image.dir_hint.tall_wide": {"en": "− taller and narrower, dark flecks; + wider, boxier and brighter",
                                 "zh-CN": "− 更高更窄，带深色斑点；+ 更宽、更方正、更亮"},
    "image.dir_hint.full_slim": {"en": "− fuller and white, fills the frame; + slimmer, smaller and darker",
                                 "zh-CN": "− 更饱满、偏白，占满画面；+ 更纤细、更小、更暗"},
    "image.dir_hint.smooth_ragged": {"en": "− smooth, even fabric; + blotchy, ragged edges",
                                     "zh-CN": "− 平滑均匀的面料；+ 斑驳，边缘参差"},
    "image.dir_hint.detailed_flat": {"en": "− dark details (collars, straps); + a flat white silhouette",
                                     "zh-CN": "− 深色细节（领口、带子）；+ 平整的白色剪影"},
    "image.dir_hint.dark_light": {"en": "− dark fabric, the same shape; + white fabric",
                                  "zh-CN": "− 深色面料，形状不变；+ 白色面料"},
    "image.dir_hint.white_print": {"en": "− plain white; + dark, with a print", "zh-CN": "− 纯白；+ 深色，带印花"},
    "image.dir_hint.plain_printed": {"en": "− plain fabric; + a busy print", "zh-CN": "− 素色面料；+ 繁密的印花"},
    "image.dir_hint.soft_crisp": {"en": "− muted grey and soft; + brighter, with crisp edges",
                                  "zh-CN": "− 暗淡的灰色，柔和；+ 更亮，边缘清晰"},
    # ---- the image and D's verdict ------------------------------------------------------------------------------
    "image.image_label": {"en": "Generated image (32x32, shown 8x; download as PNG)",
                          "zh-CN": "生成的图像（32x32，放大 8 倍显示；可下载 PNG）"},
    "image.verdict_explain": {
        "en": "$D(x\\mid y)$ is the discriminator's probability that the image $x$ is a real photo of class $y$; "
              "training pushes $D(G(z))$ down while $G$ pushes it up, until neither can gain: a draw near 0.5. This D, "
              "trained against the shipped generator, gives held-out real photos 0.58 and generated images 0.49 on "
              "average, so one verdict is a weak signal, and it does not fall as ψ or a direction makes an image "
              "stranger (its mean over 60 seeds rises from 0.52 at ψ 1 to 0.61 at ψ 2). Beat it in *Real or fake?* below.",
        "zh-CN": "$D(x\\mid y)$ 是判别器（discriminator, D）给出的概率：图像 $x$ 是类别 $y$ 的一张真实照片的可能性。"
                 "训练时 D 把 $D(G(z))$ 往下压，生成器（generator, G）把它往上推，直到双方都无法再占便宜：在 0.5 附近打成平手。"
                 "这个 D 是对着内置的生成器训练的，它给留出的真实照片平均打 0.58 分，给生成的图像平均打 0.49 分，所以单次判断只是很弱的信号；"
                 "而且当 ψ 或某个方向让图像变得更怪时，它的分数并不会下降（60 个种子上的平均值从 ψ 为 1 时的 0.52 升到 ψ 为 2 时的 0.61）。"
                 "在下面的“真的还是假的？”里打败它吧。",
    },
    "image.verdict_line": {"en": "**D(x | {cls}) = {p}**: {call}. Classifier: **{guess}** ({confidence})",
                           "zh-CN": "**D(x | {cls}) = {p}**：{call}。分类器：**{guess}**（{confidence}）"},
    "image.verdict_real": {"en": "looks **real** to D", "zh-CN": "D 认为它是**真的**"},
    "image.verdict_fake": {"en": "D calls it **fake**", "zh-CN": "D 判定它是**假的**"},
    # ---- where the slider panel is drawn (demo/static/image_web.js says it once, quietly, under the image) -------
    "image.web_browser": {"en": "Drawn in your browser (ONNX Runtime Web): a slider move asks the server nothing.",
                          "zh-CN": "在你的浏览器中绘制（ONNX Runtime Web）：拖动滑块不会向服务器发送任何请求。"},
    "image.web_no_wasm": {"en": "Drawn on the server: this browser has no WebAssembly.",
                          "zh-CN": "在服务器上绘制：此浏览器不支持 WebAssembly。"},
    "image.web_failed": {"en": "Drawn on the server: the model did not load in this browser.",
                         "zh-CN": "在服务器上绘制：模型未能在此浏览器中加载。"},
    "image.web_download": {"en": "Download PNG", "zh-CN": "下载 PNG"},
    "image.verdict_missing": {"en": "The discriminator's verdict is not available: ",
                              "zh-CN": "判别器的判断暂不可用："},
    # ---- the grid and the interpolation -----------------------------------------------------------------------
    "image.grid_count": {"en": "Samples in the grid (seeds: seed, seed+1, ...)",
                         "zh-CN": "网格中的样本数（种子：seed、seed+1、……）"},
    "image.grid_count_name": {"en": "Samples in the grid", "zh-CN": "网格中的样本数"},
    "image.grid_button": {"en": "Redraw grid", "zh-CN": "重画网格"},
    "image.grid_explain": {
        "en": "**Grid**: seeds seed, seed+1, ... Pick a sample (click it, or Tab to it and press Enter) to load it "
              "above; its seed becomes the first.",
        "zh-CN": "**网格**：种子依次为 seed、seed+1、……选一个样本（点击它，或用 Tab 移到它上面再按 Enter），"
                 "它就会显示在上方，它的种子成为第一个。",
    },
    "image.grid_label": {"en": "Grid", "zh-CN": "网格"},
    "image.tile_caption": {"en": "{cls}\nseed {seed}", "zh-CN": "{cls}\n种子 {seed}"},
    "image.second_seed": {"en": "Second seed", "zh-CN": "第二个种子"},
    "image.frames": {"en": "Frames", "zh-CN": "帧数"},
    "image.animate": {"en": "Redraw seed → second seed", "zh-CN": "重画：种子 → 第二个种子"},
    "image.animation_label": {"en": "Interpolation (GIF): seed → second seed",
                              "zh-CN": "插值动画（GIF）：种子 → 第二个种子"},
    "image.error_class": {"en": "Class must be one of {choices}; got {got}.",
                          "zh-CN": "类别必须是 {choices} 之一；收到的是 {got}。"},
    # ---- Real or fake? ------------------------------------------------------------------------------------------
    "image.game_title": {"en": "Real or fake? You against the discriminator", "zh-CN": "真的还是假的？你与判别器对决"},
    "image.game_missing": {"en": "The game is not available: ", "zh-CN": "这个游戏暂不可用："},
    "image.game_explain": {
        "en": "Some of these are real Fashion-MNIST **test** photos (never seen in training), the others come from "
              "$G(z)$. Tick the ones you think are real, then reveal: you see the truth and $D(x\\mid y)$ for each "
              "(D says *real* above 0.5). Can you beat the discriminator?",
        "zh-CN": "其中一些是 Fashion-MNIST 的真实**测试**照片（训练时从未见过），其余来自生成器 $G(z)$。"
                 "勾选你认为是真的那些，然后揭晓：你会看到每张图的真相和判别器给出的 $D(x\\mid y)$（高于 0.5 时 D 判为*真*）。"
                 "你能赢过判别器吗？",
    },
    "image.game_new": {"en": "New round", "zh-CN": "新一轮"},
    "image.game_images": {"en": "Which are real?", "zh-CN": "哪些是真的？"},
    "image.game_marks": {"en": "Tick the REAL ones (the rest are fake)", "zh-CN": "勾选“真的”（其余为假）"},
    "image.game_reveal": {"en": "Reveal", "zh-CN": "揭晓"},
    "image.game_header": {"en": "| # | truth | you | D(x \\| y) | D | class |",
                          "zh-CN": "| # | 真相 | 你 | D(x \\| y) | D | 类别 |"},
    "image.real": {"en": "real", "zh-CN": "真"},
    "image.fake": {"en": "fake", "zh-CN": "假"},
    "image.game_score": {
        "en": "**This round: you {you}/{n}, D {d}/{n}.** Running score over {rounds} round(s): "
              "**you {player}/{images}, D {d_total}/{images}**.",
        "zh-CN": "**本轮：你 {you}/{n}，D {d}/{n}。** {rounds} 轮累计：**你 {player}/{images}，D {d_total}/{images}**。",
    },
    "image.error_marks": {"en": "Mark images by their numbers 1 to {n}; got {got}.",
                          "zh-CN": "请用编号 1 到 {n} 标记图像；收到的是 {got}。"},
    # ---- Watch it learn -----------------------------------------------------------------------------------------
    "image.learn_title": {"en": "Watch it learn", "zh-CN": "看它学习"},
    "image.learn_missing": {"en": "Watch it learn is not available: ", "zh-CN": "“看它学习”暂不可用："},
    "image.learn_build": {
        "en": "Build it with `python -m core.gan.snapshots pack <state-dir> checkpoints/gan-fashion-snapshots`.",
        "zh-CN": "用 `python -m core.gan.snapshots pack <state-dir> checkpoints/gan-fashion-snapshots` 生成它。",
    },
    "image.learn_no_snapshots": {"en": "no training snapshots loaded", "zh-CN": "没有载入训练快照"},
    "image.learn_explain": {
        "en": "The same latent $z$ through the generator $G(z \\mid y)$ as it was at each point of one training run: "
              "at step 0 it is untrained noise; the adversarial game then pushes $D(G(z))$ up while $D$ learns to keep "
              "$D(x)$ high and $D(G(z))$ low. Slide through the training steps and watch the images, the losses and the "
              "Frechet distance (measured on each snapshot, lower is better) move together.",
        "zh-CN": "同一个潜向量 $z$，送进一次训练过程中各个时刻的生成器（generator）$G(z \\mid y)$："
                 "第 0 步时它还未训练，只输出噪声；随后对抗博弈把 $D(G(z))$ 往上推，而判别器（discriminator）$D$ "
                 "学着让 $D(x)$ 保持高、$D(G(z))$ 保持低。拖动训练步数，看图像、损失（loss）和 Fréchet 距离"
                 "（在每个快照上测得，越低越好）如何一起变化。",
    },
    "image.learn_step": {"en": "Snapshot of the run (1 = step 0; the caption gives its step)",
                         "zh-CN": "训练过程的快照（1 = 第 0 步；下方说明给出它的步数）"},
    "image.learn_image": {"en": "This seed at this step", "zh-CN": "这个种子在这一步的图像"},
    "image.learn_grid_note": {"en": "Every class (columns) for seeds 0, 1, 2 (rows) at this step:",
                              "zh-CN": "这一步时每个类别（列）在种子 0、1、2（行）下的图像："},
    "image.learn_caption_step": {"en": "<b>Step {step}</b> of {last}", "zh-CN": "<b>第 {step} 步</b>，共 {last} 步"},
    "image.learn_untrained": {"en": " (untrained)", "zh-CN": "（未训练）"},
    "image.learn_caption_fd": {
        "en": "FD {fd} ({ratio}x real-vs-real), class fidelity {fidelity}",
        "zh-CN": "Fréchet 距离（FD）{fd}（{ratio}x real-vs-real），类别保真度（class fidelity）{fidelity}",
    },
    "image.learn_caption_losses": {
        "en": "logged at step {step}: D loss {loss_d}, G loss {loss_g}, D(x) {d_real}, D(G(z)) {d_fake}",
        "zh-CN": "第 {step} 步的记录：D 损失 {loss_d}，G 损失 {loss_g}，D(x) {d_real}，D(G(z)) {d_fake}",
    },
    "image.learn_plot_title": {"en": "training curves", "zh-CN": "训练曲线"},
    "image.learn_loss_d": {"en": "D loss", "zh-CN": "D 损失"},
    "image.learn_loss_g": {"en": "G loss", "zh-CN": "G 损失"},
    "image.learn_d_real": {"en": "mean D(x)", "zh-CN": "平均 D(x)"},
    "image.learn_d_fake": {"en": "mean D(G(z))", "zh-CN": "平均 D(G(z))"},
    "image.learn_fd": {"en": "FD (snapshots)", "zh-CN": "FD（快照）"},
    "image.learn_log_scale": {"en": "log scale, lower is better", "zh-CN": "对数刻度，越低越好"},
    "image.learn_axis": {"en": "training step", "zh-CN": "训练步数"},
    "image.learn_marker": {"en": "step {step}", "zh-CN": "第 {step} 步"},
    "image.learn_step_name": {"en": "Snapshot", "zh-CN": "快照"},
}
