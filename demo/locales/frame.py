"""The page's frame: its title, the introduction under it and the seven tab names."""
from __future__ import annotations

FRAME: dict[str, dict[str, str]] = {
    "page.title": {
        "en": "GPT, GAN and RL playground",
        "zh-CN": "GPT、GAN 与强化学习游乐场",
    },
    # The essay's title is not known here, so the introduction names its three ideas, not the essay.
    "page.subtitle": {
        "en": "Three ideas behind modern generative AI, OpenAI's three research lines: the GPT, GANs and reinforcement "
              "learning. The app accompanies a Chinese-language essay that explains them, and runs all three live on a "
              "CPU: move a knob and watch a character-level GPT write Shakespeare, a conditional DCGAN paint "
              "Fashion-MNIST clothes and a reinforcement-learning agent land on the moon.",
        "zh-CN": "现代生成式 AI 背后的三个想法，也是 OpenAI 的三条研究路线：GPT、生成对抗网络（GAN）和强化学习"
                 "（reinforcement learning）。本应用是一篇讲解它们的中文文章的配套演示，三个模型都在 CPU 上实时运行："
                 "拖动一个旋钮，看字符级 GPT 写出莎士比亚风格的文字，条件 DCGAN 画出 Fashion-MNIST 服饰，"
                 "强化学习智能体（agent）在月面着陆。",
    },
    "tab.text": {"en": "Text (GPT)", "zh-CN": "文本（GPT）"},
    "tab.inside": {"en": "Inside the GPT", "zh-CN": "GPT 内部"},
    "tab.learn": {"en": "GPT learns", "zh-CN": "GPT 如何学习"},
    "tab.image": {"en": "Images (GAN)", "zh-CN": "图像（GAN）"},
    "tab.toy_gan": {"en": "GAN playground", "zh-CN": "GAN 游乐场"},
    "tab.agent": {"en": "Agent (RL)", "zh-CN": "智能体（强化学习）"},
    "tab.about": {"en": "About", "zh-CN": "关于"},
    "links.copy": {"en": "Copy link", "zh-CN": "复制链接"},
    "links.ignored": {
        "en": "This link had values the page could not use, so those knobs keep their defaults: {names}.",
        "zh-CN": "链接里有本页无法使用的值，这些旋钮保持默认：{names}。",
    },
}
# The page's header Markdown is one translated value (a gr.Markdown shows one key): the title as its heading, then
# the introduction.
FRAME["page.header"] = {lang: f"# {FRAME['page.title'][lang]}\n{FRAME['page.subtitle'][lang]}"
                        for lang in FRAME["page.title"]}
