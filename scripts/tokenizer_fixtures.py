#!/usr/bin/env python3
"""Writes tests/fixtures/tokenizer/{qwen2,gemma3}.json: llama.cpp's token ids for a fixed corpus.

The GGUF tokenizer in libzipp must give the same ids as llama.cpp for the same file. This script
builds a deterministic corpus (seeded RNG, persona texts from examples/personas, hand-written edge
cases), tokenizes every string with llama.cpp through llama-cpp-python, and stores the ids.

- Every corpus string is recorded with `special=False` (special-token look-alikes such as
  "<|im_start|>" are plain text). Each model also gets ~100 chat-template strings with that
  model's own markers, recorded both with `special=True` and `special=False`.
- Ids never include BOS (`add_bos=False`); the header records the model's BOS id and whether
  llama.cpp prepends it when asked to add special tokens (`add_bos`).
- The script checks that llama.cpp's detokenizer gives back the exact input bytes and reports how
  many cases do not (it does not fail on them).

llama-cpp-python has no prebuilt wheel for this machine; build it from source (several minutes):

    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF" \\
        pip install llama-cpp-python==0.3.36

Regenerate (the models: Qwen2.5-Coder-0.5B-Instruct Q4_K_M and Gemma 3 270M GGUF files):

    python3 scripts/tokenizer_fixtures.py QWEN.gguf GEMMA.gguf
    # or: ZIPP_QWEN_GGUF=... ZIPP_GEMMA_GGUF=... python3 scripts/tokenizer_fixtures.py

Pass `--corpus-only` to print the corpus size without llama.cpp.
"""

import argparse
import hashlib
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "tests" / "fixtures" / "tokenizer"
PERSONA_DIR = ROOT / "examples" / "personas"
SEED = 20250
MIN_CASES = 1200

# ---------------------------------------------------------------------------------------------
# Corpus material
# ---------------------------------------------------------------------------------------------

SUBJECTS = [
    "a rainy street at night", "a portrait of an old fisherman", "a mountain lake at dawn",
    "a cat on a windowsill", "a bowl of ramen", "a red bicycle leaning on a wall",
    "a lighthouse in a storm", "a market stall full of spices", "a child flying a kite",
    "a desert road under a full moon", "two friends laughing in a cafe", "a fox in the snow",
    "an abandoned greenhouse", "a neon-lit alley in Tokyo", "a wheat field before a storm",
    "a grandmother knitting by the fire", "a surfer at sunset", "a cathedral interior",
    "a street musician with a violin", "a cup of coffee on a wooden table", "a city skyline",
    "a close-up of a dragonfly", "a tram crossing a bridge", "a busy fish market",
    "a sailboat on calm water", "a bookshop at closing time", "a dog running on the beach",
    "a woman reading under a tree", "a snowy village", "a bustling night bazaar",
    "an astronaut floating above Earth", "a vintage car in the rain", "a field of sunflowers",
    "a waterfall in the jungle", "a chess game in the park", "a baker kneading dough",
]
SETTINGS = [
    "", "in Lagos", "in Osaka", "near Tromsø", "in São Paulo", "in Marrakech", "in Kraków",
    "on the Amalfi coast", "in the Andes", "in Reykjavík", "in a small village", "downtown",
    "at the harbour", "in the old town", "on a rooftop", "in Bengaluru", "in Yogyakarta",
]
STYLES = [
    "", "cinematic lighting", "35mm film", "watercolor", "oil painting", "photorealistic, 8k",
    "muted colour film look", "high contrast black-and-white", "soft overcast light",
    "golden hour", "studio portrait, 85mm f/1.4", "isometric 3D render", "ukiyo-e style",
    "shallow depth of field", "long exposure", "pastel palette", "dramatic chiaroscuro",
    "Kodak Portra 400", "anime style", "low-poly", "HDR", "bokeh", "wide angle, f/8",
]
MOODS = ["", "calm", "nostalgic", "joyful", "melancholic", "eerie", "serene", "vibrant", "moody"]

