"""The Start here tour's strings in both languages (demo/tour_tab.py).

A step's text is its paragraph followed by its formula: the formula is stated once (FORMULAS, LaTeX, the same in both
languages) and joined to each language's paragraph here, so the page shows one Markdown per step that Gradio's i18n
translates whole and KaTeX renders."""
from __future__ import annotations

# The formula of each step, by step key: display LaTeX ($$...$$), rendered by the step's gr.Markdown.
FORMULAS: dict[str, str] = {
    "gpt.next": r"\begin{aligned} P(x_{t+1} = c \mid x_1 \dots x_t) &= \mathrm{softmax}(z / T)_c \\ &= \frac{e^{z_c / T}}{\sum_j e^{z_j / T}} \end{aligned}",
    "gpt.attention": r"\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}} + M\right) V",
    "gpt.block": r"\begin{aligned} h' &= h + \mathrm{Attn}(\mathrm{LN}(h)) \\ h'' &= h' + W_2\, \mathrm{GELU}(W_1\, \mathrm{LN}(h') + b_1) + b_2 \end{aligned}",
    "gpt.learn": r"\mathcal{L} = -\frac{1}{N} \sum_{t} \log P_\theta(x_{t+1} \mid x_1 \dots x_t)",
    "gan.generator": r"x = G(z, y), \qquad z \sim \mathcal{N}(0, I_{64})",
    "gan.discriminator": r"\begin{aligned} D(x, y) &= \sigma\big(\ell(x, y)\big) \\ D(G(z, y), y) &\in (0, 1) \end{aligned}",
    "gan.game": r"\begin{aligned} &\max_D \; \mathbb{E}_x[\log D(x)] + \mathbb{E}_z[\log(1 - D(G(z)))] \\ &\min_G \; -\mathbb{E}_z[\log D(G(z))] \end{aligned}",
    "gan.latent": r"z' = \psi\, z + \sum_i a_i\, d_i",
    "rl.policy": r"\pi_\theta(a \mid s) = \mathrm{softmax}\big(f_\theta(s) / T\big)_a",
    "rl.return": r"G_t = \sum_{k \ge 0} \gamma^k\, r_{t+k+1}, \qquad \gamma = 0.999",
    "rl.critic": r"\begin{aligned} V_\phi(s) &\approx \mathbb{E}[G_t \mid s_t = s] \\ A_t &= G_t - V_\phi(s_t) \end{aligned}",
    "rl.ppo": r"\begin{aligned} L &= \mathbb{E}_t\big[\min\big(\rho_t A_t,\ \mathrm{clip}(\rho_t, 1 - \epsilon, 1 + \epsilon)\, A_t\big)\big] \\ \rho_t &= \pi_\theta(a_t \mid s_t) \,/\, \pi_{\text{old}}(a_t \mid s_t) \end{aligned}",
    "rl.wind": r"s_{t+1} \sim p_{\text{wind}}(\cdot \mid s_t, a_t) \neq p_{\text{train}}(\cdot \mid s_t, a_t)",
}

