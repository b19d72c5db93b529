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
}
# The page's header Markdown is one translated value (a gr.Markdown shows one key): the title as its heading, then
# the introduction.
FRAME["page.header"] = {lang: f"# {FRAME['page.title'][lang]}\n{FRAME['page.subtitle'][lang]}"
                        for lang in FRAME["page.title"]}

# The tabs' own strings (Text, Inside the GPT, Images). Inside the GPT counts one way: a step is the position of the
# character it draws, positions counting the text's characters from 0.
FRAME.update({
    "inside.step_label": {
        "en": "Step = position of the drawn character (counting from 0)",
        "zh-CN": "步 = 所生成字符的位置（从 0 开始计数）",
    },
    "inside.worked_heading": {
        "en": "**Step {step}: character {step} is drawn, predicted from character {query}, “{char}”** (a step is the "
              "position of the character it draws; positions count the text from 0, so step {step} draws the "
              "text's character number {nth}).",
        "zh-CN": "**第 {step} 步：生成位置 {step} 的字符，由位置 {query} 的字符“{char}”预测**（步就是它所生成字符的位置；"
                 "位置从 0 开始计数，所以第 {step} 步生成的是文本的第 {nth} 个字符）。",
    },
    "inside.grid_axes": {
        "en": "Rows are the layers, numbered down the left; columns are the heads, numbered along the top.",
        "zh-CN": "每一行是一层，层号标在左侧；每一列是一个头，头号标在上方。",
    },
    "text.charset": {
        "en": "The shipped GPT reads English letters, digits, spaces, line breaks and common punctuation "
              "(82 characters); to use Chinese, train your own model on the GPT learns tab.",
        "zh-CN": "内置的 GPT 只认识英文字母、数字、空格、换行和常用标点（共 82 个字符）；"
                 "想用中文，请在“GPT 如何学习”标签页训练你自己的模型。",
    },
})