CONTRACTION_TEMPLATES = [
    "it's {x}", "don't {x}", "they're {x}", "we've {x}", "I'm {x}", "you'll {x}", "she'd {x}",
    "IT'S {x}", "DON'T {x}", "THEY'RE {x}", "WE'VE {x}", "I'M {x}", "YOU'LL {x}", "SHE'D {x}",
    "the cat's {x}", "THE CAT'S {x}", "It'S {x}", "I'd've {x}", "y'all'll {x}", "rock 'n' roll {x}",
    "'tis {x}", "o'clock {x}", "John's and Mary's {x}", "can't won't shouldn't {x}",
    "it’s {x} (curly apostrophe)", "don’t {x}", "''quoted'' {x}", "'s 't 're 've 'm 'll 'd",
    "'S 'T 'RE 'VE 'M 'LL 'D", "x's y't z're a've b'm c'll d'd", "'''' {x}", "' {x} '",
]
CONTRACTION_FILLERS = ["fine", "raining", "home", "the best", "42", "over there", "OK", "é", "猫"]

FIXED = [
    "", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", "\n\n\n", "\r", " \n ", "\t\n\t",
    "\n \n", " \t \n \r\n ", "a", "A", "I", ".", ",", "!", "?", "'", "\"", "-", "_", "...",
    "hello", "Hello", "HELLO", "hello world", "Hello, World!", " hello", "hello ", " hello ",
    "  hello  ", "\thello", "hello\n", "\nhello", "hello\n\nworld", "hello\r\nworld",
    "hello\n\n\nworld", "hello \n world", "hello  world", "hello   world", "hello\tworld",
    "hello \t world", "a  b   c    d     e", "end.  Start", "one\n two\n  three\n   four",
    "Mr. Smith's dog", "U.S.A.", "e.g. i.e. etc.", "A/B testing", "rock&roll", "50% off!",
    "$100.00", "€99,99", "£5", "¥1000", "#hashtag", "@mention", "~tilde~", "^caret^",
    "(parentheses) [brackets] {braces} <angles>", "\"double\" 'single' `back`",
    "«guillemets» „Anführungszeichen“ “curly” ‘quotes’", "em—dash en–dash hyphen-minus",
    "ellipsis… and more", "bullet • point · middle", "©®™", "½ ¼ ¾ ⅓", "x² + y³ = z⁴",
    "H₂O CO₂", "→ ← ↑ ↓ ⇒", "∑∫∂√∞≈≠≤≥", "°C °F", "№ 5", "§ 12 ¶ 3",
    "\u00a0non-breaking\u00a0space", "zero\u200bwidth\u200bspace", "\ufeffBOM at start",
    "soft\u00adhyphen", "word\u2028line separator", "para\u2029separator",
    "e\u0301 vs \u00e9", "n\u0303 vs \u00f1", "a\u0308o\u0308u\u0308",
    "Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ", "ﬁ ﬂ ligatures", "İstanbul ı i I", "Straße STRASSE",
    "ǅ ǈ ǋ titlecase", "ΣΊΣΥΦΟΣ σίσυφος", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙", "\u202eright-to-left override",
    "\x01\x02\x03 control", "bell\x07", "tab\x0bvertical\x0cformfeed", "del\x7f",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "abababababababababababababababababababababababababab", "!!!!!!!!!!!!!!!!!!!!!!!!",
    "????", "....", "----------", "==========", "**********", "__init__", "________",
    "0", "1", "12", "123", "1234", "12345", "123456789", "1234567890123456789012345",
    "3.14159", "-42", "+1", "1e10", "6.022e23", "0x1F", "0b1010", "1,234,567.89",
    "1 000 000", "2024-01-31", "12:34:56", "2025-03-14T15:09:26.535Z", "v1.2.3-beta.4",
    "x86_64", "iPhone15", "COVID-19", "4K 60fps", "f/1.4", "1/250s", "ISO 3200", "24mm",
    "٣٤٥ ٠١٢", "१२३४५", "๑๒๓", "一二三", "①②③", "Ⅻ", "ＡＢＣ１２３",
]