# Each step: its title and paragraph in both languages (the formula is joined below).
STEPS: dict[str, dict[str, tuple[str, str]]] = {
    "gpt.next": {
        "en": ("Text in, a guess out",
               "The GPT reads text one character at a time: each of the 82 characters it knows has a number, and the "
               "numbers go in. What comes out is a score $z_c$ for every character that could come next. Softmax turns "
               "the scores into probabilities; the temperature $T$ divides the scores first, so a low $T$ makes the "
               "likeliest character even likelier and a high $T$ flattens the choice."),
        "zh-CN": ("输入文本，输出猜测",
                  "GPT 一次读一个字符：它认识的 82 个字符各有一个编号，输入模型的就是这些编号。模型为下一个可能出现的每个字符给出一个分数 $z_c$（logit），softmax 把分数变成概率；在这之前分数先除以温度（temperature）$T$，所以 $T$ 低时最可能的字符更占优势，$T$ 高时各个选择更接近。"),
    },
    "gpt.attention": {
        "en": ("Attention: which earlier characters matter",
               "To guess the next character, each position asks a question (its query $Q$) and every earlier position "
               "offers a key $K$ and a value $V$. The dot products of query and keys, scaled by $\\sqrt{d_k}$ and passed "
               "through softmax, say how much each earlier character counts; the answer is the weighted sum of the "
               "values. Each of the 6 heads in each of the 6 layers asks its own question."),
        "zh-CN": ("注意力：哪些前面的字符重要",
                  "为了猜下一个字符，每个位置提出一个问题（查询，query $Q$），前面的每个位置给出一个键（key）$K$ 和一个值（value）$V$。查询与键的点积除以 $\\sqrt{d_k}$ 再经过 softmax，决定每个前面的字符占多大分量；输出就是这些值的加权和。6 层中每层的 6 个头（head）各自提出自己的问题。"),
    },
    "gpt.block": {
        "en": ("The feed-forward layer and the block",
               "After attention has gathered what the earlier characters say, a feed-forward layer works on each "
               "position alone: it widens the vector four times, bends it with one nonlinearity (GELU) and narrows it "
               "back. Attention and feed-forward together make one block; each adds its result to a running sum, the "
               "residual stream, and six blocks in a row make the model."),
        "zh-CN": ("前馈层与模块",
                  "注意力汇集了前面字符的信息之后，前馈层（feed-forward）对每个位置单独计算：把向量加宽到四倍，经过一个非线性函数（GELU），再压回原来的宽度。注意力加前馈组成一个模块（block）；每一部分都把结果加到一条累加的通路上，即残差流（residual stream），六个模块依次相连就是整个模型。"),
    },
    "gpt.learn": {
        "en": ("Learning: the loss goes down",
               "At first the weights are random and every character is about equally likely. Training shows the model "
               "Shakespeare and measures its surprise at each real next character, the loss $\\mathcal{L}$; gradient "
               "descent nudges every weight to lower it. Over 2 000 steps the loss fell from 4.48 to 1.62 nats per "
               "character, and the samples went from noise to plausible lines."),
        "zh-CN": ("学习：损失不断下降",
                  "一开始权重是随机的，每个字符的概率差不多。训练时让模型读莎士比亚，在每个真实的下一个字符上计算它有多“意外”，这就是损失（loss）$\\mathcal{L}$；梯度下降每一步都微调所有权重来降低它。2000 步里，损失从每字符 4.48 奈特降到 1.62，生成的文本也从乱码变成像样的台词。"),
    },
    "gan.generator": {
        "en": ("The generator draws from noise",
               "The generator $G$ takes 64 random numbers $z$ (the seed picks them) and a class $y$, such as Sneaker, "
               "and paints a 32×32 picture. It never sees a real photo: it learns only from what the discriminator "
               "says about its pictures. The same seed and class always give the same picture."),
        "zh-CN": ("生成器从噪声作画",
                  "生成器（generator, G）接收 64 个随机数 $z$（由种子决定）和一个类别 $y$（例如运动鞋 Sneaker），画出一张 32×32 的图片。它从未见过真实照片，只从判别器对它作品的评价中学习。同样的种子和类别，总是画出同样的图片。"),
    },
    "gan.discriminator": {
        "en": ("The discriminator judges",
               "The discriminator $D$ looks at a picture and its class and gives a score $\\ell$; the sigmoid $\\sigma$ "
               "turns it into the probability that the picture is a real photo from the data set. $D(x)$ is its "
               "verdict on a real picture, $D(G(z))$ its verdict on one the generator made. The Images tab shows that "
               "verdict beside every picture."),
        "zh-CN": ("判别器来评判",
                  "判别器（discriminator, D）看一张图片和它的类别，给出一个分数 $\\ell$（logit）；sigmoid 函数 $\\sigma$ 把分数变成“这是数据集里的真实照片”的概率。$D(x)$ 是它对真实图片的判断，$D(G(z))$ 是它对生成器作品的判断。图像页在每张图旁边都显示这个判断。"),
    },
    "gan.game": {
        "en": ("The game of two losses",
               "Training is a game. $D$ is rewarded for saying real to real points and fake to generated ones; $G$ "
               "is rewarded when $D$ is fooled. Each takes turns with its own loss, and neither can win for good: when "
               "the game goes well, the generated points end up where the real ones are. The GAN playground plays "
               "this game live on points in a plane."),
        "zh-CN": ("两个损失的博弈",
                  "训练是一场博弈：$D$ 把真实的点判为真、把生成的点判为假时得分；$G$ 骗过 $D$ 时得分。双方轮流按各自的损失（loss）更新，谁也不能一直赢：博弈顺利时，生成的点最终落在真实的点所在之处。GAN 游乐场在平面上的点上实时进行这场博弈。"),
    },
    "gan.latent": {
        "en": ("Walking the latent space",
               "Every picture is a point $z$ in a 64-dimensional space. Scaling $z$ by the truncation $\\psi$ pulls it "
               "towards the middle, where pictures are plainer and safer; $\\psi$ above 1 pushes it out, towards the "
               "odd ones. Moving along a direction $d_i$ found by GANSpace changes one thing at a time, such as shape "
               "or brightness."),
        "zh-CN": ("在潜在空间里行走",
                  "每张图片都是 64 维空间中的一个点 $z$。用截断 ψ（truncation ψ）缩放 $z$ 会把它拉向中心，那里的图片更普通、更稳妥；$\\psi$ 大于 1 则把它推向外面，图片更奇特。沿着 GANSpace 找到的方向 $d_i$ 移动，每次只改变一个特征，例如形状或亮度。"),
    },
    "rl.policy": {
        "en": ("An agent that plays a game",
               "The agent lands a craft on the moon. Each moment it reads 8 numbers (position, speed, angle, legs "
               "touching) and its policy $\\pi$ gives a probability to each of 4 actions: do nothing, or fire the "
               "left, main or right engine. At temperature 0 it always takes the likeliest action."),
        "zh-CN": ("会玩游戏的智能体",
                  "智能体（agent）要把登月舱降落在月面上。每一刻它读取 8 个数（位置、速度、角度、支腿是否着地），它的策略（policy）$\\pi$ 给 4 个动作各分配一个概率：什么都不做，或点燃左、主、右发动机。温度为 0 时，它总是选最可能的动作。"),
    },
    "rl.return": {
        "en": ("Reward and return",
               "Nobody tells the agent which action is right. The game gives a reward $r$ after each action: points "
               "for moving towards the pad and for legs touching down, a cost for burning fuel, +100 for landing and "
               "-100 for crashing. The return $G_t$ adds up the rewards still to come, each a little discounted by "
               "$\\gamma$; the agent learns to make it large."),
        "zh-CN": ("奖励与回报",
                  "没人告诉智能体哪个动作是对的。游戏在每个动作后给出奖励（reward）$r$：靠近着陆台、支腿着地会加分，耗油会扣分，成功着陆加 100，坠毁扣 100。回报（return）$G_t$ 把之后的所有奖励加起来，每一步再按 $\\gamma$ 稍打折扣；智能体学的就是让它尽量大。"),
    },
    "rl.critic": {
        "en": ("The critic guesses what is coming",
               "Besides the policy, the agent has a critic: a second small network, the value function $V(s)$, that "
               "guesses the return from the current state on. The advantage $A_t$ says whether an action went better "
               "than the critic expected; those actions are made more likely. The Agent tab draws the critic's "
               "guess beside every frame."),
        "zh-CN": ("评论家预估将来",
                  "除了策略，智能体还有一个评论家（critic）：另一个小网络，即价值函数（value function）$V(s)$，它预估从当前状态开始能得到的回报。优势（advantage）$A_t$ 表示一个动作的结果是否比评论家预期的好；这样的动作会变得更可能被选中。智能体页在每一帧旁边都画出评论家的预估。"),
    },
    "rl.ppo": {
        "en": ("Learning from its own tries",
               "The first policy is close to random and crashes within seconds. PPO plays thousands of episodes, then "
               "changes the policy in the direction of the advantage, but clips each change so that one update cannot "
               "move the policy too far. After 183 updates (3 million steps) it lands in almost every test episode."),
        "zh-CN": ("从自己的尝试中学习",
                  "最初的策略接近随机，几秒内就会坠毁。PPO 先玩几千局，再沿着优势的方向修改策略，但会截断（clip）每次的改动，使一次更新不会把策略改得太远。经过 183 次更新（300 万步）后，它在几乎每一局测试中都能成功着陆。"),
    },
    "rl.wind": {
        "en": ("Wind it never saw",
               "The agent trained without wind. Turn wind on and the world no longer behaves the way it learned: the "
               "same policy meets states it never met. On some seeds it still lands; on others it drifts and crashes. "
               "A policy is only as good as the world it trained in."),
        "zh-CN": ("从没见过的风",
                  "智能体是在无风的环境里训练的。打开风之后，世界不再按它学到的方式运行：同一个策略会遇到从未遇到过的状态。有些种子下它仍能着陆，有些则被吹偏而坠毁。一个策略只在它训练过的世界里可靠。"),
    },
}

