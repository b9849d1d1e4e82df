"""Customer mail for ``switchboard bench-channels``: varied, deterministic, as carriers send it.

A mix close to a Japanese bank's support mailbox: plain UTF-8 mail in
Japanese or English, ISO-2022-JP mail (what many Japanese phones and mail
programs still send), mail with a small attachment, and answers to earlier
mail in the same corpus (In-Reply-To/References), from a pool of senders so
that some write more than once. (tools.mail_corpus is the other corpus: a fixed
set of hard cases, byte by byte, for the parser's tests; this one is volume.)
"""

from __future__ import annotations

import email.policy
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

KINDS = ("plain", "iso-2022-jp", "attachment", "reply")
# Of every ten messages: four plain, three ISO-2022-JP, one with an attachment, two answers.
_MIX = ("plain",) * 4 + ("iso-2022-jp",) * 3 + ("attachment",) + ("reply",) * 2
_FAMILY = ("山田", "鈴木", "佐藤", "田中", "高橋", "伊藤", "渡辺", "中村")
_GIVEN = ("太郎", "花子", "健二", "美咲", "翔太", "由美")
_LATIN = ("Emma Clark", "Liam Wong", "Olivia Brown", "Noah Patel")
_SUBJECTS_JA = ("住宅ローンの金利について", "口座の住所変更", "キャッシュカードの再発行",
                "振込手数料を教えてください", "ネットバンキングにログインできません")
_SUBJECTS_EN = ("Question about my mortgage rate", "Change of address", "Card replacement",
                "Online banking login problem")
_BODIES_JA = ("お世話になっております。{topic}について教えていただけますか。\n"
              "よろしくお願いいたします。",
              "いつもありがとうございます。先日の件ですが、{topic}の手続きはどうなりますか。")
_BODY_EN = "Hello,\n\ncould you tell me more about this: {topic}?\n\nKind regards"
_T0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class CorpusMail:
    """One message of the corpus: its bytes, its kind, and its Message-ID (without brackets)."""

    raw: bytes
    kind: str
    message_id: str


def customer_mail(n: int, *, to: str, seed: int, prefix: str = "m",
                  sender: str | None = None) -> list[CorpusMail]:
    """``n`` messages to ``to``; with ``sender`` all come from that address (names vary).

    Message-IDs are ``{prefix}{i}.{seed}@bench.example``, so two corpora with
    different prefixes never share one.
    """
    rng = random.Random(f"{seed}:{prefix}")
    senders = [_sender(rng, k, sender) for k in range(max(1, n // 4))]
    out: list[CorpusMail] = []
    for i in range(n):
        kind = _MIX[i % len(_MIX)] if out else "plain"
        who = rng.choice(senders)
        earlier = rng.choice(out[-50:]) if kind == "reply" else None
        at = _T0 + timedelta(seconds=37 * i)
        mid = f"{prefix}{i}.{seed}@bench.example"
        out.append(CorpusMail(_compose(rng, kind, who, to, mid, at, earlier), kind, mid))
    return out


def _sender(rng: random.Random, k: int, address: str | None) -> tuple[str, str]:
    japanese = rng.random() < 0.8
    name = f"{rng.choice(_FAMILY)} {rng.choice(_GIVEN)}" if japanese else rng.choice(_LATIN)
    return name, address or f"customer{k}@example.{rng.choice(('jp', 'ne.jp', 'com'))}"


def _compose(rng: random.Random, kind: str, who: tuple[str, str], to: str, mid: str,
             at: datetime, earlier: CorpusMail | None) -> bytes:
    japanese = kind == "iso-2022-jp" or rng.random() < 0.75
    topic = rng.choice(_SUBJECTS_JA if japanese else _SUBJECTS_EN)
    body = (rng.choice(_BODIES_JA) if japanese else _BODY_EN).format(topic=topic)
    subject = topic
    if earlier is not None:
        subject = "Re: " + _subject_of(earlier)
        body = "追加で質問です。\n" + body if japanese else "One more question.\n" + body
    if kind == "iso-2022-jp":
        return _iso2022jp(who, to, subject, body, mid, at)
    msg = EmailMessage()
    msg["From"] = formataddr(who)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{mid}>"
    if earlier is not None:
        msg["In-Reply-To"] = f"<{earlier.message_id}>"
        msg["References"] = f"<{earlier.message_id}>"
    msg.set_content(body)
    if kind == "attachment":
        msg.add_attachment(rng.randbytes(rng.randint(2_000, 12_000)), maintype="application",
                           subtype="pdf", filename="statement.pdf")
    return msg.as_bytes(policy=email.policy.SMTP)


def _iso2022jp(who: tuple[str, str], to: str, subject: str, body: str, mid: str,
               at: datetime) -> bytes:
    """As Japanese mail programs write it: 7-bit JIS body, B-encoded JIS header words."""
    msg = MIMEText(body, "plain", "iso-2022-jp")
    msg["From"] = f"{Header(who[0], 'iso-2022-jp').encode()} <{who[1]}>"
    msg["To"] = to
    msg["Subject"] = Header(subject, "iso-2022-jp").encode()
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{mid}>"
    return msg.as_bytes(policy=email.policy.compat32.clone(linesep="\r\n"))


def _subject_of(mail: CorpusMail) -> str:
    parsed = email.message_from_bytes(mail.raw, policy=email.policy.default)
    return str(parsed["Subject"]).removeprefix("Re: ")
