"""The Text tab's strings in both languages."""
from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    'text.charset': {
        'en': 'The shipped GPT reads English letters, digits, spaces, line breaks and common punctuation (82 characters); to use Chinese, train your own model on the GPT learns tab.',
        'zh-CN': '内置的 GPT 只认识英文字母、数字、空格、换行和常用标点（共 82 个字符）；想用中文，请在“GPT 如何学习”标签页训练你自己的模型。',
    },
}
