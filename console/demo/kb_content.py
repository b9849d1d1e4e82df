"""Synthetic KB articles: titles and bodies composed from product × procedure × situation.

Each article names one product, one procedure and sometimes one situation,
so a search word such as "mortgage" or "住宅ローン" matches a slice of the
knowledge base, not all of it.
"""

from __future__ import annotations

import random
from typing import NamedTuple


class Article(NamedTuple):
    slug: str
    title: str
    body: str
    category: str
    tags: str
    language: str


# (name, category, slug)
EN_PRODUCTS = (
    ("debit card", "Cards", "debit-card"), ("credit card", "Cards", "credit-card"),
    ("prepaid travel card", "Cards", "travel-card"), ("savings account", "Accounts", "savings"),
    ("checking account", "Accounts", "checking"), ("time deposit", "Accounts", "time-deposit"),
    ("foreign currency account", "Accounts", "fx-account"),
    ("business account", "Accounts", "business-account"), ("mortgage", "Loans", "mortgage"),
    ("car loan", "Loans", "car-loan"), ("personal loan", "Loans", "personal-loan"),
    ("overdraft", "Loans", "overdraft"), ("mobile app", "Digital", "mobile-app"),
    ("online banking login", "Digital", "online-login"),
    ("one-time passcode", "Digital", "otp"), ("mobile wallet", "Digital", "wallet"),
    ("domestic transfer", "Payments", "transfer"),
    ("international transfer", "Payments", "intl-transfer"),
    ("direct debit", "Payments", "direct-debit"), ("standing order", "Payments", "standing-order"),
    ("safe deposit box", "Branch", "safe-box"), ("passbook", "Branch", "passbook"),
    ("power of attorney", "Legal", "poa"), ("bereavement claim", "Legal", "bereavement"),
)
# (verb phrase, noun phrase)
EN_ACTIONS = (
    ("block", "blocking"), ("replace", "replacement"), ("close", "closure"),
    ("open", "opening"), ("update the details of", "detail changes"),
    ("cancel", "cancellation"), ("dispute a payment on", "payment disputes"),
    ("reset the PIN of", "PIN reset"), ("change the limit of", "limit changes"),
    ("report fraud on", "fraud reports"), ("renew", "renewal"), ("freeze", "freezing"),
    ("add a joint holder to", "joint holders"), ("check the status of", "status checks"),
    ("waive fees on", "fee waivers"), ("transfer ownership of", "ownership transfer"),
)
EN_SITUATIONS = (
    "customer abroad", "business customers", "after a name change", "customers under 18",
    "bereavement", "non-resident customers", "system outage", "suspected fraud",
    "joint accounts", "elderly customers", "first-time customers", "hearing-impaired callers",
)
EN_TEAMS = ("the Card Services desk", "the Lending team", "Digital Support",
            "the Payments Operations team", "Branch Operations", "the Fraud team")
EN_CHANNELS = ("e-mail", "SMS", "post", "app notification")

JA_PRODUCTS = (
    ("キャッシュカード", "カード", "cash-card"), ("クレジットカード", "カード", "credit-card"),
    ("デビットカード", "カード", "debit-card"), ("普通預金口座", "口座", "savings"),
    ("定期預金", "口座", "time-deposit"), ("外貨預金", "口座", "fx-deposit"),
    ("法人口座", "口座", "business-account"), ("住宅ローン", "ローン", "home-loan"),
    ("自動車ローン", "ローン", "car-loan"), ("カードローン", "ローン", "card-loan"),
    ("スマホアプリ", "デジタル", "mobile-app"),
    ("インターネットバンキング", "デジタル", "online-banking"),
    ("ワンタイムパスワード", "デジタル", "otp"), ("振込", "お支払い", "transfer"),
    ("海外送金", "お支払い", "intl-transfer"), ("口座振替", "お支払い", "direct-debit"),
    ("通帳", "窓口", "passbook"), ("貸金庫", "窓口", "safe-box"),
    ("相続手続き", "法務", "inheritance"), ("代理人届", "法務", "proxy"),
)
JA_ACTIONS = (
    "再発行", "利用停止", "解約", "新規開設", "登録内容の変更", "暗証番号の再設定",
    "限度額の変更", "不正利用の届出", "名義変更", "利用再開", "残高証明書の発行", "手数料の返金",
)
JA_SITUATIONS = (
    "海外渡航中のお客様", "法人のお客様", "結婚による改姓", "未成年のお客様", "相続発生時",
    "非居住者のお客様", "システム障害時", "高齢のお客様", "共同名義の場合", "初めてのお客様",
)
JA_TEAMS = ("カードサービス担当", "ローン審査部", "デジタルサポート", "決済事務センター",
            "支店業務部", "不正対策チーム")