MULTILINGUAL = [
    # accented Latin
    "Crème brûlée à la française, s'il vous plaît.", "¿Dónde está la estación de tren?",
    "Ça va très bien, merci !", "Ação, coração e pão — São Paulo.", "Zażółć gęślą jaźń.",
    "Příliš žluťoučký kůň úpěl ďábelské ódy.", "Árvíztűrő tükörfúrógép", "Øl og smørrebrød på Ærø",
    "Fußgängerübergänge über die Straße", "Şehir ışıkları çok güzel", "Việt Nam xin chào",
    "Jó napot kívánok! Hogy van?", "Sveiki, kaip sekasi? Ąžuolas", "Îngheţată şi ţară",
    # Cyrillic
    "Привет, как дела?", "Москва — столица России.", "Съешь же ещё этих мягких французских булок.",
    "Київ, Україна. Ґанок і їжак.", "Алматы — красивый город у гор.", "Здравей, свят!",
    "ЗАГЛАВНЫЕ БУКВЫ и строчные", "фотография дождливой улицы ночью",
    # Greek
    "Καλημέρα κόσμε", "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.", "ΑΒΓΔΕ αβγδε ς",
    "Γαζέες καὶ μυρτιὲς δὲν θὰ βρῶ πιὰ στὸ χρυσαφὶ ξέφωτο.",
    # Arabic / Hebrew / Persian
    "مرحبا بالعالم", "القاهرة مدينة جميلة في الليل.", "شارع ممطر في الليل", "أنا أحب التصوير.",
    "שלום עולם", "سلام دنیا، حال شما چطور است؟", "English mixed with عربي text",
    # Indic
    "नमस्ते दुनिया", "मुझे बारिश में चाय पसंद है।", "बेंगलुरु में एक व्यस्त बाज़ार", "ক্ষমা করবেন",
    "வணக்கம் உலகம்", "నమస్కారం", "ನಮಸ್ಕಾರ ಬೆಂಗಳೂರು", "ਸਤ ਸ੍ਰੀ ਅਕਾਲ", "ગુજરાતી લિપિ",
    # Southeast Asian
    "สวัสดีครับ ยินดีที่ได้รู้จัก", "ตลาดน้ำยามเช้า", "Selamat pagi, apa kabar?", "ສະບາຍດີ",
    "မင်္ဂလာပါ", "សួស្តី",
    # Korean / Japanese / Chinese
    "안녕하세요 세계", "비 오는 밤의 서울 거리", "한국어와 English 섞어서",
    "こんにちは世界", "雨の夜の大阪の路地裏、フィルム写真風。", "カタカナとひらがなと漢字",
    "ｶﾀｶﾅ半角", "東京タワーの夕焼け", "你好，世界！", "深圳的夜景非常漂亮。", "一只猫坐在窗台上",
    "繁體中文：臺灣的夜市", "我叫小明，今年25岁。", "中文English混合123",
    # others
    "Բարեւ աշխարհ", "გამარჯობა მსოფლიო", "ሰላም ልዑል", "Сайн байна уу", "Сәлеметсіз бе, Алматы!",
    "Habari ya asubuhi, Lagos!", "Ẹ kú àárọ̀", "Nnọọ", "Kia ora", "ᐊᐃᓐᖓᐃ",
]

EMOJI = [
    "😀", "😂", "🥲", "❤️", "❤", "👍", "👍🏻", "👍🏽", "👍🏿", "🙏🏾", "👋🏼", "🔥", "✨", "🎉", "🌧️",
    "🌃", "📷", "🎨", "🍜", "🐈", "🐈‍⬛", "🏳️‍🌈", "🏳️‍⚧️", "🏴‍☠️", "👨‍👩‍👧‍👦", "👩‍💻", "👨🏽‍🍳",
    "🧑🏿‍🚀", "👩‍❤️‍💋‍👨", "🇯🇵", "🇧🇷", "🇳🇬", "🇺🇸", "🇪🇺", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣", "#️⃣", "©️",
    "☀️", "⛈", "🫠", "🪿", "🦩", "🧋", "🥐", "🗻", "🌸", "🕌", "🛕", "⛩️", "🤌", "🫶🏽",
]