# Where the essay simplifies: one sentence each, by note key, in both languages.
SIMPLIFIES: dict[str, dict[str, str]] = {
    "gpt.mask": {
        "en": "The essay's sketch lets every position see the whole text; here a causal mask ($M = -\\infty$ above the "
              "diagonal) hides the characters after each position, so the model learns to predict what it cannot see.",
        "zh-CN": "原文的示意代码让每个位置看到整段文本；这里的因果掩码（causal mask，对角线以上 $M = -\\infty$）遮住每个位置之后的字符，模型才能学会预测它看不到的内容。",
    },
    "gpt.positions": {
        "en": "The essay's sketch has no positions, so “dog bites man” and “man bites dog” would look alike; here "
              "RoPE rotates each query and key by its position, so attention knows how far back each character is.",
        "zh-CN": "原文的示意代码没有位置信息，“狗咬人”和“人咬狗”在它看来一样；这里用旋转位置编码（RoPE）按位置旋转每个查询和键，注意力因此知道每个字符在多远之前。",
    },
    "gpt.gelu": {
        "en": "The essay writes the feed-forward layer with ReLU twice; this model, like GPTs, uses one nonlinearity "
              "between two linear maps (GELU here), because a ReLU on the output would throw away every negative "
              "change the layer makes to the residual stream.",
        "zh-CN": "原文把前馈层写成用了两次 ReLU；本模型和 GPT 一样，在两个线性变换之间只用一个非线性函数（这里是 GELU），因为输出端再加 ReLU 会丢掉该层对残差流的所有负向修改。",
    },
    "gpt.residual": {
        "en": "The essay's sketch has no residual connections or layer norms; here each block adds to the residual "
              "stream and LayerNorm keeps its scale steady, which is what lets six layers train and lets the logit "
              "lens read a guess after every layer.",
        "zh-CN": "原文的示意代码没有残差连接，也没有层归一化；这里每个模块都把结果加到残差流上，层归一化（LayerNorm）让数值尺度保持稳定，这样六层才能训练起来，logit 透镜（logit lens）也才能在每一层之后读出一个猜测。",
    },
    "gpt.layers": {
        "en": "The essay's sketch reuses one attention layer for every layer; this model has 6 layers with their own "
              "weights, and the grid of heads shows them attending in different ways.",
        "zh-CN": "原文的示意代码让每一层都重复使用同一个注意力层；本模型有 6 个各自拥有权重的层，注意力头网格显示它们关注的方式各不相同。",
    },
    "gan.generator": {
        "en": "The essay draws G as one sigmoid layer; this G is a conditional DCGAN: transposed convolutions grow a "
              "4×4 map to 32×32, and the class goes in with the noise, so you can ask for a Sneaker and get one.",
        "zh-CN": "原文把 G 画成一个 sigmoid 层；这里的 G 是条件 DCGAN：转置卷积把 4×4 的特征图逐步放大到 32×32，类别和噪声一起输入，所以要运动鞋就能得到运动鞋。",
    },
    "gan.discriminator": {
        "en": "The essay draws D as one sigmoid layer; this D is a stack of strided convolutions that outputs a logit "
              "(the sigmoid is applied only to show you a probability, since the loss on the logit trains more "
              "stably) and checks the class through a projection term.",
        "zh-CN": "原文把 D 画成一个 sigmoid 层；这里的 D 是多层步长卷积，输出一个 logit（sigmoid 只在展示概率时才用，因为直接在 logit 上计算损失训练更稳定），并通过投影项检查类别是否相符。",
    },
}

