"""The glossary: every term a learner meets in the app, a name and one plain line each, in both languages.

Each term gives two catalog keys, "term.<key>.name" and "term.<key>" (the line), so a tab can show the line as a
tooltip (`info=`, demo/glossary.py term) and the About tab the whole list ("about.glossary", built here).
The Chinese name carries the English term in brackets, as Chinese ML texts introduce a term."""
from __future__ import annotations

# key -> language -> (name, one line). Order: the GPT's words, then the GAN's, then reinforcement learning's.
TERMS: dict[str, dict[str, tuple[str, str]]] = {
    "attention": {
        "en": ("Attention", "Each position mixes in what earlier positions carry, weighted by softmax(QKᵀ/√d_k): how "
                            "well its query matches their keys."),
        "zh-CN": ("注意力（attention）", "每个位置按 softmax(QKᵀ/√d_k) 的权重汇集前面各位置的信息，权重取决于它的查询"
                                      "（query）与它们的键（key）有多匹配。"),
    },
    "softmax": {
        "en": ("Softmax", "Turns a list of scores into probabilities that are positive and add up to 1; a larger "
                          "score gets exponentially more."),
        "zh-CN": ("softmax", "把一组分数变成全为正、总和为 1 的概率；分数越大，得到的概率按指数增长。"),
    },
    "temperature": {
        "en": ("Temperature", "The scores are divided by it before the softmax: below 1 sharpens the choice (safer "
                              "text), above 1 flattens it (more surprising text)."),
        "zh-CN": ("温度（temperature）", "在 softmax 之前把分数除以它：小于 1 让分布更尖锐（文字更保守），大于 1 让分布更"
                                      "平坦（文字更出人意料）。"),
    },
    "top_k": {
        "en": ("Top-k", "Only the k most likely next characters are kept, then their probabilities are rescaled to "
                        "add up to 1."),
        "zh-CN": ("top-k 采样（top-k）", "只保留概率最高的 k 个候选字符，再把它们的概率重新缩放到总和为 1。"),
    },
    "top_p": {
        "en": ("Top-p", "Only the most likely characters are kept, as few as together reach probability p (nucleus "
                        "sampling)."),
        "zh-CN": ("top-p 采样（top-p）", "按概率从高到低保留字符，直到它们的概率之和达到 p 为止（又称核采样，nucleus "
                                      "sampling）。"),
    },
    "nats": {
        "en": ("Nats per character", "How surprised the model is by the true next character on average, −ln p; lower "
                                     "is better (ln 2 nats = 1 bit)."),
        "zh-CN": ("每字符奈特（nats per character）", "模型对真实的下一个字符平均有多“意外”，即 −ln p；越低越好"
                                                  "（ln 2 奈特等于 1 比特）。"),
    },
    "rope": {
        "en": ("RoPE", "Rotary position embeddings: each query and key is rotated by an angle that grows with its "
                       "position, so attention sees how far apart two characters are."),
        "zh-CN": ("旋转位置编码（RoPE）", "按位置把每个查询（query）和键（key）旋转一个角度，位置越靠后角度越大，注意力"
                                      "（attention）因此能看出两个字符相隔多远。"),
    },
    "residual_stream": {
        "en": ("Residual stream", "The vector each position carries up through the layers: every attention and "
                                  "feed-forward block adds its output to it instead of replacing it."),
        "zh-CN": ("残差流（residual stream）", "每个位置逐层向上传递的向量：每个注意力（attention）块和前馈（feed-forward）块"
                                            "都把自己的输出加到它上面，而不是替换它。"),
    },
    "layernorm": {
        "en": ("LayerNorm", "Rescales a vector to mean 0 and variance 1 (then by learned weights) before each block, "
                            "which keeps training stable."),
        "zh-CN": ("层归一化（LayerNorm）", "在每个块之前把向量缩放到均值 0、方差 1（再乘以学到的权重），让训练保持稳定。"),
    },
    "logit_lens": {
        "en": ("Logit lens", "Reads the residual stream after each layer through the model's final norm and output "
                             "head: what it would predict if it stopped there."),
        "zh-CN": ("logit 透镜（logit lens）", "把每一层之后的残差流直接送进模型最后的归一化和输出头，看模型如果在这一层"
                                           "停下会预测什么。"),
    },
    "tied_head": {
        "en": ("Tied head", "The output layer reuses the input embedding matrix, so one vector per character both "
                            "reads it in and scores it as the next character."),
        "zh-CN": ("共享权重的输出头（tied head）", "输出层复用输入的嵌入（embedding）矩阵：每个字符的同一个向量既用来读入它，"
                                              "也用来给它作为下一个字符打分。"),
    },
    "truncation": {
        "en": ("Truncation ψ", "Scales the GAN's random latent vector by ψ: a smaller ψ gives more typical, cleaner "
                               "images, a larger one more varied and odder ones."),
        "zh-CN": ("截断 ψ（truncation ψ）", "把 GAN 的随机潜向量（latent vector）乘以 ψ：ψ 越小，图像越典型、越干净；越大"
                                         "则越多样，也越古怪。"),
    },
    "ganspace": {
        "en": ("GANSpace", "Finds the main directions of the latent space by principal component analysis; moving "
                           "along one changes one aspect of the image."),
        "zh-CN": ("GANSpace", "用主成分分析（PCA）找出潜空间（latent space）中的主要方向；沿其中一个方向移动，"
                           "会改变图像的某一个方面。"),
    },
    "frechet": {
        "en": ("Fréchet distance", "Compares two sets of images by the mean and covariance of a classifier's features "
                                   "(as FID does); 0 means the same statistics."),
        "zh-CN": ("Fréchet 距离（Fréchet distance）", "用分类器特征的均值和协方差比较两组图像（FID 也是这样做的）；0 表示"
                                                   "两组的统计量相同。"),
    },
    "real_vs_real": {
        "en": ("“4.8x real-vs-real”", "The generated images' Fréchet distance divided by that between two sets of "
                                      "real images: the yardstick; 1x would be as close as real images are to each "
                                      "other."),
        "zh-CN": ("“4.8x real-vs-real”", "生成图像的 Fréchet 距离除以两组真实图像之间的 Fréchet 距离，后者是标尺；1x "
                                         "表示与真实图像彼此之间一样接近。"),
    },
    "class_fidelity": {
        "en": ("Class fidelity", "The share of generated images that the classifier assigns to the class they were "
                                 "asked for."),
        "zh-CN": ("类别保真度（class fidelity）", "生成的图像中，被分类器判为所要求类别的比例。"),
    },
    "gan_losses": {
        "en": ("Non-saturating vs least-squares loss", "Two ways to train G: maximise log D(G(z)) (strong gradients "
                                                       "even when D wins), or push D(G(z)) towards 1 with a squared "
                                                       "error."),
        "zh-CN": ("非饱和损失与最小二乘损失（non-saturating vs least-squares loss）", "训练生成器（generator）G 的两种"
                  "方式：最大化 log D(G(z))（即使判别器（discriminator）D 占上风，梯度依然够大），或者用平方误差把 "
                  "D(G(z)) 推向 1。"),
    },
    "energy_distance": {
        "en": ("Energy distance", "How far apart two clouds of points are, from the distances between and within "
                                  "them; 0 only when they come from the same distribution."),
        "zh-CN": ("能量距离（energy distance）", "由两团点之间和各自内部的距离算出它们相差多远；只有两者来自同一分布时才为 0。"),
    },
    "ppo": {
        "en": ("PPO", "Proximal policy optimisation: moves the policy towards actions that did better than expected, "
                      "but clips each update so it never moves far at once."),
        "zh-CN": ("近端策略优化（PPO）", "把策略（policy）推向那些结果好于预期的动作，但对每次更新做截断（clip），使策略"
                                      "一次不会改变太多。"),
    },
    "critic": {
        "en": ("Critic", "The value function: a network's estimate of the total reward still to come from a state; "
                         "the policy's actions are judged against it."),
        "zh-CN": ("评论家（critic）", "即价值函数（value function）：网络对从某个状态出发还能得到的总回报的估计；策略"
                                   "（policy）的动作以它为基准来评判。"),
    },
    "gae": {
        "en": ("GAE", "Generalised advantage estimation: how much better an action turned out than the critic "
                      "expected, looking several steps ahead with fading weights (λ)."),
        "zh-CN": ("广义优势估计（GAE）", "一个动作的结果比评论家（critic）的预期好多少：综合之后若干步的回报，并按 λ "
                                      "逐步减小越远的步的权重。"),
    },
}
LANGUAGES = ("en", "zh-CN")
HEADING = {"en": "## Glossary", "zh-CN": "## 术语表"}


def glossary_markdown(lang: str) -> str:
    """The whole glossary as Markdown for the About tab: the heading, then one line per term."""
    lines = [f"- **{entry[lang][0]}**: {entry[lang][1]}" if lang == "en" else f"- **{entry[lang][0]}**：{entry[lang][1]}"
             for entry in TERMS.values()]
    return HEADING[lang] + "\n\n" + "\n".join(lines)


def catalog() -> dict[str, dict[str, str]]:
    """The glossary's catalog entries: each term's name and line, and the About tab's glossary section."""
    entries: dict[str, dict[str, str]] = {}
    for key, entry in TERMS.items():
        entries[f"term.{key}.name"] = {lang: entry[lang][0] for lang in LANGUAGES}
        entries[f"term.{key}"] = {lang: entry[lang][1] for lang in LANGUAGES}
    entries["about.glossary"] = {lang: glossary_markdown(lang) for lang in LANGUAGES}
    return entries