CODE = [
    "def add(a, b):\n    return a + b\n",
    "fn main() {\n    println!(\"Hello, world!\");\n}\n",
    "for (int i = 0; i < n; ++i) { sum += a[i]; }",
    "#include <stdio.h>\nint main(void) { return 0; }",
    "const x = arr.map((v) => v * 2).filter(Boolean);",
    "SELECT id, name FROM users WHERE age >= 18 ORDER BY name;",
    "{\"key\": \"value\", \"n\": [1, 2, 3], \"ok\": true, \"none\": null}",
    "<div class=\"card\"><p>Hello</p></div>",
    "<table><tr><td>1</td><td>2</td></tr></table>",
    "<strong>bold</strong> <em>em</em> <code>x</code> <b>b</b> <i>i</i> <s>s</s>",
    "<h1>Title</h1>\n<ul><li>one</li><li>two</li></ul>",
    "$ cargo build --release && ./target/release/zipp --help",
    "if [ -f \"$HOME/.bashrc\" ]; then source ~/.bashrc; fi",
    "x = {'a': 1, 'b': [2, 3]}  # comment",
    "    indented with four spaces\n\tand a tab\n        eight spaces",
    "class Foo:\n    def __init__(self):\n        self.x = 0\n",
    "let v: Vec<u32> = (0..10).collect();\nassert_eq!(v.len(), 10);",
    "impl<'a> Iterator for Tokens<'a> { type Item = &'a str; }",
    "match x { Some(v) => v, None => return Err(e)?, }",
    "SELECT * FROM t;  -- trailing comment\n",
    "a += 1; b -= 2; c *= 3; d /= 4; e %= 5; f **= 6; g //= 7;",
    "x == y != z <= w >= v && u || !t",
    "std::vector<std::string> names{\"a\", \"b\"};",
    "printf(\"%d %s %.2f\\n\", n, s, f);",
    "regex: ^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$",
    "git commit -m 'fix: handle CRLF in tokenizer'",
    "   leading spaces in code\n\n\n\ntrailing newlines\n\n",
    "\t\t\tdeep\t\ttabs\t",
    "// TODO(zipp): remove this\n/* block */",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    "key: value\nlist:\n  - a\n  - b\n",
    "[section]\nname = \"zipp\"\nversion = \"0.1.0\"",
]

URLS = [
    "https://example.com", "http://example.org/path/to/page?query=1&x=y#frag",
    "https://en.wikipedia.org/wiki/Byte_pair_encoding", "ftp://files.example.net/pub/file.tar.gz",
    "mailto:someone@example.com", "user.name+tag@sub.example.co.uk", "www.example.com/a_b-c",
    "https://例え.jp/パス", "http://localhost:8080/api/v1/items/42", "192.168.0.1:443",
    "file:///home/user/Pictures/IMG_0001.JPG", "C:\\Users\\Public\\Documents\\report.docx",
    "/usr/local/bin/python3", "~/models/gemma-3-270m.gguf", "../../etc/passwd",
    "https://github.com/owner/repo/blob/main/src/lib.rs#L10-L20",
    "[link](https://example.com/image.png)", "![alt text](./img/cat.jpg \"Title\")",
]

MARKDOWN = [
    "# Heading 1", "## Heading 2\n\nSome text.", "### H3 with `code`", "- item one\n- item two\n- item three",
    "1. first\n2. second\n3. third", "**bold** and *italic* and ***both***", "~~strikethrough~~",
    "> a blockquote\n> on two lines", "```python\nprint('hi')\n```", "```\nplain block\n```",
    "| a | b |\n|---|---|\n| 1 | 2 |", "- [ ] todo\n- [x] done", "Term\n: definition",
    "***\n---\n___", "Line with two trailing spaces  \nnext line", "\\*escaped\\* \\_chars\\_",
    "Footnote[^1]\n\n[^1]: The note.", "<details><summary>More</summary>Hidden</details>",
]