# The button under each step (what it opens) and under each note.
OPEN: dict[str, dict[str, str]] = {
    "gpt.next": {"en": "Open the Text tab at temperature 0.3", "zh-CN": "打开文本页，温度 0.3"},
    "gpt.attention": {"en": "Open Inside the GPT on “hello world”, layer 1, head 2",
                      "zh-CN": "在“hello world”上打开 GPT 内部：第 1 层第 2 个头"},
    "gpt.block": {"en": "Open Inside the GPT at layer 6 (the logit lens)", "zh-CN": "打开 GPT 内部第 6 层（logit 透镜）"},
    "gpt.learn": {"en": "Open GPT learns at step 100", "zh-CN": "打开 GPT 学习过程，第 100 步"},
    "gan.generator": {"en": "Open the Images tab: a Sneaker, seed 7", "zh-CN": "打开图像页：运动鞋，种子 7"},
    "gan.discriminator": {"en": "Open the Images tab with D's verdict: a Bag, seed 3",
                          "zh-CN": "打开图像页看 D 的判断：包，种子 3"},
    "gan.game": {"en": "Open the GAN playground on the ring", "zh-CN": "打开 GAN 游乐场：环形数据"},
    "gan.latent": {"en": "Open the Images tab at ψ = 0.5, one direction moved", "zh-CN": "打开图像页：ψ = 0.5，移动一个方向"},
    "rl.policy": {"en": "Watch the trained agent land (seed 6)", "zh-CN": "看训练好的智能体着陆（种子 6）"},
    "rl.return": {"en": "Open the Agent tab at temperature 1 (seed 6)", "zh-CN": "打开智能体页：温度 1（种子 6）"},
    "rl.critic": {"en": "Open the Agent tab: the critic's value beside each frame", "zh-CN": "打开智能体页：每帧旁边的价值"},
    "rl.ppo": {"en": "Watch the untrained agent (the first snapshot)", "zh-CN": "看未训练的智能体（第一个快照）"},
    "rl.wind": {"en": "Open the Agent tab in wind 15 (seed 6)", "zh-CN": "打开智能体页：风力 15（种子 6）"},
    "note.gpt.mask": {"en": "See the mask: Inside the GPT, layer 1, head 1", "zh-CN": "看掩码：GPT 内部第 1 层第 1 个头"},
    "note.gpt.positions": {"en": "See positions at work: layer 2, head 3", "zh-CN": "看位置的作用：第 2 层第 3 个头"},
    "note.gpt.gelu": {"en": "See the feed-forward stage: layer 4, head 1", "zh-CN": "看前馈阶段：第 4 层第 1 个头"},
    "note.gpt.residual": {"en": "See the residual stream: layer 6", "zh-CN": "看残差流：第 6 层"},
    "note.gpt.layers": {"en": "See six different layers: layer 3, head 5", "zh-CN": "看六个不同的层：第 3 层第 5 个头"},
    "note.gan.generator": {"en": "See the conditional G: a Dress, seed 11", "zh-CN": "看条件生成器：连衣裙，种子 11"},
    "note.gan.discriminator": {"en": "See D's probability: an Ankle boot, seed 5", "zh-CN": "看 D 的概率：短靴，种子 5"},
}

