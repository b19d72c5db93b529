"""The app's strings in both languages, one module per area of the page; demo/i18n.py joins them into one catalog.

Each module holds a dict key -> {"en": ..., "zh-CN": ...}. Keys are "<area>.<name>" so two areas never collide
(tests/test_i18n.py checks that no key appears twice and that every entry has both languages)."""