LOOKALIKES = [
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|im_start|>user\nhi<|im_end|>",
    "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>", "<|file_sep|>", "<|repo_name|>",
    "<|vision_start|><|image_pad|><|vision_end|>", "<tool_call>{}</tool_call>", "<tool_call>",
    "<bos>", "<eos>", "<pad>", "<unk>", "<mask>", "<start_of_turn>", "<end_of_turn>",
    "<start_of_turn>user\nhi<end_of_turn>", "<bos><start_of_turn>model\nok<end_of_turn>\n",
    "<start_of_image>", "<end_of_image>", "[multimodal]", "<unused0>", "<unused99>",
    "<s>", "</s>", "[INST] hi [/INST]", "<<SYS>>\nsys\n<</SYS>>", "<|endoftext|><|endoftext|>",
    "< |im_start| >", "<|im_start|", "|im_start|>", "<|IM_START|>", "<|im_start|>>",
    "<<|im_start|>>", "text<|im_end|>text", " <|im_start|> ", "<start_of_turn", "start_of_turn>",
    "<START_OF_TURN>", "<bos> <bos>", " <bos>", "<eos>\n", "<|im_start|><start_of_turn><bos>",
    "[PAD151665]", "<|begin_of_text|>", "<|eot_id|>", "<think></think>",
]

# Unicode blocks for random code-point strings (inclusive ranges; no surrogates, no NUL).
BLOCKS = [
    (0x0021, 0x007E), (0x0001, 0x001F), (0x00A0, 0x00FF), (0x0100, 0x017F), (0x0180, 0x024F),
    (0x0250, 0x02AF), (0x0300, 0x036F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0530, 0x058F),
    (0x0590, 0x05FF), (0x0600, 0x06FF), (0x0900, 0x097F), (0x0980, 0x09FF), (0x0B80, 0x0BFF),
    (0x0E00, 0x0E7F), (0x10A0, 0x10FF), (0x1100, 0x11FF), (0x1E00, 0x1EFF), (0x2000, 0x206F),
    (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2500, 0x257F),
    (0x2600, 0x26FF), (0x2700, 0x27BF), (0x3000, 0x303F), (0x3040, 0x309F), (0x30A0, 0x30FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xE000, 0xF8FF), (0xF900, 0xFAFF),
    (0xFB00, 0xFB4F), (0xFE00, 0xFE0F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0xFFF0, 0xFFFD),
    (0x10000, 0x1007F), (0x1D400, 0x1D7FF), (0x1F300, 0x1F5FF), (0x1F600, 0x1F64F),
    (0x1F900, 0x1F9FF), (0x1FA70, 0x1FAFF), (0x20000, 0x2A6DF), (0xE0020, 0xE007F),
    (0xF0000, 0xF00FF), (0x10FF00, 0x10FFFF),
]

QWEN_MARKERS = [
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>",
    "<|fim_suffix|>", "<|fim_pad|>", "<|file_sep|>", "<|repo_name|>", "<|vision_start|>",
    "<|vision_end|>", "<|image_pad|>", "<|video_pad|>", "<|box_start|>", "<|box_end|>",
    "<|object_ref_start|>", "<|object_ref_end|>", "<|quad_start|>", "<|quad_end|>",
    "<|vision_pad|>", "<tool_call>", "</tool_call>",
]
GEMMA_MARKERS = [
    "<bos>", "<eos>", "<pad>", "<unk>", "<mask>", "<start_of_turn>", "<end_of_turn>",
    "<start_of_image>", "<end_of_image>", "[multimodal]", "<unused0>", "<unused1>", "<unused42>",
]


# ---------------------------------------------------------------------------------------------
# Corpus construction
# ---------------------------------------------------------------------------------------------


def persona_strings() -> list[str]:
    out: list[str] = []

    def walk(value, key=None):
        if isinstance(value, str):
            if key not in ("schema", "id", "$schema", "$id"):
                out.append(value)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)

    for path in sorted(PERSONA_DIR.glob("*.json")):
        if path.name == "persona.schema.json":
            continue
        walk(json.loads(path.read_text(encoding="utf-8")))
    return out


def random_codepoints(rng: random.Random, length: int) -> str:
    chars = []
    for _ in range(length):
        lo, hi = rng.choice(BLOCKS)
        chars.append(chr(rng.randint(lo, hi)))
    return "".join(chars)


def whitespace_run(rng: random.Random) -> str:
    return "".join(rng.choice([" ", " ", " ", "\t", "\n", "\r\n", "\u3000", "\u00a0"])
                   for _ in range(rng.randint(1, 6)))