JA_CHANNELS = ("メール", "SMS", "郵送", "アプリ通知")


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _paragraphs(rng: random.Random, always: tuple[tuple[str, ...], ...],
                sometimes: tuple[tuple[float, tuple[str, ...]], ...]) -> list[str]:
    """One variant of each fixed paragraph, plus optional ones by their chance.

    Boilerplate varies and is often left out, so that no everyday word (and
    no word of the title vocabulary) ends up in every article.
    """
    out = [rng.choice(variants) for variants in always]
    out.extend(rng.choice(variants) for chance, variants in sometimes if rng.random() < chance)
    return out


def english_article(rng: random.Random, seq: int) -> Article:
    product, category, pslug = rng.choice(EN_PRODUCTS)
    verb, noun = rng.choice(EN_ACTIONS)
    situation = rng.choice(EN_SITUATIONS) if rng.random() < 0.6 else None
    pattern = rng.randrange(4) if situation else 0
    title = (f"How to {verb} a customer's {product}",
             f"{product.capitalize()} {noun} - {situation}",
             f"Troubleshooting: customer cannot {verb} their {product} ({situation})",
             f"Policy: {noun} for {product} - {situation}")[pattern]
    where = f" Special case covered below: {situation}." if situation else ""
    days, channel, team = rng.randrange(1, 8), rng.choice(EN_CHANNELS), rng.choice(EN_TEAMS)
    body = "\n\n".join(_paragraphs(rng, (
        (f"This article explains how to {verb} a customer's {product}.{where}",
         f"Use this guide when a caller asks to {verb} their {product}.{where}",
         f"Agents and branch staff: follow these steps to {verb} {_a(product)}.{where}"),
        (f"Steps: 1. Find the record and select the {product}. 2. Pick '{noun}' in the "
         "actions menu. 3. Read the summary back and confirm. 4. Note the reference number "
         "on the contact.",
         f"In the console, pick the {product} on the record, then '{noun}'. Confirm the "
         "details aloud before saving and paste the reference into a note."),
    ), (
        (0.6, ("Before acting, verify the caller: full name, date of birth and the last four "
               "digits on file.",
               "Confirm identity first: date of birth and registered postcode, plus one "
               "security question on the phone.")),
        (0.5, (f"Processing usually takes {days} working days; the caller hears by {channel} "
               "when it is done.",
               f"Expect completion within {days} working days. A confirmation goes out by "
               f"{channel}.")),
        (0.4, (f"If an error appears, escalate to {team} and wrap up with 'Escalated to "
               "specialist'.",
               f"Unusual cases go to {team}; tell the caller when to expect an answer.")),
    )))
    tags = ", ".join(t for t in (product, noun, situation) if t)
    return Article(f"en-{seq:06d}-{pslug}", title, body, category, tags, "en")


def japanese_article(rng: random.Random, seq: int) -> Article:
    product, category, pslug = rng.choice(JA_PRODUCTS)
    action = rng.choice(JA_ACTIONS)
    situation = rng.choice(JA_SITUATIONS) if rng.random() < 0.6 else None
    pattern = rng.randrange(6) if situation else rng.randrange(3)
    title = (f"{product}の{action}手続き", f"{product}の{action}方法",
             f"{action}（{product}）のご案内", f"{product}の{action}について（{situation}）",
             f"【{situation}】{product}の{action}",
             f"{product}：{action}ができない場合の対応（{situation}）")[pattern]
    where = f"{situation}の注意点も記載しています。" if situation else ""
    days, channel, team = rng.randrange(1, 8), rng.choice(JA_CHANNELS), rng.choice(JA_TEAMS)
    body = "\n\n".join(_paragraphs(rng, (
        (f"{product}の{action}を受け付ける際の流れをまとめました。{where}",
         f"{product}の{action}を依頼されたときは、以下の順に進めてください。{where}",
         f"窓口・電話で{product}の{action}を行う手順です。{where}"),
        (f"操作：顧客画面で{product}を選び、メニューの「{action}」を押します。内容を読み上げて"
         "確認し、受付番号をメモに残します。",
         f"1. 顧客情報から{product}を開く 2. 「{action}」を選択 3. 内容を復唱 4. 受付番号を記録"),
    ), (
        (0.6, ("最初に氏名・生年月日・登録住所でご本人確認を行ってください。",
               "ご本人確認として、生年月日と届出の電話番号を確認します。電話では合言葉も確認します。")),
        (0.5, (f"処理には通常{days}営業日かかります。完了は{channel}でお知らせします。",
               f"完了まで{days}営業日ほどお待ちいただくようご案内ください。")),
        (0.4, (f"エラーが出た場合は{team}へ引き継ぎ、「Escalated to specialist」で完了します。",
               f"判断に迷う場合は{team}に相談してください。")),
    )))
    tags = ", ".join(t for t in (product, action, situation) if t)
    return Article(f"ja-{seq:06d}-{pslug}", title, body, category, tags, "ja")


def article(rng: random.Random, seq: int) -> Article:
    """One article, English a little more often than Japanese."""
    return japanese_article(rng, seq) if rng.random() < 0.45 else english_article(rng, seq)
