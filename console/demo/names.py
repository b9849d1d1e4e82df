"""Name lists for demo customers and agents, English and Japanese.

Japanese names come as (kanji, katakana reading, romaji) so that every search
key a real customer record has (Latin, kana, kanji) is filled in. Romaji is
written without macrons, the way most bank records store it.
"""

from __future__ import annotations

from typing import NamedTuple


class JaName(NamedTuple):
    kanji: str
    kana: str
    romaji: str


def _ja(table: str) -> tuple[JaName, ...]:
    """Parses "kanji kana romaji" lines; a compact way to keep three forms aligned."""
    return tuple(JaName(*line.split()) for line in table.strip().splitlines())


JA_FAMILY = _ja("""
佐藤 サトウ Sato
鈴木 スズキ Suzuki
高橋 タカハシ Takahashi
田中 タナカ Tanaka
伊藤 イトウ Ito
渡辺 ワタナベ Watanabe
山本 ヤマモト Yamamoto
中村 ナカムラ Nakamura
小林 コバヤシ Kobayashi
加藤 カトウ Kato
吉田 ヨシダ Yoshida
山田 ヤマダ Yamada
佐々木 ササキ Sasaki
山口 ヤマグチ Yamaguchi
松本 マツモト Matsumoto
井上 イノウエ Inoue
木村 キムラ Kimura
林 ハヤシ Hayashi
斎藤 サイトウ Saito
清水 シミズ Shimizu
山崎 ヤマザキ Yamazaki
森 モリ Mori
池田 イケダ Ikeda
橋本 ハシモト Hashimoto
阿部 アベ Abe
石川 イシカワ Ishikawa
山下 ヤマシタ Yamashita
中島 ナカジマ Nakajima
石井 イシイ Ishii
小川 オガワ Ogawa
前田 マエダ Maeda
岡田 オカダ Okada
長谷川 ハセガワ Hasegawa
藤田 フジタ Fujita
後藤 ゴトウ Goto
近藤 コンドウ Kondo
村上 ムラカミ Murakami
遠藤 エンドウ Endo
青木 アオキ Aoki
坂本 サカモト Sakamoto
福田 フクダ Fukuda
西村 ニシムラ Nishimura
""")

JA_GIVEN = _ja("""
太郎 タロウ Taro
健二 ケンジ Kenji
翔太 ショウタ Shota
大輔 ダイスケ Daisuke
拓也 タクヤ Takuya
直樹 ナオキ Naoki
健太 ケンタ Kenta
達也 タツヤ Tatsuya
誠 マコト Makoto
浩 ヒロシ Hiroshi
隆 タカシ Takashi
和也 カズヤ Kazuya
蓮 レン Ren
悠斗 ユウト Yuto
陽翔 ハルト Haruto
修 オサム Osamu
一郎 イチロウ Ichiro
雄一 ユウイチ Yuichi
翼 ツバサ Tsubasa
智之 トモユキ Tomoyuki
花子 ハナコ Hanako
陽子 ヨウコ Yoko
恵子 ケイコ Keiko
由美 ユミ Yumi
美咲 ミサキ Misaki
愛 アイ Ai
さくら サクラ Sakura
結衣 ユイ Yui
葵 アオイ Aoi
陽菜 ヒナ Hina
真由美 マユミ Mayumi
直子 ナオコ Naoko
明美 アケミ Akemi
久美子 クミコ Kumiko
智子 トモコ Tomoko
千尋 チヒロ Chihiro
彩 アヤ Aya
美穂 ミホ Miho
麻衣 マイ Mai
里奈 リナ Rina
""")

EN_GIVEN = (
    "Emma", "Olivia", "Ava", "Sophia", "Isabella", "Mia", "Charlotte", "Amelia", "Harper",
    "Evelyn", "Abigail", "Emily", "Ella", "Grace", "Chloe", "Lily", "Hannah", "Zoe", "Nora",
    "Ruby", "Alice", "Laura", "Rachel", "Megan", "Sarah", "Jessica", "Claire", "Fiona", "Helen",
    "Rose", "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph",
    "Thomas", "Daniel", "Matthew", "Anthony", "Mark", "Paul", "Steven", "Andrew", "Joshua",
    "Kevin", "Brian", "George", "Edward", "Ryan", "Jacob", "Nathan", "Samuel", "Oliver", "Harry",
    "Jack", "Liam", "Noah",
)