TOUR: dict[str, dict[str, str]] = {
    "tab.tour": {"en": "Start here", "zh-CN": "从这里开始"},
    "tour.intro": {
        "en": "## Start here: three ideas, one step at a time\n\n"
              "This playground shows the three ideas behind modern generative AI with real, small models: a GPT "
              "that writes character by character, a GAN that draws clothes, and an agent that learned by "
              "reinforcement to land on the moon. Each step below has a paragraph, the formula it is about and a "
              "button that opens the live view already set up. Each idea ends with a question answered by the model "
              "itself.",
        "zh-CN": "## 从这里开始：三个想法，一步一步来\n\n"
                 "这个游乐场用真实的小模型展示现代生成式 AI 背后的三个想法：逐字符写作的 GPT、会画服装的 GAN，以及通过强化学习（reinforcement learning）学会在月面着陆的智能体。下面每一步都有一段说明、它讲的公式，以及一个按钮，点击即可打开已经设置好的实时视图。每个想法的最后有一道题，由模型本身给出答案。",
    },
    "tour.idea.gpt": {"en": "1 · The GPT: predicting the next character", "zh-CN": "1 · GPT：预测下一个字符"},
    "tour.idea.gan": {"en": "2 · GANs: a generator and a discriminator", "zh-CN": "2 · GAN：生成器与判别器"},
    "tour.idea.rl": {"en": "3 · Reinforcement learning: an agent that plays", "zh-CN": "3 · 强化学习：会玩游戏的智能体"},
    "tour.simplifies": {"en": "Where the essay simplifies", "zh-CN": "原文简化之处"},
    "tour.quiz.heading": {"en": "### Check yourself", "zh-CN": "### 自我检测"},
    "tour.quiz.ask": {"en": "Ask me a question", "zh-CN": "出一道题"},
    "tour.quiz.check": {"en": "Check my answer", "zh-CN": "核对答案"},
    "tour.quiz.answer": {"en": "Your answer", "zh-CN": "你的答案"},
    "tour.quiz.waiting": {"en": "Press “Ask me a question”: the model itself will give the answer.",
                          "zh-CN": "点击“出一道题”：答案由模型本身给出。"},
    "tour.quiz.score": {"en": "Score this session: **{right} of {answered} right**",
                        "zh-CN": "本次得分：**答对 {answered} 题中的 {right} 题**"},
    "tour.quiz.score_none": {"en": "Score this session: no answers yet", "zh-CN": "本次得分：还没有作答"},
    "tour.quiz.gpt.question": {
        "en": "At temperature 0.3, which character is the shipped GPT most likely to write next after this text?",
        "zh-CN": "温度为 0.3 时，在这段文本之后，内置的 GPT 最可能写出哪个字符？"},
    "tour.quiz.gan.question": {
        "en": "The generator drew this {cls} (seed {seed}, ψ = {psi}). Will the discriminator call it real "
              "(D(G(z)) above 0.5)?",
        "zh-CN": "生成器画出了这件 {cls}（种子 {seed}，ψ = {psi}）。判别器会认为它是真的吗（D(G(z)) 大于 0.5）？"},
    "tour.quiz.rl.question": {
        "en": "The trained agent plays seed {seed} in wind of strength 15, which it never saw in training. Does it land?",
        "zh-CN": "训练好的智能体在风力 15 下玩种子 {seed}，它在训练中从未见过风。它能着陆吗？"},
    "tour.quiz.real": {"en": "Real: D says above 0.5", "zh-CN": "真：D 给出的概率大于 0.5"},
    "tour.quiz.fake": {"en": "Fake: D says 0.5 or below", "zh-CN": "假：D 给出的概率不超过 0.5"},
    "tour.quiz.yes": {"en": "Yes, it lands", "zh-CN": "能，它会着陆"},
    "tour.quiz.no": {"en": "No, it does not land", "zh-CN": "不能，它不会着陆"},
    "tour.quiz.space": {"en": "␣ (a space)", "zh-CN": "␣（空格）"},
    "tour.quiz.newline": {"en": "↵ (a new line)", "zh-CN": "↵（换行）"},
    "tour.quiz.list_sep": {"en": ", ", "zh-CN": "，"},
    "tour.quiz.running": {"en": "Running the episode…", "zh-CN": "正在运行这一局……"},
    "tour.quiz.right": {"en": "**Right.**", "zh-CN": "**答对了。**"},
    "tour.quiz.wrong": {"en": "**Not this time.**", "zh-CN": "**这次没答对。**"},
    "tour.quiz.counted": {"en": "(This question was already counted in your score.)",
                          "zh-CN": "（这道题已经计入得分。）"},
    "tour.quiz.gpt.reveal": {
        "en": "The model's probabilities at temperature 0.3: {probs}. The likeliest is {answer}.",
        "zh-CN": "模型在温度 0.3 下给出的概率：{probs}。最可能的是 {answer}。"},
    "tour.quiz.gan.reveal": {
        "en": "D(G(z)) = {p:.3f}: the discriminator calls it {verdict}.",
        "zh-CN": "D(G(z)) = {p:.3f}：判别器认为它是{verdict}。"},
    "tour.quiz.gan.real_word": {"en": "real", "zh-CN": "真的"},
    "tour.quiz.gan.fake_word": {"en": "fake", "zh-CN": "假的"},
    "tour.quiz.rl.reveal_landed": {
        "en": "It landed: return {ret:.1f} after {steps} steps.",
        "zh-CN": "它着陆了：{steps} 步后回报为 {ret:.1f}。"},
    "tour.quiz.rl.reveal_failed": {
        "en": "It did not land: return {ret:.1f} after {steps} steps.",
        "zh-CN": "它没有着陆：{steps} 步后回报为 {ret:.1f}。"},
    "tour.error_no_question": {"en": "Ask for a question first.", "zh-CN": "请先出一道题。"},
    "tour.error_no_choice": {"en": "Choose an answer first, then check it.", "zh-CN": "请先选择一个答案，再核对。"},
    "tour.error_bad_choice": {"en": "That answer is not one of the choices; choose one of them.",
                              "zh-CN": "这个答案不在选项里，请从选项中选择。"},
    "tour.error_missing": {"en": "This question needs a model the app could not load: {note}",
                           "zh-CN": "这道题需要的模型未能加载：{note}"},
}

for _key, _langs in STEPS.items():
    for _lang, (_title, _body) in _langs.items():
        TOUR.setdefault(f"tour.step.{_key}", {})[_lang] = f"#### {_title}\n\n{_body}\n\n$${FORMULAS[_key]}$$"
for _key, _langs in SIMPLIFIES.items():
    TOUR[f"tour.note.{_key}"] = {lang: f"**{TOUR['tour.simplifies'][lang]}{'：' if lang == 'zh-CN' else ':'}** {line}" for lang, line in _langs.items()}
for _key, _labels in OPEN.items():
    TOUR[f"tour.open.{_key}"] = dict(_labels)
