"""How a contact reads on each channel: subject, first message, replies and notes.

An e-mail has a subject line and a letter; chat, SMS, LINE and social
messages are one casual line that doubles as the subject; phone calls and
walk-ins are logged under the IVR's or greeter's label with what the customer
said.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from console.demo.topics import TOPICS, Lines, Topic
from console.demo.topics_en import EN, NOTES_EN
from console.demo.topics_ja import JA, NOTES_JA
from console.domain import Channel

CHANNELS = tuple(Channel)
# Cumulative channel weights (order of CHANNELS: phone, email, chat, sms, line,
# social, walkin). LINE is Japan's everyday messenger, rare elsewhere.
_CHANNEL_CUM = {
    True: (22, 36, 46, 50, 80, 85, 100),
    False: (30, 56, 76, 86, 87, 93, 100),
}
_TOPIC_CUM = tuple(sum(t.weight for t in TOPICS[: i + 1]) for i in range(len(TOPICS)))

FOLLOW_UPS = {
    "en": ("Any update on this?", "Hello? I am still waiting for an answer.",
           "Just checking you got my message.", "Please call me back when you can."),
    "ja": ("進捗はいかがでしょうか。", "まだ回答をいただいていません。",
           "メッセージは届いていますか？", "お手すきの際に折り返しお願いします。"),
}
QUESTIONS = {
    "en": ("Could you confirm your date of birth and the last four digits of the card?",
           "Could you send us a photo of the document, front and back?",
           "Which day would suit you for a call back?"),
    "ja": ("生年月日とカード番号の下4桁をご確認いただけますか。",
           "書類の表裏の写真をお送りいただけますか。",
           "折り返しのご希望日時をお知らせください。"),
}
_FRAMES = {
    ("en", Channel.PHONE): "Caller: ",
    ("ja", Channel.PHONE): "お客様: ",
    ("en", Channel.WALKIN): "At the counter: ",
    ("ja", Channel.WALKIN): "窓口にて: ",
}


class Words(NamedTuple):
    subject: str
    body: str


def pick_channel(rng: random.Random, japanese: bool) -> Channel:
    return CHANNELS[bisect_cum(_CHANNEL_CUM[japanese], rng.random() * 100)]


def pick_topic(rng: random.Random) -> Topic:
    return TOPICS[bisect_cum(_TOPIC_CUM, rng.random() * _TOPIC_CUM[-1])]


def bisect_cum(cumulative: tuple[int, ...], value: float) -> int:
    """The index of the first cumulative weight above ``value``."""
    for i, bound in enumerate(cumulative):
        if value < bound:
            return i
    return len(cumulative) - 1


def lines(topic: Topic, language: str) -> Lines:
    return (JA if language == "ja" else EN)[topic.key]


def first_message(rng: random.Random, topic: Topic, language: str, channel: Channel) -> Words:
    """The subject and the customer's first message for a new contact."""
    words = lines(topic, language)
    if channel == Channel.EMAIL:
        i = rng.randrange(len(words.subjects))  # subjects and letters are written in pairs
        subject = words.subjects[i]
        if rng.random() < 0.15:
            subject = "Re: " + subject
        return Words(subject, words.emails[i])
    said = rng.choice(words.casual)
    frame = _FRAMES.get((language, channel))
    if frame is not None:
        return Words(words.label, frame + said)
    return Words(said, said)


def reply(rng: random.Random, topic: Topic, language: str) -> str:
    return rng.choice(lines(topic, language).replies)


def note(rng: random.Random, language: str) -> str:
    return rng.choice(NOTES_JA if language == "ja" else NOTES_EN)


def follow_up(rng: random.Random, language: str) -> str:
    return rng.choice(FOLLOW_UPS[language])


def question(rng: random.Random, language: str) -> str:
    return rng.choice(QUESTIONS[language])
