"""The About tab: a page for learners (what the three ideas are and where to try each), then the model cards' section
titles and summaries for developers (the cards themselves stay in English: they are written by the training and
evaluation commands)."""
from __future__ import annotations

ABOUT: dict[str, dict[str, str]] = {
    "about.intro": {
        "en": """# How the playground works

Three ideas, three models, all running on the CPU of this machine. Every view shows the real model's own numbers,
never made-up ones.

- **GPT: a model that writes.** It reads text one character at a time and gives every possible next character a
  probability; drawing one, adding it and repeating writes the text. *Attention* lets each character look back at
  the ones before it. Try **Text (GPT)**, look at the attention in **Inside the GPT**, and watch training improve it
  in **GPT learns**.
- **GAN: two networks in a contest.** A *generator* G turns random numbers z into an image G(z); a *discriminator* D
  scores how real an image looks, D(x). Each trains against the other until D can no longer tell G's images from
  real ones. Try **Images (GAN)**, and the **GAN playground**, where a small GAN learns a 2-D shape live.
- **Reinforcement learning: learning by playing.** Nobody shows the agent how to land. It tries, earns points for a
  gentle landing and loses them for a crash, and its *policy* shifts towards what worked. Try **Agent (RL)**.

New words are explained in the glossary below; the model cards at the end are the details for developers.""",
        # Chinese paragraphs stay on one line each: Markdown turns a line break into a space, which Chinese text has not.
        "zh-CN": "\n\n".join([
            "# 这个游乐场怎样运作",
            "三个想法，三个模型，全部在这台机器的 CPU 上运行。每个视图显示的都是真实模型自己的数字，没有编造的示意数据。",
            "- **GPT：会写字的模型。** 它一次读入一个字符，为每一个可能的下一个字符给出概率；抽取一个、接在末尾、再重复，"
            "就写出了文字。*注意力*（attention）让每个字符回看它前面的字符。试试 **文本（GPT）**，在 **GPT 内部** 看注意力，"
            "在 **GPT 如何学习** 看训练怎样让它变好。\n"
            "- **GAN：两个网络的比赛。** *生成器*（generator）G 把随机数 z 变成一张图像 G(z)；*判别器*（discriminator）D "
            "给一张图像打分，D(x) 表示它看起来有多真实。两者相互对抗着训练，直到 D 再也分不清 G 的图像和真实图像。"
            "试试 **图像（GAN）**，以及 **GAN 游乐场**：一个小 GAN 在那里实时学习一个二维形状。\n"
            "- **强化学习（reinforcement learning）：在玩中学。** 没有人教智能体（agent）怎样着陆。它不断尝试，平稳着陆就得分，"
            "坠毁就扣分，它的*策略*（policy）逐渐偏向那些有效的动作。试试 **智能体（强化学习）**。",
            "新出现的术语在下面的术语表中解释；最后的模型卡片是给开发者看的细节。",
        ]),
    },
    "about.cards": {
        "en": "## For developers: the model cards\n\nEvery number below comes from the checkpoint's model card "
              "(`README.md` in its folder under `checkpoints/`), written by the training and evaluation commands it "
              "names.",
        "zh-CN": "## 给开发者：模型卡片\n\n下面的每个数字都来自检查点的模型卡片（model card，即 `checkpoints/` 下各模型"
                 "文件夹中的 `README.md`），由卡片中写明的训练和评估命令生成。模型卡片只有英文版。",
    },
    "about.gpt": {
        "en": "## Text: a character-level GPT\n\nIt reads the prompt one character at a time and predicts a probability "
              "for every possible next character; sampling one, appending it and repeating writes the text. The knobs "
              "reshape that distribution before each draw.",
        "zh-CN": "## 文本：字符级 GPT\n\n它逐个字符地读入提示词（prompt），为每一个可能的下一个字符预测一个概率；"
                 "采样一个、接在末尾、再重复，就写出了文字。各个旋钮在每次采样之前重塑这个分布。",
    },
    "about.gan": {
        "en": "## Images: a class-conditional DCGAN\n\nA generator turns a random latent vector and a class label into a "
              "32x32 image; it was trained against a discriminator that learned to tell its images from real "
              "Fashion-MNIST ones. The seed picks the latent vector, the truncation scales it, and each direction "
              "slider moves it along one principal direction of the latent space.",
        "zh-CN": "## 图像：类别条件 DCGAN\n\n生成器（generator）把一个随机潜向量（latent vector）和一个类别标签变成一张"
                 " 32x32 的图像；它与判别器（discriminator）对抗着训练，判别器学着把它的图像和真实的 Fashion-MNIST "
                 "图像区分开。种子（seed）决定潜向量，截断（truncation）对它进行缩放，每个方向滑块让它沿潜空间的一个"
                 "主方向移动。",
    },
    "about.agent": {
        "en": "## Agent: a PPO policy that lands on the moon\n\nReinforcement learning, the third pillar: nobody shows "
              "the agent how to land. It plays Gymnasium's LunarLander (reward for approaching the pad slowly and "
              "upright, +100 for coming to rest, -100 for crashing) and PPO nudges its policy, a softmax over four "
              "engine actions, towards the actions that turned out better than its critic expected. The mean return "
              "over 100 test episodes below is the score; 200 counts as solved.",
        "zh-CN": "## 智能体：在月面着陆的 PPO 策略\n\n强化学习是第三根支柱：没有人教智能体怎样着陆。它玩 Gymnasium 的 "
                 "LunarLander（缓慢、竖直地接近着陆台得分，停稳加 100 分，坠毁扣 100 分），PPO 把它的策略（policy，"
                 "即四种引擎动作上的 softmax）推向那些结果好于评论家（critic）预期的动作。下面 100 个测试回合的平均"
                 "回报就是它的得分；达到 200 分算作解决了这个任务。",
    },
    "about.classifier": {
        "en": "## The classifier behind the image metrics\n\nA small CNN trained on Fashion-MNIST; its features and "
              "predictions score how real and how on-class the generated images are.",
        "zh-CN": "## 图像指标背后的分类器\n\n一个在 Fashion-MNIST 上训练的小型卷积神经网络（CNN）；用它的特征和预测来"
                 "衡量生成的图像有多逼真、是否属于所要求的类别。",
    },
    # The model cards' figures, summed up in the reader's language (demo/about_tab.py FIGURES reads each from its card).
    "about.measured": {
        "en": "**Measured** (from the model card below):",
        "zh-CN": "**实测数字**（取自下面的模型卡片）：",
    },
    "about.figure_gpt_loss": {
        "en": "Loss on plays it never saw (nats per character, lower is better):",
        "zh-CN": "在从未见过的剧本上的损失（每字符奈特，越低越好）：",
    },
    "about.figure_gpt_perplexity": {
        "en": "Perplexity (as unsure as a choice among this many characters):",
        "zh-CN": "困惑度（perplexity，相当于在这么多个字符之间犹豫）：",
    },
    "about.figure_gan_ratio": {
        "en": "Fréchet distance to real images, as a multiple of real-vs-real (target: at most 5):",
        "zh-CN": "与真实图像的 Fréchet 距离，以真实图像彼此之间的距离（real-vs-real）为单位（目标：不超过 5）：",
    },
    "about.figure_gan_fidelity": {
        "en": "Class fidelity (the share of images the classifier files under the class asked for):",
        "zh-CN": "类别保真度（class fidelity，被分类器判为所要求类别的图像比例）：",
    },
    "about.figure_agent_return": {
        "en": "Mean return over the test episodes, always taking the likeliest action (200 counts as solved):",
        "zh-CN": "总是选最可能的动作时，测试回合的平均回报（return；200 分算作解决）：",
    },
    "about.figure_agent_landed": {
        "en": "Test episodes that ended in a safe landing:",
        "zh-CN": "以安全着陆结束的测试回合：",
    },
    "about.figure_classifier": {
        "en": "Accuracy on the Fashion-MNIST test images:",
        "zh-CN": "在 Fashion-MNIST 测试图像上的准确率：",
    },
    "about.pending": {
        "en": "*Pending:*",
        "zh-CN": "*尚未就绪：*",
    },
    "about.card_picture": {
        "en": "A picture from the model card",
        "zh-CN": "模型卡片中的图片",
    },
}
