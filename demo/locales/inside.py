"""Inside the GPT's strings in both languages. It counts one way: a step is the position of the character it
draws, positions counting the text's characters from 0."""
from __future__ import annotations

INSIDE: dict[str, dict[str, str]] = {
    'inside.step_label': {
        'en': 'Step = position of the drawn character (counting from 0)',
        'zh-CN': '步 = 所生成字符的位置（从 0 开始计数）',
    },
    'inside.worked_heading': {
        'en': "**Step {step}: character {step} is drawn, predicted from character {query}, “{char}”** (a step is the position of the character it draws; positions count the text from 0, so step {step} draws the text's character number {nth}).",
        'zh-CN': '**第 {step} 步：生成位置 {step} 的字符，由位置 {query} 的字符“{char}”预测**（步就是它所生成字符的位置；位置从 0 开始计数，所以第 {step} 步生成的是文本的第 {nth} 个字符）。',
    },
    'inside.grid_axes': {
        'en': 'Rows are the layers, numbered down the left; columns are the heads, numbered along the top.',
        'zh-CN': '每一行是一层，层号标在左侧；每一列是一个头，头号标在上方。',
    },
}