def build_corpus() -> list[str]:
    rng = random.Random(SEED)
    personas = persona_strings()
    items: list[str] = []
    items += FIXED + MULTILINGUAL + EMOJI + CODE + URLS + MARKDOWN + LOOKALIKES

    # Image prompts.
    for _ in range(260):
        parts = [rng.choice(SUBJECTS)]
        for pool in (SETTINGS, STYLES, STYLES, MOODS):
            piece = rng.choice(pool)
            if piece:
                parts.append(piece)
        items.append(rng.choice([" ", ", ", ", ", ". "]).join(parts))

    # Persona material, verbatim and as sentences.
    items += personas
    sentences = [s.strip() for p in personas for s in p.replace("! ", ". ").split(". ") if s.strip()]
    items += sentences

    # Casing variants.
    for _ in range(80):
        s = rng.choice(SUBJECTS + sentences)
        items.append(rng.choice([str.upper, str.lower, str.title, str.swapcase, str.capitalize])(s))

    # Contractions.
    for t in CONTRACTION_TEMPLATES:
        items.append(t.format(x=rng.choice(CONTRACTION_FILLERS)))
    for _ in range(40):
        t = rng.choice(CONTRACTION_TEMPLATES)
        items.append(rng.choice(sentences) + " " + t.format(x=rng.choice(CONTRACTION_FILLERS)))

    # Numbers.
    for n in range(1, 41):
        items.append("".join(rng.choice("0123456789") for _ in range(n)))
    for _ in range(50):
        kind = rng.randrange(7)
        if kind == 0:
            items.append(f"{rng.uniform(-1e6, 1e6):.{rng.randint(0, 8)}f}")
        elif kind == 1:
            items.append(f"{rng.randint(0, 10**12):,}")
        elif kind == 2:
            items.append(f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}")
        elif kind == 3:
            items.append(f"{rng.randint(1900, 2100)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        elif kind == 4:
            items.append(f"{rng.randint(1, 500)} photos, {rng.randint(1, 99)}% done, {rng.randint(2, 9)}x zoom")
        elif kind == 5:
            items.append(f"seed={rng.randint(0, 2**32)} steps={rng.randint(1, 100)} cfg={rng.uniform(1, 15):.1f}")
        else:
            items.append(f"{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}")

    # Emoji sequences embedded in text.
    for _ in range(60):
        k = rng.randint(1, 5)
        seq = [rng.choice(EMOJI) for _ in range(k)]
        glue = rng.choice(["", " ", "  "])
        text = glue.join(seq)
        if rng.random() < 0.6:
            text = rng.choice(SUBJECTS) + rng.choice([" ", "", "! "]) + text
        items.append(text)

    # Whitespace runs, leading/trailing whitespace, whitespace-only strings.
    for n in (2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 40, 64, 100):
        items.append(" " * n)
        items.append("a" + " " * n + "b")
    for n in (2, 3, 4, 8, 30, 31, 32, 33, 40):
        items.append("\n" * n)
        items.append("\t" * n)
        items.append("x" + "\n" * n + "y")
    items += ["\r\n" * 3, "\r\n\r\n", " \r\n \r\n ", "\n \n \n", "\t \t \t", " \u3000 ", "\u00a0\u00a0"]
    for _ in range(70):
        words = rng.choice(SUBJECTS + sentences).split(" ")
        out = whitespace_run(rng) if rng.random() < 0.4 else ""
        for i, w in enumerate(words):
            if i:
                out += whitespace_run(rng) if rng.random() < 0.3 else " "
            out += w
        if rng.random() < 0.5:
            out += whitespace_run(rng)
        items.append(out)
    for _ in range(20):
        items.append("".join(whitespace_run(rng) for _ in range(rng.randint(1, 4))))

    # Multilingual mixes.
    for _ in range(80):
        k = rng.randint(2, 3)
        pool = MULTILINGUAL + SUBJECTS + EMOJI
        items.append(rng.choice([" ", "", " — ", "\n"]).join(rng.choice(pool) for _ in range(k)))

    # Word salad from persona sentences with random punctuation.
    vocab = sorted({w for s in sentences for w in s.split()})
    punct = [" ", " ", " ", ", ", ". ", "; ", ": ", "! ", "? ", " - ", "/", "...", " (", ") ", "\"", "'"]
    for _ in range(120):
        out = ""
        for _ in range(rng.randint(1, 14)):
            w = rng.choice(vocab)
            r = rng.random()
            if r < 0.1:
                w = w.upper()
            elif r < 0.2:
                w = w.capitalize()
            out += w + rng.choice(punct)
        items.append(out.rstrip() if rng.random() < 0.7 else out)

    # Random code points from diverse blocks (valid UTF-8 only).
    for _ in range(160):
        items.append(random_codepoints(rng, rng.randint(1, 40)))
    for _ in range(40):
        items.append(rng.choice(SUBJECTS) + " " + random_codepoints(rng, rng.randint(1, 8)))

    # Special-token look-alikes inside text.
    for _ in range(30):
        items.append(rng.choice(sentences) + rng.choice(["", " ", "\n"]) + rng.choice(LOOKALIKES)
                     + rng.choice(["", " ", "\n"]) + rng.choice(SUBJECTS))

    # Long strings (~2,000 characters).
    long_en = ""
    while len(long_en) < 2000:
        long_en += rng.choice(personas) + rng.choice([" ", "\n\n", "\n"])
    items.append(long_en[:2000])
    long_mixed = ""
    while len(long_mixed) < 2000:
        long_mixed += rng.choice(MULTILINGUAL + CODE + EMOJI + sentences) + rng.choice([" ", "\n", "  ", "\t"])
    items.append(long_mixed[:2000])
    items.append(random_codepoints(rng, 600))
    items.append("".join(rng.choice("0123456789") for _ in range(300)))
    items.append("ab" * 500)

    # Deduplicate, keep first occurrence.
    seen: set[str] = set()
    corpus = []
    for s in items:
        if s not in seen:
            seen.add(s)
            corpus.append(s)
    for s in corpus:
        s.encode("utf-8")  # valid UTF-8 only (raises on surrogates)
    assert len(corpus) >= MIN_CASES, f"corpus has {len(corpus)} strings, want >= {MIN_CASES}"
    return corpus


def chat_strings(markers: list[str], flavour: str, seed: int) -> list[str]:
    """~100 strings with the model's own chat-template markers, for special=True."""
    rng = random.Random(seed)
    msgs = [s for s in SUBJECTS + MULTILINGUAL[:20] + EMOJI[:10] + CONTRACTION_FILLERS] + [
        "hi", "", " ", "\n", "rewrite this prompt: a rainy street at night",
    ]
    out: list[str] = list(markers)
    if flavour == "qwen":
        def turn(role, text, close=True):
            return f"<|im_start|>{role}\n{text}" + ("<|im_end|>\n" if close else "")
        out += ["<|im_start|>user\nhi<|im_end|>", "<|im_start|>assistant\n", "<|im_end|><|endoftext|>"]
        roles = ["system", "user", "assistant"]
    else:
        def turn(role, text, close=True):
            return f"<start_of_turn>{role}\n{text}" + ("<end_of_turn>\n" if close else "")
        out += ["<start_of_turn>user\nhi<end_of_turn>", "<bos>", "<bos><bos>", "<bos>hello",
                "<start_of_turn>model\n", "<end_of_turn><eos>", "<start_of_image>a cat<end_of_image>"]
        roles = ["user", "model"]
    while len(out) < 100:
        n = rng.randint(1, 4)
        s = "<bos>" if flavour == "gemma" and rng.random() < 0.5 else ""
        for i in range(n):
            s += turn(rng.choice(roles), rng.choice(msgs), close=(i < n - 1 or rng.random() < 0.5))
        if rng.random() < 0.3:
            s = rng.choice([" ", "\n", "text "]) + s + rng.choice(markers) + rng.choice(["", " ", "tail"])
        if rng.random() < 0.2:
            s += rng.choice(LOOKALIKES)
        out.append(s)
    seen: set[str] = set()
    return [s for s in out if not (s in seen or seen.add(s))]


# ---------------------------------------------------------------------------------------------
# llama.cpp
# ---------------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def detokenize(llm, ids: list[int], special: bool) -> bytes:
    """llama.cpp's own llama_detokenize (Llama.detokenize uses a 32-byte buffer per piece)."""
    import ctypes

    import llama_cpp

    if not ids:
        return b""
    tokens = (llama_cpp.llama_token * len(ids))(*ids)
    size = 64 + 8 * len(ids)
    while True:
        buf = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_detokenize(llm._model.vocab, tokens, len(ids), buf, size, False, special)
        if n >= 0:
            return buf.raw[:n]
        size = -n + 1


def generate(model_path: Path, out_name: str, corpus: list[str], chat: list[str]) -> dict:
    import llama_cpp
    from llama_cpp import Llama

    llm = Llama(model_path=str(model_path), vocab_only=True, verbose=False)
    bos_id = int(llm.token_bos())
    probe = llm.tokenize(b"hello", add_bos=True, special=False)
    plain = llm.tokenize(b"hello", add_bos=False, special=False)
    add_bos = probe[:1] == [bos_id] and probe[1:] == plain

    cases = []
    mismatched = []
    jobs = [(s, False) for s in corpus]
    jobs += [(s, False) for s in chat if s not in set(corpus)]
    jobs += [(s, True) for s in chat]
    for text, special in jobs:
        data = text.encode("utf-8")
        ids = [int(t) for t in llm.tokenize(data, add_bos=False, special=special)]
        back = detokenize(llm, ids, special)
        if back != data:
            mismatched.append((text, special, back))
        cases.append({"text": text, "special": special, "ids": ids})

    header = {
        "model": model_path.name,
        "sha256": sha256_file(model_path),
        "generator": f"llama-cpp-python {llama_cpp.__version__}",
        "bos_id": bos_id,
        "add_bos": bool(add_bos),
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / out_name
    lines = [json.dumps(header)[:-1] + ', "cases": [']
    for i, c in enumerate(cases):
        line = json.dumps(c, separators=(",", ":"))
        lines.append(line + ("," if i + 1 < len(cases) else ""))
    lines.append("]}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json.loads(out.read_text(encoding="utf-8"))  # sanity: valid JSON

    n_ids = sum(len(c["ids"]) for c in cases)
    print(f"{out.relative_to(ROOT)}: {len(cases)} cases "
          f"({sum(c['special'] for c in cases)} with special=true), "
          f"mean {n_ids / len(cases):.1f} ids/case, {out.stat().st_size / 1024:.0f} KiB; "
          f"bos_id={bos_id} add_bos={add_bos}; "
          f"{len(mismatched)} cases do not round-trip through llama.cpp's detokenizer")
    for text, special, back in mismatched[:8]:
        print(f"    special={special} {text[:60]!r} -> {back[:80]!r}")
    return {"cases": len(cases), "mismatched": len(mismatched)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("qwen", nargs="?", default=os.environ.get("ZIPP_QWEN_GGUF"),
                    help="Qwen2.5 GGUF (default: $ZIPP_QWEN_GGUF)")
    ap.add_argument("gemma", nargs="?", default=os.environ.get("ZIPP_GEMMA_GGUF"),
                    help="Gemma 3 GGUF (default: $ZIPP_GEMMA_GGUF)")
    ap.add_argument("--corpus-only", action="store_true", help="build the corpus and stop")
    args = ap.parse_args()

    corpus = build_corpus()
    qwen_chat = chat_strings(QWEN_MARKERS, "qwen", SEED + 1)
    gemma_chat = chat_strings(GEMMA_MARKERS, "gemma", SEED + 2)
    print(f"corpus: {len(corpus)} strings; chat strings: qwen {len(qwen_chat)}, gemma {len(gemma_chat)}")
    if args.corpus_only:
        return 0
    if not args.qwen or not args.gemma:
        ap.error("give both model paths (or set ZIPP_QWEN_GGUF and ZIPP_GEMMA_GGUF)")
    generate(Path(args.qwen), "qwen2.json", corpus, qwen_chat)
    generate(Path(args.gemma), "gemma3.json", corpus, gemma_chat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
