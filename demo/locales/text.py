"""The Text tab's strings in both languages (and the names of the GPTs a view can run, demo/gpt_models.py)."""
from __future__ import annotations

from core import limits

_PROMPT = f"{limits.MAX_PROMPT_CHARS:,}"

TEXT: dict[str, dict[str, str]] = {
    'text.charset': {
        'en': 'The shipped GPT reads English letters, digits, spaces, line breaks and common punctuation (82 characters); to use Chinese, train your own model on the GPT learns tab.',
        'zh-CN': '内置的 GPT 只认识英文字母、数字、空格、换行和常用标点（共 82 个字符）；想用中文，请在“GPT 如何学习”标签页训练你自己的模型。',
    },
    'text.model_label': {'en': 'Model', 'zh-CN': '模型'},
    'text.model_info': {
        'en': 'Your model: the one you trained on GPT learns (for the rest of this session)',
        'zh-CN': '你的模型：你在“GPT 如何学习”标签页训练的那个（本次会话内一直可用）',
    },
    'text.model_shipped': {'en': 'Shipped GPT (Shakespeare)', 'zh-CN': '内置 GPT（莎士比亚）'},
    'text.model_own': {'en': 'Your model', 'zh-CN': '你的模型'},
    'text.model_snapshot': {'en': 'Training snapshot, step {step:,}', 'zh-CN': '训练快照，第 {step:,} 步'},
    'text.prompt_label': {
        'en': f'Prompt (up to {_PROMPT} characters; Ctrl+Enter generates)',
        'zh-CN': f'提示词（prompt，最多 {_PROMPT} 个字符；按 Ctrl+Enter 生成）',
    },
    'text.prompt_check_label': {
        'en': 'Prompt as the model reads it (what it cannot use is marked red)',
        'zh-CN': '模型读到的提示词（它无法使用的部分标为红色）',
    },
    'text.mark_unknown': {'en': 'unknown to the model', 'zh-CN': '模型不认识'},
    'text.mark_too_long': {'en': f'over the {_PROMPT}-character limit', 'zh-CN': f'超出 {_PROMPT} 个字符的上限'},
    'text.examples_label': {'en': 'Examples', 'zh-CN': '示例'},
    'text.generate': {'en': 'Generate', 'zh-CN': '生成'},
    'text.stop': {'en': 'Stop', 'zh-CN': '停止'},
    'text.output_label': {'en': 'Generated text (prompt + continuation)', 'zh-CN': '生成的文本（提示词 + 续写）'},
    'text.temperature_label': {'en': 'Temperature', 'zh-CN': '温度（temperature）'},
    'text.temperature_info': {
        'en': '0 = always the most likely character; higher = more surprising',
        'zh-CN': '0 = 总是选最可能的字符；越高越出人意料',
    },
    'text.top_k_label': {'en': 'Top-k', 'zh-CN': 'Top-k 采样'},
    'text.top_k_info': {'en': 'keep the k most likely characters (0 = off)', 'zh-CN': '只保留最可能的 k 个字符（0 = 关闭）'},
    'text.top_p_label': {'en': 'Top-p', 'zh-CN': 'Top-p 采样'},
    'text.top_p_info': {
        'en': 'keep the most likely characters that cover p of the probability (1 = off)',
        'zh-CN': '保留最可能的若干字符，直到它们的概率之和达到 p（1 = 关闭）',
    },
    'text.max_new_label': {'en': 'Max new characters', 'zh-CN': '最多生成的字符数'},
    'text.seed_label': {'en': 'Seed', 'zh-CN': '种子（seed）'},
    'text.randomise': {'en': 'Randomise', 'zh-CN': '随机种子'},
    'text.bars_label': {
        'en': 'Next character: probability after temperature, top-k and top-p',
        'zh-CN': '下一个字符：经过温度、top-k 和 top-p 之后的概率',
    },
    'text.bars_empty': {
        'en': 'Type a prompt to see the next-character probabilities.',
        'zh-CN': '输入提示词，即可看到下一个字符的概率。',
    },
    'text.bars_unknown': {
        'en': 'Remove or replace the characters marked red to see the next-character probabilities.',
        'zh-CN': '删除或替换标红的字符，即可看到下一个字符的概率。',
    },
    'text.bars_too_long': {
        'en': f'Shorten the prompt to {_PROMPT} characters to see the next-character probabilities.',
        'zh-CN': f'把提示词缩短到 {_PROMPT} 个字符以内，即可看到下一个字符的概率。',
    },
    'text.bars_no_model': {
        'en': 'The bars follow once the chosen model is there (its note says how to get one).',
        'zh-CN': '所选模型可用后这里才会显示概率条（它旁边的提示说明了如何获得）。',
    },
    'text.bars_bad_knob': {
        'en': 'A knob below has a value the model cannot use (its note says which); the bars follow once it is fixed.',
        'zh-CN': '下面某个旋钮的值模型无法使用（它旁边的提示指明是哪个）；改好之后这里就会显示概率条。',
    },
    'text.char_space': {'en': '␣ (space)', 'zh-CN': '␣（空格）'},
    'text.char_newline': {'en': '↵ (newline)', 'zh-CN': '↵（换行）'},
    'text.char_tab': {'en': '⇥ (tab)', 'zh-CN': '⇥（制表符）'},
    'text.stopped': {
        'en': 'Stopped after {new:,} of {most:,} new characters.',
        'zh-CN': '已停止：生成了 {new:,} 个新字符（上限 {most:,} 个）。',
    },
    'text.error_own_unknown': {
        'en': 'Your model does not know {count} character(s) in the prompt: {shown}. Remove or replace them; it knows only the {vocab:,} characters of the text it trained on.',
        'zh-CN': '你的模型不认识提示词里的 {count} 个字符：{shown}。请删除或替换它们；它只认识训练文本里的 {vocab:,} 个字符。',
    },
    'text.error_unknown_model': {
        'en': "Unknown model {model}; choose '{shipped}' (the shipped GPT) or '{own}' (your model).",
        'zh-CN': "未知的模型 {model}；请选择 '{shipped}'（内置 GPT）或 '{own}'（你的模型）。",
    },
    'text.error_no_own_model': {
        'en': 'You have no model of your own in this session yet: train one on the GPT learns tab (models are kept {hours} hours), or choose the shipped GPT.',
        'zh-CN': '本次会话里你还没有自己的模型：请在“GPT 如何学习”标签页训练一个（模型保留 {hours} 小时），或者选择内置 GPT。',
    },
    'text.error_unknown_gpt': {
        'en': 'Unknown model {model}; choose one of: {accepted}.',
        'zh-CN': '未知的模型 {model}；请从这些里选择：{accepted}。',
    },
    'text.error_no_snapshots': {
        'en': 'The training snapshots are not installed, so no step can be shown (see the About tab).',
        'zh-CN': '没有安装训练快照，所以无法显示任何一步（见“关于”标签页）。',
    },
}