EN_FAMILY = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore",
    "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
    "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker",
    "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper",
    "Peterson", "Reed", "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox", "Richardson", "Wood",
    "Watson", "Brooks", "Bennett", "Gray", "Hughes", "Price", "Sanders", "Patel", "Nguyen", "Kim",
    "O'Brien", "Fitzgerald", "Sullivan", "MacLeod", "Okafor", "Schmidt", "Rossi",
)

EN_EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.co.uk",
                    "proton.me", "fastmail.com", "btinternet.com", "comcast.net")
JA_EMAIL_DOMAINS = ("gmail.com", "yahoo.co.jp", "docomo.ne.jp", "ezweb.ne.jp",
                    "softbank.ne.jp", "icloud.com", "outlook.jp", "nifty.com")

# US area codes of large cities (and Honolulu, home to many Japanese-American
# customers); every one is a valid geographic code for phonenumbers.
US_AREA_CODES = ("212", "646", "718", "917", "415", "510", "650", "312", "773", "206",
                 "213", "310", "617", "202", "305", "512", "404", "303", "808")
# UK mobile prefixes (after +44): 7710-7779 and 790x-799x ranges are allocated.
UK_MOBILE_PREFIXES = ("771", "772", "773", "774", "775", "776", "777",
                      "790", "792", "794", "795", "796", "797", "798", "799")
# Japanese mobiles start 070/080/090 and fixed lines in Tokyo 03, Osaka 06.
JA_MOBILE_PREFIXES = ("90", "80", "70")
JA_FIXED_PREFIXES = ("3", "6")


class AgentSeed(NamedTuple):
    """One demo agent: login, display name, role, team, languages and queues."""

    login: str
    name: str
    role: str
    team: str
    languages: tuple[str, ...]
    queues: tuple[str, ...]


_EN_QUEUES = ("Cards", "Online Banking", "General")
_ALL = ("Cards", "Loans & Mortgages", "Online Banking", "General", "日本語サポート")

AGENTS = (
    AgentSeed("emma", "Emma Clarke", "agent", "Tokyo A", ("en",), _EN_QUEUES),
    AgentSeed("kenji", "佐藤 健二", "agent", "Tokyo A", ("ja", "en"),
              ("Cards", "日本語サポート", "General")),
    AgentSeed("olivia", "Olivia Bennett", "agent", "Tokyo A", ("en",),
              ("Loans & Mortgages", "General")),
    AgentSeed("yuki", "中村 由紀", "agent", "Tokyo B", ("ja",),
              ("日本語サポート", "Loans & Mortgages")),
    AgentSeed("daniel", "Daniel Brooks", "agent", "Tokyo B", ("en",),
              ("Online Banking", "Cards")),
    AgentSeed("haruka", "小林 遥", "agent", "Tokyo B", ("ja", "en"),
              ("日本語サポート", "Online Banking")),
    AgentSeed("liam", "Liam O'Connor", "agent", "Tokyo A", ("en",), _EN_QUEUES),
    AgentSeed("takeshi", "高橋 武", "agent", "Tokyo B", ("ja",),
              ("日本語サポート", "Cards", "Loans & Mortgages")),
    AgentSeed("sara", "Sara Lind", "supervisor", "Tokyo A", ("en", "ja"), _ALL),
    AgentSeed("misaki", "山本 美咲", "supervisor", "Tokyo B", ("ja", "en"), _ALL),
    AgentSeed("ren", "伊藤 蓮", "branch", "Branch Operations", ("ja", "en"),
              ("Branch walk-ins",)),
    AgentSeed("alex", "Alex Morgan", "admin", "Branch Operations", ("en",), ()),
)
